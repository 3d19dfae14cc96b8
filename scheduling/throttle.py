"""A fixed-window limit on public booking writes per client address, kept in Django's cache.

The booking page, the patient's manage page and the public booking API share it, so switching
between them does not reset the count. While the cache is unavailable (clinic.cache answers None) the
throttle lets every request through and logs it: a patient is never refused a booking because Redis is down.
"""

import logging

from django.core.cache import cache

from clinic.audit import request_ip
from clinic.cache import Every

BOOKING_LIMIT = 10
BOOKING_WINDOW_SECONDS = 60 * 60

logger = logging.getLogger("scheduling.throttle")
_warning = Every(60)


def client_ip(request) -> str:
    """The throttle's key for the client: its address, or "unknown" (every client without one shares it)."""
    return request_ip(request) or "unknown"


def allow(request, *, scope="booking", limit=None, window=None) -> bool:
    """Count one attempt from this client; False once it has made more than `limit` in the window."""
    limit = BOOKING_LIMIT if limit is None else limit
    window = BOOKING_WINDOW_SECONDS if window is None else window
    key = f"stride:throttle:{scope}:{client_ip(request)}"
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    if count is None:  # fail open, and say so
        if _warning.due():
            logger.warning("Booking throttle not applied (%s): the cache is unavailable", scope)
        return True
    return count <= limit
