"""Template helpers for the chart's progress section (outcome series from the intake form and the exams)."""

from django import template

from intake import selectors

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


@register.simple_tag(takes_context=True)
def chart_progress(context, patient):
    """The patient's outcome series with their plots (one query), or None without clinical access."""
    if not context["request"].user.has_perm("intake.view_clinical"):
        return None
    return selectors.progress_series(patient.pk, scores=getattr(patient, "chart_scores", None))
