"""Every page's query budget, in one place: the view tests and the scale test share them."""

# The case list on a cold cache: the catalogue version + 6 facet options (the "adopted" facet's
# one option is fixed) + 7 facet counts + count + page + 2 prefetches; on a warm cache only the
# version, the page and its prefetches.
CASE_LIST_QUERIES = 18
CASE_LIST_QUERIES_WARM = 4
# Facets alone: 6 options + 7 counts.
FACET_QUERIES = 13
# The catalogue version (read for the page's ETag, servtrade/http_caching.py) + 6 for the page
# + 3 index reads for the related cases' candidates (see related_to) + its adoptions + the pilot
# regions that adopted it if its batch was replicated nationwide.
CASE_DETAIL_QUERIES = 12
# The version (ETag) + 4 for the page.
BATCH_QUERIES = 5
# Cold: the version + 5 figures + 3 facet options + 3 facet counts + the pictures (map 3,
# completeness 1, timeline 2); warm: the version alone.
HOME_QUERIES = 18
HOME_QUERIES_WARM = 1

# Each page first reads the catalogue version for its ETag (servtrade/http_caching.py), then:
# 3 facet options + 3 facet counts + count + page + programs prefetch.
REGION_LIST_QUERIES = 10
# 7 for the page (with the version), its adoptions, adoptions of the cases it leads, how many
# cases it adopted by nationwide replication and, when there are any, those cases (3: with
# regions and sectors).
# ... and, on a cold cache, the pictures (map 3); warm, the pictures run none.
REGION_PICTURE_QUERIES = 3
REGION_DETAIL_QUERIES = 13 + REGION_PICTURE_QUERIES
PROGRAM_LIST_QUERIES = 2
# The page's 4 and, on a cold cache, the pictures (map 3, completeness 1, timeline 2).
PROGRAM_DETAIL_QUERIES = 4 + 6

# Admin changelists: sessions, user, count(s), rows, prefetches and filter choices; the same
# for 3 rows or 30.
CHANGELIST_BUDGET = 16
FORM_BUDGET = 20

# The API's case list (issue 14): the version, 6 facet options (validating the parameters), the
# count, the page and its two prefetches (regions, sectors); warm: the options and the count
# come from the cache.
API_CASE_LIST_QUERIES = 11
API_CASE_LIST_QUERIES_WARM = 4
# Every other API list: the catalogue version (HTTP caching), the page, at most one prefetch.
API_LIST_QUERIES = 4
# An Atom feed: the catalogue version, the entries (one join for theme and batch), and the two
# prefetches (regions, sectors).
FEED_QUERIES = 4
# A bulk file is sent from disk: no query at all.
BULK_FILE_QUERIES = 0


def download_queries(rows):
    """A download: the version, the facet options that validate the URL, the count (against
    settings.EXPORT_ROW_LIMIT), then a chunk of 1,000 rows and its two prefetches at a time."""
    return 1 + 6 + 1 + 3 * (rows // 1000 + 1)
