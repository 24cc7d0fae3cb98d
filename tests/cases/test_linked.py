"""A case's lead regions, sectors and sources read with the case (cases.linked): the same rows,
in the same order, as prefetch_related gives; fresh after any write; no query when warm."""

import pytest
from django.db import connection

from cases import linked
from cases.models import Case, CatalogueVersion
from regions.models import Region
from tests.budgets import LINKED_TABLES
from tests.factories import (
    CaseFactory,
    ProvinceFactory,
    RegionFactory,
    ServiceSectorFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db
RELATIONS = ("lead_regions", "sectors", "sources")


def as_prefetched(cases):
    """{case slug: {relation: [(pk, every field's value)]}}, each relation in its order."""
    return {
        case.slug: {
            relation: [
                (row.pk, [getattr(row, f.attname) for f in row._meta.concrete_fields])
                for row in getattr(case, relation).all()
            ]
            for relation in RELATIONS
        }
        for case in cases
    }


@pytest.fixture
def cases():
    guangdong = ProvinceFactory(code="440000", slug="guangdong")
    # Created out of their order (code, slug), so the order must come from the model's.
    shenzhen = RegionFactory(code="440300", slug="shenzhen", parent=guangdong)
    guangzhou = RegionFactory(code="440100", slug="guangzhou", parent=guangdong)
    finance, sports = ServiceSectorFactory(code="SG"), ServiceSectorFactory(code="SC")
    notice, article = SourceFactory(key="z-notice"), SourceFactory(key="a-article")
    return [
        CaseFactory(
            lead_regions=[shenzhen, guangzhou, guangdong],
            sectors=[finance, sports],
            sources=[notice, article],
        ),
        CaseFactory(lead_regions=[guangzhou], sectors=[sports]),
        CaseFactory(lead_regions=[], sectors=[], sources=[]),
        CaseFactory(status=Case.Status.DRAFT, lead_regions=[shenzhen], sources=[article]),
    ]


def test_the_rows_and_their_order_are_those_a_prefetch_gives(cases):
    prefetched = Case.objects.select_related("batch").prefetch_related(*RELATIONS)
    expected = as_prefetched(prefetched.order_by("slug"))
    linked.forget()
    assert as_prefetched(Case.objects.with_related().order_by("slug")) == expected
    assert as_prefetched(Case.objects.listed().order_by("slug").iterator(chunk_size=2)) == expected
    first = cases[0]
    assert [r.slug for r in Case.objects.with_related().get(pk=first.pk).lead_regions.all()] == [
        "guangdong",
        "guangzhou",
        "shenzhen",
    ]
    itemised = Case.objects.itemised().get(pk=first.pk)
    assert [r.slug for r in itemised.lead_regions.all()] == ["guangdong", "guangzhou", "shenzhen"]


def test_the_tables_are_read_once_per_catalogue_version(cases, django_assert_num_queries):
    linked.forget()
    with django_assert_num_queries(1 + LINKED_TABLES):
        list(Case.objects.with_related())
    with django_assert_num_queries(1):
        fetched = list(Case.objects.with_related())
    # Each read makes its own instances: what one page does to them stays on that page.
    again = Case.objects.with_related().get(pk=cases[0].pk)
    mine = next(case for case in fetched if case.pk == cases[0].pk)
    mine.lead_regions.all()[0].name_en = "Changed on one page"
    assert again.lead_regions.all()[0].name_en != "Changed on one page"
    # Any write to the catalogue gives it a new version, which reads the tables again.
    Region.objects.filter(slug="guangzhou").update(name_en="Canton")
    with django_assert_num_queries(1 + LINKED_TABLES):
        case = Case.objects.with_related().get(pk=cases[1].pk)
    assert [region.name_en for region in case.lead_regions.all()] == ["Canton"]


def test_a_region_added_since_the_tables_were_read_is_not_lost(cases):
    """A write between the cases' query and the tables' read (another process's) leaves tables
    that lack a linked row: they are read again, not the link dropped."""
    case = cases[1]
    linked.forget()
    before = linked.Table(Region, connection.alias)
    hangzhou = RegionFactory(slug="hangzhou")
    case.lead_regions.add(hangzhou)
    # What a process finds whose tables were read before the write, at the new version.
    version = CatalogueVersion.objects.current()
    linked._tables[(connection.alias, version)] = {Region._meta.label: before}
    fetched = Case.objects.with_related().get(pk=case.pk)
    assert "hangzhou" in [region.slug for region in fetched.lead_regions.all()]


def test_without_a_version_the_tables_are_read_every_time(cases, django_assert_num_queries):
    CatalogueVersion.objects.all().delete()
    linked.forget()
    for _ in range(2):
        with django_assert_num_queries(1 + LINKED_TABLES):
            case = Case.objects.with_related().get(pk=cases[0].pk)
        assert len(case.lead_regions.all()) == 3


def test_a_row_deleted_since_the_cases_were_read_costs_one_read_again_not_one_per_case(
    cases, django_assert_max_num_queries
):
    """What another process deleting a region between the cases' query and the tables' read
    leaves: links to a row that is in no table. The tables are read again once, not per case.
    (Deferred foreign keys let this transaction hold such links for a while.)"""
    gone = RegionFactory(slug="gone")
    for case in cases[:3]:
        case.lead_regions.add(gone)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM regions_region WHERE id = %s", [gone.pk])
    linked.forget()
    with django_assert_max_num_queries(1 + 2 * LINKED_TABLES):
        fetched = list(Case.objects.with_related().order_by("slug"))
    assert all("gone" not in [r.slug for r in case.lead_regions.all()] for case in fetched)
    with connection.cursor() as cursor:  # what the deleting process's cascade does
        cursor.execute("DELETE FROM cases_case_lead_regions WHERE region_id = %s", [gone.pk])
