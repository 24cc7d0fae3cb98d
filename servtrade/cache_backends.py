"""A Redis cache that the site can lose: pages then compute from the database.

Django's own Redis backend raises when the server is gone, and every page that reads a cached
count answered 500. Here, while Redis is unreachable, the processes of a host keep what they
compute in a stand-in they share: a file cache in the temporary directory (``SharedStandIn``,
``STAND_IN_ENTRIES`` entries, emptied when Redis returns). A count is then computed once per
host, not once per request nor once per worker (at 100,000 cases the counting bitmaps take a
second to build, and five workers building each their own after every publication kept two
cores busy: bench/load.py with --stop-redis-at). That is safe because the site caches only
results keyed by the catalogue's version (servtrade.caching), which never go stale; a cache used
to share state between hosts (sessions, locks, counters) could not be stood in for this way. If
the stand-in itself cannot be written (a full disk), it behaves as an empty cache.

One warning is logged when Redis goes and one when it comes back (per process, not per
request). While it is gone, Redis is not asked again for ``RETRY_SECONDS``, so pages do not each
wait for a connection to fail; after that one request tries again, and the first success ends
the outage.
"""

import hashlib
import logging
import pickle
import tempfile
import threading
import time
import zlib
from pathlib import Path

from django.conf import settings
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger("servtrade.cache")

RETRY_SECONDS = 2.0
# A cache that makes a page wait is worse than none: give up on Redis quickly.
SOCKET_TIMEOUT_SECONDS = 0.5
# Entries the stand-in keeps while Redis is gone (counts and rendered pictures, tens of
# kilobytes at most; the counting bitmaps, a megabyte or two per catalogue version).
STAND_IN_ENTRIES = 1000


class SharedStandIn:
    """A file cache that the processes of a host share, one folder per Redis location and
    checkout. Any error of the file system (or a file it cannot read) reads as a miss (``add``
    as done, so that the caller computes rather than waits for someone else)."""

    def __init__(self, location):
        name = hashlib.sha256(f"{settings.BASE_DIR}|{location}".encode()).hexdigest()[:16]
        self.folder = Path(tempfile.gettempdir()) / f"servtrade-stand-in-{name}"
        self.files = FileBasedCache(
            str(self.folder), {"OPTIONS": {"MAX_ENTRIES": STAND_IN_ENTRIES}}
        )

    def __getattr__(self, name):
        method = getattr(self.files, name)
        failed = {"add": True, "get": None, "has_key": False}.get(name)

        def guarded(*args, **kwargs):
            try:
                return method(*args, **kwargs)
            except (OSError, EOFError, ValueError, pickle.UnpicklingError, zlib.error):
                return kwargs.get("default") if name == "get" else failed

        return guarded

    def is_empty(self):
        return not any(self.folder.glob("*.djcache"))


class CacheUnavailable(Exception):
    """The cache server cannot be reached (raised only by ``ping()``)."""


class _Outage:
    """Whether one Redis location is down, shared by the threads of a process."""

    def __init__(self, location):
        self.lock = threading.Lock()
        self.down_since = None
        self.retry_at = 0.0
        # What the processes of this host read and write instead of Redis meanwhile.
        self.stand_in = SharedStandIn(location)

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
            self.stand_in.clear()
            logger.warning("Cache %s reachable again after %.0f s.", location, seconds)


_outages = {}
_outages_lock = threading.Lock()


def _outage_for(location):
    with _outages_lock:
        if location not in _outages:
            _outages[location] = _Outage(location)
        return _outages[location]


def _degrading(method):
    """Wrap a cache method: on a Redis error, log (once) and ask the stand-in instead."""

    def wrapper(self, *args, **kwargs):
        outage = self._outage
        if outage.skip():
            return getattr(outage.stand_in, method.__name__)(*args, **kwargs)
        try:
            result = method(self, *args, **kwargs)
        except (RedisError, OSError) as error:
            outage.failed(self._location_name, error)
            return getattr(outage.stand_in, method.__name__)(*args, **kwargs)
        outage.succeeded(self._location_name)
        return result

    wrapper.__name__ = method.__name__
    wrapper.__doc__ = method.__doc__
    return wrapper


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

    add = _degrading(RedisCache.add)
    get = _degrading(RedisCache.get)
    set = _degrading(RedisCache.set)
    touch = _degrading(RedisCache.touch)
    delete = _degrading(RedisCache.delete)
    get_many = _degrading(RedisCache.get_many)
    has_key = _degrading(RedisCache.has_key)
    incr = _degrading(RedisCache.incr)
    set_many = _degrading(RedisCache.set_many)
    delete_many = _degrading(RedisCache.delete_many)
    clear = _degrading(RedisCache.clear)
