"""Results that only change when the catalogue does, cached under the catalogue's version.

A page reads the version once (one tiny query, shared with the HTTP caching middleware:
``servtrade.http_caching.catalogue_version(request)``) and asks for its counts under it.
Database triggers give the catalogue a new version on every write, so an entry is never
invalidated: it is simply never asked for again, and the cache (local memory by default, Redis
with ``CACHE_URL``) evicts it in time. Without a version (the row is missing,
e.g. just after a flush) nothing is cached and everything is computed.
"""

import hashlib

from django.core.cache import cache

# Entries are never stale (the version is in the key); the timeout only frees room.
TIMEOUT = 60 * 60 * 24


def cached(version, parts, compute):
    """``compute()``, or what it returned before for the same ``parts`` at this ``version``."""
    if version is None:
        return compute()
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    key = f"servtrade:{version}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value
