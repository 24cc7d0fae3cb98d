"""Counts of the public case list from bitmaps in memory, built once per catalogue version.

Counting in SQL costs work in proportion to the matches: a search for 数据 matches half the
catalogue, and its COUNT and six facet GROUP BYs read every one of those cases again, on every
new search or filter combination. A search engine keeps, for each facet value, the set of
documents that have it, and counts a combination by intersecting sets. So do we:

- ``CaseBitmaps`` numbers the published cases in the list's default order (newest release
  first, unknown dates last, then slug: ``order_by_release``) and holds, for every option of
  every facet, a bitmap of the cases that have it (a Python ``int``: AND, OR and
  ``bit_count()`` run in C over 100,000 cases in microseconds), plus one of every published
  case. Eight aggregate queries build it once per catalogue version, by one thread of one
  process (the others use the previous version's meanwhile, marked stale as servtrade.caching
  says; with none, the list builds them in its request, which costs less than its counts in
  SQL); it is kept in the process and in the cache (for the other workers); any write the
  public can see gives a new version.
- A search's matches come from the search index as ids (``CaseSearch``: one index read, no join)
  and, when its words name a sector or theme, that option's bitmap too (as ``CaseQuerySet.search``
  finds them); they become one more bitmap (cached per version and query).
- The number of results is the AND of the selections; a facet's counts AND every selection but
  its own with each option's bitmap. A page with a search and three filters costs one index read
  and a few hundred big-int operations, however many cases match.

The rows of a page still come from SQL, but the bitmaps tell it which cases to read
(``ListCounts.rows``), so that it never walks or ranks the whole catalogue:

- few results (``settings.COUNTING_FEW_RESULTS``, 1,000): their ids, whatever the order; a
  search ranks only these;
- more, in the list's default order: the ids of the results up to the end of the page asked
  for (the bits are in that order), so the database reads those and no others;
- more results of a search than that are listed newest first, not ranked (ranking reads every
  match's index entry: half the catalogue for 数据); the page says so (``ranked`` is False).

The semantics are those of the QuerySet filters in cases.querysets (``in_regions`` includes a
province's cities, and so on); tests/cases/test_counting.py compares every count with SQL's.
"""

import logging
import threading
from array import array
from collections import defaultdict
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import CharField, StringAgg, Value
from django.db.models.functions import Cast

from cases.models import Case, CaseBatch, CaseSearch, CatalogueVersion, Theme
from cases.querysets import ADOPTED_ELSEWHERE, UNKNOWN_YEAR
from cases.search import SearchQuery, through_the_index
from servtrade.caching import COMPUTING_SECONDS, TIMEOUT, cached, in_background, mark_stale

# The facets the bitmaps answer, by the names CaseFilterSet gives them (and ``q``, the search).
FACETS = ("program", "batch", "theme", "sector", "region", "year", "source", "adopted")
# A page's query is given the ids up to its end only this deep in the list (50 pages of 20).
DEEPEST = 1000


def bitmap(positions):
    """The bitmap (an int) with the bits at ``positions`` set."""
    positions = list(positions)
    if not positions:
        return 0
    buffer = bytearray(max(positions) // 8 + 1)
    for position in positions:
        buffer[position >> 3] |= 1 << (position & 7)
    return int.from_bytes(buffer, "little")


def positions_of(bits, limit=None):
    """The positions of the set bits, ascending; only the first ``limit`` if given."""
    found = []
    for index, byte in enumerate(bits.to_bytes((bits.bit_length() + 7) // 8, "little")):
        if byte:
            found.extend(index * 8 + bit for bit in range(8) if byte >> bit & 1)
            if limit is not None and len(found) >= limit:
                return found[:limit]
    return found


@contextmanager
def read_snapshot(outermost):
    """On SQLite, let the next transaction begin DEFERRED: the site's are IMMEDIATE (settings),
    which takes the write lock, so a build would wait for an import to finish and hold up
    every writer while it reads. In WAL mode a deferred transaction reads one snapshot and
    takes no lock."""
    if not outermost or connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()  # connecting sets the mode from the settings
    mode, connection.transaction_mode = connection.transaction_mode, "DEFERRED"
    try:
        yield
    finally:
        connection.transaction_mode = mode


class CaseBitmaps:
    """The published cases in list order (``ids``) and a bitmap per facet option."""

    version = None  # the catalogue version they were built from

    def __init__(self, ids, position, options, version=None):
        self.version = version
        self.ids = ids  # position -> case id
        self.position = position  # case id -> position, -1 if not published
        self.everything = (1 << len(ids)) - 1
        self.options = options  # {facet: {key: bitmap}}

    @classmethod
    def build(cls):
        """(version, bitmaps) of one consistent snapshot of the catalogue, in eight queries.

        One query lists the published cases in list order with their batch and theme, which
        give the program, batch, year and theme facets (two small queries name the batches and
        themes); the others group case ids by facet option (``StringAgg``), so the database
        does the grouping and Python only turns a few long strings into bitmaps.
        """
        outermost = not connection.in_atomic_block
        with read_snapshot(outermost), transaction.atomic():
            if outermost and connection.vendor == "postgresql":
                # Every query sees the same catalogue, the version included.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            version = CatalogueVersion.objects.current()
            published = Case.objects.published().order_by()
            listed = published.order_by_release().values_list("pk", "batch_id", "theme_id")
            ids, by_batch, by_theme = array("l"), defaultdict(list), defaultdict(list)
            for at, (case_id, batch_id, theme_id) in enumerate(listed):
                ids.append(case_id)
                by_batch[batch_id].append(at)
                by_theme[theme_id].append(at)
            position = array("l", [-1]) * ((max(ids) + 1) if ids else 0)
            for at, case_id in enumerate(ids):
                position[case_id] = at

            options = cls._facet_options(published, position)
            cls._add_batches_and_themes(options, by_batch, by_theme)
            # "secondary": every case without an official source (in_source_kinds).
            official = options["source"].get("official", 0)
            options["source"]["secondary"] = ((1 << len(ids)) - 1) & ~official
        return version, cls(ids, position, options, version)

    @staticmethod
    def _add_batches_and_themes(options, by_batch, by_theme):
        """The program, batch, year (of release: the batch's; "unknown" without a date) and
        theme facets, from the positions of each batch's and each theme's cases."""
        batches = CaseBatch.objects.filter(pk__in=[pk for pk in by_batch if pk is not None])
        for batch in batches.select_related("program").only(
            "number", "published_on", "program__slug"
        ):
            bits = bitmap(by_batch[batch.pk])
            year = str(batch.published_on.year) if batch.published_on else UNKNOWN_YEAR
            for name, key in (
                ("program", batch.program.slug),
                ("batch", batch.key),
                ("year", year),
            ):
                options[name][key] = options[name].get(key, 0) | bits
        themes = Theme.objects.filter(pk__in=[pk for pk in by_theme if pk is not None])
        for theme_id, slug in themes.values_list("pk", "slug"):
            options["theme"][slug] = bitmap(by_theme[theme_id])

    @staticmethod
    def _facet_options(published, position):
        """{facet: {key: bitmap}} of the source, sector, adopted and region facets of the
        ``published`` cases, in four grouped queries."""

        def grouped(queryset, *keys, of="pk"):
            joined = StringAgg(Cast(of, CharField()), Value(","))
            rows = queryset.values(*keys).annotate(ids=joined).values_list(*keys, "ids")
            for *key, text in rows:
                if text is None:  # an aggregate of no rows (a constant key groups nothing)
                    continue
                yield *key, bitmap(position[int(case_id)] for case_id in text.split(","))

        options = {name: {} for name in FACETS}

        def add(name, key, bits):
            if key is not None:
                options[name][key] = options[name].get(key, 0) | bits

        links = Case.sources.through.objects.filter(case__in=published).order_by()
        sectors = Case.sectors.through.objects.filter(case__in=published).order_by()
        adopted = published.adopted_elsewhere().annotate(adopted=Value(ADOPTED_ELSEWHERE))
        for name, queryset, key, of in (
            # "secondary" (no official source) is the rest: see build().
            ("source", links.filter(source__kind="official"), "source__kind", "case_id"),
            ("sector", sectors, "servicesector__code", "case_id"),
            ("adopted", adopted, "adopted", "pk"),
        ):
            for value, bits in grouped(queryset, key, of=of):
                add(name, value, bits)
        # A province's key stands for its own cases and its cities' (see in_regions).
        links = Case.lead_regions.through.objects.filter(case__in=published).order_by()
        for slug, parent, bits in grouped(
            links, "region__slug", "region__parent__slug", of="case_id"
        ):
            add("region", slug, bits)
            add("region", parent, bits)
        return options

    @classmethod
    def current(cls, version, build_now=True):
        """The bitmaps of catalogue ``version``, or stand-ins while they are being built.

        This process's, else the cache's (another worker built them). Else, unless
        ``settings.COUNTING_IN_BACKGROUND`` is off (built now then, or None if ``build_now`` is
        False), a thread of one process builds them, and meanwhile the latest bitmaps this
        process or the cache holds stand in (the page is marked stale: a case published a moment
        ago is not counted yet). With none to stand in (a worker's first request after the cache
        was emptied), they are built in this request when ``build_now``: counting it in SQL
        would cost more (a cold search for 务 at 100,000 cases: 8 s of SQL counts on
        PostgreSQL, 0.6 s to build), and so would every other request until they are there.
        Without ``build_now``, None (the caller asks SQL). What depends on them is keyed by
        their ``.version``, not ``version``.
        """
        if version is None:
            return None
        if (bitmaps := cls._kept_or_cached(version)) is not None:
            return bitmaps
        if not settings.COUNTING_IN_BACKGROUND:
            return cls._built_here(version) if build_now else None
        with _lock:
            stand_in = _latest.get("bitmaps")
        if stand_in is None and (stand_in := cache.get(LATEST_KEY)) is not None:
            keep(stand_in.version, stand_in)  # unpickled once, not on every request meanwhile
        if stand_in is None and build_now:
            return cls._built_here(version)
        with _lock:
            start = version not in _building
            if start:
                _building.add(version)
        # One process builds them; the others read them from the cache when they are there.
        if start and cache.add(f"{cache_key(version)}:building", True, COMPUTING_SECONDS * 2):
            in_background(build_in_background, version, first=True)
        elif start:
            with _lock:
                _building.discard(version)
        if stand_in is not None:
            mark_stale()
        return stand_in

    @staticmethod
    def _kept_or_cached(version):
        with _lock:
            if _latest.get("version") == version:
                return _latest["bitmaps"]
        bitmaps = cache.get(cache_key(version))
        if bitmaps is not None:
            keep(version, bitmaps)
        return bitmaps

    @classmethod
    def _built_here(cls, version):
        """Built in this thread, unless another thread of this process is building them: then
        its build, waited for (one build a process, not one a request)."""
        with _building_lock:
            if (bitmaps := cls._kept_or_cached(version)) is not None:
                return bitmaps
            return build_and_keep().get(version)

    def position_of(self, case_id):
        """Where case ``case_id`` is in the list, -1 if it is not among these cases."""
        return self.position[case_id] if 0 <= case_id < len(self.position) else -1

    def of_ids(self, case_ids):
        """The bitmap of these cases (ids of unpublished cases are left out)."""
        return bitmap(at for at in map(self.position_of, case_ids) if at >= 0)

    def ids_at(self, positions):
        return [self.ids[at] for at in positions]

    def counts(self, name):
        """{key: cases} of every option of facet ``name``."""
        return {key: bits.bit_count() for key, bits in self.options[name].items()}

    def may_be_adopted(self, case_id):
        """False when case ``case_id`` is known to no adoption and no nationwide replication
        (the "adopted" facet); True when it is, or is not among these bitmaps' cases."""
        at = self.position_of(case_id)
        adopted = self.options["adopted"].get(ADOPTED_ELSEWHERE, 0)
        return at < 0 or bool(adopted >> at & 1)

    def related_ids(self, case_id, theme, sectors, limit):
        """The first ``limit`` cases (in list order) of each kind of relative of case
        ``case_id``: same theme and a shared sector, same theme, a shared sector; not itself."""
        at = self.position_of(case_id)
        itself = 1 << at if at >= 0 else 0
        same_theme = self.selection("theme", [theme] if theme else []) & ~itself
        shares_sector = self.selection("sector", sectors) & ~itself
        ids = set()
        for kind in (same_theme & shares_sector, same_theme, shares_sector):
            ids.update(self.first_ids(kind, limit))
        return ids

    def first_ids(self, bits, limit):
        """The ids of the first ``limit`` cases of ``bits``, in the list's order."""
        return self.ids_at(positions_of(bits, limit=limit))

    def selection(self, name, values):
        """The cases with any of ``values`` of facet ``name``."""
        keys = self.options[name]
        result = 0
        for value in values:
            result |= keys.get(value, 0)
        return result

    def matching(self, filters, search=None, excluded=None):
        """The cases every filter keeps, but ``excluded``'s; ``search`` a bitmap or None."""
        result = self.everything if search is None else self.everything & search
        for name, values in filters.items():
            if name != excluded:
                result &= self.selection(name, values)
        return result

    def facet_counts(self, name, filters, search=None):
        """{key: cases} of facet ``name``, every other filter kept; options of 0 left out."""
        others = self.matching(filters, search, excluded=name)
        counts = {}
        for key, bits in self.options[name].items():
            if count := (others & bits).bit_count():
                counts[key] = count
        return counts


class ListCounts:
    """The counts of one request of the case list, and which cases its page must read.

    ``for_state`` gives None when the FilterSet holds a filter the bitmaps do not know, so that
    the caller counts in SQL instead.
    """

    def __init__(self, bitmaps, filters, search=None, query=None):
        self.bitmaps = bitmaps
        self.filters = filters
        self.search = search
        self.query = query  # the SearchQuery that ``search`` answers
        self.results = bitmaps.matching(filters, search)
        self.total = self.results.bit_count()

    @classmethod
    def for_state(cls, version, state):
        filters, text = {}, None
        for name, value in state.items():
            if value in (None, "", []):
                continue
            if name == "q":
                text = value
            elif name in FACETS:
                filters[name] = value
            else:
                return None
        bitmaps = CaseBitmaps.current(version)
        if bitmaps is None:
            return None
        query = None if text is None else SearchQuery.parse(text)
        search = None if query is None else cls.search_bitmap(bitmaps, query)
        return cls(bitmaps, filters, search, query)

    @staticmethod
    def search_bitmap(bitmaps, query):
        """The cases matching ``query`` (a SearchQuery; cached): read from the search index,
        plus the cases of the sectors and themes its words name, as ``CaseQuerySet.search``
        finds them."""
        if not query:
            return 0

        def matching():
            matches = CaseSearch.objects.filter(document__matches=query)
            with through_the_index():
                found = bitmaps.of_ids(list(matches.values_list("case_id", flat=True)))
            for name, keys in Case.objects.names_in(query, bitmaps.version).items():
                found |= bitmaps.selection(name, keys)
            return found

        # Its bits are positions in these bitmaps: cached under their version, never another's.
        return cached(bitmaps.version, ("search-bitmap", query), matching, stale_ok=False)

    def count(self):
        return self.total

    def facet_counts(self, name):
        """{key: results} of facet ``name``; None for a facet the bitmaps do not know."""
        if name not in FACETS:
            return None
        return self.bitmaps.facet_counts(name, self.filters, self.search)

    @property
    def ranked(self):
        """False when a search found too many cases to rank: they are listed newest first."""
        return self.search is None or self.total <= settings.COUNTING_FEW_RESULTS

    def few_ids(self):
        """The ids of all the results when they are few, else None."""
        if self.total > settings.COUNTING_FEW_RESULTS:
            return None
        return self.bitmaps.ids_at(positions_of(self.results))

    def rows(self, queryset, rows_needed=None):
        """The page's rows read by id from ``queryset`` (the unfiltered list), or None when SQL
        must filter: to sort many results in another order than the list's.

        ``rows_needed``: how many rows of the list's default order the page shows or skips,
        None when the list is sorted otherwise (or downloaded whole).
        """
        if self.search is not None and self.ranked:
            # The few matches, ranked: the search index ranks them, the filters are known.
            named = Case.objects.named_by(self.query, self.bitmaps.version)
            return queryset.search(self.query, named=named, among=self.few_ids())
        # In the list's order, the page needs only the ids up to its end (the bitmaps are in
        # that order): a filter's 200 results were 200 rows for the database to read and sort.
        if rows_needed is not None and rows_needed <= DEEPEST:
            first = positions_of(self.results, limit=rows_needed)
            return queryset.filter(pk__in=self.bitmaps.ids_at(first))
        if (ids := self.few_ids()) is not None:
            return queryset.filter(pk__in=ids)
        return None


def cache_key(version):
    return f"servtrade:{version}:case-bitmaps"


# The latest bitmaps built by any process, the stand-in for a worker that has none.
LATEST_KEY = "servtrade:latest:case-bitmaps"


def keep(version, bitmaps):
    """Make ``bitmaps`` this process's (one version in memory at a time)."""
    with _lock:
        _latest.clear()
        _latest.update(version=version, bitmaps=bitmaps)


def forget():
    """Drop this process's bitmaps, as a new worker starts (tests)."""
    with _lock:
        _latest.clear()


def build_and_keep():
    """Build the bitmaps of the catalogue as it is now; returns {version: bitmaps}."""
    version, bitmaps = CaseBitmaps.build()
    if version is not None:
        cache.set(cache_key(version), bitmaps, TIMEOUT)
        cache.set(LATEST_KEY, bitmaps, TIMEOUT)
        keep(version, bitmaps)
    return {version: bitmaps}


def prepare_in_background():
    """As a server's worker starts (servtrade.wsgi): its bitmaps, from the cache or built, by
    its background thread, so that no visitor waits for them."""
    if settings.COUNTING_IN_BACKGROUND:
        in_background(prepare, first=True)


def prepare():
    if (version := CatalogueVersion.objects.current()) is not None:
        CaseBitmaps._built_here(version)


def build_in_background(version):
    try:
        CaseBitmaps._built_here(version)  # or taken from a request that built them meanwhile
    except Exception:
        logger.exception("Building the case bitmaps failed; pages count in SQL meanwhile.")
    finally:
        with _lock:
            _building.discard(version)


logger = logging.getLogger(__name__)
# The bitmaps of the latest version this process has seen, and the versions being built.
_latest = {}
_building = set()
_lock = threading.Lock()
_building_lock = threading.Lock()  # held by the thread that builds, in the background or not
