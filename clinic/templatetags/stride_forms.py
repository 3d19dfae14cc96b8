"""Forms that look the same on every page view, rendered once per process.

Crispy renders a form field by field through several templates: the chart's upload and consent forms
cost about a fifth of the page's time. An unbound form whose fields and choices are fixed in code
renders to the same HTML every time, so that HTML is kept. The CSRF token is outside it, in the page.
"""

from crispy_forms.utils import render_crispy_form
from django import template
from django.utils.safestring import mark_safe

register = template.Library()
_rendered = {}


@register.simple_tag
def fixed_form(form):
    """`{% fixed_form form %}`: only for unbound forms whose fields do not come from the database."""
    if form.is_bound or form.initial:
        return render_crispy_form(form)
    key = type(form)
    if key not in _rendered:
        _rendered[key] = mark_safe(render_crispy_form(form))
    return _rendered[key]
