"""Small filters for the staff calendar templates."""

import re

from django import template

from .. import calendar_layout

register = template.Library()
# Visit type colours are typed by admins; only plain CSS colours reach a style attribute.
_COLOR = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}|(rgb|hsl)a?\([0-9.,%\s]+\))$")
FALLBACK_COLOR = "#6c757d"


@register.filter
def vt_color(value):
    value = (value or "").strip()
    return value if _COLOR.match(value) else FALLBACK_COLOR


@register.filter
def clock(minute):
    """570 -> '9:30 AM'."""
    return calendar_layout.clock(minute)


@register.filter
def hhmm(minute):
    """570 -> '09:30', for a link's start time."""
    hours, minutes = divmod(int(minute), 60)
    return f"{hours:02d}:{minutes:02d}"


@register.simple_tag
def calendar_pieces(grid, *, can_book, week, by, compact, book_url):
    """Free cells, hour labels and visit blocks of the grid (built in Python: there are hundreds)."""
    from .. import calendar_html

    return (
        calendar_html.free_cells(grid, can_book=can_book, week=week, by=by, book_url=book_url)
        + calendar_html.hour_labels(grid)
        + calendar_html.visit_blocks(grid, compact=compact, by=by)
    )
