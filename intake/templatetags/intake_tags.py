"""Template filters for the chart's progress section and the intake pages (no queries)."""

from django import template

register = template.Library()


@register.filter
def num(value):
    if value is None or value == "":
        return "—"
    return f"{float(value):g}"


@register.filter
def signed_num(value):
    if value is None:
        return "—"
    return f"{float(value):+g}"
