"""The cache backend for production: Django's RedisCache that keeps working while Redis is down.

What uses the cache: the API's throttles (DRF), the ID/phone look-up limit (parties.lookups), the
system page's "background stopped" flag (governance.jobs), the periodic jobs' locks off PostgreSQL
(governance.locks). None of it is a record: sessions are in the database (SESSION_ENGINE), lockouts
too (django-axes' database handler). So when Redis cannot be reached, a page must not fail for it.

FallbackRedisCache answers every call from a local in-memory cache (LocMemCache, one per process
and location) while Redis is unreachable: limits and throttles still count (per process, for the
length of the outage), nothing raises. The first failure is logged as a warning, and for
RETRY_AFTER seconds Redis is not tried again (no page waits on a dead socket), then it is; when it
answers again that is logged too. Only connection and timeout errors fall back: any other Redis
error (a wrong type, say) is a bug and is raised.

Why not django-redis's IGNORE_EXCEPTIONS: it is another backend and client (not Django's own), and
it answers "nothing cached" to every call, so an `add` lock or a counter silently stops counting.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


class FallbackRedisCache(RedisCache):
    RETRY_AFTER = 5.0  # seconds without trying Redis after it failed

    def __init__(self, server, params):
        super().__init__(server, params)
        local = {k: v for k, v in params.items() if k in ("TIMEOUT", "KEY_PREFIX", "VERSION", "KEY_FUNCTION")}
        # The same name in every thread of the process: LocMemCache shares its store by name.
        self._local = LocMemCache(f"gridgov-fallback:{server}", local)
        self._down_until = 0.0
        self._down = False

    @property
    def redis_down(self) -> bool:
        """Whether the last call found Redis unreachable (and it has not answered since)."""
        return self._down

    def _call(self, name: str, *args, **kwargs):
        if self._down and time.monotonic() < self._down_until:
            return getattr(self._local, name)(*args, **kwargs)
        try:
            value = getattr(RedisCache, name)(self, *args, **kwargs)
        except UNREACHABLE as error:
            if not self._down:
                log.warning("Redis cache unreachable (%s: %s): using this process's memory meanwhile",
                            type(error).__name__, error)
            self._down = True
            self._down_until = time.monotonic() + self.RETRY_AFTER
            return getattr(self._local, name)(*args, **kwargs)
        if self._down:
            log.warning("Redis cache reachable again")
            self._down = False
        return value

    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", *args, **kwargs)

    def clear(self, *args, **kwargs):
        return self._call("clear", *args, **kwargs)
