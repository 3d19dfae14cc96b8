"""Remember this computer for the second sign-in step: a clinic's own computer skips the code for 30 days.

Ticking "Remember this computer" at the code step makes a `TrustedDevice` row (user, a label from the
browser's user agent, created, last used, expires, revoked) and gives the browser a signed, HttpOnly cookie
(Secure over HTTPS) naming it with a secret. A password-only session of that user on that browser is then
taken as past the code step (clinic.two_factor's middleware); the password is always asked. Several people
can be remembered on one shared front-desk computer: the cookie holds one entry each, and a row opens only its
own user's sessions. A revoked or expired row, another user's entry, or a cookie whose signature fails is as if
there were none: the code is asked. An admin revokes rows in the staff admin (audited); resetting someone's
authenticator app forgets every computer remembered for them.
"""

import hashlib
import re
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from .models import TrustedDevice

COOKIE = "stride_remembered"
SALT = "stride.trusted-device"
LIFETIME = timedelta(days=30)
MAX_ENTRIES = 8  # people remembered on one browser; the oldest entry goes first


def _hash(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def _entries(request):
    """The cookie's (row id, secret) pairs, newest last; none when absent or its signature fails."""
    value = request.get_signed_cookie(COOKIE, default=None, salt=SALT)
    pairs = []
    for item in (value or "").split(","):
        pk, _, secret = item.partition(":")
        if pk.isdigit() and secret:
            pairs.append((int(pk), secret))
    return pairs


def has_cookie(request):
    return COOKIE in request.COOKIES


def recognised(request, user):
    """The active remembered computer of `user` this browser's cookie names, or None; notes its use."""
    entries = dict(_entries(request))
    if not entries:
        return None
    now = timezone.now()
    for device in TrustedDevice.objects.filter(pk__in=entries, user=user, revoked=False, expires_at__gt=now):
        if constant_time_compare(device.secret_hash, _hash(entries[device.pk])):
            # Bookkeeping, not an admin's act: a bare update, outside the audit trail.
            TrustedDevice.objects.filter(pk=device.pk).update(last_used_at=now)
            return device
    return None


def remember(request, response, *, user):
    """Remember this browser for `user` for 30 days: a new row, and its entry added to the cookie."""
    secret = secrets.token_urlsafe(32)
    device = TrustedDevice.objects.create(
        user=user, label=label_for(request.headers.get("User-Agent", "")), secret_hash=_hash(secret),
        expires_at=timezone.now() + LIFETIME,
    )
    kept = [(pk, s) for pk, s in _entries(request) if pk != device.pk][-(MAX_ENTRIES - 1):]
    value = ",".join(f"{pk}:{s}" for pk, s in [*kept, (device.pk, secret)])
    response.set_signed_cookie(
        COOKIE, value, salt=SALT, max_age=int(LIFETIME.total_seconds()), httponly=True,
        secure=request.is_secure(), samesite="Lax",
    )
    return device


def revoke(device):
    """Ask for the code on this computer again (saved through the model, so the audit trail records who)."""
    if not device.revoked:
        device.revoked = True
        device.save(update_fields=["revoked", "revoked_at"])


@transaction.atomic
def revoke_all(user_id):
    """Forget every computer remembered for a user (their authenticator app was reset)."""
    for device in TrustedDevice.objects.select_for_update().filter(user_id=user_id, revoked=False):
        revoke(device)


_BROWSERS = [("Edge", r"Edg(?:e|A|iOS)?/"), ("Opera", r"OPR/"), ("Firefox", r"Firefox/|FxiOS/"),
             ("Chrome", r"Chrome/|CriOS/"), ("Safari", r"Safari/")]
_SYSTEMS = [("iPad", r"iPad"), ("iPhone", r"iPhone"), ("Android", r"Android"), ("ChromeOS", r"CrOS"),
            ("Windows", r"Windows"), ("macOS", r"Macintosh|Mac OS X"), ("Linux", r"Linux")]


def label_for(user_agent):
    """"Chrome on Windows": enough for an admin to tell a user's computers apart."""
    browser = next((name for name, pattern in _BROWSERS if re.search(pattern, user_agent)), None)
    system = next((name for name, pattern in _SYSTEMS if re.search(pattern, user_agent)), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown browser"
