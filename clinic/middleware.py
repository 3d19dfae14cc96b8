"""Session lifetime and caching rules for pages that carry patient data."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils.cache import patch_cache_control

SIGNED_IN_AT = "stride_signed_in_at"


@receiver(user_logged_in)
def _stamp_sign_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = int(time.time())


class SessionLifetimeMiddleware:
    """Ends a session SESSION_ABSOLUTE_SECONDS (12 hours) after sign-in, however active it has been.

    The 15-minute idle timeout is the session's own expiry (clinic.sessions); this bounds a session kept
    alive all day on a shared front-desk computer. A session from before this rule starts its clock now.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.session_key and request.user.is_authenticated:
            started = session.get(SIGNED_IN_AT)
            if started is None:
                session[SIGNED_IN_AT] = int(time.time())
            elif time.time() - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages and API answers may hold health data: browsers and proxies must not keep a copy.

    Static files are served before this (WhiteNoise) and keep their long caching; a view that sets its
    own Cache-Control (robots.txt) keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response
