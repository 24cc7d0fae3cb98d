"""What the public pages of the real catalogue claim is true: dates, sources and titles.

Each test reads every public page the real fixtures give (both languages) with the test client
and checks one promise on all of them, so a new page or a template change that breaks it fails.
"""

import csv
import io
import re

import pytest
from django.urls import reverse
from django.utils import translation

from cases.models import Case, CaseBatch, Source
from fixtures.build import EDITORIAL_FILE
from regions.models import PilotProgram, Region

pytestmark = pytest.mark.django_db

LANGS = ("zh-hans", "en")
CJK = re.compile(r"[\u3400-\u9fff]")
# The day the catalogue was built (editorial.json's catalogued_at), in each way a page writes it.
CATALOGUE_DATE_FORMS = ("2026-11-30", "2026年11月30日", "Nov. 30, 2026", "30 November 2026")
# servtrade's own dates, which only this labelled section of a case page may show.
OWN_DATES_SECTION = re.compile(r'<section class="servtrade-dates".*?</section>', re.S)


def url(name, *args, lang):
    with translation.override(lang):
        return reverse(name, args=args)


def public_pages(lang):
    """Every public page of the catalogue in one language (lists at 100 per page)."""
    pages = [
        url("home", lang=lang),
        url("cases:case-list", lang=lang) + "?per_page=100",
        url("regions:region-list", lang=lang) + "?per_page=100",
        url("regions:program-list", lang=lang),
    ]
    pages += [url("cases:case-detail", c.slug, lang=lang) for c in Case.objects.published()]
    pages += [url("regions:region-detail", r.slug, lang=lang) for r in Region.objects.all()]
    pages += [url("regions:program-detail", p.slug, lang=lang) for p in PilotProgram.objects.all()]
    with translation.override(lang):
        pages += [b.get_absolute_url() for b in CaseBatch.objects.select_related("program")]
    return pages


def fetch(client, page):
    response = client.get(page)
    assert response.status_code == 200, page
    return response.content.decode()


@pytest.fixture(scope="module")
def pages(demo, django_db_blocker):
    from django.test import Client

    client = Client()
    with django_db_blocker.unblock():
        return {lang: {page: fetch(client, page) for page in public_pages(lang)} for lang in LANGS}


def test_the_catalogue_date_the_test_looks_for_is_the_real_one():
    assert f'"catalogued_at": "{CATALOGUE_DATE_FORMS[0]}' in EDITORIAL_FILE.read_text()


def test_no_published_case_shows_the_catalogue_date_as_its_date(pages):
    # The nine 2016/2018 cases have no known release date: they used to show the catalogue's.
    assert Case.objects.published().filter(batch__published_on__isnull=True).count() == 9
    for by_page in pages.values():
        for page, html in by_page.items():
            visible = OWN_DATES_SECTION.sub("", html)
            for form in CATALOGUE_DATE_FORMS:
                assert form not in visible, f"{page} shows {form}"
            assert "year=2026" not in visible, f"{page} offers the catalogue's year"
            assert "(2026)" not in visible, f"{page} cites the catalogue's year"


def test_a_case_page_labels_servtrades_own_date_apart(pages):
    undated = Case.objects.published().filter(batch__published_on__isnull=True).first()
    html = pages["en"][url("cases:case-detail", undated.slug, lang="en")]
    own = OWN_DATES_SECTION.search(html).group()
    assert "In servtrade since" in own and "2026-11-30" in own
    assert "Date not known" in html and "(n.d.)" in html


def test_the_downloads_date_cases_by_the_ministrys_release(demo, client):
    response = client.get(url("cases:case-list", lang="en") + "?_export=csv")
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert len(rows) == Case.objects.published().count()
    dates = {row["Released"] for row in rows}
    assert "date not known" in dates and not {d for d in dates if d.startswith("2026")}
    official = {s.url for s in Source.objects.filter(kind=Source.Kind.OFFICIAL)}
    assert {row["Official source"] for row in rows} <= official | {""}


def test_the_default_order_is_newest_release_first_and_unknown_dates_last(demo, client):
    response = client.get(url("cases:case-list", lang="en") + "?per_page=100")
    shown = [case.batch.published_on for case in response.context["table"].page.object_list.data]
    known = [day for day in shown if day]
    assert known == sorted(known, reverse=True)
    assert shown == known + [None] * (len(shown) - len(known))


def test_no_page_links_a_mirror_as_an_official_source(pages):
    mirrors = Source.objects.filter(kind=Source.Kind.MIRROR)
    assert mirrors.exists()
    official_urls = {s.url for s in Source.objects.filter(kind=Source.Kind.OFFICIAL)}
    caveats = {
        "en": "A copy of an official page on another site, not the official notice.",
        "zh-hans": "这是其他网站上的官方页面副本，不是官方通知。",
    }
    official_heading = {"en": "Official notice", "zh-hans": "官方通知"}
    for lang, by_page in pages.items():
        for page, html in by_page.items():
            # A mirror is linked only where the page says, right there, that it is a copy.
            for mirror in mirrors:
                linked = html.count(f'href="{mirror.url}"')
                assert linked <= html.count(caveats[lang]), f"{page} links {mirror.url}"
                # Its presumed original is unconfirmed: shown, never linked.
                assert f'href="{mirror.copies_url}"' not in html, page
            for block in re.findall(
                rf"<dt>{official_heading[lang]}</dt>\s*<dd>(.*?)</dd>", html, re.S
            ):
                links = set(re.findall(r'href="([^"]+)"', block))
                assert links and links <= official_urls, f"{page}: {links - official_urls}"


def test_a_case_page_says_plainly_which_kind_of_source_it_has(pages):
    for case in Case.objects.published().prefetch_related("sources"):
        html = pages["en"][url("cases:case-detail", case.slug, lang="en")]
        if case.official_sources():
            assert "<dt>Official notice</dt>" in html, case.slug
        else:
            assert "<dt>Official notice</dt>" not in html, case.slug
            assert "<dt>Secondary source (official notice not yet linked)</dt>" in html


def test_no_chinese_page_shows_a_case_title_without_chinese(pages):
    case_link = re.compile(r'<a href="/zh-hans/cases/([^/"?]+)/"[^>]*>(.*?)</a>', re.S)
    seen = set()
    for page, html in pages["zh-hans"].items():
        for slug, text in case_link.findall(html):
            if slug == "feed":  # the list's Atom feed, not a case
                continue
            seen.add(slug)
            assert CJK.search(text), f"{page} shows {text!r} for {slug}"
        if re.match(r"^/zh-hans/cases/[^/]+/$", page):
            heading = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
            title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
            # Every style's Chinese citation (the English ones beside them are lang="en").
            citations = re.findall(
                r'<p class="citation" id="cite-[a-z0-9]+-zh"[^>]*>(.*?)</p>', html, re.S
            )
            assert len(citations) == 2, page
            for text in (heading, title, *citations):
                assert CJK.search(text), f"{page}: {text!r}"
    assert seen == set(Case.objects.published().values_list("slug", flat=True))


def test_a_descriptive_title_is_marked_on_its_page_in_lists_and_in_citations(pages):
    case = Case.objects.get(slug="beijing-cross-border-data-security")
    assert case.title_zh_descriptive
    html = pages["zh-hans"][url("cases:case-detail", case.slug, lang="zh-hans")]
    assert "暂拟标题" in html and f"[{case.title_zh}]" in html
    listed = pages["zh-hans"][url("cases:case-list", lang="zh-hans") + "?per_page=100"]
    row = re.search(rf'href="/zh-hans/cases/{case.slug}/".*?</td>', listed, re.S).group()
    assert "暂拟标题" in row
    official = Case.objects.get(slug="weihai-ship-maintenance-cluster")
    html = pages["zh-hans"][url("cases:case-detail", official.slug, lang="zh-hans")]
    assert "暂拟标题" not in html.split('<section class="related"')[0]


def test_search_finds_a_case_by_its_descriptive_title(demo, client):
    response = client.get(url("cases:case-list", lang="zh-hans") + "?q=数据合规出境")
    slugs = {case.slug for case in response.context["table"].page.object_list.data}
    assert "beijing-cross-border-data-security" in slugs


def test_cataloguing_notes_are_a_note_not_part_of_the_summary(demo):
    for case in Case.objects.all():
        for text in (case.summary_zh, case.summary_en):
            assert "尚未查到" not in text and "not been found" not in text, case.slug
    case = Case.objects.get(slug="beijing-cross-border-data-security")
    assert case.cataloguing_note_zh == "正式标题尚未查到。"


def test_a_flag_says_which_fact_is_unconfirmed_and_what_would_confirm_it(pages):
    for lang, expected in (
        ("en", "Its kind of region, which the Ministry of Civil Affairs"),
        ("zh-hans", "其行政区类型，可由民政部公布的行政区划证实。"),
    ):
        html = pages[lang][url("regions:region-detail", "shanghai", lang=lang)]
        assert expected in html.replace("&#x27;", "'"), lang
    # Every flagged page explains its flag; none shows a bare, unexplained mark.
    for by_page in pages.values():
        for page, html in by_page.items():
            for block in re.findall(r'<div class="caveat unconfirmed">.*?</div>', html, re.S):
                assert block.count("<li>") >= 1, page
    weihai = pages["en"][url("regions:region-detail", "weihai", lang="en")]
    assert "Unconfirmed: this region&#x27;s membership" in weihai
