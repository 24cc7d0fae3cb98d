"""A batch's admin page links to its cases instead of listing them; usable at 14,000 cases."""

import pytest
from django.urls import reverse

from cases.models import Case
from tests.admin_forms import admin_form_data
from tests.factories import CaseBatchFactory, CaseFactory, ThemeFactory
from tests.test_admin import CHANGELIST_BUDGET, FORM_BUDGET

pytestmark = pytest.mark.django_db

BIG_BATCH = 14_000


@pytest.fixture
def big_batch():
    batch = CaseBatchFactory()
    theme = ThemeFactory()
    Case.objects.bulk_create(
        Case(
            batch=batch,
            theme=theme,
            slug=f"big-{number:05d}",
            title_zh=f"案例{number}",
            title_en=f"Case {number}",
            status=Case.Status.PUBLISHED if number % 2 else Case.Status.DRAFT,
            published_on=batch.published_on if number % 2 else None,
        )
        for number in range(BIG_BATCH)
    )
    return batch


def test_the_batch_page_links_to_its_cases_filtered(admin_client, django_assert_max_num_queries):
    case = CaseFactory()
    url = reverse("admin:cases_casebatch_change", args=[case.batch.pk])
    with django_assert_max_num_queries(FORM_BUDGET):
        response = admin_client.get(url)
    content = response.content.decode()
    cases = reverse("admin:cases_case_changelist")
    assert f'href="{cases}?batch__id__exact={case.batch.pk}">all 1 cases</a>' in content
    assert f"?batch__id__exact={case.batch.pk}&amp;status__exact=published" in content
    assert f"{reverse('admin:cases_case_add')}?batch={case.batch.pk}" in content
    assert "inline-group" not in content  # no rows of cases in the form


def test_a_batch_of_14000_cases_opens_saves_and_lists(
    admin_client, big_batch, django_assert_max_num_queries
):
    url = reverse("admin:cases_casebatch_change", args=[big_batch.pk])
    with django_assert_max_num_queries(FORM_BUDGET):
        response = admin_client.get(url)
    assert response.status_code == 200
    assert len(response.content) < 100_000  # a page, not a listing of 14,000 rows
    content = response.content.decode()
    assert f"all {BIG_BATCH} cases" in content
    assert f"{BIG_BATCH // 2} published" in content

    data = admin_form_data(response, title_en="Renamed batch")
    assert len(data) < 30  # far below DATA_UPLOAD_MAX_NUMBER_FIELDS
    with django_assert_max_num_queries(FORM_BUDGET):
        saved = admin_client.post(url, data)
    assert saved.status_code == 302
    big_batch.refresh_from_db()
    assert big_batch.title_en == "Renamed batch"
    assert big_batch.cases.count() == BIG_BATCH

    cases = reverse("admin:cases_case_changelist")
    with django_assert_max_num_queries(CHANGELIST_BUDGET):
        listed = admin_client.get(f"{cases}?batch__id__exact={big_batch.pk}&status__exact=draft")
    assert listed.status_code == 200
    assert listed.context["cl"].result_count == BIG_BATCH // 2


def test_a_new_case_from_the_batch_page_starts_in_that_batch(admin_client):
    batch = CaseBatchFactory()
    response = admin_client.get(f"{reverse('admin:cases_case_add')}?batch={batch.pk}")
    assert response.context["adminform"].form.initial["batch"] == str(batch.pk)
