"""Every page's query budget, in one place: the view tests and the scale test share them."""

from django.conf import settings

from servtrade.exports import CHUNK_SIZE

# The linked tables a list of cases reads once per process and catalogue version (regions,
# sectors, sources: cases.linked); a page's cases bring their ids with them, so a warm page
# reads none.
LINKED_TABLES = 3
# The case list on a cold cache: the catalogue version + 6 facet options (the "adopted" and
# "source" facets' options are fixed) + the counting bitmaps (the version again and 8
# aggregates, in a savepoint: 11, cases.counting; they give the count and every facet's counts)
# + page + the linked tables. Without bitmaps (a FilterSet without a catalogue version)
# everything is counted in SQL: the version + 6 options + 8 counts + count + page + linked
# tables, 20. Warm: only the version and the page.
CASE_LIST_QUERIES = 19 + LINKED_TABLES
CASE_LIST_QUERIES_WARM = 2
# A search reads which sectors' and themes' names it gives: two queries without a catalogue
# version (a FilterSet made without one); with one, from the tables this process keeps per
# version (cases.linked), none once read. On a cold cache its bitmap reads its index once and
# the themes' table (the sectors' is one of LINKED_TABLES): 2.
SEARCH_QUERIES = 2
SEARCH_QUERIES_WITH_VERSION = 0
SEARCH_BITMAP_QUERIES = 2
# On PostgreSQL a search whose page is filtered in SQL (ranked, sorted by a column, or deep)
# reads its rows with sequential scans off (cases.search.through_the_index): one SET LOCAL,
# and inside a caller's transaction (each test's) a savepoint and the SET back as well.
SEARCH_ROWS_QUERIES = 4 if settings.DATABASES["default"]["ENGINE"].endswith("postgresql") else 0
# Facets alone, in SQL: 6 options + 8 counts.
FACET_QUERIES = 14
# The catalogue version (read for the page's ETag, servtrade/http_caching.py) + the case (with
# its regions, sectors and sources; the linked tables on a cold cache) + 3 index reads for the
# related cases' candidates (see related_to; none when the case bitmaps are there) + the related
# cases (itemised(), with their regions) + its adoptions (none read when the bitmaps say nobody
# adopted it) + the pilot regions, if its batch was replicated nationwide (read once per
# catalogue version for every case page).
CASE_DETAIL_QUERIES = 8 + LINKED_TABLES
# The version (ETag) + the batch + its counts, its cases per theme and which cases the page
# shows (cached per catalogue version) + those cases with their regions (itemised(); the
# regions' table once per catalogue version). Warm: the version, the batch and its cases.
BATCH_QUERIES = 7
BATCH_QUERIES_WARM = 3
# Cold: the version + 5 figures + 3 facet options + the counting bitmaps (11) + the pictures
# (map 3, completeness 1, timeline 2); warm: the version alone.
HOME_QUERIES = 26
HOME_QUERIES_WARM = 1

# Each page first reads the catalogue version for its ETag (servtrade/http_caching.py), then:
# 3 facet options + 4 facet counts + count + page + programs prefetch (the scope facet's
# options are fixed; it counts like the others).
REGION_LIST_QUERIES = 11
# 6 for the page (with the version, its cases with their regions, and the regions' table on a
# cold cache: cases.linked), its adoptions, adoptions of the cases it leads, how many cases it
# adopted by nationwide replication and, when there are any, those cases (with their regions,
# itemised()). Measured: Shanghai on the demo, 9.
# ... and, on a cold cache, the pictures (map 3); warm, the pictures run none.
REGION_PICTURE_QUERIES = 3
REGION_DETAIL_QUERIES = 10 + REGION_PICTURE_QUERIES
# The programs with their counts, and the batches' coverage.
PROGRAM_LIST_QUERIES = 3
# The page's 4 and, on a cold cache, the pictures (map 3, completeness 1, timeline 2).
PROGRAM_DETAIL_QUERIES = 4 + 6

# Admin changelists: sessions, user, count(s), rows, prefetches and filter choices; the same
# for 3 rows or 30.
CHANGELIST_BUDGET = 16
FORM_BUDGET = 20

# The API's case list (issue 14): the version, 6 facet options (validating the parameters), the
# counting bitmaps (11, cases.counting; they give the count), the page and the linked tables
# (regions, sectors, sources, once per catalogue version); warm: the version and the page.
API_CASE_LIST_QUERIES = 19 + LINKED_TABLES
API_CASE_LIST_QUERIES_WARM = 2
# Every other API list: the catalogue version (HTTP caching), the page, at most one prefetch.
API_LIST_QUERIES = 4
# An Atom feed: the catalogue version, the entries (one join for theme and batch, with their
# regions, sectors and sources), and the linked tables on a cold cache.
FEED_QUERIES = 2 + LINKED_TABLES
# A bulk file is sent from disk: no query at all.
BULK_FILE_QUERIES = 0


def download_queries(rows):
    """A download: the version, the facet options that validate the URL, the count (against
    settings.EXPORT_ROW_LIMIT), the linked tables on a cold cache, then a chunk of rows
    (exports.CHUNK_SIZE, with their regions, sectors and sources) at a time."""
    return 1 + 6 + 1 + LINKED_TABLES + (rows // CHUNK_SIZE + 1)
