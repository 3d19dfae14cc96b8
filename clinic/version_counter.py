"""A version number in the shared cache that moves whenever something it stands for changes, so every process can
tell that its copy (a fingerprint an open page polls, rows held in memory) is out of date. If the cache loses the
number, the next value starts from the clock, so it still differs from every value seen before."""

import time

from django.core.cache import cache


class VersionCounter:
    def __init__(self, key: str):
        self.key = key

    def current(self) -> int:
        value = cache.get(self.key)
        if value is None:
            cache.add(self.key, time.time_ns())
            value = cache.get(self.key)
        return value

    def bump(self) -> None:
        try:
            cache.incr(self.key)
        except ValueError:  # not in the cache (evicted, flushed): a fresh value from the clock
            cache.set(self.key, time.time_ns())
