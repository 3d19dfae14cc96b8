"""Signed links in patient messages: confirm, cancel or reschedule a visit without signing in.

The token is the appointment id signed with its own salt; it works until the visit starts.
"""

from django.conf import settings
from django.core import signing
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from scheduling import links as booking_links
from scheduling.models import Appointment

SALT = "stride.patient-action"


def action_token(appointment) -> str:
    return signing.dumps(appointment.pk, salt=SALT, compress=False)


def appointment_for_token(token: str):
    """(appointment, problem): problem is "invalid" for a bad token, "expired" once the visit has started."""
    try:
        pk = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None, "invalid"
    appointment = (
        Appointment.objects.select_related("patient", "visit_type", "clinician__user", "location")
        .filter(pk=pk if isinstance(pk, int) else None)
        .first()
    )
    if appointment is None:
        return None, "invalid"
    if appointment.start_at <= timezone.now():
        return appointment, "expired"
    return appointment, ""


def _absolute(path):
    return f"{settings.SITE_URL}{path}"


def reschedule_path(appointment, token=None) -> str:
    """The public booking's manage page if it exists, else our cancel page (which offers to call)."""
    manage = booking_links.manage_token(appointment)
    for kwargs in ({"kwargs": {"token": manage}}, {"args": [manage]}):
        try:
            return reverse("booking:manage", **kwargs)
        except NoReverseMatch:
            continue
    return reverse("notifications:patient-cancel", args=[token or action_token(appointment)])


def action_urls(appointment) -> dict:
    """Absolute confirm, cancel and reschedule links for a message about `appointment`."""
    token = action_token(appointment)
    return {
        "confirm": _absolute(reverse("notifications:patient-confirm", args=[token])),
        "cancel": _absolute(reverse("notifications:patient-cancel", args=[token])),
        "reschedule": _absolute(reschedule_path(appointment, token)),
    }
