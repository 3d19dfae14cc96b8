"""Template filters for the clinician's exam and the chart's exam section (no queries)."""

from decimal import Decimal

from django import forms, template

from intake.templatetags.intake_tags import num, signed_num

register = template.Library()
register.filter("num", num)
register.filter("signed_num", signed_num)


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


