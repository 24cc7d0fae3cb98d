"""Results that only change when the catalogue does, cached under the catalogue's version.

A page reads the version once (one tiny query, shared with the HTTP caching middleware:
``servtrade.http_caching.catalogue_version(request)``) and asks for its counts under it.
Database triggers give the catalogue a new version on every write that the public can see, so
an entry is never invalidated: it is simply never asked for again, and the cache (local memory
by default, Redis with ``CACHE_URL``) evicts it in time. Without a version (the row is missing,
e.g. just after a flush) nothing is cached and everything is computed.

After a write every entry is missing at once, and some take seconds to compute at 100,000
cases while an editor may publish again a few seconds later. So, when
``settings.COUNTING_IN_BACKGROUND`` (production), an entry of a new version is computed by one
thread of one process, in the background, and meanwhile every page that asks for it gets the
entry of the version before (stale-while-revalidate, as RFC 5861 lets a shared cache do): no
visitor waits for a computation that another could reuse. A response built from such an entry
is marked stale (``served_stale()``), so that the HTTP caching middleware gives it no validators
of the new version and nobody keeps it. Without an entry of any version, the first page
computes it and the others asking meanwhile wait for its result.
"""

import hashlib
import itertools
import logging
import queue
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections, connections
from django.utils import translation

# Entries are never stale (the version is in the key); the timeout only frees room.
TIMEOUT = 60 * 60 * 24
# Many pages need the same entries (the map, the facets' options, the home figures): one process
# computes an entry; the others asking for it meanwhile serve the previous version's or, with
# none, wait for its result up to WAIT_SECONDS rather than compute it too (bench/load.py saw
# three workers computing the home page's at once). The mark that one is computing lasts
# COMPUTING_SECONDS at most, should that process die before it is done.
WAIT_SECONDS = 10
COMPUTING_SECONDS = 30
POLL_SECONDS = 0.05
# The computing mark of an entry queued for the background thread (in_background()).
QUEUED = "queued"

# Entries a process remembers as the latest of their kind (remember()): counts, options and
# rendered pictures, a few kilobytes each; a search's bitmap is never one.
REMEMBERED_ENTRIES = 256

logger = logging.getLogger(__name__)
_request = threading.local()
_remembered = OrderedDict()
_remembered_lock = threading.Lock()
_tasks = queue.PriorityQueue()
_queued = itertools.count()  # first asked, first done among calls of one priority
_worker = None
_worker_lock = threading.Lock()


def in_background(function, *args, first=False):
    """Call ``function(*args)`` in this process's background thread, after the calls before it
    (``first``: before every call not marked so; the bitmaps, which the other entries read).

    One thread, kept: a thread per call opened a database connection of its own each time,
    that is, on PostgreSQL, a server process to start and its caches to fill (about 9 a second
    under bench/load.py). This one keeps its connection while it has work and closes it once
    the queue is empty. Started again if it is not running (in a worker just forked, say).
    """
    global _worker
    _tasks.put((0 if first else 1, next(_queued), function, args))
    with _worker_lock:
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_work, name="servtrade-background", daemon=True)
            _worker.start()


def _work():
    while True:
        _priority, _order, function, args = _tasks.get()
        close_old_connections()  # as before a request: one that broke or aged is replaced
        try:
            function(*args)
        except Exception:
            logger.exception("A background computation failed; pages use what they had.")
        finally:
            if _tasks.empty():
                connections.close_all()  # this thread's, until there is work again


def begin_request():
    """Forget whether the previous request of this thread was served stale entries."""
    _request.stale = False


def served_stale():
    """True when this thread's request used an entry of an earlier catalogue version."""
    return getattr(_request, "stale", False)


def mark_stale():
    _request.stale = True


def cached(version, parts, compute, stale_ok=True):
    """``compute()``, or what it returned before for the same ``parts`` at this ``version``.

    ``stale_ok``: whether the entry of an earlier version may stand in while this one is
    computed in the background (False for an entry that only makes sense with its version's).
    """
    if version is None:
        return compute()
    digest = digest_of(parts)
    key = f"servtrade:{version}:{digest}"
    value = cache.get(key)
    if value is not None:
        if stale_ok:
            remember(digest, value)
        return value[0]
    latest = f"servtrade:latest:{digest}" if stale_ok else None
    computing = f"{key}:computing"
    first = cache.add(computing, True, COMPUTING_SECONDS)
    previous = standing_in(latest, digest)
    if previous is not None:
        if first:
            cache.set(computing, QUEUED, COMPUTING_SECONDS)
            language = translation.get_language()
            in_background(_refresh, key, latest, computing, compute, language)
        mark_stale()
        return previous[0]
    # Queued behind other background work, it may be a while: a page with nothing to show
    # computes it rather than wait (Redis stopped: its stand-in starts empty).
    if not first and cache.get(computing) != QUEUED:
        value = computed_elsewhere(key, computing)
        if value is not None:
            return value[0]
    return _compute_and_keep(key, latest, computing, compute)


def digest_of(parts):
    """A short, stable name for ``parts`` (a cache entry's, a response's ETag)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def standing_in(latest, digest):
    """The entry of an earlier version that stands in while this one is computed, if any."""
    if latest and settings.COUNTING_IN_BACKGROUND:
        return cache.get(latest) or remembered(digest)
    return None


def _compute_and_keep(key, latest, computing, compute):
    """Compute and store an entry; one computed from stale entries is kept as the latest only,
    never under this version's key (it would stay stale for the whole version)."""
    stale_before, _request.stale = served_stale(), False
    try:
        value = compute()
        # In a tuple, so that it is pickled: Django's Redis backend stores a bare int as its
        # decimal text, which Python refuses to write past 4,300 digits (a bitmap of a search's
        # matches at 100,000 cases is ten times that).
        if not served_stale():
            cache.set(key, (value,), TIMEOUT)
        if latest:
            cache.set(latest, (value,), TIMEOUT)
            remember(latest.rpartition(":")[2], (value,))
    finally:
        cache.delete(computing)
        _request.stale = stale_before or served_stale()
    return value


def remember(digest, value):
    """Keep the latest entry of each kind in this process too: when the cache goes away (Redis
    stopped), its stand-in starts empty, and these stand in while the entries are computed
    again, instead of every page of every worker computing them at once."""
    with _remembered_lock:
        _remembered[digest] = value
        _remembered.move_to_end(digest)
        while len(_remembered) > REMEMBERED_ENTRIES:
            _remembered.popitem(last=False)


def forget():
    """Forget the remembered entries, as a new worker starts (tests)."""
    with _remembered_lock:
        _remembered.clear()


def remembered(digest):
    with _remembered_lock:
        return _remembered.get(digest)


def _refresh(key, latest, computing, compute, language):
    """Compute an entry in a thread of its own, in the language of the page that asked."""
    try:
        with translation.override(language):
            _compute_and_keep(key, latest, computing, compute)
    except Exception:
        logger.exception("Computing a cached entry failed; pages use the previous one meanwhile.")


def computed_elsewhere(key, computing):
    """The entry another process is computing, once it is there; None after WAIT_SECONDS, or
    as soon as its computing mark is gone without it (the cache lost both: Redis stopped while
    a page waited, and its stand-in has neither; bench/load.py saw a region page wait 10 s)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        value = cache.get(key)
        if value is not None:
            return value
        if cache.get(computing) is None:
            return cache.get(key)  # done just now, or never to be
    return None
