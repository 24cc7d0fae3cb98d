"""At 10,000 generated cases every page keeps the query budget it has with three.

The cases are generated once for the module (generate_cases over the real fixtures) and removed
at its end; each test then runs in its own transaction as usual.
"""

import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from cases.models import Case, CaseBatch, CatalogueVersion, ServiceSector, Theme
from regions.models import Membership, PilotProgram, Region
from tests.budgets import (
    BATCH_QUERIES,
    CASE_DETAIL_QUERIES,
    CASE_LIST_QUERIES,
    CASE_LIST_QUERIES_WARM,
    CHANGELIST_BUDGET,
    HOME_QUERIES,
    HOME_QUERIES_WARM,
    PROGRAM_DETAIL_QUERIES,
    PROGRAM_LIST_QUERIES,
    REGION_DETAIL_QUERIES,
    REGION_LIST_QUERIES,
    SEARCH_BITMAP_QUERIES,
    SEARCH_QUERIES_WITH_VERSION,
    SEARCH_ROWS_QUERIES,
    download_queries,
)

GENERATED = 10_000
FILTER = "theme=institutional-opening-up&sector=SI&region=guangdong"


# The catalogue's tables, in an order they can be emptied in (cases before what they refer to).
CATALOGUE = [Case, CaseBatch, Membership, PilotProgram, Region, Theme, ServiceSector]


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    """The real fixtures plus 10,000 generated cases, removed at the end of the module; what the
    migrations seeded (roles, the catalogue version) stays, unlike with ``flush``."""
    with django_db_blocker.unblock():
        assert not any(model.objects.exists() for model in CATALOGUE)
        call_command("load_demo", verbosity=0)
        call_command("generate_cases", count=GENERATED, seed=1, verbosity=0)
        yield
        # Removing test data is no change to keep a history of.
        with override_settings(SIMPLE_HISTORY_ENABLED=False):
            for model in CATALOGUE:
                if model is Region:
                    Region.objects.filter(parent__isnull=False).delete()  # cities first
                model.objects.all().delete()
        assert set(Group.objects.values_list("name", flat=True)) >= {"Editor", "Publisher"}
        assert CatalogueVersion.objects.current() is not None


@pytest.fixture
def scale(catalogue, db):
    cache.clear()


def url(name, *args, query=""):
    with translation.override("en"):
        return reverse(name, args=args) + (f"?{query}" if query else "")


SEARCHED = SEARCH_QUERIES_WITH_VERSION + SEARCH_ROWS_QUERIES


def public_pages():
    """(name, URL, cold budget, warm budget or None when the page caches nothing)."""
    case = Case.objects.published().filter(slug__startswith="generated-").first()
    batch = CaseBatch.objects.select_related("program").first()
    region = Region.objects.get(slug="guangzhou")
    program = batch.program
    return [
        ("home", url("home"), HOME_QUERIES, HOME_QUERIES_WARM),
        ("case list", url("cases:case-list"), CASE_LIST_QUERIES, CASE_LIST_QUERIES_WARM),
        # A search also reads which sectors' and themes' names it gives, and, ranked (sports),
        # reads its rows through the search index (SEARCH_ROWS_QUERIES on PostgreSQL).
        *(
            (
                name,
                url("cases:case-list", query=query),
                CASE_LIST_QUERIES + extra + cold_extra,
                CASE_LIST_QUERIES_WARM + extra,
            )
            for name, query, extra, cold_extra in [
                ("filtered", FILTER, 0, 0),
                ("search 数据", "q=数据", SEARCHED, SEARCH_BITMAP_QUERIES),
                ("search 服务贸易", "q=服务贸易", SEARCHED, SEARCH_BITMAP_QUERIES),
                ("search sports", "q=sports", SEARCHED, SEARCH_BITMAP_QUERIES),
                ("last page", "page=99999", 0, 0),
            ]
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
    scale, client, django_assert_max_num_queries, settings
):
    total = Case.objects.published().count()
    # Above the limit the list points to the bulk files (a redirect, no rows read) ...
    assert total > settings.EXPORT_ROW_LIMIT
    redirected = client.get(url("cases:case-list", query="_export=csv"))
    assert redirected.status_code == 302 and "/data/?rows=" in redirected["Location"]
    # ... and a site configured for longer downloads streams them.
    settings.EXPORT_ROW_LIMIT = total
    with django_assert_max_num_queries(download_queries(total)):
        response = client.get(url("cases:case-list", query="_export=csv"))
        content = response.getvalue().decode("utf-8-sig")
    assert response.streaming
    assert len(list(csv.DictReader(io.StringIO(content)))) == total
