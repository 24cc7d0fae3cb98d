"""Cases move draft -> in review -> published (and back to draft); publishing is all or none."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case
from cases.querysets import IncompleteCases
from tests.admin_forms import admin_form_data, post_action
from tests.factories import (
    CaseBatchFactory,
    CaseFactory,
    DraftCaseFactory,
    RegionFactory,
    ServiceSectorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DRAFT, IN_REVIEW, PUBLISHED = Case.Status.DRAFT, Case.Status.IN_REVIEW, Case.Status.PUBLISHED


def draft(**fields):
    return DraftCaseFactory(**fields)


def statuses(*cases):
    return [Case.objects.get(pk=case.pk).status for case in cases]


def test_submitting_for_review_moves_drafts_only():
    cases = [draft(), CaseFactory(status=IN_REVIEW), CaseFactory(status=PUBLISHED)]
    assert Case.objects.submit_for_review() == 1
    assert statuses(*cases) == [IN_REVIEW, IN_REVIEW, PUBLISHED]


def test_publishing_publishes_drafts_and_cases_in_review():
    cases = [draft(), draft(status=IN_REVIEW)]
    assert Case.objects.publish(on=datetime.date(2024, 3, 1)) == 2
    assert statuses(*cases) == [PUBLISHED, PUBLISHED]
    assert {case.published_on for case in Case.objects.all()} == {datetime.date(2024, 3, 1)}


def test_publishing_leaves_published_cases_and_their_date_alone():
    published = CaseFactory(published_on=datetime.date(2021, 5, 12))
    recorded = published.history.count()
    assert Case.objects.publish() == 0
    assert published.history.count() == recorded
    assert Case.objects.get().published_on == datetime.date(2021, 5, 12)


@pytest.mark.parametrize(
    ("missing", "reason"),
    [
        ({"title_zh": ""}, "no Chinese title"),
        ({"title_en": ""}, "no English title"),
        ({"lead_regions": []}, "no lead region"),
        ({"theme": None}, "no theme"),
        ({"batch": None}, "no batch"),
    ],
)
def test_a_case_missing_something_is_not_published_and_says_what(missing, reason):
    case = draft(**missing)
    with pytest.raises(IncompleteCases) as error:
        Case.objects.publish()
    assert error.value.problems == {case: [reason]}
    assert case.missing_for_publication() == [reason]
    assert statuses(case) == [DRAFT]


def test_every_reason_of_every_incomplete_case_is_reported_and_nothing_is_published():
    complete = draft()
    untitled = draft(title_en="", theme=None)
    alone = draft(lead_regions=[])
    with pytest.raises(IncompleteCases) as error:
        Case.objects.publish()
    assert error.value.problems == {
        untitled: ["no English title", "no theme"],
        alone: ["no lead region"],
    }
    assert statuses(complete, untitled, alone) == [DRAFT, DRAFT, DRAFT]


def test_incomplete_finds_exactly_the_cases_that_miss_something():
    draft()
    untitled = draft(title_zh="")
    alone = draft(lead_regions=[])
    assert set(Case.objects.incomplete()) == {untitled, alone}


def test_a_complete_case_misses_nothing():
    assert draft().missing_for_publication() == []


def test_unpublishing_returns_published_and_reviewed_cases_to_draft_and_keeps_the_date():
    cases = [CaseFactory(published_on=datetime.date(2022, 1, 5)), draft(status=IN_REVIEW)]
    assert Case.objects.unpublish() == 2
    assert statuses(*cases) == [DRAFT, DRAFT]
    assert Case.objects.get(pk=cases[0].pk).published_on == datetime.date(2022, 1, 5)


def test_a_first_publication_after_an_unpublication_keeps_the_first_date():
    case = draft()
    Case.objects.publish(on=datetime.date(2023, 1, 1))
    Case.objects.unpublish()
    Case.objects.publish(on=datetime.date(2024, 1, 1))
    assert Case.objects.get(pk=case.pk).published_on == datetime.date(2023, 1, 1)


def test_each_transition_is_a_history_record_that_keeps_the_lead_regions():
    region = RegionFactory()
    case = draft(lead_regions=[region])
    Case.objects.submit_for_review()
    Case.objects.publish()
    Case.objects.unpublish()
    records = list(case.history.all()[:3])
    assert [record.status for record in records] == [DRAFT, PUBLISHED, IN_REVIEW]
    for record in records:
        assert [row.region_id for row in record.lead_regions.all()] == [region.pk]


def queries_to_publish_and_unpublish(count):
    batch = CaseBatchFactory()
    for _ in range(count):
        draft(batch=batch)
    cases = Case.objects.filter(batch=batch)
    with CaptureQueriesContext(connection) as publishing:
        assert cases.publish() == count
    with CaptureQueriesContext(connection) as unpublishing:
        assert cases.unpublish() == count
    return len(publishing), len(unpublishing)


def test_publishing_many_cases_takes_as_many_statements_as_publishing_two():
    # Saved one by one, a batch's publication was six statements (and the triggers) per case.
    assert queries_to_publish_and_unpublish(40) == queries_to_publish_and_unpublish(2)


def test_a_bulk_transition_records_each_case_as_its_save_would(admin_client):
    regions, sectors = RegionFactory.create_batch(2), ServiceSectorFactory.create_batch(2)
    batch = CaseBatchFactory()
    cases = [
        draft(batch=batch, lead_regions=regions[:1], sectors=sectors),
        draft(batch=batch, lead_regions=regions, sectors=[]),
    ]
    before = {case.pk: case.version for case in cases}

    post_action(admin_client, "cases", "casebatch", "publish_batch", [batch])

    for case in cases:
        saved = Case.objects.get(pk=case.pk)
        record = saved.history.first()
        assert saved.version == before[case.pk] + 1 == record.version
        assert saved.updated_at == record.history_date
        assert (record.status, record.history_type) == (PUBLISHED, "~")
        assert record.history_user.username == "admin"
        assert sorted(row.region_id for row in record.lead_regions.all()) == sorted(
            region.pk for region in case.lead_regions.all()
        )
        assert sorted(row.servicesector_id for row in record.sectors.all()) == sorted(
            sector.pk for sector in case.sectors.all()
        )
        # The record restores the case as it was: its earlier record was a draft.
        assert saved.history.all()[1].status == DRAFT


def test_the_public_sees_published_cases_only():
    published, _draft = CaseFactory(), draft()
    assert list(Case.objects.visible_to(AnonymousUser())) == [published]
    assert list(Case.objects.visible_to(UserFactory())) == [published]


def test_staff_who_may_view_cases_see_drafts_too():
    published, unpublished = CaseFactory(), draft()
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_case"))
    assert set(Case.objects.visible_to(staff)) == {published, unpublished}


# In the admin, as a superuser.


def test_the_batch_action_publishes_every_case_of_the_batch(admin_client):
    batch = CaseBatchFactory()
    cases = [
        draft(batch=batch),
        draft(batch=batch, status=IN_REVIEW),
        CaseFactory(batch=batch),
    ]
    other = draft()

    response = post_action(admin_client, "cases", "casebatch", "publish_batch", [batch])

    assert statuses(*cases, other) == [PUBLISHED, PUBLISHED, PUBLISHED, DRAFT]
    assert "2 cases published." in response.content.decode()


def test_the_batch_action_publishes_none_if_one_case_is_incomplete_and_lists_why(admin_client):
    batch = CaseBatchFactory()
    ready = draft(batch=batch)
    untitled = draft(batch=batch, title_en="", slug="untitled-case")
    alone = draft(batch=batch, lead_regions=[], theme=None, slug="lonely-case")

    response = post_action(admin_client, "cases", "casebatch", "publish_batch", [batch])

    assert statuses(ready, untitled, alone) == [DRAFT, DRAFT, DRAFT]
    content = response.content.decode()
    assert "Nothing was published: 2 cases are incomplete." in content
    assert f"{untitled.title_zh} (untitled-case): no English title" in content
    assert f"{alone.title_en} (lonely-case): no lead region, no theme" in content


def test_a_batch_is_published_from_its_own_page(admin_client):
    case = draft()
    url = reverse("admin:cases_casebatch_change", args=[case.batch.pk])
    admin_client.post(
        url, {"CHANGE_FORM-action": "publish_batch", "_selected_action": case.batch.pk}
    )
    assert statuses(case) == [PUBLISHED]


def test_a_case_is_submitted_for_review_from_its_own_page(admin_client):
    case = draft()
    url = reverse("admin:cases_case_change", args=[case.pk])
    admin_client.post(url, {"CHANGE_FORM-action": "submit_for_review", "_selected_action": case.pk})
    assert statuses(case) == [IN_REVIEW]


def test_the_status_cannot_be_set_in_the_case_form(admin_client):
    case = draft()
    url = reverse("admin:cases_case_change", args=[case.pk])
    response = admin_client.post(url, admin_form_data(admin_client.get(url), status=PUBLISHED))
    assert response.status_code == 302
    assert statuses(case) == [DRAFT]


def test_the_case_page_says_what_is_missing_before_publication(admin_client):
    case = draft(theme=None, lead_regions=[])
    response = admin_client.get(reverse("admin:cases_case_change", args=[case.pk]))
    assert "Not yet: no lead region, no theme" in response.content.decode()


@pytest.mark.parametrize(
    ("cleared", "message"),
    [("published_on", "needs a publication date"), ("batch", "must belong to a batch")],
)
def test_clearing_what_a_published_case_needs_is_a_form_error(admin_client, cleared, message):
    case = CaseFactory()
    url = reverse("admin:cases_case_change", args=[case.pk])
    response = admin_client.post(url, admin_form_data(admin_client.get(url), **{cleared: ""}))
    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors)
