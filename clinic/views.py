import sys
import textwrap
from base64 import b32encode

import segno
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET
from django.views.defaults import page_not_found

from . import kiosk, roles, texts, trusted_devices, two_factor
from .forms import SignInCodeForm
from .health import broker_status, database_status
from .middleware import signed_out_notice
from .models import WorkerHeartbeat
from .races import is_lost_race


@require_GET
def robots_txt(request):
    """Patient data must never be indexed; also the benchmark's floor: no database, no template."""
    return HttpResponse("User-agent: *\nDisallow: /\n", content_type="text/plain")


@require_GET
@never_cache
def healthz(request):
    checks = {"database": database_status(), "broker": broker_status()}
    healthy = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if healthy else "unavailable", **checks}
    if checks["database"] == "ok":
        beat = WorkerHeartbeat.objects.filter(pk=1).first()
        body["worker_last_seen"] = beat.seen_at.isoformat() if beat else None
    return JsonResponse(body, status=200 if healthy else 503)


@login_required
def home(request):
    """Staff's home (patients get theirs from portal.views.home, which hands everyone else to this)."""
    user = request.user
    if not (user.is_superuser or user.role_names & set(roles.STAFF_ROLES)):
        return render(request, "clinic/no_role.html", status=403)
    if roles.CLINICIAN in user.role_names and not user.is_superuser:
        return redirect("my-day")  # a clinician's home: today's patients, then the calendar
    if user.has_perm("scheduling.view_appointment"):
        return redirect("scheduling:calendar")  # the front desk's home: today's calendar
    return redirect("patients:list")


DATABASE_DOWN = (OperationalError, InterfaceError)


def bad_request(request, exception):
    """handler400: a body over DATA_UPLOAD_MAX_MEMORY_SIZE is 413 and says so; JSON under /api/."""
    too_big = isinstance(exception, RequestDataTooBig)
    status = 413 if too_big else 400
    message = (
        f"The request is larger than the {settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1_048_576:g} MB a form may send."
        if too_big else "The request could not be read."
    )
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return HttpResponse(f"<!doctype html><title>Not accepted</title><h1>Not accepted</h1><p>{message}</p>",
                        status=status)


def not_found(request, exception):
    """handler404: under /api/ the JSON body DRF answers with (a client reads `detail`), elsewhere Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


def server_error(request):
    """handler500: a plain page (no database, no traceback); 503 when the database cannot be reached, 409 when the
    request lost a race with another writer."""
    exc = sys.exc_info()[1]
    if is_lost_race(exc):
        # Two writers collided (a deadlock or a serialisation failure): the database is up, the request lost.
        status, title = 409, "Someone else changed this at the same moment"
        message = "Someone else changed this at the same moment, so nothing was saved. Reload and try again."
    elif isinstance(exc, DATABASE_DOWN):
        status, title = 503, "The clinic's records are unavailable for a moment"
        message = "We cannot reach the database right now. The system reconnects on its own once it is back."
    else:
        status, title = 500, "Something went wrong on our side"
        message = "The error has been logged for the team."
    headers = {"Retry-After": "30"} if status == 503 else {}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status, headers=headers)
    # Rendered without the request: context processors would read the session and the user from the database.
    html = loader.get_template("server_error.html").render({"title": title, "message": message})
    return HttpResponse(html, status=status, headers=headers)


@login_required
@sensitive_post_parameters("code")
def second_step(request):
    """The second sign-in step for staff; the first time, setting up the authenticator app."""
    if not two_factor.needs_second_factor(request.user):
        raise PermissionDenied
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    if two_factor.is_verified(request):
        return redirect(next_url or "home")
    device = two_factor.confirmed_device(request.user)
    setting_up = device is None
    if setting_up:
        device = two_factor.pending_device(request)
    form = SignInCodeForm(request.POST or None)
    if form.is_valid():
        code = form.cleaned_data["code"]
        if setting_up:
            error = two_factor.check_setup_code(request, device, code)
        else:
            error = two_factor.check_code(device, code)
        if error is None:
            if setting_up:
                two_factor.confirm_device(request, device)
            two_factor.mark_verified(request, device)
            response = redirect(next_url or "home")
            if form.cleaned_data["remember"]:
                trusted_devices.remember(request, response, user=request.user)
            return response
        form.add_error("code", error)
        if setting_up:  # too many wrong tries start over with a new key
            device = two_factor.pending_device(request)
    context = {"form": form, "next": next_url, "setting_up": setting_up}
    if setting_up:
        context["key"] = " ".join(textwrap.wrap(b32encode(device.bin_key).decode(), 4))
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=4, omitsize=True)
    return render(request, "registration/two_factor.html", context, status=200 if request.method == "GET" or form.is_valid() else 400)


@login_required
@sensitive_post_parameters("password")
def kiosk_unlock(request):
    """The lock screen of a device handed to a patient: its owner's password takes it back (clinic.kiosk)."""
    if kiosk.state(request) is None:
        return redirect("home")
    if request.method != "POST":
        return kiosk.lock_screen(request, status=200)
    try:
        back_to = kiosk.unlock(request, request.POST.get("password", ""))
    except kiosk.WrongPassword as refused:
        if refused.signed_out:
            messages.error(request, refused.message)
            return redirect("login")
        return kiosk.lock_screen(request, error=refused.message, status=400)
    if not url_has_allowed_host_and_scheme(back_to, {request.get_host()}, require_https=request.is_secure()):
        back_to = "home"
    return redirect(back_to)


class SignInView(auth_views.LoginView):
    """The password step; says why when the last session ended on its own (clinic.middleware.SignedOutMiddleware)."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, signed_out_notice=signed_out_notice(self.request.GET.get("signed_out")))


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choosing a new password from the emailed link proves the account is the person's: lift any sign-in
    pause at once, so repeated wrong guesses by someone else never keep them out."""

    def form_valid(self, form):
        response = super().form_valid(form)
        axes_reset(username=form.user.email)
        return response


def permission_denied(request, exception=None):
    """handler403: say why, and where a way in exists (emergency access offers `chart_url`)."""
    context = {
        "message": str(exception) if exception and str(exception) else "Your role does not include this page.",
        "way_in": getattr(exception, "chart_url", None),
    }
    return render(request, "403.html", context, status=403)


@require_GET
def clinic_text(request, kind, version=None):
    """One of the clinic's texts as patients read it (in force, or the version a consent points at), in their
    language; public, as a patient reads it before agreeing."""
    text, newer = texts.for_reading(kind.replace("-", "_"), version)
    if text is None:
        raise Http404("No such text.")
    return render(request, "clinic/clinic_text.html", {
        "text": text, "paragraphs": text.paragraphs_in(get_language() or "en"), "newer": newer,
    })
