"""Staff sign in with a password and then a code from an authenticator app (TOTP, RFC 6238).

Devices and code checking are django-otp's `TOTPDevice`: a code works once (its time step is
remembered) and wrong codes slow down exponentially. Whether this session has passed the second step
is kept in the session itself, so a signed-in page costs no extra query. Removing a device (an admin
resetting a lost phone) ends every session of its owner.
"""

import math

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from . import roles, trusted_devices

VERIFIED_DEVICE = "stride_2fa_device"
PENDING_KEY = "stride_2fa_pending_key"
PENDING_TRIES = "stride_2fa_pending_tries"
REMEMBERED_COMPUTER = "stride_2fa_remembered"
APP_NAME = "Authenticator app"
# Reachable before the second step: the step itself, signing out, and what a page needs to load.
OPEN_PREFIXES = ("/accounts/two-factor/", "/accounts/logout/", "/static/", "/healthz", "/robots.txt")


def needs_second_factor(user):
    return user.is_authenticated and (
        user.is_superuser or user.is_staff or bool(user.role_names & set(roles.STAFF_ROLES))
    )


def is_verified(request):
    return request.session.get(VERIFIED_DEVICE) is not None


def mark_verified(request, device):
    # A new session key for the raised privilege, as at sign-in.
    request.session.cycle_key()
    request.session[VERIFIED_DEVICE] = device.pk


def confirmed_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_device(request):
    """The device being set up in this session: its key lives in the session, the same on every reload, and
    is saved only once a code confirms it. Another session (someone else holding the password) gets a key of
    its own, so it can never hand the real person a key it knows."""
    key = request.session.get(PENDING_KEY)
    if key is None:
        key = request.session[PENDING_KEY] = default_key()
    return TOTPDevice(user=request.user, name=APP_NAME, key=key, confirmed=False)


def confirm_device(request, device):
    """Save the set-up device and tell its owner by email: a setup they did not make is someone else's."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user).delete()  # at most one app per person
        device.confirmed = True
        device.save()
    request.session.pop(PENDING_KEY, None)
    request.session.pop(PENDING_TRIES, None)
    user, when = device.user, timezone.localtime()
    send_mail(
        "Sign-in codes turned on for your Stride account",
        f"Sign-in codes from an authenticator app were turned on for {user.email} on "
        f"{when:%b %-d, %Y at %-I:%M %p %Z}.\n\nIf this was not you, tell a clinic admin now: they will reset "
        "your sign-in codes, and you should change your password.",
        None, [user.email], fail_silently=True,
    )


# Wrong codes double the wait each time (django-otp); past this many it stops growing (about 8.5 minutes), so
# someone holding a stolen password can slow a colleague down but not lock them out for days.
MAX_COUNTED_FAILURES = 10
SETUP_ATTEMPTS = 10


def check_code(device, code):
    """Return an error message, or None when the code is right (and now used up). The device row is locked, so
    guesses sent at once are counted one by one and a code cannot be used twice in parallel."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if device.throttling_failure_count > MAX_COUNTED_FAILURES:
            device.throttling_failure_count = MAX_COUNTED_FAILURES
            device.save(update_fields=["throttling_failure_count"])
        allowed, why = device.verify_is_allowed()
        if not allowed:
            until = (why or {}).get("locked_until")
            seconds = math.ceil((until - timezone.now()).total_seconds()) if until else 30
            wait = f"Wait {seconds} seconds" if seconds > 1 else "Wait a moment"
            return f"Too many wrong codes. {wait}, then enter the newest code from your app."
        if not device.verify_token(code):
            return "That code is not right or was already used. Enter the current 6-digit code from your app."
    return None


def check_setup_code(request, device, code):
    """Like check_code, for the key being set up (not saved yet): a few tries, then a new key."""
    otp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if otp.verify(int(code), tolerance=device.tolerance):
        device.last_t = otp.t()
        return None
    tries = request.session.get(PENDING_TRIES, 0) + 1
    request.session[PENDING_TRIES] = tries
    if tries >= SETUP_ATTEMPTS:
        request.session.pop(PENDING_KEY, None)
        request.session.pop(PENDING_TRIES, None)
        return "Too many wrong codes: here is a new key. Remove the old Stride entry from your app and scan again."
    return "That code is not right. Check the app shows Stride, then enter its current 6-digit code."


@receiver(post_delete, sender=TOTPDevice)
def _end_sessions_of_reset_device(sender, instance, **kwargs):
    if instance.confirmed:
        get_user_model().objects.end_sessions(instance.user_id)
        trusted_devices.revoke_all(instance.user_id)  # a lost phone: the computers it vouched for too


def verify_by_remembered_computer(request):
    """Take a password-only session as past the code step when this browser is a remembered computer of
    its user (clinic.trusted_devices) and the user still has an app; True when it did."""
    if not trusted_devices.has_cookie(request):
        return False
    remembered = trusted_devices.recognised(request, request.user)
    device = confirmed_device(request.user) if remembered else None
    if device is None:
        return False
    mark_verified(request, device)
    request.session[REMEMBERED_COMPUTER] = remembered.pk
    return True


class StaffTwoFactorMiddleware:
    """A staff member signed in with only a password reaches nothing but the code page (or sign out), unless
    this browser is a computer remembered for them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            needs_second_factor(request.user)
            and not is_verified(request)
            and not verify_by_remembered_computer(request)
            and not request.path.startswith(OPEN_PREFIXES)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "Enter your sign-in code first (two-factor verification)."}, status=403)
            target = reverse("two-factor")
            if request.method == "GET":
                target += "?" + urlencode({"next": request.get_full_path()})
            return redirect(target)
        return self.get_response(request)
