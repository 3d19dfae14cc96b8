"""Signed intake links: no account needed, tied to one intake form, dead after the visit's day.

The token is `django.core.signing` over the form's id with its own salt, so a link for one form
never opens another and a changed character gives a 404. The signature carries its age and is
refused after MAX_AGE as a backstop (the "expired" page, as for the real end); the real end is the end of the visit's day in the clinic's
time zone, checked by the views (`is_expired`) because a visit can move after the link was sent.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from clinic.signed_links import end_of_day_after, sign_id, signed_id
from scheduling.models import Appointment

SALT = "stride.intake"
# The emailed copy of a submitted form: its own salt (an intake link never opens it, nor it the form), and a
# short life, since it shows every answer to whoever holds it.
COPY_SALT = "stride.intake-copy"
COPY_MAX_AGE = timedelta(days=7)
# Backstop only: online booking reaches 90 days ahead; a link older than this is refused outright.
MAX_AGE = timedelta(days=200)
# A form with no visit (the visit was deleted) stays open this long after it was created.
WITHOUT_VISIT = timedelta(days=14)


def token_for(intake) -> str:
    """Return the signed token for an intake form."""
    return sign_id(intake.pk, salt=SALT)


def intake_id_from(token: str) -> int | None:
    """Return the form id in a token, or None if the token is tampered with or not ours.

    Raises signing.SignatureExpired for a genuine token older than MAX_AGE.
    """
    return signed_id(token, salt=SALT, max_age=MAX_AGE)


def expires_at(intake) -> datetime:
    """The instant the link stops working: midnight after the visit's day, in the clinic's time zone."""
    appointment = intake.appointment
    if appointment is None:
        return end_of_day_after(intake.created_at + WITHOUT_VISIT, ZoneInfo(settings.TIME_ZONE))
    return end_of_day_after(appointment.start_at, appointment.local_tz)


def is_expired(intake, now=None) -> bool:
    """True once the visit's day has ended, or the visit was cancelled or missed."""
    if intake.appointment is not None and intake.appointment.status in Appointment.CLOSED:
        return True
    return (now or timezone.now()) >= expires_at(intake)


def intake_path(intake, step: str | None = None, *, token: str | None = None) -> str:
    """The patient's URL path for the form (its resume page, or one step)."""
    token = token or token_for(intake)
    if step is None:
        return reverse("intake:resume", kwargs={"token": token})
    return reverse("intake:step", kwargs={"token": token, "step": step})


def form_paths(intake, *, token: str | None = None) -> list[str]:
    """The path prefixes of one form: its pages (the first, where it resumes) and its API."""
    token = token or token_for(intake)
    return [intake_path(intake, token=token),
            reverse("intake_api:submit", kwargs={"token": token}).removesuffix("submit/")]
def copy_token_for(intake) -> str:
    """The signed token of the emailed copy of a submitted form (works for COPY_MAX_AGE)."""
    return sign_id(intake.pk, salt=COPY_SALT)


def intake_id_from_copy(token: str) -> int | None:
    """The form id in a copy token, or None; raises signing.SignatureExpired once COPY_MAX_AGE has passed."""
    return signed_id(token, salt=COPY_SALT, max_age=COPY_MAX_AGE)


def copy_path(intake) -> str:
    return reverse("intake:copy", kwargs={"token": copy_token_for(intake)})
