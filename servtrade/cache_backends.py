"""A Redis cache that the site can lose: pages then compute from the database.

Django's own Redis backend raises when the server is gone, and every page that reads a cached
count answered 500. Here an unreachable Redis makes every read a miss and every write a no-op;
one warning is logged when it goes and one when it comes back (per process, not per request).
While it is gone, Redis is not asked again for ``RETRY_SECONDS``, so pages do not each wait for
a connection to fail; after that one request tries again, and the first success ends the outage.
"""

import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger("servtrade.cache")

RETRY_SECONDS = 2.0
# A cache that makes a page wait is worse than none: give up on Redis quickly.
SOCKET_TIMEOUT_SECONDS = 0.5


class CacheUnavailable(Exception):
    """The cache server cannot be reached (raised only by ``ping()``)."""


class _Outage:
    """Whether one Redis location is down, shared by the threads of a process."""

    def __init__(self):
        self.lock = threading.Lock()
        self.down_since = None
        self.retry_at = 0.0

    def skip(self):
        """True while down and not yet time to try again."""
        return self.down_since is not None and time.monotonic() < self.retry_at

    def failed(self, location, error):
        with self.lock:
            now = time.monotonic()
            self.retry_at = now + RETRY_SECONDS
            if self.down_since is None:
                self.down_since = now
                logger.warning(
                    "Cache %s unreachable (%s): serving from the database until it returns.",
                    location,
                    type(error).__name__,
                )

    def succeeded(self, location):
        if self.down_since is None:
            return
        with self.lock:
            if self.down_since is None:
                return
            seconds = time.monotonic() - self.down_since
            self.down_since = None
            logger.warning("Cache %s reachable again after %.0f s.", location, seconds)


_outages = {}
_outages_lock = threading.Lock()


def _outage_for(location):
    with _outages_lock:
        return _outages.setdefault(location, _Outage())


def _degrading(fallback):
    """Wrap a cache method: on a Redis error, log (once) and return ``fallback(args)``."""

    def decorate(method):
        def wrapper(self, *args, **kwargs):
            outage = self._outage
            if outage.skip():
                return fallback(*args, **kwargs)
            try:
                result = method(self, *args, **kwargs)
            except (RedisError, OSError) as error:
                outage.failed(self._location_name, error)
                return fallback(*args, **kwargs)
            outage.succeeded(self._location_name)
            return result

        wrapper.__name__ = method.__name__
        wrapper.__doc__ = method.__doc__
        return wrapper

    return decorate


def _missing_key(key, *args, **kwargs):
    raise ValueError(f"Key {key!r} not found (the cache is unreachable).")


def _default(key, default=None, *args, **kwargs):
    return default


def _nothing(*args, **kwargs):
    return None


def _false(*args, **kwargs):
    return False


def _empty(*args, **kwargs):
    return {}


def _all_failed(data, *args, **kwargs):
    return list(data)


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        options = params.setdefault("OPTIONS", {})
        options.setdefault("socket_connect_timeout", SOCKET_TIMEOUT_SECONDS)
        options.setdefault("socket_timeout", SOCKET_TIMEOUT_SECONDS)
        super().__init__(server, params)
        # The address without a password, for log lines.
        self._location_name = ",".join(s.rpartition("@")[2] for s in self._servers)
        self._outage = _outage_for(self._location_name)

    def ping(self):
        """Ask Redis itself, whatever the outage state; raise ``CacheUnavailable`` if gone."""
        try:
            self._cache.get_client().ping()
        except (RedisError, OSError) as error:
            self._outage.failed(self._location_name, error)
            raise CacheUnavailable(type(error).__name__) from error
        self._outage.succeeded(self._location_name)

    add = _degrading(_false)(RedisCache.add)
    get = _degrading(_default)(RedisCache.get)
    set = _degrading(_nothing)(RedisCache.set)
    touch = _degrading(_false)(RedisCache.touch)
    delete = _degrading(_false)(RedisCache.delete)
    get_many = _degrading(_empty)(RedisCache.get_many)
    has_key = _degrading(_false)(RedisCache.has_key)
    incr = _degrading(_missing_key)(RedisCache.incr)
    set_many = _degrading(_all_failed)(RedisCache.set_many)
    delete_many = _degrading(_nothing)(RedisCache.delete_many)
    clear = _degrading(_false)(RedisCache.clear)
