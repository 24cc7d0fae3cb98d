"""Results that only change when the catalogue does, cached under the catalogue's version.

A page reads the version once (one tiny query, shared with the HTTP caching middleware:
``servtrade.http_caching.catalogue_version(request)``) and asks for its counts under it.
Database triggers give the catalogue a new version on every write, so an entry is never
invalidated: it is simply never asked for again, and the cache (local memory by default, Redis
with ``CACHE_URL``) evicts it in time. Without a version (the row is missing,
e.g. just after a flush) nothing is cached and everything is computed.
"""

import hashlib
import time

from django.core.cache import cache

# Entries are never stale (the version is in the key); the timeout only frees room.
TIMEOUT = 60 * 60 * 24
# After a write, every page needs its counts again at once, and many pages need the same ones
# (the map, the facets' options, the unfiltered counts, the home figures: each seconds of work
# at 100,000 cases). One process computes an entry; the others asking for it meanwhile wait for
# its result, up to WAIT_SECONDS, rather than compute it too (bench/load.py saw three workers
# computing the home page's at once). The mark that one is computing lasts COMPUTING_SECONDS at
# most, should that process die before it is done.
WAIT_SECONDS = 10
COMPUTING_SECONDS = 30
POLL_SECONDS = 0.05


def cached(version, parts, compute):
    """``compute()``, or what it returned before for the same ``parts`` at this ``version``."""
    if version is None:
        return compute()
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    key = f"servtrade:{version}:{digest}"
    value = cache.get(key)
    if value is not None:
        return value[0]
    computing = f"{key}:computing"
    if not cache.add(computing, True, COMPUTING_SECONDS):
        value = computed_elsewhere(key)
        if value is not None:
            return value[0]
    try:
        value = compute()
        # In a tuple, so that it is pickled: Django's Redis backend stores a bare int as its
        # decimal text, which Python refuses to write past 4,300 digits (a bitmap of a search's
        # matches at 100,000 cases is ten times that).
        cache.set(key, (value,), TIMEOUT)
    finally:
        cache.delete(computing)
    return value


def computed_elsewhere(key):
    """The entry another process is computing, once it is there (None after WAIT_SECONDS)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        value = cache.get(key)
        if value is not None:
            return value
    return None
