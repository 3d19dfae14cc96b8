"""Session lifetime and caching rules for pages that carry patient data."""

import time
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.contrib.sessions.models import Session
from django.dispatch import receiver
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

SIGNED_IN_AT = "stride_signed_in_at"
EPOCH = "stride_session_epoch"
# Why a session ended without its owner signing out here, as the sign-in page's ?signed_out= says it.
IDLE, TOO_LONG, ENDED = "idle", "absolute", "ended"


@receiver(user_logged_in)
def _stamp_sign_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = int(time.time())
        request.session[EPOCH] = user.session_epoch


@receiver(user_logged_out)
def _end_every_session(sender, request, user, **kwargs):
    """Signing out on one device signs out everywhere (a shared front-desk PC, a lost phone)."""
    if user is not None:
        get_user_model().objects.end_sessions(user.pk)


class SessionLifetimeMiddleware:
    """Ends a session SESSION_ABSOLUTE_SECONDS (12 hours) after sign-in, however active it has been, and
    every session of a user who has since signed out somewhere.

    The 15-minute idle timeout is the session's own expiry (clinic.sessions); this bounds a session kept
    alive all day on a shared front-desk computer. A session from before these rules starts its clock now.
    Password changes end other sessions through Django's session hash; deactivation through the backend,
    and for good through the epoch (User.save raises it), so turning the account back on revives none.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.session_key and request.user.is_authenticated:
            started, epoch = session.get(SIGNED_IN_AT), session.get(EPOCH)
            if started is None or epoch is None:
                session[SIGNED_IN_AT], session[EPOCH] = int(time.time()), request.user.session_epoch
            elif time.time() - started > settings.SESSION_ABSOLUTE_SECONDS or epoch != request.user.session_epoch:
                request.stride_session_ended = ENDED if epoch != request.user.session_epoch else TOO_LONG
                session.flush()  # not logout(): that would end the user's other sessions too
                request.user = AnonymousUser()
        return self.get_response(request)


def signed_out_notice(reason):
    """What the sign-in page says to someone whose session ended on its own (None: nothing to say)."""
    if reason == IDLE:
        minutes = max(1, round(settings.SESSION_COOKIE_AGE / 60))
        return ngettext("You were signed out after %(minutes)d minute idle. Sign in to go back to where you were.",
                        "You were signed out after %(minutes)d minutes idle. Sign in to go back to where you were.",
                        minutes) % {"minutes": minutes}
    if reason == TOO_LONG:
        hours = max(1, round(settings.SESSION_ABSOLUTE_SECONDS / 3600))
        return ngettext("You were signed out %(hours)d hour after signing in. Sign in again to carry on.",
                        "You were signed out %(hours)d hours after signing in. Sign in again to carry on.",
                        hours) % {"hours": hours}
    if reason == ENDED:
        return _("You were signed out: you signed out on another computer, or an admin changed your account. "
                 "Sign in again to carry on.")
    return None


def _session_went_idle(request):
    """The browser sent the cookie of a signed-in session that has since passed its idle timeout.

    Its row stays in the table, expired, until `clearsessions` removes it; a session ended on purpose (a
    sign-out, a flush) has no row left. One query, paid only on the way to the sign-in page."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key or getattr(request, "session", None) is None or request.session.session_key == key:
        return False
    row = Session.objects.filter(session_key=key, expire_date__lte=timezone.now()).first()
    if row is None:
        return False
    try:
        return SESSION_KEY in request.session.decode(row.session_data)
    except Exception:  # a row another secret signed, or garbage: no notice, never an error page
        return False


def _same_site_path(request, url):
    """`url` (absolute or not) as a path on this site, or None when it points elsewhere."""
    if not url or not url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
        return None
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class SignedOutMiddleware:
    """Someone whose session ended sees a proper sign-in page that says why, and comes back where they were.

    A page asking them to sign in (a redirect to the sign-in or code page with `next=`) gains `signed_out=` when
    the session ended on its own (idle, too long since sign-in, ended elsewhere), not when they never signed
    in. An htmx request (the calendar's side panel) would follow that redirect inside the page and draw the
    sign-in form in the panel: it answers 401 with HX-Redirect instead, so htmx loads the sign-in page in the
    window, with `next=` the page the user had open (HX-Current-URL), not the panel's fragment.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code not in (301, 302):
            return response
        target = urlsplit(response.get("Location", ""))
        query = {key: values[-1] for key, values in parse_qs(target.query).items()}
        htmx = getattr(request, "htmx", False)
        if target.path not in (reverse("login"), reverse("two-factor")) or not (htmx or "next" in query):
            return response  # not a page asking to sign in (signing out also lands on the sign-in page)
        if target.path == reverse("login"):
            reason = getattr(request, "stride_session_ended", None) or (IDLE if _session_went_idle(request) else None)
            if reason:
                query["signed_out"] = reason
        if htmx:
            page = _same_site_path(request, request.headers.get("HX-Current-URL")) or _same_site_path(
                request, request.headers.get("Referer"))
            query["next"] = page or reverse("home")
            answer = HttpResponse(status=401)
            answer["HX-Redirect"] = f"{target.path}?{urlencode(query)}"
            return answer
        response["Location"] = f"{target.path}?{urlencode(query)}"
        return response


class PatientDataHeadersMiddleware:
    """Pages and API answers may hold health data: browsers and proxies must not keep a copy (the script
    policy is django-csp's, CONTENT_SECURITY_POLICY in settings).

    Static files are served before this (WhiteNoise) and keep their long caching; a view that sets its
    own Cache-Control (robots.txt, calendar feeds) keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response
