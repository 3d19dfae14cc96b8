from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("notifications/_history.html", takes_context=True)
def notification_history(context, appointment=None, patient=None):
    """A visit's or a patient's messages with their status: {% notification_history appointment=a %}."""
    request = context["request"]
    scope = f"appointment:{appointment.pk}" if appointment is not None else f"patient:{patient.mrn}"
    return {
        "history": selectors.message_history(appointment=appointment, patient=patient),
        "history_scope": scope,
        "history_next": request.get_full_path(),
        "can_resend": request.user.has_perm("notifications.change_notification"),
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }
