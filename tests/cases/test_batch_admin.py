"""A batch's admin page links to its cases instead of listing them; usable at 14,000 cases."""

import pytest
from django.db import connection, transaction
from django.urls import reverse

from cases.models import Case, CaseBatch
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


def plan_of(queryset, *settings):
    """The database's plan for ``queryset``; on PostgreSQL with ``settings`` (SET LOCAL), which
    take away the plans a table this small gets anyway, so what is left shows the indexes."""
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for setting in settings:
                cursor.execute(f"SET LOCAL {setting}")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def test_the_admin_lists_of_cases_and_batches_are_read_from_indexes(big_batch):
    """At 100,000 cases the case list's order sorted every case (180 ms on PostgreSQL), and
    the batch list counted each batch's cases row by row for their ids (0.23-0.35 s)."""
    page = Case.objects.order_by(*Case._meta.ordering)[:100]
    plan = plan_of(page, "enable_sort = off")
    assert (
        ("Sort" not in plan) if connection.vendor == "postgresql" else ("TEMP B-TREE" not in plan)
    )
    counts = plan_of(
        CaseBatch.objects.with_case_counts(), "enable_seqscan = off", "enable_bitmapscan = off"
    )
    if connection.vendor == "postgresql":
        scans = [line for line in counts.splitlines() if " on cases_case " in line]
        assert len(scans) == 2 and all("Index Only Scan" in line for line in scans), counts
    else:
        assert counts.count("COVERING INDEX") == 2, counts
    assert [
        (batch.catalogued, batch.catalogued_published)
        for batch in CaseBatch.objects.with_case_counts()
    ] == [(BIG_BATCH, BIG_BATCH // 2)]
