"""At 10,000 generated cases every page keeps the query budget it has with three.

The cases are generated once for the module (generate_cases over the real fixtures) and removed
at its end; each test then runs in its own transaction as usual.
"""

import csv
import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from cases.models import Case, CaseBatch, ServiceSector, Theme
from regions.models import Region
from tests.cases.test_views import (
    BATCH_QUERIES,
    CASE_DETAIL_QUERIES,
    CASE_LIST_QUERIES,
    CASE_LIST_QUERIES_WARM,
    HOME_QUERIES,
    HOME_QUERIES_WARM,
    SEARCH_QUERIES,
)
from tests.regions.test_views import (
    PROGRAM_DETAIL_QUERIES,
    PROGRAM_LIST_QUERIES,
    REGION_DETAIL_QUERIES,
    REGION_LIST_QUERIES,
)
from tests.test_admin import CHANGELIST_BUDGET

GENERATED = 10_000
FILTER = "theme=institutional-opening-up&sector=SI&region=guangdong"


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_demo", verbosity=0)
        call_command("generate_cases", count=GENERATED, seed=1, verbosity=0)
        yield
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def scale(catalogue, db):
    cache.clear()


def url(name, *args, query=""):
    with translation.override("en"):
        return reverse(name, args=args) + (f"?{query}" if query else "")


def public_pages():
    """(name, URL, cold budget, warm budget or None when the page caches nothing)."""
    case = Case.objects.published().filter(slug__startswith="generated-").first()
    batch = CaseBatch.objects.select_related("program").first()
    region = Region.objects.get(slug="guangzhou")
    program = batch.program
    return [
        ("home", url("home"), HOME_QUERIES, HOME_QUERIES_WARM),
        ("case list", url("cases:case-list"), CASE_LIST_QUERIES, CASE_LIST_QUERIES_WARM),
        (
            "filtered",
            url("cases:case-list", query=FILTER),
            CASE_LIST_QUERIES,
            CASE_LIST_QUERIES_WARM,
        ),
        (
            "search 数据",
            url("cases:case-list", query="q=数据"),
            CASE_LIST_QUERIES + SEARCH_QUERIES,
            CASE_LIST_QUERIES_WARM + SEARCH_QUERIES,
        ),
        (
            "search 服务贸易",
            url("cases:case-list", query="q=服务贸易"),
            CASE_LIST_QUERIES + SEARCH_QUERIES,
            CASE_LIST_QUERIES_WARM + SEARCH_QUERIES,
        ),
        (
            "search sports",
            url("cases:case-list", query="q=sports"),
            CASE_LIST_QUERIES + SEARCH_QUERIES,
            CASE_LIST_QUERIES_WARM + SEARCH_QUERIES,
        ),
        (
            "last page",
            url("cases:case-list", query="page=99999"),
            CASE_LIST_QUERIES,
            CASE_LIST_QUERIES_WARM,
        ),
        ("case", url("cases:case-detail", case.slug), CASE_DETAIL_QUERIES, None),
        ("batch", batch.get_absolute_url(), BATCH_QUERIES, None),
        ("region list", url("regions:region-list"), REGION_LIST_QUERIES, None),
        ("region", url("regions:region-detail", region.slug), REGION_DETAIL_QUERIES, None),
        ("programs", url("regions:program-list"), PROGRAM_LIST_QUERIES, None),
        ("program", url("regions:program-detail", program.slug), PROGRAM_DETAIL_QUERIES, None),
    ]


def test_every_public_page_keeps_its_query_budget_at_10000_cases(
    scale, client, django_assert_max_num_queries
):
    assert Case.objects.published().count() > GENERATED
    for name, page, cold, warm in public_pages():
        with django_assert_max_num_queries(cold, info=name):
            response = client.get(page)
        assert response.status_code == 200, name
        if warm is not None:
            with django_assert_max_num_queries(warm, info=name):
                assert client.get(page).status_code == 200


def test_the_filtered_list_at_10000_cases_counts_what_it_lists(scale, client):
    response = client.get(url("cases:case-list", query=FILTER))
    expected = (
        Case.objects.published()
        .in_themes(["institutional-opening-up"])
        .in_sectors(["SI"])
        .in_regions(["guangdong"])
        .count()
    )
    assert expected > 20
    assert response.context["table"].paginator.count == expected
    assert f"Showing 1–20 of {expected}" in response.text


def test_the_admin_changelist_keeps_its_budget_at_10000_cases(
    scale, admin_client, django_assert_max_num_queries
):
    query = {
        "theme__id__exact": Theme.objects.get(slug="institutional-opening-up").pk,
        "sectors": ServiceSector.objects.get(code="SI").pk,
        "lead_regions": Region.objects.get(slug="guangzhou").pk,
    }
    changelist = reverse("admin:cases_case_changelist")
    for params in ({}, query):
        with django_assert_max_num_queries(CHANGELIST_BUDGET):
            response = admin_client.get(changelist, params)
        assert response.status_code == 200
        assert not response.context["cl"].queryset.query.distinct


def test_a_download_of_every_case_reads_the_rows_in_chunks(
    scale, client, django_assert_max_num_queries
):
    total = Case.objects.published().count()
    # The version, the facet options that validate the URL, then a page of rows and its three
    # prefetches (regions, sectors, sources) per 1,000 rows.
    chunks = total // 1000 + 1
    with django_assert_max_num_queries(1 + 6 + 4 * chunks):
        response = client.get(url("cases:case-list", query="_export=csv"))
        content = response.getvalue().decode("utf-8-sig")
    assert response.streaming
    assert len(list(csv.DictReader(io.StringIO(content)))) == total
