"""Small filters for the staff calendar templates."""

from django import template

from .. import calendar_layout

register = template.Library()


@register.filter
def vt_color(value):
    """A visit type's colour if it is a plain CSS colour, else a neutral grey."""
    return calendar_layout.visit_type_color(value)


@register.filter
def clock(minute):
    """'9:30 AM' for 570 minutes after midnight."""
    return calendar_layout.clock(minute)
