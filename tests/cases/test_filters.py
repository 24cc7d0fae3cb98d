"""The case list's FilterSet: keyword search, facets by slug or code, counts, bad values."""

import datetime

import pytest
from django.http import QueryDict

from cases.filters import CaseFilterSet
from cases.models import Case
from tests.budgets import FACET_QUERIES, SEARCH_QUERIES
from tests.factories import (
    CaseBatchFactory,
    CaseFactory,
    PilotProgramFactory,
    ProvinceFactory,
    RegionFactory,
    ServiceSectorFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


def filtered(query):
    filterset = CaseFilterSet(QueryDict(query), queryset=Case.objects.published())
    return filterset, set(filterset.qs)


def counts(facets, name):
    facet = next(facet for facet in facets if facet.name == name)
    return {option.key: option.count for option in facet.options}


def test_a_two_character_chinese_word_finds_a_longer_title():
    data = CaseFactory(title_zh="推动数据跨境安全有序流动", title_en="Data flows")
    CaseFactory(title_zh="金融服务开放", title_en="Finance", summary_zh="", summary_en="")
    assert filtered("q=数据")[1] == {data}


def test_search_reads_both_languages_and_summaries_ignoring_case():
    english = CaseFactory(title_zh="体育", title_en="Sports services", summary_en="")
    summary = CaseFactory(
        title_zh="会展", title_en="Fairs", summary_zh="", summary_en="Sports fairs"
    )
    CaseFactory(title_zh="旅游", title_en="Travel", summary_zh="", summary_en="")
    assert filtered("q=SPORTS")[1] == {english, summary}


def test_every_word_of_a_search_must_match():
    both = CaseFactory(title_en="Digital finance", summary_en="", summary_zh="")
    CaseFactory(title_en="Digital trade", summary_en="", summary_zh="")
    assert filtered("q=digital+finance")[1] == {both}


def test_it_filters_by_theme_slugs_as_alternatives():
    opening = CaseFactory(theme=ThemeFactory(slug="institutional-opening-up"))
    facilitation = CaseFactory(theme=ThemeFactory(slug="facilitation"))
    CaseFactory(theme=ThemeFactory(slug="promotion"))
    query = "theme=institutional-opening-up&theme=facilitation"
    assert filtered(query)[1] == {opening, facilitation}


def test_choosing_a_province_includes_the_cases_of_its_cities():
    guangdong = ProvinceFactory(slug="guangdong")
    in_guangzhou = CaseFactory(lead_regions=[RegionFactory(slug="guangzhou", parent=guangdong)])
    in_province = CaseFactory(lead_regions=[guangdong])
    CaseFactory(lead_regions=[RegionFactory(slug="xiamen")])
    assert filtered("region=guangdong")[1] == {in_guangzhou, in_province}


def test_a_case_in_two_chosen_sectors_is_listed_once():
    finance, data = ServiceSectorFactory(code="SG"), ServiceSectorFactory(code="SI")
    case = CaseFactory(sectors=[finance, data])
    filterset, _found = filtered("sector=SG&sector=SI")
    assert list(filterset.qs) == [case]


def test_it_filters_by_batch_key_program_and_year():
    program = PilotProgramFactory(slug="pilot-2020")
    fourth = CaseFactory(
        batch=CaseBatchFactory(program=program, number=4, published_on=datetime.date(2023, 11, 1))
    )
    # Catalogued in 2021, but the year is the ministry's release, the batch's.
    first = CaseFactory(
        batch=CaseBatchFactory(program=program, number=1, published_on=datetime.date(2021, 5, 12)),
        published_on=datetime.date(2023, 1, 1),
    )
    undated = CaseFactory(
        batch=CaseBatchFactory(program=PilotProgramFactory(slug="pilot-2016"), published_on=None),
        published_on=datetime.date(2021, 5, 12),
    )
    assert filtered("batch=pilot-2020-4")[1] == {fourth}
    assert filtered("program=pilot-2020")[1] == {fourth, first}
    assert filtered("year=2021")[1] == {first}
    assert filtered("year=unknown")[1] == {undated}


def test_it_ignores_an_unknown_theme_visibly_and_keeps_the_known_one():
    known = CaseFactory(theme=ThemeFactory(slug="facilitation"))
    CaseFactory(theme=ThemeFactory(slug="promotion"))
    filterset, found = filtered("theme=facilitation&theme=no-such-theme")
    assert found == {known}
    assert filterset.ignored() == [("Theme", "no-such-theme")]


def test_a_search_too_long_or_with_a_nul_byte_is_reported_and_not_run():
    case = CaseFactory()
    for query in (f"q={'数' * 10_000}", "q=data%00"):
        filterset, found = filtered(query)
        assert found == {case}
        assert [label for label, _message in filterset.ignored()] == ["Keywords"]


def test_facet_counts_keep_the_other_filters_but_not_their_own():
    guangzhou = RegionFactory(slug="guangzhou")
    opening, promotion = ThemeFactory(slug="opening"), ThemeFactory(slug="promotion")
    CaseFactory(theme=opening, lead_regions=[guangzhou])
    CaseFactory(theme=opening, lead_regions=[guangzhou])
    CaseFactory(theme=promotion, lead_regions=[guangzhou])
    CaseFactory(theme=promotion, lead_regions=[RegionFactory(slug="xiamen")])
    facets = filtered("theme=opening&region=guangzhou")[0].facets()
    assert counts(facets, "theme") == {"opening": 2, "promotion": 1}
    assert counts(facets, "region") == {"guangzhou": 2, guangzhou.parent.slug: 2}


def test_a_province_counts_a_case_of_two_of_its_cities_once():
    guangdong = ProvinceFactory(slug="guangdong")
    guangzhou = RegionFactory(slug="guangzhou", parent=guangdong)
    shenzhen = RegionFactory(slug="shenzhen", parent=guangdong)
    CaseFactory(lead_regions=[guangzhou, shenzhen])
    CaseFactory(lead_regions=[shenzhen])
    facets = filtered("")[0].facets(["region"])
    assert counts(facets, "region") == {"guangdong": 2, "guangzhou": 1, "shenzhen": 2}


def test_drafts_are_not_counted_and_empty_options_are_left_out():
    theme = ThemeFactory(slug="opening")
    ThemeFactory(slug="unused")
    CaseFactory(theme=theme)
    CaseFactory(theme=theme, status=Case.Status.DRAFT)
    facets = filtered("")[0].facets(["theme"])
    assert counts(facets, "theme") == {"opening": 1}


def test_a_selected_option_stays_listed_when_the_other_filters_leave_it_no_case():
    CaseFactory(theme=ThemeFactory(slug="opening"), lead_regions=[RegionFactory(slug="xiamen")])
    CaseFactory(theme=ThemeFactory(slug="promotion"), lead_regions=[RegionFactory(slug="wuhan")])
    facets = filtered("theme=opening&region=wuhan")[0].facets()
    theme = next(facet for facet in facets if facet.name == "theme")
    assert [(o.key, o.count, o.selected) for o in theme.options] == [
        ("opening", 0, True),
        ("promotion", 1, False),
    ]


def test_facets_cost_one_query_for_options_and_one_for_counts_each(
    django_assert_num_queries,
):
    for _ in range(5):
        CaseFactory(lead_regions=[RegionFactory()], sectors=[ServiceSectorFactory()])
    filterset = CaseFilterSet(
        QueryDict("theme=x&region=y&q=案例"), queryset=Case.objects.published()
    )
    # The search reads once which sector and theme names it gives.
    with django_assert_num_queries(FACET_QUERIES + SEARCH_QUERIES):
        facets = filterset.facets()
    assert len(facets) == 8


def test_facet_counts_follow_a_keyword_search():
    theme = ThemeFactory(slug="opening")
    CaseFactory(theme=theme, title_zh="数据跨境流动", lead_regions=[RegionFactory(slug="xiamen")])
    CaseFactory(theme=theme, title_zh="数据交易所", lead_regions=[RegionFactory(slug="wuhan")])
    CaseFactory(
        theme=theme,
        title_zh="金融开放",
        summary_zh="",
        summary_en="",
        lead_regions=[RegionFactory(slug="xiamen")],
    )
    facets = filtered("q=数据")[0].facets(["theme", "region"])
    assert counts(facets, "theme") == {"opening": 2}
    assert {
        key: n for key, n in counts(facets, "region").items() if key in {"xiamen", "wuhan"}
    } == {
        "xiamen": 1,
        "wuhan": 1,
    }
