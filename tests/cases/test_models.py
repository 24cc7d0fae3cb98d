import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cases.models import Case, CaseBatch
from cases.querysets import IncompleteCases
from tests.factories import (
    CaseBatchFactory,
    CaseFactory,
    DraftCaseFactory,
    PilotProgramFactory,
)

pytestmark = pytest.mark.django_db


def test_a_batch_number_is_unique_within_its_program():
    batch = CaseBatchFactory(number=4)
    duplicate = CaseBatchFactory.build(program=batch.program, number=4)
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "already has a batch with this number" in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_the_same_batch_number_is_fine_in_another_program():
    CaseBatchFactory(number=1, program=PilotProgramFactory(slug="pilot-2018"))
    CaseBatchFactory(number=1, program=PilotProgramFactory(slug="pilot-2020"))
    assert CaseBatch.objects.filter(number=1).count() == 2


def test_a_batch_number_starts_at_one():
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseBatchFactory(number=0)


def test_a_case_needs_a_title_in_some_language():
    case = CaseFactory.build(title_zh="", title_en="", batch=CaseBatchFactory())
    with pytest.raises(ValidationError) as error:
        case.full_clean()
    assert "title in at least one language" in str(error.value)


def test_a_published_case_without_a_batch_is_refused():
    case = CaseFactory.build(batch=None, status=Case.Status.PUBLISHED, theme=None)
    with pytest.raises(ValidationError) as error:
        case.full_clean()
    assert "must belong to a batch" in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        case.save()


def test_a_draft_may_wait_for_its_batch():
    case = CaseFactory(batch=None, status=Case.Status.DRAFT, published_on=None)
    assert case.pk and not case.is_published


def test_a_duplicate_case_slug_gets_a_validation_message():
    CaseFactory(slug="beijing-data")
    duplicate = CaseFactory.build(slug="beijing-data", batch=CaseBatchFactory(), theme=None)
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "slug" in error.value.message_dict


def test_publish_sets_the_date_only_on_first_publication():
    earlier = datetime.date(2021, 5, 12)
    republished = DraftCaseFactory(published_on=earlier)
    fresh = DraftCaseFactory()
    count = Case.objects.filter(pk__in=[republished.pk, fresh.pk]).publish(
        on=datetime.date(2024, 1, 2)
    )
    republished.refresh_from_db()
    fresh.refresh_from_db()
    assert count == 2
    assert republished.published_on == earlier
    assert fresh.published_on == datetime.date(2024, 1, 2)
    assert Case.objects.published().count() == 2


def test_publishing_a_case_without_a_batch_saves_nothing():
    ready = DraftCaseFactory()
    orphan = DraftCaseFactory(batch=None)
    with pytest.raises(IncompleteCases) as error:
        Case.objects.filter(pk__in=[ready.pk, orphan.pk]).publish()
    assert error.value.problems == {orphan: ["no batch"]}
    ready.refresh_from_db()
    assert (ready.status, ready.published_on) == (Case.Status.DRAFT, None)


def test_batch_case_counts_count_published_cases_separately():
    batch = CaseBatchFactory()
    CaseFactory.create_batch(2, batch=batch)
    CaseFactory(batch=batch, status=Case.Status.DRAFT)
    annotated = CaseBatch.objects.with_case_counts().get(pk=batch.pk)
    assert (annotated.catalogued, annotated.catalogued_published) == (3, 2)
