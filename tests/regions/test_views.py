"""The public region and program pages, with their query budgets."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from cases import counting
from cases.models import Case
from regions.models import Region
from tests.budgets import (
    PROGRAM_DETAIL_QUERIES,
    PROGRAM_LIST_QUERIES,
    REGION_DETAIL_QUERIES,
    REGION_LIST_QUERIES,
)
from tests.factories import (
    CaseBatchFactory,
    CaseFactory,
    MembershipFactory,
    PilotProgramFactory,
    ProvinceFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db


def url(name, *args, query=""):
    with translation.override("en"):
        return reverse(name, args=args) + (f"?{query}" if query else "")


def names_in(response):
    return [str(row.record.name) for row in response.context["table"].paginated_rows]


@pytest.mark.parametrize("way", ["sql", "bitmaps"])
@pytest.mark.parametrize(("regions", "per_page"), [(1, 20), (30, 20), (30, 50)])
def test_the_region_list_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, regions, per_page, way
):
    program = PilotProgramFactory()
    for _ in range(regions):
        region = RegionFactory()
        MembershipFactory(program=program, region=region)
        CaseFactory(lead_regions=[region])
    if way == "bitmaps":
        counting.build_and_keep()
    with django_assert_max_num_queries(REGION_LIST_QUERIES):
        response = client.get(
            url("regions:region-list", query=f"scope=pilot&scope=province&per_page={per_page}")
        )
    assert len(names_in(response)) == min(regions * 2, per_page)


def test_the_region_list_counts_published_cases_and_names_programs(client):
    program = PilotProgramFactory(approved_on=datetime.date(2020, 8, 2))
    guangzhou = RegionFactory(slug="guangzhou", name_en="Guangzhou")
    MembershipFactory(program=program, region=guangzhou)
    CaseFactory.create_batch(2, lead_regions=[guangzhou])
    CaseFactory(lead_regions=[guangzhou], status=Case.Status.DRAFT)
    response = client.get(url("regions:region-list", query="program=" + program.slug))
    row = next(iter(response.context["table"].paginated_rows))
    assert names_in(response) == ["Guangzhou"]
    assert row.record.case_count == 2
    assert f'<a href="/en/programs/{program.slug}/"' in response.text
    assert ">2020</a>" in response.text


def test_choosing_a_province_lists_it_and_its_regions(client):
    guangdong = ProvinceFactory(slug="guangdong", name_en="Guangdong", code="440000")
    RegionFactory(parent=guangdong, name_en="Guangzhou", code="440100")
    RegionFactory(name_en="Xiamen")
    query = "province=guangdong&sort=code&scope=pilot&scope=province"
    response = client.get(url("regions:region-list", query=query))
    assert names_in(response) == ["Guangdong", "Guangzhou"]


def test_the_region_list_shows_pilot_regions_unless_asked_for_provinces(client):
    guangdong = ProvinceFactory(slug="guangdong", name_en="Guangdong", code="440000")
    MembershipFactory(region=RegionFactory(parent=guangdong, name_en="Guangzhou", code="440100"))
    RegionFactory(parent=guangdong, name_en="Foshan", code="440600")
    assert names_in(client.get(url("regions:region-list"))) == ["Guangzhou"]
    others = client.get(url("regions:region-list", query="scope=province&sort=code"))
    assert names_in(others) == ["Guangdong", "Foshan"]


# Counted in SQL, or read from the case bitmaps once they are built (cases.counting).
COUNTED_BY = ["sql", "bitmaps"]


def count_by(way):
    if way == "bitmaps":
        counting.build_and_keep()


@pytest.mark.parametrize("way", COUNTED_BY)
def test_a_provinces_cases_led_include_its_cities_the_same_on_list_page_and_cases(client, way):
    guangdong = ProvinceFactory(slug="guangdong", name_en="Guangdong", code="440000")
    guangzhou = RegionFactory(slug="guangzhou", parent=guangdong, code="440100")
    MembershipFactory(region=guangzhou)
    CaseFactory(lead_regions=[guangzhou, guangdong])  # counted once
    CaseFactory(lead_regions=[guangzhou])
    CaseFactory(lead_regions=[guangdong], status=Case.Status.DRAFT)
    count_by(way)
    listed = client.get(url("regions:region-list", query="scope=province"))
    page = client.get(url("regions:region-detail", "guangdong"))
    cases = client.get(url("cases:case-list", query="region=guangdong"))
    assert next(iter(listed.context["table"].paginated_rows)).record.case_count == 2
    assert page.context["region"].case_count == 2 and len(page.context["cases"]) == 2
    assert cases.context["table"].paginator.count == 2


def test_the_bitmaps_count_every_region_as_sql_does_and_sort_the_same(client):
    """Each region's count read from the bitmaps equals the subquery's, and the list sorted by
    cases led gives the same order either way."""
    guangdong = ProvinceFactory(slug="guangdong", code="440000")
    cities = [RegionFactory(parent=guangdong, code=f"4401{n:02d}") for n in range(3)]
    others = RegionFactory.create_batch(3)
    for region in [*cities, *others]:
        MembershipFactory(region=region)
    for n, region in enumerate([*cities, *others, guangdong]):
        CaseFactory.create_batch(n % 4, lead_regions=[region, others[n % 3]])
        CaseFactory(lead_regions=[region], status=Case.Status.DRAFT)
    query = "scope=pilot&scope=province&sort=-case_count&per_page=50"

    def listed():
        rows = client.get(url("regions:region-list", query=query)).context["table"].rows
        return [(row.record.slug, row.record.case_count) for row in rows]

    in_sql = listed()
    count_by("bitmaps")
    assert listed() == in_sql
    counts = dict(in_sql)
    expected = {r.slug: r.case_count for r in Region.objects.with_case_counts()}
    assert counts == {slug: expected[slug] for slug in counts} and counts["guangdong"] == 5
    assert sorted(counts.values(), reverse=True) == [count for _, count in in_sql]


def test_the_region_filters_count_regions_not_their_cases(client):
    program = PilotProgramFactory(slug="pilot-2020")
    guangdong = ProvinceFactory(slug="guangdong", code="440000")
    for city in (RegionFactory(parent=guangdong), RegionFactory(parent=guangdong)):
        MembershipFactory(program=program, region=city)
        CaseFactory.create_batch(3, lead_regions=[city])
    response = client.get(url("regions:region-list"))
    counts = {
        facet.name: {option.key: option.count for option in facet.options}
        for facet in response.context["facets"]
    }
    # Pilot regions only, until the list is asked for provinces too.
    assert counts["scope"] == {"pilot": 2, "province": 1}
    assert counts["program"] == {"pilot-2020": 2}
    assert counts["province"] == {"guangdong": 2}
    assert counts["kind"] == {"prefecture-city": 2}


def test_an_unknown_program_in_the_region_list_is_ignored_visibly(client):
    RegionFactory()
    response = client.get(url("regions:region-list", query="program=pilot-1999"))
    assert response.status_code == 200
    assert "Pilot program: “pilot-1999” was not understood and is ignored." in response.text


@pytest.mark.parametrize("extra", [0, 30])
def test_the_region_page_shows_programs_joined_and_cases_led(
    client, django_assert_max_num_queries, extra
):
    guangdong = ProvinceFactory(slug="guangdong", name_en="Guangdong")
    guangzhou = RegionFactory(slug="guangzhou", name_en="Guangzhou", parent=guangdong)
    program = PilotProgramFactory(name_en="Comprehensive pilot")
    MembershipFactory(program=program, region=guangzhou, joined_on=datetime.date(2020, 8, 2))
    CaseFactory(title_en="Guangzhou ship repair", lead_regions=[guangzhou])
    CaseFactory(title_en="Guangzhou draft", lead_regions=[guangzhou], status=Case.Status.DRAFT)
    for _ in range(extra):
        CaseFactory(lead_regions=[guangzhou, RegionFactory(parent=guangdong)])
        MembershipFactory(region=guangzhou)
    with django_assert_max_num_queries(REGION_DETAIL_QUERIES):
        response = client.get(url("regions:region-detail", "guangzhou"))
    text = response.text
    assert "Comprehensive pilot" in text and "joined Aug. 2, 2020" in text
    assert "Guangzhou ship repair" in text and "Guangzhou draft" not in text
    assert '<a href="/en/regions/guangdong/">Guangdong</a>' in text
    assert 'href="/en/cases/?region=guangzhou"' in text


def test_an_unknown_region_is_not_found(client):
    assert client.get(url("regions:region-detail", "atlantis")).status_code == 404


def test_the_program_list_counts_regions_batches_and_published_cases(
    client, django_assert_max_num_queries
):
    program = PilotProgramFactory(name_en="Comprehensive pilot")
    for _ in range(3):
        MembershipFactory(program=program)
    batch = CaseBatchFactory(program=program)
    CaseFactory.create_batch(2, batch=batch)
    CaseFactory(batch=batch, status=Case.Status.DRAFT)
    PilotProgramFactory()
    with django_assert_max_num_queries(PROGRAM_LIST_QUERIES):
        response = client.get(url("regions:program-list"))
    record = next(iter(response.context["table"].paginated_rows)).record
    assert (record.region_count, record.batch_count, record.case_count) == (3, 1, 2)
    assert "Comprehensive pilot" in response.text


@pytest.mark.parametrize("extra", [0, 30])
def test_the_program_page_lists_member_regions_and_batches(
    client, django_assert_max_num_queries, extra
):
    program = PilotProgramFactory(slug="pilot-2020")
    for name in ("Beijing", "Shanghai"):
        MembershipFactory(program=program, region=RegionFactory(name_en=name))
    batch = CaseBatchFactory(
        program=program, number=4, title_en="Fourth batch", official_case_count=25
    )
    CaseFactory.create_batch(2, batch=batch)
    CaseFactory(batch=batch, status=Case.Status.DRAFT)
    for number in range(5, 5 + extra):
        MembershipFactory(program=program)
        CaseBatchFactory(program=program, number=number)
    with django_assert_max_num_queries(PROGRAM_DETAIL_QUERIES):
        response = client.get(url("regions:program-detail", "pilot-2020"))
    text = response.text
    assert "Beijing" in text and "Shanghai" in text
    assert '<a href="/en/programs/pilot-2020/batches/4/">Fourth batch</a>' in text
    assert "2 of 25 cases catalogued." in text
