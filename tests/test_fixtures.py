"""The demo fixtures hold what the facts file says, load cleanly and refuse broken records."""

import json
import re
from collections import Counter

import pytest

from cases.fixtures import FIXTURE_NAMES, FIXTURES_DIR
from cases.models import Case, CaseBatch, ServiceSector, Theme
from fixtures.build import FactsError, FixtureBuilder, load_sources
from regions.models import TOP_LEVEL_KINDS, Membership, PilotProgram, Region

FACTS, EDITORIAL = load_sources()
PROGRAM_SLUGS = {key: value["slug"] for key, value in EDITORIAL["programs"].items()}
MODELS = [Region, PilotProgram, Membership, Theme, ServiceSector, CaseBatch, Case]


def facts_program(facts_id):
    return next(program for program in FACTS["programs"] if program["id"] == facts_id)


def slug_of(region_id):
    return region_id.replace("_", "-")


@pytest.mark.django_db
def test_the_committed_fixtures_are_exactly_what_build_fixtures_makes():
    built = FixtureBuilder(FACTS, EDITORIAL).build()
    for name in FIXTURE_NAMES:
        committed = json.loads((FIXTURES_DIR / f"{name}.json").read_text(encoding="utf-8"))
        stale = f"fixtures/{name}.json is stale: run python -m fixtures.build"
        assert committed == built[name], stale


@pytest.mark.parametrize("facts_id", ["P2016", "P2018", "P2020"])
def test_each_program_has_the_number_of_regions_the_facts_state(demo, db, facts_id):
    program = PilotProgram.objects.get(slug=PROGRAM_SLUGS[facts_id])
    assert program.regions.count() == facts_program(facts_id)["region_count"]


def test_the_2020_program_has_exactly_its_28_regions_by_code(demo, db):
    facts = {region["id"]: region for region in FACTS["regions"]}
    expected = {
        facts[region_id]["gb2260_code"] or slug_of(region_id)
        for region_id in facts_program("P2020")["region_ids"]
    }
    program = PilotProgram.objects.get(slug="comprehensive-deepening-2020")
    loaded = {region.code or region.slug for region in program.regions.all()}
    assert len(loaded) == 28
    assert loaded == expected
    assert "500000" in loaded and "xiongan-new-area" in loaded


def test_demonstration_zones_are_a_program_without_members_yet(demo, db):
    zones = PilotProgram.objects.get(slug="demonstration-zones")
    assert zones.regions.count() == 0
    assert zones.approved_on is None


def test_programs_the_facts_mark_as_distinct_are_not_loaded(demo, db):
    names = set(PilotProgram.objects.values_list("name_zh", flat=True))
    assert not any("服务业扩大开放" in name for name in names)
    assert PilotProgram.objects.count() == 4


def test_each_batch_catalogues_the_cases_the_facts_list(demo, db):
    expected = Counter(case["batch"] for case in FACTS["cases"])
    for batch_facts in FACTS["batches"]:
        ours = EDITORIAL["batches"][batch_facts["id"]]
        batch = CaseBatch.objects.with_case_counts().get(
            program__slug=PROGRAM_SLUGS[ours["program"]], number=ours["number"]
        )
        assert batch.catalogued == expected[batch_facts["id"]], batch_facts["id"]
        assert batch.official_case_count == batch_facts["case_count"]
        assert batch.kind == ours["kind"]


def test_the_2020_batches_have_their_official_counts_and_dates(demo, db):
    batches = CaseBatch.objects.filter(program__slug="comprehensive-deepening-2020")
    assert [(b.number, b.official_case_count, str(b.published_on)) for b in batches] == [
        (1, 16, "2021-05-12"),
        (2, 17, "2022-02-16"),
        (3, 25, "None"),
        (4, 25, "2023-11-01"),
    ]
    assert sum(b.official_case_count for b in batches) == 83


def test_each_theme_has_the_cases_of_its_facts_categories(demo, db):
    expected = Counter(case["category"] for case in FACTS["cases"] if case["category"])
    for theme in EDITORIAL["themes"]:
        loaded = Case.objects.filter(theme__slug=theme["slug"]).count()
        assert loaded == sum(expected[category] for category in theme["facts_categories"])


def test_every_case_has_its_lead_regions_a_source_and_both_summaries(demo, db):
    by_slug = {EDITORIAL["cases"][case["id"]]["slug"]: case for case in FACTS["cases"]}
    cases = Case.objects.prefetch_related("lead_regions", "sectors", "sources")
    assert len(cases) == len(FACTS["cases"])
    for case in cases:
        facts = by_slug[case.slug]
        assert {region.slug for region in case.lead_regions.all()} == {
            slug_of(region_id) for region_id in facts["lead_region_ids"]
        }
        assert [s.key for s in case.sources.all()] == sorted(facts["sources"]), case.slug
        # The plain link is an official or secondary source's, never a mirror's.
        mirrors = {s.url for s in case.sources.all() if s.kind == "mirror"}
        assert case.source_url not in mirrors, case.slug
        assert case.summary_zh and case.summary_en, case.slug
        if facts["title_zh"]:
            assert case.title_zh == facts["title_zh"] and not case.title_zh_descriptive
        else:
            assert case.title_zh == EDITORIAL["cases"][facts["id"]]["title_zh"]
            assert case.title_zh_descriptive, case.slug
        if facts["title_en"]:
            assert case.title_en == re.sub(r"^\(theme\) ", "", facts["title_en"])
        assert case.title_is_topic == (not facts["title_known"])


def test_a_case_known_only_by_topic_has_our_chinese_title_marked_descriptive(demo, db):
    from django.utils import translation

    case = Case.objects.get(slug="beijing-cross-border-data-security")
    assert case.title_is_topic and case.title_zh_descriptive
    with translation.override("zh-hans"):
        title = case.title
        assert case.title_is_descriptive
    assert title == "建立数据跨境安全管理机制，推动数据合规出境" and not title.is_fallback


def test_the_seeds_worked_examples_are_in_the_fourth_batch(demo, db):
    fourth = Case.objects.published().filter(
        batch__program__slug="comprehensive-deepening-2020", batch__number=4
    )
    leads = set(fourth.values_list("lead_regions__slug", flat=True))
    seed_cities = {"guangzhou", "beijing", "xiamen", "xian", "shanghai", "hangzhou", "shenzhen"}
    assert seed_cities | {"chongqing"} <= leads
    assert fourth.filter(theme__slug="service-trade-statistics", lead_regions__slug="chongqing")


def test_every_regions_parent_chain_ends_at_a_province(demo, db):
    regions = {region.pk: region for region in Region.objects.all()}
    for region in regions.values():
        current, hops = region, 0
        while current.parent_id is not None:
            current, hops = regions[current.parent_id], hops + 1
            assert hops < 3, f"{region.slug} has a parent cycle"
        assert current.kind in TOP_LEVEL_KINDS, region.slug


def test_no_published_case_lacks_a_batch(demo, db):
    assert not Case.objects.published().filter(batch__isnull=True).exists()
    unknown = [case for case in FACTS["cases"] if case["batch"] == "earlier_phase_batch_unknown"]
    assert Case.objects.exclude(status=Case.Status.PUBLISHED).count() == len(unknown)


def test_uncertain_facts_are_flagged_and_explained(demo, db):
    biopharma = Case.objects.get(slug="nanjing-biomedicine-supervision-platform")
    assert biopharma.needs_verification
    assert "Unconfirmed" in biopharma.verification_note
    pilot_2016 = PilotProgram.objects.get(slug="pilot-2016")
    assert pilot_2016.needs_verification and "国函〔2016〕40号" in pilot_2016.verification_note
    remembered = Membership.objects.get(program=pilot_2016, region__slug="hangzhou")
    confirmed = Membership.objects.get(program=pilot_2016, region__slug="tianjin")
    assert remembered.needs_verification and not confirmed.needs_verification
    new_area = Region.objects.get(slug="xiongan-new-area")
    assert new_area.code is None and new_area.needs_verification


def test_verified_facts_are_not_flagged(demo, db):
    assert not PilotProgram.objects.get(slug="comprehensive-deepening-2020").needs_verification
    assert not Case.objects.get(slug="weihai-ship-maintenance-cluster").needs_verification
    assert not Region.objects.get(slug="guangdong").needs_verification


def test_notes_cite_their_sources_with_links(demo, db):
    pilot_2016 = PilotProgram.objects.get(slug="pilot-2016")
    assert "Sources: S7 http" in pilot_2016.verification_note


def test_build_fixtures_refuses_an_editorial_date_that_contradicts_the_facts():
    editorial = json.loads(json.dumps(EDITORIAL))
    editorial["programs"]["P2016"]["approved_on"] = "2017-02-25"
    with pytest.raises(FactsError, match="program P2016: editorial date 2017-02-25"):
        FixtureBuilder(FACTS, editorial).build()


def test_build_fixtures_names_a_case_that_has_no_editorial_entry():
    editorial = json.loads(json.dumps(EDITORIAL))
    del editorial["cases"]["B4-beijing-data"]
    with pytest.raises(FactsError, match="case B4-beijing-data: no entry in editorial.json"):
        FixtureBuilder(FACTS, editorial).build()


def test_build_fixtures_refuses_a_case_in_an_unknown_region():
    facts = json.loads(json.dumps(FACTS))
    facts["cases"][0]["lead_region_ids"] = ["atlantis"]
    with pytest.raises(FactsError, match="case B1-weihai-ship: unknown lead region 'atlantis'"):
        FixtureBuilder(facts, EDITORIAL).build()
