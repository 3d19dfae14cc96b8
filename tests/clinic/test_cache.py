"""The Redis cache backend works without Redis: reads miss, writes do nothing, one warning a minute."""

import logging
import socket

import pytest

from clinic.cache import ResilientRedisCache
from clinic.settings import cache_settings
from tests.notifications.test_broker_outage import PrivateRedis


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


def test_redis_cache_urls_get_the_resilient_backend_and_others_are_left_alone():
    assert cache_settings("rediscache://127.0.0.1:6379/1")["default"]["BACKEND"] == "clinic.cache.ResilientRedisCache"
    assert cache_settings("locmemcache://")["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


@pytest.fixture
def own_redis():
    """A Redis of this test's own: these tests empty the cache's database, never the shared broker's."""
    server = PrivateRedis()
    server.start()
    yield f"redis://127.0.0.1:{server.port}/1"
    server.stop()


@pytest.mark.redis
def test_with_redis_unreachable_every_operation_degrades_and_warns_once(caplog, own_redis):
    config = cache_settings(f"rediscache://127.0.0.1:{_closed_port()}/1")["default"]
    down = ResilientRedisCache(config["LOCATION"], {"OPTIONS": config["OPTIONS"]})
    caplog.set_level(logging.WARNING, logger="clinic.cache")
    assert down.get("k", "fallback") == "fallback"
    assert down.get_or_set("k", 7) == 7  # computed, as with an empty cache
    assert down.add("k", 1) is False and down.set("k", 1) is None and down.delete("k") is False
    assert down.get_many(["a", "b"]) == {} and down.has_key("k") is False
    assert down.incr("k") is None and down.touch("k") is False
    assert caplog.text.count("Cache unavailable") == 1

    up = ResilientRedisCache(own_redis, {})
    up.set("stride:test:k", 5)  # the same backend on a live Redis is an ordinary cache
    assert up.incr("stride:test:k") == 6 and up.get("stride:test:k") == 6
    up.delete("stride:test:k")


@pytest.mark.redis
def test_the_first_call_after_an_outage_empties_the_cache_so_nothing_from_before_it_is_served(own_redis):
    config = cache_settings(f"rediscache://127.0.0.1:{_closed_port()}/1")["default"]
    cache = ResilientRedisCache(config["LOCATION"], {"OPTIONS": config["OPTIONS"]})
    cache.delete("stride:test:role")  # fails: Redis "down"; a sign-out's invalidation lost like this one
    live = ResilientRedisCache(own_redis, {})
    live.set("stride:test:role", "front desk (before the change)")
    cache._cache._servers = [own_redis]  # the same process, Redis back at its address
    cache._cache._pools.clear()
    cache.set("stride:test:seen", "admin")  # a write always tries (reads wait out a short pause)
    assert live.get("stride:test:role") is None  # emptied: the value from before the lost change is gone
    assert live.get("stride:test:seen") == "admin"
    live.set("stride:test:later", 1)
    cache.set("stride:test:seen", "admin again")
    assert live.get("stride:test:later") == 1  # emptied once, then an ordinary cache
    live.delete_many(["stride:test:seen", "stride:test:later"])
