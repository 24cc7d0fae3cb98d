import pytest
from django.core.management import CommandError, call_command

from cases.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)


def generated(seed):
    return list(
        Case.objects.filter(slug__startswith=f"generated-{seed}-")
        .order_by("slug")
        .values_list("slug", "title_zh", "title_en", "batch__number", "theme__slug")
    )


def test_it_refuses_to_run_without_the_fixtures():
    with pytest.raises(CommandError, match="load them first with `manage.py load_demo`"):
        call_command("generate_cases", count=10)
    assert not Case.objects.exists()


def test_it_adds_published_bilingual_cases_with_regions_and_sectors(demo):
    before = Case.objects.count()
    call_command("generate_cases", count=300, seed=3, verbosity=0)
    cases = Case.objects.filter(slug__startswith="generated-3-").prefetch_related(
        "lead_regions", "sectors"
    )
    assert Case.objects.count() == before + 300
    for case in cases:
        assert case.status == Case.Status.PUBLISHED and case.batch_id and case.published_on
        assert case.title_zh and case.title_en and len(case.summary_zh) > 60
        assert 1 <= len(case.lead_regions.all()) <= 3
        assert 1 <= len(case.sectors.all()) <= 2
    assert cases.values("theme").distinct().count() > 3
    assert cases.values("batch").distinct().count() > 3


def test_the_same_seed_gives_the_same_cases(demo):
    call_command("generate_cases", count=50, seed=11, verbosity=0)
    first = generated(11)
    Case.objects.filter(slug__startswith="generated-11-").delete()
    call_command("generate_cases", count=50, seed=11, verbosity=0)
    assert generated(11) == first
    call_command("generate_cases", count=50, seed=12, verbosity=0)
    assert [row[1:] for row in generated(12)] != [row[1:] for row in first]


def test_running_again_adds_more_instead_of_colliding(demo):
    call_command("generate_cases", count=20, seed=5, verbosity=0)
    call_command("generate_cases", count=20, seed=5, verbosity=0)
    assert len(generated(5)) == 40


def test_generated_cases_are_searchable(demo):
    call_command("generate_cases", count=200, seed=9, verbosity=0)
    assert Case.objects.search("配套措施").filter(slug__startswith="generated-9-").count() == 200
    # The real catalogue adds its case on the theme "policies and measures that support...".
    found = Case.objects.search("supporting measures")
    assert found.filter(slug__startswith="generated-9-").count() == 200
    assert found.exclude(slug__startswith="generated-").count() == 1


def test_a_count_below_one_is_refused(demo):
    with pytest.raises(CommandError, match="--count must be at least 1"):
        call_command("generate_cases", count=0)
