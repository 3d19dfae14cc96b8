"""The patient's private link to a booking: a signed, unguessable token over the appointment id."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "stride.manage-appointment"


def manage_token(appointment) -> str:
    return signing.dumps(appointment.pk, salt=SALT, compress=False)


def appointment_id_from_token(token: str) -> int | None:
    """The appointment id the token was made for, or None if it was tampered with or is not ours."""
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def manage_path(appointment) -> str:
    return reverse("booking:manage", kwargs={"token": manage_token(appointment)})


def manage_url(appointment, request=None) -> str:
    """An absolute link: from the request on a page, from SITE_URL in email and tasks."""
    path = manage_path(appointment)
    return request.build_absolute_uri(path) if request is not None else f"{settings.SITE_URL}{path}"
