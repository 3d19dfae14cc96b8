"""The patient's private link to a booking: a signed, unguessable token over the appointment id.

The token is `django.core.signing` (HMAC-SHA256) over the appointment id with its own salt, so it opens one
visit, no other kind of link (intake, message actions) opens the manage pages, and a changed character gives
a 404. It works until the end of the visit's day in the clinic's time zone (`is_expired`, checked by the
views because the visit can move after the link was sent); a link older than MAX_AGE is refused as a backstop.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from clinic.signed_links import end_of_day_after, sign_id, signed_id

SALT = "stride.manage-appointment"
# Backstop only: every reminder carries a fresh link, so a link this old was for a visit long gone.
MAX_AGE = timedelta(days=366)


def manage_token(appointment) -> str:
    return sign_id(appointment.pk, salt=SALT)


def appointment_id_from_token(token: str) -> int | None:
    """The appointment id the token was made for, or None if it was tampered with or is not ours.

    Raises signing.SignatureExpired for a genuine token older than MAX_AGE.
    """
    return signed_id(token, salt=SALT, max_age=MAX_AGE)


def expires_at(appointment) -> datetime:
    """The instant the link stops working: midnight after the visit's day, in the visit's time zone."""
    return end_of_day_after(appointment.start_at, appointment.local_tz)


def is_expired(appointment, now=None) -> bool:
    return (now or timezone.now()) >= expires_at(appointment)


def manage_path(appointment) -> str:
    return reverse("booking:manage", kwargs={"token": manage_token(appointment)})


def manage_url(appointment, request=None) -> str:
    """An absolute link: from the request on a page, from SITE_URL in email and tasks."""
    path = manage_path(appointment)
    return request.build_absolute_uri(path) if request is not None else f"{settings.SITE_URL}{path}"


def video_path(appointment) -> str:
    """The patient's way into a video visit: a page that says when the room opens, then holds its link."""
    return reverse("booking:video", kwargs={"token": manage_token(appointment)})


def video_url(appointment) -> str:
    """The video page's absolute address, for messages and calendar files (on SITE_URL)."""
    return f"{settings.SITE_URL}{video_path(appointment)}"
