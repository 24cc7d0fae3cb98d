"""The map and charts: every number drawn is checked against the database, in both languages.

The pictures are inline SVG in the page, so these tests read them out of real responses and
count the same things again with plain ORM queries of their own.
"""

import datetime
import re
from html import unescape

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from cases.models import Case
from regions.models import Region
from servtrade.templatetags.servtrade import number
from tests.budgets import REGION_DETAIL_QUERIES, REGION_PICTURE_QUERIES
from tests.factories import (
    CaseBatchFactory,
    CaseFactory,
    MembershipFactory,
    PilotProgramFactory,
    ProvinceFactory,
    RegionFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

MARKER = re.compile(
    r'<a href="/(?:en|zh-hans)/regions/(?P<slug>[\w-]+)/" class="marker state-(?P<state>\w+)"'
    r'[^>]*aria-label="(?P<label>[^"]*)">.*?<text class="marker-count"[^>]*>(?P<count>[\d,]+)<',
    re.S,
)


def url(name, *args, lang="en"):
    with translation.override(lang):
        return reverse(name, args=args)


@pytest.fixture
def catalogue():
    """Two phases; Guangdong with two pilot cities, Beijing (a municipality), one theme."""
    cache.clear()
    old = PilotProgramFactory(
        slug="pilot-2016", approved_on=datetime.date(2016, 2, 25), name_en="Pilot 2016"
    )
    new = PilotProgramFactory(
        slug="pilot-2020",
        approved_on=datetime.date(2020, 8, 2),
        starts_on=datetime.date(2020, 8, 2),
        ends_on=datetime.date(2023, 8, 1),
        name_en="Comprehensive pilot",
    )
    guangdong = ProvinceFactory(slug="guangdong", code="440000", name_en="Guangdong")
    guangzhou = RegionFactory(
        slug="guangzhou", code="440100", parent=guangdong, name_en="Guangzhou"
    )
    shenzhen = RegionFactory(slug="shenzhen", code="440300", parent=guangdong, name_en="Shenzhen")
    beijing = ProvinceFactory(slug="beijing", code="110000", name_en="Beijing", kind="municipality")
    for program, region in [(old, shenzhen), (new, shenzhen), (new, guangzhou), (new, beijing)]:
        MembershipFactory(program=program, region=region)
    first = CaseBatchFactory(
        program=new, number=1, published_on=datetime.date(2021, 5, 12), official_case_count=16
    )
    second = CaseBatchFactory(program=new, number=2, published_on=None, official_case_count=None)
    theme = ThemeFactory(slug="digital-trade", name_en="Digital trade")
    CaseFactory.create_batch(3, batch=first, theme=theme, lead_regions=[shenzhen])
    CaseFactory.create_batch(2, batch=first, lead_regions=[guangzhou, shenzhen])
    CaseFactory(batch=second, lead_regions=[beijing])
    CaseFactory(batch=first, lead_regions=[beijing], status=Case.Status.DRAFT)
    return {"old": old, "new": new, "first": first, "second": second, "theme": theme}


def markers(html):
    return {m["slug"]: m for m in MARKER.finditer(html)}


def led_by(slug):
    return Case.objects.published().filter(lead_regions__slug=slug).distinct().count()


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_the_home_map_draws_every_pilot_region_with_its_published_cases(client, catalogue, lang):
    html = client.get(url("home", lang=lang)).text
    found = markers(html)
    assert set(found) == {"guangzhou", "shenzhen", "beijing"}
    for slug, marker in found.items():
        assert int(marker["count"]) == led_by(slug)
        assert marker["state"] == "member"
    # Shenzhen belongs to both phases, Guangzhou to the 2020 one only: the label says so.
    assert "2016, 2020" in unescape(found["shenzhen"]["label"]) or "2016、2020" in unescape(
        found["shenzhen"]["label"]
    )
    assert "2016" not in found["guangzhou"]["label"]
    # Every province-level division has a tile, Taiwan, Hong Kong and Macao included.
    assert len(re.findall(r'<g class="tile[ "]', html)) == 34
    # No boundary geometry anywhere: tiles are rects, and no <path> outlines a province.
    map_svg = html[html.index('class="map-svg"') : html.index("</svg>", html.index("map-svg"))]
    assert "<path" not in map_svg and "<polygon" not in map_svg


def test_a_program_map_fills_its_members_and_outlines_the_others(client, catalogue):
    found = markers(client.get(url("regions:program-detail", "pilot-2016")).text)
    assert found["shenzhen"]["state"] == "member"
    assert found["guangzhou"]["state"] == "other" and found["beijing"]["state"] == "other"


def test_a_region_map_highlights_the_region_and_marks_its_province_neighbours(client, catalogue):
    html = client.get(url("regions:region-detail", "guangzhou")).text
    found = markers(html)
    assert found["guangzhou"]["state"] == "current"
    assert found["shenzhen"]["state"] == "neighbour"
    assert found["beijing"]["state"] == "member"
    assert 'class="marker state-current" aria-current="page"' in html
    # A province's page: its tile is highlighted, its cities marked.
    html = client.get(url("regions:region-detail", "guangdong")).text
    assert '<g class="tile has-pilots current">' in html
    assert {m["state"] for m in markers(html).values()} == {"neighbour", "member"}


def test_the_completeness_chart_says_catalogued_of_official_per_batch_and_program(
    client, catalogue
):
    html = unescape(client.get(url("regions:program-detail", "pilot-2020")).text)
    first = Case.objects.published().filter(batch=catalogue["first"]).count()
    second = Case.objects.published().filter(batch=catalogue["second"]).count()
    assert (first, second) == (5, 1)
    assert f"{first} of 16" in html
    assert f"{second} · official number not known" in html
    # The program's official total is unknown while one batch's number is.
    assert f"{first + second} · official number not known" in html


def test_the_theme_chart_draws_the_published_cases_per_theme(client, catalogue):
    html = unescape(client.get(url("home")).text)
    count = Case.objects.published().filter(theme=catalogue["theme"]).count()
    assert f'aria-label="Digital trade: {count}"' in html
    assert 'href="/en/cases/?theme=digital-trade"' in html


def test_the_timeline_dates_phases_and_batches_in_each_language(client, catalogue):
    english = unescape(client.get(url("home")).text)
    assert "Approved Aug. 2, 2020" in english and "Batch 2: date not known" in english
    assert 'aria-label="' in english and "May 12, 2021" in english
    chinese = unescape(client.get(url("home", lang="zh-hans")).text)
    assert "2020年8月2日获批" in chinese and "第2批：日期不详" in chinese
    assert "2021年5月12日" in chinese


def test_pictures_carry_a_title_a_description_and_a_data_table(client, catalogue):
    html = client.get(url("home")).text
    svgs = re.findall(r"<svg [^>]*>", html)
    assert len(svgs) == 5  # map, completeness, timeline, theme, region (no case has a sector)
    for svg in svgs:
        title = re.search(r'aria-labelledby="([\w-]+)"', svg)[1]
        description = re.search(r'aria-describedby="([\w-]+)"', svg)[1]
        assert f'id="{title}"' in html and f'id="{description}"' in html
    assert html.count('<details class="picture-data">') == 5


def test_pages_with_pictures_have_no_inline_style_or_script(client, catalogue):
    """A strict Content-Security-Policy (no 'unsafe-inline') must not break them."""
    for address in (
        url("home"),
        url("regions:program-detail", "pilot-2020"),
        url("regions:region-detail", "shenzhen"),
    ):
        html = client.get(address).text
        assert "style=" not in html and "<style" not in html
        # Structured data (JSON-LD) is a data block the browser never runs: CSP leaves it be.
        assert not re.search(r'<script(?![^>]*\b(src=|type="application/ld\+json"))', html)


def test_the_pictures_are_cached_under_the_catalogue_version(
    client, catalogue, django_assert_max_num_queries
):
    address = url("regions:region-detail", "shenzhen")
    client.get(address)
    # The page's own queries and the version (tests/budgets.py); no picture.
    with django_assert_max_num_queries(REGION_DETAIL_QUERIES - REGION_PICTURE_QUERIES):
        client.get(address)
    # Any write gives the catalogue a new version, and the map shows it at once.
    before = led_by("shenzhen")
    CaseFactory(batch=catalogue["first"], lead_regions=[Region.objects.get(slug="shenzhen")])
    found = markers(client.get(address).text)
    assert int(found["shenzhen"]["count"]) == led_by("shenzhen") == before + 1


def test_every_map_reads_the_pilot_regions_once_per_catalogue_version(client, catalogue):
    """The pilot regions with their counts (a second's query at 100,000 cases) serve the maps
    of home and of every region and program page, in both languages: read once for all."""
    client.get(url("home"))
    with CaptureQueriesContext(connection) as queries:
        html = client.get(url("regions:region-detail", "guangzhou", lang="zh-hans")).text
    # The page's own region is read with its count; no other query counts regions' cases.
    counted = [q["sql"] for q in queries.captured_queries if '"case_count"' in q["sql"]]
    assert not [sql for sql in counted if '"regions_region"."slug" = ' not in sql]
    assert int(markers(html)["shenzhen"]["count"]) == led_by("shenzhen")


@pytest.mark.parametrize(("lang", "shown"), [("en", "12,345"), ("zh-hans", "12345")])
def test_numbers_follow_the_language_format(lang, shown):
    with translation.override(lang):
        assert number(12345) == shown


def test_the_case_list_charts_follow_the_filters(client, catalogue):
    with translation.override("en"):
        address = reverse("cases:case-list") + "?theme=digital-trade"
    html = unescape(client.get(address).text)
    chart = html[html.index('id="list-region-title"') :]
    filtered = Case.objects.published().filter(theme=catalogue["theme"])
    for slug in ("shenzhen", "guangdong"):
        region = Region.objects.get(slug=slug)
        count = filtered.filter(lead_regions__in=[region, *region.children.all()]).distinct()
        assert f'aria-label="{region.name_en}: {count.count()}"' in chart
    # Guangzhou leads no digital-trade case: the filtered chart leaves it out.
    assert "Guangzhou" not in chart.split("</svg>")[0]
    # A bar adds its value to the filters in force.
    assert 'href="?theme=digital-trade&region=shenzhen"' in chart
