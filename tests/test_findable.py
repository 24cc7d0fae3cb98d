"""Search engines: sitemap.xml with hreflang alternates, robots.txt, and on every page a meta
description in its language, a canonical address, hreflang alternates, Open Graph and JSON-LD."""

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from cases import bulk
from tests.factories import (
    CaseBatchFactory,
    CaseFactory,
    DraftCaseFactory,
    MembershipFactory,
    RegionFactory,
    ServiceSectorFactory,
)

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture
def catalogue(settings, tmp_path):
    settings.BULK_FILES_DIR = tmp_path
    region = RegionFactory(slug="xiamen", name_zh="厦门市", name_en="Xiamen")
    membership = MembershipFactory(region=region)
    batch = CaseBatchFactory(program=membership.program, issuer_zh="商务部", issuer_en="MOFCOM")
    case = CaseFactory(
        slug="sports-trade",
        title_zh="体育服务贸易",
        title_en="Sports services trade",
        summary_zh="厦门推动体育服务贸易。",
        summary_en="Xiamen promotes trade in sports services.",
        batch=batch,
        lead_regions=[region],
        sectors=[ServiceSectorFactory(code="SK")],
    )
    DraftCaseFactory(slug="secret-draft")
    bulk.build()
    return {"case": case, "region": region, "batch": batch, "program": membership.program}


def public_pages(catalogue):
    return [
        "/",
        "/cases/",
        f"/cases/{catalogue['case'].slug}/",
        "/regions/",
        "/regions/xiamen/",
        "/programs/",
        f"/programs/{catalogue['program'].slug}/",
        f"/programs/{catalogue['program'].slug}/batches/{catalogue['batch'].number}/",
        "/data/",
    ]


class Head(HTMLParser):
    """The <meta>, <link> and JSON-LD of a page's head."""

    def __init__(self, html):
        super().__init__()
        self.meta, self.links, self.json_ld, self._in_json = {}, [], [], False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta":
            key = attrs.get("name") or attrs.get("property")
            self.meta.setdefault(key, attrs.get("content"))
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_json = True

    def handle_data(self, data):
        if self._in_json:
            self.json_ld.append(json.loads(data))
            self._in_json = False


def sitemap_urls(client):
    index = ET.fromstring(client.get("/sitemap.xml").content)
    urls = {}
    for loc in index.iter(f"{SITEMAP}loc"):
        section = ET.fromstring(client.get(loc.text.replace("http://testserver", "")).content)
        for url in section.findall(f"{SITEMAP}url"):
            alternates = {
                link.get("hreflang"): link.get("href") for link in url.findall(f"{XHTML}link")
            }
            urls[url.find(f"{SITEMAP}loc").text] = alternates
    return urls


def test_the_sitemap_lists_every_public_page_in_both_languages_with_alternates(client, catalogue):
    urls = sitemap_urls(client)
    for page in public_pages(catalogue):
        for lang in ("zh-hans", "en"):
            loc = f"http://testserver/{lang}{page}"
            assert loc in urls, loc
            assert urls[loc] == {
                "zh-Hans": f"http://testserver/zh-hans{page}",
                "en": f"http://testserver/en{page}",
                "x-default": f"http://testserver{page}",
            }
            assert client.get(loc).status_code == 200, loc
    assert not any("secret-draft" in loc for loc in urls)


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_endless_lists(client):
    robots = client.get("/robots.txt")
    assert robots["Content-Type"] == "text/plain"
    lines = robots.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    for rule in ["/admin/", "/*?*_export=", "/*/cases/?", "/api/v1/"]:
        assert f"Disallow: {rule}" in lines
    assert "Disallow: /" not in lines


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_every_page_has_description_canonical_alternates_and_open_graph(client, catalogue, lang):
    for page in public_pages(catalogue):
        url = f"/{lang}{page}"
        head = Head(client.get(url + "?page=2&sort=title").content.decode())
        description = head.meta["description"]
        assert description and len(description) > 10, url
        if lang == "zh-hans":
            assert re.search(r"[\u4e00-\u9fff]", description), (url, description)
        canonical = [link["href"] for link in head.links if link.get("rel") == "canonical"]
        assert canonical == [f"http://testserver{url}"], url
        hreflangs = {
            link["hreflang"]: link["href"]
            for link in head.links
            if link.get("rel") == "alternate" and "hreflang" in link
        }
        assert set(hreflangs) == {"zh-Hans", "en", "x-default"}, url
        assert all(href.startswith("http://testserver/") for href in hreflangs.values())
        for key in ["og:title", "og:description", "og:url", "og:type", "og:locale"]:
            assert head.meta.get(key), (url, key)
        assert head.meta["og:description"] == description


def test_a_case_page_describes_itself_with_its_summary_and_an_article(client, catalogue):
    head = Head(client.get("/en/cases/sports-trade/").content.decode())
    assert head.meta["description"] == "Xiamen promotes trade in sports services."
    assert head.meta["og:type"] == "article"
    (article,) = head.json_ld
    assert article["@type"] == "Article"
    assert article["headline"] == "Sports services trade"
    assert article["datePublished"] == catalogue["case"].released_on.isoformat()
    # Only the ministry's date: servtrade's own would show in search results as the case's.
    assert "dateModified" not in article
    assert article["publisher"]["name"] == "servtrade"
    assert article["sourceOrganization"]["name"] == "MOFCOM"
    assert article["contentLocation"][0]["name"] == "Xiamen"
    zh = Head(client.get("/zh-hans/cases/sports-trade/").content.decode())
    assert zh.json_ld[0]["headline"] == "体育服务贸易"
    assert zh.json_ld[0]["contentLocation"][0]["name"] == "厦门市"


def test_home_and_data_pages_describe_the_catalogue_as_a_dataset_with_its_files(client, catalogue):
    for url in ["/en/", "/en/data/"]:
        (dataset,) = Head(client.get(url).content.decode()).json_ld
        assert dataset["@type"] == "Dataset"
        assert dataset["license"].startswith("https://creativecommons.org/")
        formats = {d["encodingFormat"] for d in dataset["distribution"]}
        assert {"text/csv", "application/json"} <= formats
        for distribution in dataset["distribution"]:
            path = distribution["contentUrl"].replace("http://testserver", "")
            assert client.get(path).status_code == 200


def test_json_ld_cannot_end_its_script(client, catalogue):
    case = catalogue["case"]
    case.summary_en = "</script><script>alert(1)</script> & more"
    case.save()
    html = client.get("/en/cases/sports-trade/").content.decode()
    assert "</script><script>alert(1)" not in html
    assert Head(html).json_ld[0]["description"] == case.summary_en


def test_favicon_ico_leads_to_the_sites_icon(client, admin_client):
    """Browsers ask for /favicon.ico where a page names no icon: not a 404."""
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert "max-age=86400" in response["Cache-Control"]
    icon = client.get(response["Location"])
    assert icon.status_code == 200 and icon["Content-Type"].startswith("image/svg+xml")
    # The admin names it too.
    assert 'rel="icon"' in admin_client.get("/admin/").content.decode()
