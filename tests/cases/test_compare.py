"""Compare two to four regions, batches or programs side by side; bad input gets a clear answer."""

import datetime
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import (
    AdoptionFactory,
    CaseBatchFactory,
    CaseFactory,
    MembershipFactory,
    PilotProgramFactory,
    ProvinceFactory,
    RegionFactory,
    ServiceSectorFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

# The version, 3 chooser options, the records and each column's phases, count, adopted count,
# theme counts and sector counts (4 columns at most), themes and sectors.
COMPARE_QUERIES = 1 + 3 + 1 + 4 * 5 + 2


def url(lang="en", query=""):
    with translation.override(lang):
        return reverse("cases:compare") + (f"?{query}" if query else "")


@pytest.fixture
def world():
    program = PilotProgramFactory(slug="pilot-2020", name_en="Comprehensive pilot")
    beijing = ProvinceFactory(slug="beijing", name_zh="北京市", name_en="Beijing")
    shanghai = ProvinceFactory(slug="shanghai", name_zh="上海市", name_en="Shanghai")
    guangdong = ProvinceFactory(slug="guangdong", name_en="Guangdong")
    guangzhou = RegionFactory(slug="guangzhou", name_en="Guangzhou", parent=guangdong)
    for region in (beijing, shanghai, guangzhou):
        MembershipFactory(program=program, region=region, joined_on=datetime.date(2020, 8, 2))
    digital = ThemeFactory(slug="digital", name_en="Digital trade")
    opening = ThemeFactory(slug="opening", name_en="Opening up")
    finance = ServiceSectorFactory(code="SG", name_en="Financial services")
    ict = ServiceSectorFactory(code="SI", name_en="ICT services")
    first = CaseBatchFactory(program=program, number=1, published_on=datetime.date(2021, 5, 12))
    fourth = CaseBatchFactory(program=program, number=4, published_on=None)
    CaseFactory(batch=first, theme=digital, lead_regions=[beijing], sectors=[ict])
    CaseFactory(batch=fourth, theme=digital, lead_regions=[beijing], sectors=[ict, finance])
    led = CaseFactory(batch=first, theme=opening, lead_regions=[shanghai], sectors=[finance])
    CaseFactory(batch=fourth, theme=opening, lead_regions=[guangzhou], sectors=[finance])
    AdoptionFactory(case=led, region=beijing)
    CaseFactory(theme=opening, lead_regions=[beijing], status="draft", published_on=None)
    return {"program": program}


class Table(HTMLParser):
    """The comparison table as rows of cell texts, the way a reader reads it."""

    def __init__(self):
        super().__init__()
        self.rows, self.row, self.cell, self.depth = [], None, None, 0

    def handle_starttag(self, tag, attrs):
        if tag == "table" and "compare" in (dict(attrs).get("class") or "").split():
            self.depth = 1
        elif self.depth and tag == "tr":
            self.row = []
        elif self.depth and tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.depth = 0
        elif self.depth and tag in ("td", "th") and self.row is not None:
            self.row.append(" ".join(self.cell.split()))
            self.cell = None
        elif self.depth and tag == "tr":
            self.rows.append(self.row)

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def table_of(response):
    parser = Table()
    parser.feed(response.text)
    return {row[0]: row[1:] for row in parser.rows if row}


def test_two_regions_side_by_side(client, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(COMPARE_QUERIES):
        response = client.get(url(query="region=beijing&region=shanghai"))
    assert response.status_code == 200
    rows = table_of(response)
    assert rows[""] == ["Beijing", "Shanghai"]
    assert rows["Published cases"] == ["2", "1"]
    assert rows["of which adopted elsewhere"] == ["0", "1"]
    assert rows["Digital trade"] == ["2", "—"]
    assert rows["Opening up"] == ["—", "1"]
    assert rows["SG Financial services"] == ["1", "1"]
    assert rows["SI ICT services"] == ["2", "—"]
    assert "Comprehensive pilot 2020-08-02" in rows["Phases joined"][0]
    text = response.text
    # Each count opens the list of those cases; what only one has is shaded.
    assert '<a href="/en/cases/?region=beijing&amp;theme=digital">2</a>' in text
    assert '<td class="figure only"><a href="/en/cases/?region=beijing&amp;sector=SI">' in text
    assert '<td class="figure"><a href="/en/cases/?region=beijing&amp;sector=SG">' in text
    assert "<title>Compare: Beijing · Shanghai · servtrade</title>" in text


def test_a_province_includes_its_cities_as_the_case_list_does(client, world):
    rows = table_of(client.get(url(query="region=guangdong&region=beijing")))
    assert rows["Published cases"] == ["1", "2"]


def test_batches_and_programs_compare_too(client, world):
    other = PilotProgramFactory(slug="pilot-2016", name_en="First pilot")
    rows = table_of(client.get(url(query="batch=pilot-2020-1&batch=pilot-2020-4")))
    assert rows["Published cases"] == ["2", "2"]
    assert rows["Phase and release"] == [
        "Comprehensive pilot 2021-05-12",
        "Comprehensive pilot Date not known",
    ]
    rows = table_of(client.get(url(query=f"program=pilot-2020&program={other.slug}")))
    assert rows["Published cases"] == ["4", "0"]


def test_the_chinese_page_compares_in_chinese(client, world):
    response = client.get(url(lang="zh-hans", query="region=beijing&region=shanghai"))
    assert table_of(response)[""] == ["北京市", "上海市"]
    assert "已发布案例" in response.text


def test_a_permalink_reopens_the_same_comparison_with_the_choices_kept(client, world):
    response = client.get(url(query="region=shanghai&region=beijing"))
    assert table_of(response)[""] == ["Shanghai", "Beijing"]
    assert 'href="/en/compare/?region=shanghai&amp;region=beijing"' in response.text
    assert '<option value="shanghai" selected>' in response.text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("region=beijing", "Choose two to four regions to compare."),
        ("region=beijing&region=beijing", "Choose two to four regions to compare."),
        (
            "region=beijing&region=atlantis",
            "“atlantis” is not one of the regions servtrade knows; it was left out.",
        ),
        (
            "region=beijing&batch=pilot-2020-1",
            "Compare regions, batches or programs, one kind at a time; not regions + batches.",
        ),
        ("batch=pilot-2020-x&batch=nonsense", "“pilot-2020-x” is not one of the batches"),
        ("program=%00&program=<script>", "“&lt;script&gt;” is not one of the programs"),
    ],
)
def test_bad_input_gets_a_clear_answer_and_the_choice_again(client, world, query, message):
    response = client.get(url(query=query))
    assert response.status_code == 400
    assert message in response.text
    assert "Choose two to four" in response.text
    assert '<select id="c-region-1" name="region" required>' in response.text


def test_more_than_four_shows_the_first_four_and_says_so(client, world):
    RegionFactory(slug="xiamen")
    query = "region=beijing&region=shanghai&region=guangdong&region=guangzhou&region=xiamen"
    response = client.get(url(query=query))
    assert response.status_code == 200
    assert "At most 4 can be compared side by side; the first 4 are shown." in response.text
    assert table_of(response)[""] == ["Beijing", "Shanghai", "Guangdong", "Guangzhou"]


def test_without_parameters_the_page_offers_the_choice(client, world):
    response = client.get(url())
    assert response.status_code == 200
    assert "Compare side by side" in response.text
    for name in ("region", "batch", "program"):
        assert f'name="{name}"' in response.text


def test_the_case_list_offers_to_compare_the_chosen_regions(client, world):
    page = reverse("cases:case-list")
    with translation.override("en"):
        page = reverse("cases:case-list")
    text = client.get(f"{page}?region=beijing&region=shanghai").text
    assert '<a href="/en/compare/?region=beijing&amp;region=shanghai">' in text
    assert "/compare/" not in client.get(f"{page}?region=beijing").text
