"""Template helpers for the clinician's exam and the chart's exam and progress sections."""

from decimal import Decimal

from django import forms, template
from django.utils import timezone

from intake import exam_selectors
from scheduling.models import Appointment

register = template.Library()


@register.filter
def shown(bound_field):
    """A field's current value as text, for the read-only (signed) exam: choice labels, not codes."""
    value = bound_field.value()
    field = bound_field.field
    if value in (None, "", [], ()) or value is False:
        return "—"
    if isinstance(field, forms.BooleanField):
        return "Yes"
    choices = {str(key): label for key, label in getattr(field, "choices", [])}
    if isinstance(value, list | tuple):
        return ", ".join(str(choices.get(str(v), v)) for v in value) or "—"
    if choices:
        return choices.get(str(value), value)
    if isinstance(value, float | int | Decimal) and not isinstance(value, bool):
        return f"{float(value):g}"
    return value


@register.filter
def checked(bound_field, choice):
    """Whether `choice` is among a multiple-choice field's values."""
    return str(choice) in [str(v) for v in (bound_field.value() or [])]


@register.filter
def choice_label(choices, key):
    return dict(choices).get(key, key)


@register.filter
def get(mapping, key):
    return (mapping or {}).get(key) if hasattr(mapping, "get") else None


@register.filter
def get_row(rows, index):
    """The still images of the index-th ultrasound finding."""
    try:
        return rows[index]["images"]
    except (IndexError, KeyError, TypeError):
        return None


@register.filter
def is_image(document):
    """Whether a patient document is an image a browser shows inline (an ultrasound still)."""
    return document.file.name.lower().rsplit(".", 1)[-1] in ("jpg", "jpeg", "png")


@register.filter
def revision_of(exam, section):
    """The section's revision the page was built from (sent back with each save)."""
    return exam.revision_of(section)


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
def chart_exams(context, patient):
    """The patient's exams for the chart (one query), or None for users who may not read clinical notes."""
    if not context["request"].user.has_perm("intake.view_clinical"):
        return None
    exams = exam_selectors.chart_exams(patient.pk)
    comparison = exam_selectors.first_and_latest(exams)
    if comparison:
        comparison["tables"] = [("Range of motion", comparison["rom"]), ("Gait", comparison["gait"])]
    return {"exams": exams, "comparison": comparison, "open_visits": _open_visits(patient, exams)}




def _open_visits(patient, exams, shown=5):
    """Today's and recent visits that have no exam yet, from the chart's prefetched appointments (no query)."""
    with_exam = {e.appointment_id for e in exams}
    today = timezone.localdate()
    visits = [a for a in getattr(patient, "upcoming_appointments", []) if timezone.localdate(a.start_at) == today]
    visits += list(getattr(patient, "past_appointments", []))[:10]
    return [a for a in visits if a.pk not in with_exam and a.status not in Appointment.CLOSED][:shown]


@register.simple_tag(takes_context=True)
def chart_progress(context, patient):
    """The patient's outcome series with their plots (one query), or None without clinical access."""
    if not context["request"].user.has_perm("intake.view_clinical"):
        return None
    return exam_selectors.progress_series(patient.pk, scores=getattr(patient, "chart_scores", None))
