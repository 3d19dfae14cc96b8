"""Handing a signed-in staff device to a patient (a kiosk hand-off) without ending the staff session.

"Fill in clinic" puts the session in a locked state: only the paths it names (one intake form's pages and
API) are reachable; every other page answers with a lock screen, the API with 403, an htmx request sends the
window to the lock screen. Only the staff member who handed the device over unlocks it, with their own
password: the session, its second step and the audit trail stay theirs, so no colleague can act under their
name (a colleague signs out and signs in as themselves). The code is not asked again: the session never
ended. A few wrong passwords end the session, so whoever holds the device cannot keep guessing.

The state lives in the session itself (no query), and this module knows nothing of intake: the caller names
the paths to leave open, where to go once unlocked, and the record handed over. The audit trail shows the
hand-over and how it ended (taken back, or signed out after wrong passwords) against that record.
"""

from django.apps import apps
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import audit
from .models import AuditEvent

KIOSK = "stride_kiosk"
MAX_UNLOCK_TRIES = 5
# Reachable while locked, whatever was handed over: the lock screen, signing out, and what a page needs to load.
ALWAYS_OPEN = ("/accounts/unlock/", "/accounts/logout/", "/static/", "/healthz", "/robots.txt")


def hand_over(request, *, open_paths, return_to, record):
    """Lock this session to `open_paths` (path prefixes) until its owner unlocks it, then go to `return_to`.
    `record`: the audited row the patient is handed (their intake form)."""
    request.session[KIOSK] = {"open": list(open_paths), "return_to": return_to, "tries": 0,
                              "record": [record._meta.label, record.pk]}
    _audit(request, AuditEvent.Action.HAND_OVER, request.session[KIOSK], {})


def _audit(request, action, locked, details):
    label, pk = locked.get("record") or (None, None)
    record = apps.get_model(label)._default_manager.filter(pk=pk).first() if label else None
    if record is not None:
        audit.record_event(action=action, instance=record, actor=request.user, ip=audit.request_ip(request),
                           details=details)


def state(request):
    """The hand-off this signed-in session is locked in, or None."""
    if not request.user.is_authenticated:
        return None
    return request.session.get(KIOSK)


def form_path(request):
    """Where the patient goes back to from the lock screen: the first path handed over."""
    locked = state(request)
    return locked["open"][0] if locked and locked["open"] else None


class WrongPassword(Exception):
    def __init__(self, message, *, signed_out=False):
        super().__init__(message)
        self.message, self.signed_out = message, signed_out


def unlock(request, password):
    """End the hand-off with the owner's password and return where to go; WrongPassword otherwise."""
    locked = state(request)
    if locked is None:
        return reverse("home")
    if not password or not request.user.check_password(password):
        tries = locked["tries"] + 1
        if tries >= MAX_UNLOCK_TRIES:
            _audit(request, AuditEvent.Action.TAKE_BACK, locked, {"outcome": "signed out after wrong passwords"})
            request.session.flush()  # this device only: the owner's other sessions go on
            raise WrongPassword(_("Too many wrong passwords: this device was signed out. Sign in again."),
                                signed_out=True)
        request.session[KIOSK] = {**locked, "tries": tries}
        left = MAX_UNLOCK_TRIES - tries
        raise WrongPassword(ngettext(
            "That password is not right. %(left)d more wrong try signs this device out.",
            "That password is not right. %(left)d more wrong tries sign this device out.", left) % {"left": left})
    del request.session[KIOSK]
    _audit(request, AuditEvent.Action.TAKE_BACK, locked, {"outcome": "unlocked with the owner's password"})
    request.session.cycle_key()  # back to staff pages: a new key, as for any raise of privilege
    return locked["return_to"]


def lock_screen(request, *, error=None, status=403):
    return render(request, "registration/kiosk_locked.html", {
        "form_path": form_path(request), "error": error, "owner": request.user,
    }, status=status)


class KioskMiddleware:
    """While a session is handed to a patient, nothing but the handed-over paths answers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        locked = state(request)
        if locked is not None and not request.path.startswith((*ALWAYS_OPEN, *locked["open"])):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("This device is handed to a patient: a staff member unlocks it "
                                                 "first.")}, status=403)
            if getattr(request, "htmx", False):
                answer = HttpResponse(status=403)
                answer["HX-Redirect"] = reverse("kiosk-unlock")
                return answer
            return lock_screen(request)
        return self.get_response(request)
