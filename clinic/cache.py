"""Django's Redis cache, but one that a Redis outage cannot turn into an error page.

Nothing a patient or the front desk does may depend on the cache being up: it holds only what can be
read again from the database (clinic settings, sessions' cached copies, the signed-in user with roles) and
the booking throttle's counters.
So while Redis does not answer, every operation degrades to working without it: reads miss (the default),
writes and deletes do nothing, `add` reports nothing stored and `incr` answers None (the throttle then lets
the request through, see scheduling.throttle). A warning is logged at most once a minute per process.

After a failure, reads do not try it again for a few seconds, so a page that reads several times pays one
connection timeout, not one per read. The first call that reaches Redis again empties the cache's database:
invalidations sent while it was away were lost. So the cache needs a Redis database of its own, never the
broker's (a deploy check says so). Used whenever CACHE_URL points to Redis (clinic.settings).
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("clinic.cache")

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)
WARN_EVERY_SECONDS = 60
RETRY_AFTER_SECONDS = 5


class Every:
    """True at most once per `seconds` (per process): an outage must not flood the log with one line a call."""

    def __init__(self, seconds):
        self.seconds, self._at = seconds, None

    def due(self) -> bool:
        now = time.monotonic()
        if self._at is not None and now - self._at < self.seconds:
            return False
        self._at = now
        return True


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_until = 0.0
        self._warning = Every(WARN_EVERY_SECONDS)
        self._missed = False

    def _degrade(self, operation, exc, default):
        now = time.monotonic()
        self._down_until, self._missed = now + RETRY_AFTER_SECONDS, True
        if self._warning.due():
            logger.warning(
                "Cache unavailable (%s on %s: %s); working without it, retrying in %ss",
                exc.__class__.__name__, operation, exc, RETRY_AFTER_SECONDS,
            )
        return default

    def _call(self, operation, default, *args, write=False):
        # Reads skip a cache that just failed; writes and deletes always try, so an invalidation is not lost
        # to the pause once Redis is back.
        if not write and time.monotonic() < self._down_until:
            return default
        try:
            if self._missed:
                # Writes and deletes made while Redis was away are lost (a sign-out, a role change, a settings
                # save), so nothing from before the outage may be served: empty this cache's database once.
                super().clear()
                self._missed = False
                logger.warning("Cache reachable again: emptied it, as changes made during the outage were not seen")
            return getattr(super(), operation)(*args)
        except UNAVAILABLE as exc:
            return self._degrade(operation, exc, default)

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, key, value, timeout, version, write=True)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout, version, write=True)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), data, timeout, version, write=True)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version, write=True)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version, write=True)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version, write=True)

    def incr(self, key, delta=1, version=None):
        """The new value, or None while the cache is unavailable (a missing key still raises ValueError)."""
        return self._call("incr", None, key, delta, version, write=True)

    def clear(self):
        return self._call("clear", False, write=True)
