"""Every page's query budget, in one place: the view tests and the scale test share them."""

# The case list on a cold cache: the catalogue version + 6 facet options (the "adopted" facet's
# one option is fixed) + the counting bitmaps (the version again and 6 aggregates, in a
# savepoint: 9, cases.counting) + the "adopted" facet's count, which the bitmaps do not know
# (in SQL) + page + 2 prefetches; a search adds one read of its index. The other counts never
# cost a query. With an "adopted" filter the bitmaps step aside and everything is counted in SQL
# (the version + 6 options + 7 counts + count + page + 2 prefetches: 18). Warm: only the version,
# the page and its prefetches.
CASE_LIST_QUERIES = 21
CASE_LIST_QUERIES_WARM = 4
# Facets alone: 6 options + 7 counts.
FACET_QUERIES = 13
# The catalogue version (read for the page's ETag, servtrade/http_caching.py) + 6 for the page
# + 3 index reads for the related cases' candidates (see related_to) + its adoptions + the pilot
# regions that adopted it if its batch was replicated nationwide.
CASE_DETAIL_QUERIES = 12
# The version (ETag) + the batch with its counts, its cases per theme, a page of cases and 2
# prefetches.
BATCH_QUERIES = 6
# Cold: the version + 5 figures + 3 facet options + the counting bitmaps (9); warm: the version
# alone.
HOME_QUERIES = 18
HOME_QUERIES_WARM = 1

# Each page first reads the catalogue version for its ETag (servtrade/http_caching.py), then:
# 3 facet options + 3 facet counts + count + page + programs prefetch.
REGION_LIST_QUERIES = 10
# 7 for the page (with the version), its adoptions, adoptions of the cases it leads, how many
# cases it adopted by nationwide replication and, when there are any, those cases (3: with
# regions and sectors).
REGION_DETAIL_QUERIES = 13
PROGRAM_LIST_QUERIES = 2
PROGRAM_DETAIL_QUERIES = 4

# Admin changelists: sessions, user, count(s), rows, prefetches and filter choices; the same
# for 3 rows or 30.
CHANGELIST_BUDGET = 16
FORM_BUDGET = 20


def download_queries(rows):
    """A download: the version, the facet options that validate the URL, then a chunk of 1,000
    rows and its two prefetches at a time."""
    return 1 + 6 + 3 * (rows // 1000 + 1)
