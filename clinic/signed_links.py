"""Signed patient links: a row id signed (HMAC-SHA256) with a salt per kind of link, read back here.

Each app keeps its own salt and end rule (intake, manage booking, message actions); the reading and the
"midnight after the visit's day" instant are the same for all of them.
"""

from datetime import datetime, time, timedelta

from django.core import signing
from django.utils import timezone


def sign_id(pk: int, *, salt: str) -> str:
    return signing.dumps(pk, salt=salt, compress=False)


def signed_id(token: str, *, salt: str, max_age=None) -> int | None:
    """The id a token was made for, or None if it was tampered with, is not ours or is of another kind.

    Raises signing.SignatureExpired for a genuine token older than `max_age`.
    """
    try:
        value = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def end_of_day_after(moment, tz) -> datetime:
    """Midnight after `moment`'s day in `tz`: when a link for a visit at `moment` stops working."""
    day = timezone.localtime(moment, tz).date()
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
