"""A fixed-window limit on public booking writes per client address, kept in Django's cache.

The booking page, the patient's manage page and the public booking API share it, so switching
between them does not reset the count.
"""

import ipaddress

from django.conf import settings
from django.core.cache import cache

BOOKING_LIMIT = 10
BOOKING_WINDOW_SECONDS = 60 * 60


def client_address(request) -> str | None:
    """The client's IP address: REMOTE_ADDR, or the entry NUM_PROXIES from the right of X-Forwarded-For; None when
    that is not an IP address (an empty REMOTE_ADDR behind a Unix socket, a hop a proxy did not write)."""
    proxies = getattr(settings, "NUM_PROXIES", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    address = request.META.get("REMOTE_ADDR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            address = hops[-min(proxies, len(hops))]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def client_ip(request) -> str:
    """The throttle's key for the client: its address, or "unknown" (every client without one shares it)."""
    return client_address(request) or "unknown"


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
    return count <= limit
