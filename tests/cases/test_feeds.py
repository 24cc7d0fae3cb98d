"""Atom feeds of newly published cases: whole and filtered, in each language, valid Atom, and
advertised by the pages that list cases."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest

from tests.budgets import FEED_QUERIES
from tests.factories import (
    CaseBatchFactory,
    CaseFactory,
    DraftCaseFactory,
    ProvinceFactory,
    ServiceSectorFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
# RFC 3339 date-time, as RFC 4287 (section 3.3) requires of atom:updated and atom:published.
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def assert_valid_atom(content):
    """The elements RFC 4287 requires, once each, with the forms it requires; returns the feed."""
    feed = ET.fromstring(content)
    assert feed.tag == f"{ATOM}feed"

    def one(element, name):
        found = element.findall(f"{ATOM}{name}")
        assert len(found) == 1, f"{element.tag} needs exactly one atom:{name}"
        return found[0]

    assert one(feed, "title").text
    assert re.match(r"^[a-z][a-z0-9+.-]*:", one(feed, "id").text), "atom:id must be an IRI"
    assert RFC3339.match(one(feed, "updated").text)
    assert feed.findall(f"{ATOM}author/{ATOM}name"), "a feed without entry authors needs one"
    rels = [link.get("rel", "alternate") for link in feed.findall(f"{ATOM}link")]
    assert "self" in rels and rels.count("alternate") == 1
    ids = []
    for entry in feed.findall(f"{ATOM}entry"):
        assert one(entry, "title").text
        ids.append(one(entry, "id").text)
        assert RFC3339.match(one(entry, "updated").text)
        assert RFC3339.match(one(entry, "published").text)
        # Without atom:content, an entry needs an alternate link (RFC 4287, 4.1.1).
        assert entry.find(f"{ATOM}content") is not None or entry.find(f"{ATOM}link") is not None
    assert len(ids) == len(set(ids)), "entry ids must be unique"
    return feed


def entry_links(feed):
    return [entry.find(f"{ATOM}link").get("href") for entry in feed.findall(f"{ATOM}entry")]


@pytest.fixture
def catalogue():
    beijing = ProvinceFactory(slug="beijing")
    data = ThemeFactory(slug="data")
    sector = ServiceSectorFactory(code="SI")
    batch = CaseBatchFactory()
    old = CaseFactory(slug="old-case", published_on=datetime.date(2021, 1, 1), batch=batch)
    new = CaseFactory(
        slug="new-case",
        title_zh="新案例",
        title_en="New case",
        published_on=datetime.date(2024, 6, 1),
        theme=data,
        lead_regions=[beijing],
        sectors=[sector],
        batch=batch,
    )
    DraftCaseFactory(slug="draft-case", theme=data, lead_regions=[beijing])
    return {"old": old, "new": new}


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_the_whole_feed_lists_published_cases_newest_first_in_its_language(client, catalogue, lang):
    response = client.get(f"/{lang}/cases/feed/")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = assert_valid_atom(response.content)
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == (
        "en" if lang == "en" else "zh-Hans"
    )
    assert entry_links(feed) == [
        f"http://testserver/{lang}/cases/new-case/",
        f"http://testserver/{lang}/cases/old-case/",
    ]
    title = feed.find(f"{ATOM}entry/{ATOM}title").text
    assert title == ("New case" if lang == "en" else "新案例")
    assert "draft-case" not in response.content.decode()


@pytest.mark.parametrize(
    "query", ["theme=data", "region=beijing&sector=SI", "batch=BATCH", "year=2023", "q=New"]
)
def test_a_filtered_feed_has_the_cases_of_the_filtered_list(client, catalogue, query):
    query = query.replace("BATCH", catalogue["new"].batch.key)
    feed = assert_valid_atom(client.get(f"/en/cases/feed/?{query}").content)
    page = client.get(f"/en/cases/?{query}&sort=-released_on")
    expected = [
        f"http://testserver{row.record.get_absolute_url()}"
        for row in page.context["table"].paginated_rows
    ]
    assert entry_links(feed) == expected and expected
    alternate = [link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "alternate"]
    assert alternate[0].get("href") == f"http://testserver/en/cases/?{query}"


def test_an_unknown_value_is_ignored_as_on_the_page(client, catalogue):
    feed = assert_valid_atom(client.get("/en/cases/feed/?region=atlantis&page=3").content)
    assert len(entry_links(feed)) == 2


def test_a_feed_reads_the_database_a_fixed_number_of_times(
    client, catalogue, django_assert_max_num_queries
):
    for _ in range(10):
        CaseFactory(theme=catalogue["new"].theme, lead_regions=[ProvinceFactory()])
    client.get("/en/cases/feed/?theme=data")  # options cached
    with django_assert_max_num_queries(FEED_QUERIES):
        client.get("/en/cases/feed/?theme=data")


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_list_pages_advertise_their_feed_in_the_head_and_visibly(client, catalogue, lang):
    query = "theme=data&sort=title&page=1"
    html = client.get(f"/{lang}/cases/?{query}").content.decode()
    href = f"/{lang}/cases/feed/?theme=data"
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert html.count(f'href="{href}"') == 2  # the head's link and the visible one
    home = client.get(f"/{lang}/").content.decode()
    assert 'type="application/atom+xml" title=' in home and f'href="/{lang}/cases/feed/"' in home
    region = client.get(f"/{lang}/regions/beijing/").content.decode()
    assert f'href="/{lang}/cases/feed/?region=beijing"' in region
