"""The case list's counts from bitmaps (cases.counting) equal plain SQL COUNTs, always.

A small catalogue with every kind of case (several regions and sectors, provinces with cities,
cases without a theme, drafts, several years) is asked a few hundred random combinations of
filters and searches; every count, every facet option's count and the first page's rows are
compared with what plain QuerySets give.
"""

import datetime
import random
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.urls import reverse

from cases import counting
from cases.counting import CaseBitmaps, ListCounts
from cases.filters import CaseFilterSet
from cases.models import Case, CaseBatch, CatalogueVersion
from servtrade import caching
from tests.factories import (
    AdoptionFactory,
    CaseBatchFactory,
    CaseFactory,
    PilotProgramFactory,
    ProvinceFactory,
    RegionFactory,
    ServiceSectorFactory,
    SourceFactory,
    ThemeFactory,
)

# How the list's FilterSet applies each facet (the QuerySet's own filters).
APPLY = {
    "program": "in_programs",
    "batch": "in_batches",
    "theme": "in_themes",
    "sector": "in_sectors",
    "region": "in_regions",
    "year": "in_years",
    "source": "in_source_kinds",
    "adopted": "in_adoption_states",
}
WORDS_ZH = ["数据", "跨境", "金融", "体育", "服务贸易", "数字人民币", "会展"]
WORDS_EN = ["data", "finance", "sports", "exhibition", "payments"]
SEARCHES = [
    "数",
    "据",
    "数据",
    "跨境数据",
    "金融服务",
    "金融",
    "finance",
    "data",
    "sports finance",
    "数据 data",
    "!!!",
]


@pytest.fixture
def catalogue(db):
    """About 120 cases over 2 programs, 4 batches (one of unknown date), 3 themes, 4 sectors,
    6 regions and official or secondary sources; a sector and a theme whose names searches give
    (as "金融" and "finance" name the financial services, 数据 the theme on data)."""
    rng = random.Random(13)
    programs = [PilotProgramFactory(slug="pilot-2018"), PilotProgramFactory(slug="pilot-2020")]
    released = [datetime.date(2019, 3, 1), None, datetime.date(2021, 6, 1)]
    released.append(datetime.date(2023, 11, 1))
    batches = [
        CaseBatchFactory(program=program, number=number, published_on=released.pop(0))
        for program in programs
        for number in (1, 2)
    ]
    themes = [ThemeFactory(name_zh="数据开放", name_en="Opening data")]
    themes += [ThemeFactory(), ThemeFactory()]
    sectors = [ServiceSectorFactory(code=code) for code in ("SC", "SG", "SI", "SK")]
    sectors[2].name_zh, sectors[2].name_en = "金融服务", "Financial services"
    sectors[2].save()
    official = SourceFactory(kind="official", url="https://www.mofcom.gov.cn/notice.html")
    secondary = SourceFactory()
    provinces = [ProvinceFactory(slug="guangdong"), ProvinceFactory(slug="hainan")]
    regions = [
        provinces[0],
        RegionFactory(slug="guangzhou", parent=provinces[0]),
        RegionFactory(slug="shenzhen", parent=provinces[0]),
        RegionFactory(slug="haikou", parent=provinces[1]),
        ProvinceFactory(slug="beijing"),
        ProvinceFactory(slug="shanghai"),
    ]
    cases = []
    for number in range(120):
        words_zh = rng.sample(WORDS_ZH, 2)
        words_en = rng.sample(WORDS_EN, 2)
        published = rng.random() < 0.9
        case = CaseFactory(
            slug=f"counted-{number:03d}",
            batch=rng.choice(batches),
            theme=rng.choice([*themes, None]),
            title_zh="".join(words_zh) + "案例",
            title_en=" ".join(words_en) + " case",
            summary_zh="",
            summary_en="",
            status=Case.Status.PUBLISHED if published else Case.Status.DRAFT,
            published_on=datetime.date(rng.choice([2019, 2021, 2023]), rng.randint(1, 12), 1)
            if published
            else None,
            lead_regions=rng.sample(regions, rng.randint(0, 3)),
            sectors=rng.sample(sectors, rng.randint(0, 2)),
        )
        case.sources.set(rng.choice([[], [secondary], [official], [official, secondary]]))
        cases.append(case)
    # Some published cases adopted by another region; one draft adoption that must not count.
    adopters = [RegionFactory(slug="chongqing"), RegionFactory(slug="xian")]
    published = [case for case in cases if case.status == Case.Status.PUBLISHED]
    for case in rng.sample(published, 25):
        AdoptionFactory(case=case, region=rng.choice(adopters))
    AdoptionFactory(case=published[0], region=adopters[0], status=Case.Status.DRAFT)
    return rng


def combinations(rng, filterset, count, facets=APPLY):
    """``count`` random (facet values, search text or None)."""
    options = {name: [o.key for o in filterset.get_options(name)] for name in facets}
    drawn = []
    for _ in range(count):
        names = rng.sample(sorted(facets), rng.randint(0, 3))
        filters = {
            name: rng.sample(options[name], min(len(options[name]), rng.randint(1, 2)))
            for name in names
        }
        search = rng.choice([None, None, *SEARCHES])
        drawn.append((filters, search))
    return drawn


def plain(filters, search=None, ranked=True):
    cases = Case.objects.published()
    for name, values in filters.items():
        cases = getattr(cases, APPLY[name])(values)
    return cases.search(search, ranked=ranked) if search else cases


def filterset_for(filters, search=None, rows_needed=20):
    data = QueryDict(mutable=True)
    for name, values in filters.items():
        data.setlist(name, values)
    if search:
        data["q"] = search
    return CaseFilterSet(
        data,
        # The list's own order (CaseListView), in which the bitmaps number the cases.
        queryset=Case.objects.published().listed().order_by_release(),
        version=CatalogueVersion.objects.current(),
        rows_needed=rows_needed,
    )


def check(filters, search):
    filterset = filterset_for(filters, search)
    assert filterset.counter is not None  # the bitmaps know every facet of the list
    assert filterset.count() == plain(filters, search).count(), (filters, search)
    for facet in filterset.facets():
        shown = {option.key: option.count for option in facet.options}
        others = {name: values for name, values in filters.items() if name != facet.name}
        for key in (o.key for o in filterset.get_options(facet.name)):
            expected = plain({**others, facet.name: [key]}, search).count()
            assert shown.get(key, 0) == expected, (facet.name, key, filters, search)
    ranked = filterset.counter is None or filterset.counter.ranked
    expected_rows = plain(filters, search, ranked=ranked)
    if not (search and ranked):  # the list's order; a ranked search orders by rank
        expected_rows = expected_rows.order_by_release()
    first_page = list(filterset.qs.values_list("pk", flat=True)[:20])
    assert first_page == list(expected_rows.values_list("pk", flat=True)[:20]), (filters, search)


def test_every_count_and_facet_equals_a_plain_count(catalogue):
    combos = combinations(catalogue, filterset_for({}), 200)
    for filters, search in combos:
        check(filters, search)
    # The draws reach every kind of result: none, some, and the whole list.
    totals = {plain(filters, search).count() for filters, search in combos}
    assert 0 in totals and Case.objects.published().count() in totals and len(totals) > 20


def test_the_adopted_facet_counts_published_adoptions_from_the_bitmaps(catalogue):
    adopted = filterset_for({"adopted": ["elsewhere"]})
    assert adopted.counter is not None
    # 25 cases adopted by a published adoption; the draft adoption does not count.
    assert adopted.count() == plain({"adopted": ["elsewhere"]}).count() == 25
    listed = filterset_for({"sector": ["SC"]})
    facets = {facet.name: facet for facet in listed.facets()}
    shown = {option.key: option.count for option in facets["adopted"].options}
    assert shown["elsewhere"] == plain({"sector": ["SC"], "adopted": ["elsewhere"]}).count() > 0


def test_a_filter_the_bitmaps_do_not_know_sends_the_request_to_sql(catalogue):
    version = CatalogueVersion.objects.current()
    assert ListCounts.for_state(version, {"sector": ["SC"]}) is not None
    assert ListCounts.for_state(version, {"sector": ["SC"], "not-a-facet": ["x"]}) is None


def test_a_search_with_more_matches_than_it_ranks_is_listed_newest_first(catalogue, settings):
    settings.COUNTING_FEW_RESULTS = 5
    for filters, search in combinations(catalogue, filterset_for({}), 60):
        check(filters, search)
    filterset = filterset_for({}, "数")
    assert filterset.count() > 5
    assert not filterset.counter.ranked
    assert filterset.notices()


@pytest.mark.parametrize("few", [5, 1000])
def test_the_page_reads_only_the_rows_up_to_its_end(catalogue, settings, few):
    """Whether its results are many or few (all their ids known), the page in the list's order
    asks the database for the rows up to its end, not for every result to sort."""
    settings.COUNTING_FEW_RESULTS = few
    filterset = filterset_for({"sector": ["SC", "SG", "SI", "SK"]}, rows_needed=40)
    assert few < filterset.count() if few == 5 else 40 < filterset.count() <= few
    sql = str(filterset.qs.query)
    assert "EXISTS" not in sql and "IN (" in sql
    assert filterset.qs.count() == 40


def test_the_unfiltered_list_reads_its_page_by_id_too(catalogue, settings):
    settings.COUNTING_FEW_RESULTS = 5
    # The page without parameters: an unbound FilterSet, as CaseListView makes it.
    filterset = CaseFilterSet(
        None,
        queryset=Case.objects.published().listed().order_by_release(),
        version=CatalogueVersion.objects.current(),
        rows_needed=40,
    )
    assert "IN (" in str(filterset.qs.query)
    expected = Case.objects.published().order_by_release().values_list("pk", flat=True)[:40]
    assert list(filterset.qs.values_list("pk", flat=True)) == list(expected)


def test_the_list_page_shows_the_counts_of_the_bitmaps(catalogue, client):
    response = client.get(reverse("cases:case-list") + "?region=guangdong&q=数据")
    expected = plain({"region": ["guangdong"]}, "数据").count()
    assert response.context["table"].paginator.count == expected
    facets = {facet.name: facet for facet in response.context["facets"]}
    regions = {option.key: option.count for option in facets["region"].options}
    assert regions["guangzhou"] == plain({"region": ["guangzhou"]}, "数据").count()


def test_a_write_gives_new_bitmaps(catalogue):
    before = filterset_for({"year": ["2019"]}).count()
    CaseFactory(batch=CaseBatch.objects.get(published_on__year=2019))
    assert filterset_for({"year": ["2019"]}).count() == before + 1


# Transactional: the bitmaps are built by a thread of its own, with a connection of its own.
@pytest.mark.django_db(transaction=True)
def test_with_no_bitmaps_to_stand_in_the_list_builds_them_rather_than_count_in_sql(
    client, settings
):
    """A worker's first request after the cache was emptied: counting in SQL would cost more
    than the build (a cold search for 务 at 100,000 cases on PostgreSQL: 8 s against 0.6 s),
    and every request would pay it until a thread had built them. So the list builds them in
    its request and counts with them; pages that never build ask SQL while a thread does."""
    settings.COUNTING_IN_BACKGROUND = True
    cache.clear()  # no bitmaps or counts of any version, in the cache or in this process
    counting.forget()
    caching.forget()
    CaseFactory.create_batch(3, batch=CaseBatchFactory(published_on=datetime.date(2021, 1, 1)))
    version = CatalogueVersion.objects.current()
    response = client.get(reverse("cases:case-list") + "?year=2021")
    assert response.context["table"].paginator.count == 3
    assert response.context["view"].filterset.counter is not None  # counted by the bitmaps
    assert response.has_header("ETag")  # this version's own bitmaps: nothing stale
    bitmaps = CaseBitmaps.current(version, build_now=False)
    assert bitmaps is not None and bitmaps.selection("year", ["2021"]).bit_count() == 3

    cache.clear()
    counting.forget()
    assert CaseBitmaps.current(version, build_now=False) is None  # asks SQL, never waits
    deadline = time.monotonic() + 30
    while CaseBitmaps.current(version, build_now=False) is None:
        assert time.monotonic() < deadline, "no thread built the bitmaps"
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_a_starting_worker_has_its_bitmaps_before_its_first_visitor(settings):
    settings.COUNTING_IN_BACKGROUND = True
    cache.clear()
    counting.forget()
    CaseFactory.create_batch(2, batch=CaseBatchFactory(published_on=datetime.date(2021, 1, 1)))
    version = CatalogueVersion.objects.current()
    counting.prepare_in_background()  # what servtrade.wsgi does as a worker starts
    deadline = time.monotonic() + 30
    while counting._latest.get("version") != version:  # looked at without asking for them
        assert time.monotonic() < deadline, "the starting worker never built its bitmaps"
        time.sleep(0.05)
    assert counting._latest["bitmaps"].selection("year", ["2021"]).bit_count() == 2


@pytest.mark.django_db(transaction=True)
def test_while_new_bitmaps_are_built_the_last_ones_stand_in_and_the_page_is_not_kept(
    client, settings
):
    """After a write no page waits for the new bitmaps: the last ones count meanwhile, and the
    page says it may be stale (no validators, no-cache), until the new ones are there."""
    settings.COUNTING_IN_BACKGROUND = True
    cache.clear()
    counting.forget()
    caching.forget()
    batch = CaseBatchFactory(published_on=datetime.date(2021, 1, 1))
    CaseFactory.create_batch(3, batch=batch)
    counting.build_and_keep()
    url = reverse("cases:case-list") + "?year=2021"
    response = client.get(url)
    assert response.context["table"].paginator.count == 3 and response.has_header("ETag")

    CaseFactory(batch=batch)  # a new version
    response = client.get(url)
    assert response.context["table"].paginator.count == 3  # the last bitmaps' count
    assert not response.has_header("ETag") and not response.has_header("Last-Modified")
    assert "no-cache" in response["Cache-Control"]
    deadline = time.monotonic() + 30
    while not (response := client.get(url)).has_header("ETag"):
        assert time.monotonic() < deadline, "the new bitmaps were never built"
        time.sleep(0.05)
    assert response.context["table"].paginator.count == 4
    assert "public" in response["Cache-Control"]


def test_a_worker_without_bitmaps_takes_the_latest_from_the_cache_once(catalogue, settings):
    """A new worker (after a restart) while another builds a new version's bitmaps: the cache's
    latest stand in, and the worker keeps them rather than unpickle them on every request."""
    settings.COUNTING_IN_BACKGROUND = True
    counting.build_and_keep()
    counting.forget()
    caching.begin_request()
    new_version = "a-version-another-worker-is-building"
    cache.add(f"{counting.cache_key(new_version)}:building", True, 60)
    stand_in = CaseBitmaps.current(new_version)
    assert stand_in is not None and caching.served_stale()
    cache.delete(counting.LATEST_KEY)
    assert CaseBitmaps.current(new_version) is stand_in


def test_a_ranked_search_reads_its_few_results_by_id(catalogue):
    """The bitmaps know a ranked search's results: the page reads them by id and ranks them,
    without applying the filters again; PostgreSQL without matching them again either, reading
    each one's index entry by its key (FTS5 ranks only the rows of its MATCH)."""
    filterset = filterset_for({"sector": ["SC", "SG"]}, "体育")
    assert filterset.counter.ranked and filterset.count() > 0
    sql = str(filterset.qs.query)
    assert "IN (" in sql and "EXISTS" not in sql
    if connection.vendor == "postgresql":
        assert "@@" not in sql and 'JOIN "cases_casesearch"' not in sql
        assert '(SELECT -ts_rank("U0"."document"' in sql
        assert 'FROM "cases_casesearch" "U0" WHERE "U0"."rowid" = ("cases_case"."id")' in sql
    else:
        assert "MATCH" in sql and "bm25" in sql
    expected = plain({"sector": ["SC", "SG"]}, "体育").values_list("pk", flat=True)
    assert list(filterset.qs.values_list("pk", flat=True)) == list(expected)
