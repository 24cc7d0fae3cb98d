"""Every change to a program, region, membership, batch or case is recorded; the admin shows a
case's history as field-by-field diffs and can revert it."""

import pytest
from django.urls import reverse

from cases.models import Case
from tests.admin_forms import admin_form_data
from tests.factories import (
    CaseBatchFactory,
    CaseFactory,
    MembershipFactory,
    PilotProgramFactory,
    RegionFactory,
    ServiceSectorFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "factory",
    [RegionFactory, PilotProgramFactory, MembershipFactory, CaseBatchFactory, CaseFactory],
    ids=lambda factory: factory._meta.model.__name__,
)
def test_creating_and_changing_a_record_is_recorded(factory):
    record = factory()
    recorded = record.history.count()
    record.save()
    assert record.history.count() == recorded + 1
    assert (record.history.earliest().history_type, record.history.latest().history_type) == (
        "+",
        "~",
    )


def change_case(client, case, **changes):
    url = reverse("admin:cases_case_change", args=[case.pk])
    return client.post(url, admin_form_data(client.get(url), **changes))


def test_an_admin_save_records_who_changed_what(admin_client, superuser):
    case = CaseFactory(title_en="Old title")

    change_case(admin_client, case, title_en="New title")

    latest, previous = case.history.all()[:2]
    assert latest.history_user == superuser
    diff = latest.diff_against(previous, excluded_fields=["version"])
    assert {change.field: (change.old, change.new) for change in diff.changes} == {
        "title_en": ("Old title", "New title")
    }
    assert (previous.version, latest.version) == (1, 2)


def test_one_admin_save_of_fields_and_regions_is_one_history_record(admin_client):
    before, after = RegionFactory(), RegionFactory()
    case = CaseFactory(lead_regions=[before])
    records_before = case.history.count()

    change_case(admin_client, case, title_en="Renamed", lead_regions=[str(after.pk)])

    assert case.history.count() == records_before + 1
    latest = case.history.first()
    assert latest.title_en == "Renamed"
    assert [row.region_id for row in latest.lead_regions.all()] == [after.pk]


def test_adding_a_case_in_the_admin_is_one_creation_record_with_its_regions(admin_client):
    region, sector = RegionFactory(), ServiceSectorFactory()
    url = reverse("admin:cases_case_add")
    admin_client.post(
        url,
        admin_form_data(
            admin_client.get(url),
            title_zh="新案例",
            title_en="A new case",
            slug="a-new-case",
            lead_regions=[str(region.pk)],
            sectors=[str(sector.pk)],
        ),
    )

    (record,) = Case.objects.get(slug="a-new-case").history.all()
    assert record.history_type == "+"
    assert [row.region_id for row in record.lead_regions.all()] == [region.pk]
    assert [row.servicesector_id for row in record.sectors.all()] == [sector.pk]


def test_the_history_page_shows_each_changed_field_with_old_and_new_values(admin_client, superuser):
    case = CaseFactory(title_en="Old title", lead_regions=[RegionFactory(name_en="Xiamen")])
    change_case(admin_client, case, title_en="New title", lead_regions=[])

    response = admin_client.get(reverse("admin:cases_case_history", args=[case.pk]))

    content = " ".join(response.content.decode().split())
    arrow = "&nbsp;&rarr;&nbsp;&nbsp;"
    assert f"<strong>English title:</strong> Old title {arrow}New title" in content
    assert f"<strong>Lead regions:</strong> [Xiamen] {arrow}[]" in content
    who = reverse("admin:auth_user_change", args=[superuser.pk])
    assert f'<a href="{who}">admin</a>' in content


def test_reverting_restores_the_fields_and_regions_of_an_earlier_version(admin_client):
    first, second = RegionFactory(), RegionFactory()
    case = CaseFactory(title_en="First title", lead_regions=[first])
    original = case.history.first()
    change_case(admin_client, case, title_en="Second title", lead_regions=[str(second.pk)])

    url = reverse("admin:cases_case_simple_history", args=[case.pk, original.pk])
    response = admin_client.post(url, admin_form_data(admin_client.get(url)))

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.title_en == "First title"
    assert list(case.lead_regions.all()) == [first]
    assert case.history.first().history_user.username == "admin"
