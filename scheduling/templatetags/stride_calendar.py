"""Small tags for the staff calendar templates."""

from django import template

from .. import calendar_html

register = template.Library()


@register.filter
def vt_color(value):
    """A visit type's colour if it is a plain CSS colour, else a neutral grey."""
    return calendar_html.visit_type_color(value)


@register.simple_tag
def calendar_pieces(grid, *, can_book, week, by, compact, book_url):
    """Free cells, hour labels and visit blocks of the grid (built in Python: there are hundreds)."""
    return (
        calendar_html.free_cells(grid, can_book=can_book, week=week, by=by, book_url=book_url)
        + calendar_html.hour_labels(grid)
        + calendar_html.visit_blocks(grid, compact=compact, by=by)
    )
