"""Session lifetime and caching rules for pages that carry patient data."""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.utils.cache import patch_cache_control

SIGNED_IN_AT = "stride_signed_in_at"
EPOCH = "stride_session_epoch"


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
                session.flush()  # not logout(): that would end the user's other sessions too
                request.user = AnonymousUser()
        return self.get_response(request)


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
