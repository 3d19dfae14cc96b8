"""Staff sign in with a password and then a code from an authenticator app (TOTP, RFC 6238).

Devices and code checking are django-otp's `TOTPDevice`: a code works once (its time step is
remembered) and wrong codes slow down exponentially. Whether this session has passed the second step
is kept in the session itself, so a signed-in page costs no extra query. Removing a device (an admin
resetting a lost phone) ends every session of its owner.
"""

import math

from django.contrib.auth import get_user_model
from django.db.models import F
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import roles

VERIFIED_DEVICE = "stride_2fa_device"
APP_NAME = "Authenticator app"
# Reachable before the second step: the step itself, signing out, and what a page needs to load.
OPEN_PREFIXES = ("/accounts/two-factor/", "/accounts/logout/", "/static/", "/healthz", "/robots.txt")


def needs_second_factor(user):
    return user.is_authenticated and (user.is_superuser or bool(user.role_names & set(roles.STAFF_ROLES)))


def is_verified(request):
    return request.session.get(VERIFIED_DEVICE) is not None


def mark_verified(request, device):
    # A new session key for the raised privilege, as at sign-in.
    request.session.cycle_key()
    request.session[VERIFIED_DEVICE] = device.pk


def confirmed_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_device(user):
    """The device being set up: the same key on every reload until a code confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=APP_NAME, confirmed=False)


def check_code(device, code):
    """Return an error message, or None when the code is right (and now used up)."""
    allowed, why = device.verify_is_allowed()
    if not allowed:
        until = (why or {}).get("locked_until")
        seconds = math.ceil((until - timezone.now()).total_seconds()) if until else 30
        wait = f"Wait {seconds} seconds" if seconds > 1 else "Wait a moment"
        return f"Too many wrong codes. {wait}, then enter the newest code from your app."
    if not device.verify_token(code):
        return "That code is not right or was already used. Enter the current 6-digit code from your app."
    return None


@receiver(post_delete, sender=TOTPDevice)
def _end_sessions_of_reset_device(sender, instance, **kwargs):
    if instance.confirmed:
        get_user_model().objects.filter(pk=instance.user_id).update(session_epoch=F("session_epoch") + 1)


class StaffTwoFactorMiddleware:
    """A staff member signed in with only a password reaches nothing but the code page (or sign out)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            needs_second_factor(request.user)
            and not is_verified(request)
            and not request.path.startswith(OPEN_PREFIXES)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "Enter your sign-in code first (two-factor verification)."}, status=403)
            target = reverse("two-factor")
            if request.method == "GET":
                target += "?" + urlencode({"next": request.get_full_path()})
            return redirect(target)
        return self.get_response(request)
