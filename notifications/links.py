"""Signed links in patient messages: confirm, cancel or reschedule a visit without signing in.

The token is the appointment id signed with its own salt; it works until the visit starts.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from clinic.signed_links import sign_id, signed_id
from scheduling import links as booking_links
from scheduling.models import Appointment

SALT = "stride.patient-action"


def action_token(appointment) -> str:
    return sign_id(appointment.pk, salt=SALT)


def appointment_for_token(token: str):
    """(appointment, problem): problem is "invalid" for a bad token, "expired" once the visit has started."""
    pk = signed_id(token, salt=SALT)
    appointment = (
        Appointment.objects.select_related("patient", "visit_type", "clinician__user", "location")
        .filter(pk=pk).first() if pk is not None else None
    )
    if appointment is None:
        return None, "invalid"
    if appointment.start_at <= timezone.now():
        return appointment, "expired"
    return appointment, ""


def _absolute(path):
    return f"{settings.SITE_URL}{path}"


def reschedule_path(appointment) -> str:
    """The visit's manage page in online booking, where the patient picks another time."""
    return booking_links.manage_path(appointment)


def cancel_path(appointment) -> str:
    """The manage pages' cancel question: the one place a patient cancels, whichever link they followed."""
    return reverse("booking:cancel", kwargs={"token": booking_links.manage_token(appointment)})


def action_urls(appointment) -> dict:
    """Absolute confirm, cancel and reschedule links for a message about `appointment`."""
    token = action_token(appointment)
    return {
        "confirm": _absolute(reverse("notifications:patient-confirm", args=[token])),
        "cancel": _absolute(cancel_path(appointment)),
        "reschedule": _absolute(reschedule_path(appointment)),
    }
