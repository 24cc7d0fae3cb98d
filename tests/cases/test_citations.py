"""Citations of a case: GB/T 7714-2015 and APA 7 in both languages, RIS, BibTeX, Highwire tags."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from cases import citations
from cases.models import Case
from tests.factories import (
    CaseBatchFactory,
    CaseFactory,
    PilotProgramFactory,
    ServiceSectorFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

ACCESSED = datetime.date(2026, 12, 1)


def url(name, *args, lang="en"):
    with translation.override(lang):
        return reverse(name, args=args)


def ministry_case(batch=None, **kwargs):
    """A case whose batch has a known issuing body and release date (not servtrade's date)."""
    batch = batch or CaseBatchFactory(
        program=PilotProgramFactory(slug="pilot-2020"),
        number=4,
        title_zh="全面深化服务贸易创新发展试点最佳实践案例（第四批）",
        title_en="Best practice cases, batch 4",
        issuer_zh="商务部",
        issuer_en="Ministry of Commerce",
        published_on=datetime.date(2023, 11, 1),
        document_no="商服贸函〔2023〕1号",
    )
    values = {
        "slug": "beijing-data",
        "title_zh": "北京数据交易所",
        "title_en": "The Beijing data exchange",
        "summary_zh": "北京建设数据交易所。",
        "summary_en": "Beijing built a data exchange.",
        "batch": batch,
        "theme": ThemeFactory(name_zh="数字贸易", name_en="Digital trade"),
        "sectors": [ServiceSectorFactory(code="SI", name_zh="信息服务", name_en="ICT services")],
        # servtrade published it later than the ministry released it: never the cited date.
        "published_on": datetime.date(2026, 11, 30),
        **kwargs,
    }
    return CaseFactory(**values)


def reference(case, lang, url="https://servtrade.example/case/"):
    case = Case.objects.with_related().get(pk=case.pk)
    return citations.Reference.of(case, lang, url, ACCESSED)


def text_of(style, ref):
    return citations.as_text(style(ref))


def test_gbt7714_in_chinese_names_the_issuer_batch_release_and_access_dates():
    ref = reference(ministry_case(), "zh")
    assert text_of(citations.gbt7714, ref) == (
        "商务部. 北京数据交易所[EB/OL]//全面深化服务贸易创新发展试点最佳实践案例（第四批）. "
        "(2023-11-01)[2026-12-01]. https://servtrade.example/case/."
    )


def test_gbt7714_in_english_uses_the_english_fields():
    ref = reference(ministry_case(), "en")
    assert text_of(citations.gbt7714, ref) == (
        "Ministry of Commerce. The Beijing data exchange[EB/OL]//Best practice cases, batch 4. "
        "(2023-11-01)[2026-12-01]. https://servtrade.example/case/."
    )


def test_apa7_in_english_italicises_title_and_batch():
    ref = reference(ministry_case(), "en")
    segments = citations.apa7(ref)
    assert citations.as_text(segments) == (
        "Ministry of Commerce. (2023, November 1). The Beijing data exchange. In Best practice "
        "cases, batch 4. servtrade. Retrieved December 1, 2026, from https://servtrade.example/case/"
    )
    html = str(citations.as_html(segments))
    assert "<i>The Beijing data exchange.</i>" in html
    assert "<i>Best practice cases, batch 4</i>" in html


def test_apa7_in_chinese_writes_dates_the_chinese_way():
    ref = reference(ministry_case(), "zh")
    assert text_of(citations.apa7, ref) == (
        "商务部. (2023年11月1日). 北京数据交易所. "
        "载于全面深化服务贸易创新发展试点最佳实践案例（第四批）. servtrade. "
        "检索于2026年12月1日, 取自 https://servtrade.example/case/"
    )


def test_without_issuer_or_release_date_nothing_is_guessed():
    # Both titles given: the factory's own carry its sequence number, and a "30" in it (the
    # 230th batch of the session) read as a guessed date below.
    batch = CaseBatchFactory(
        title_en="Best practice cases, batch 4",
        title_zh="最佳实践案例（第四批）",
        issuer_zh="",
        issuer_en="",
        published_on=None,
    )
    case = ministry_case(batch=batch)
    en = reference(case, "en")
    zh = reference(case, "zh")
    # The title takes the author's place; "no date" rather than servtrade's own date (2026-11-30).
    assert text_of(citations.apa7, en).startswith(
        "The Beijing data exchange. (n.d.). In Best practice cases, batch 4. servtrade."
    )
    assert text_of(citations.apa7, zh).startswith("北京数据交易所. (日期不详). 载于")
    assert text_of(citations.gbt7714, en) == (
        "The Beijing data exchange[EB/OL]//Best practice cases, batch 4. [2026-12-01]. "
        "https://servtrade.example/case/."
    )
    for ref in (en, zh):
        for style in (citations.gbt7714, citations.apa7):
            assert "11-30" not in text_of(style, ref) and "30" not in text_of(style, ref)


def test_a_descriptive_title_is_cited_in_square_brackets():
    ref = reference(ministry_case(title_is_topic=True), "en")
    assert text_of(citations.gbt7714, ref).startswith(
        "Ministry of Commerce. [The Beijing data exchange][EB/OL]"
    )
    assert "[The Beijing data exchange]." in text_of(citations.apa7, ref)


def test_a_title_missing_in_one_language_falls_back_to_the_other():
    ref = reference(ministry_case(title_en=""), "en")
    assert ref.title == "北京数据交易所"


def test_the_ris_record_has_one_tag_per_line_and_ends_the_record():
    record = citations.ris(reference(ministry_case(), "en"))
    lines = record.split("\r\n")
    assert lines[0] == "TY  - ELEC"
    assert lines[-2:] == ["ER  -", ""]
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*|ER  -", line) for line in lines[:-1])
    for expected in (
        "TI  - The Beijing data exchange",
        "AU  - Ministry of Commerce",
        "T2  - Best practice cases, batch 4",
        "DA  - 2023/11/01",
        "PY  - 2023",
        "Y2  - 2026/12/01",
        "UR  - https://servtrade.example/case/",
        "KW  - ICT services",
        "LA  - en",
    ):
        assert expected in lines


def test_bibtex_escapes_tex_and_keeps_an_institution_whole():
    case = ministry_case(title_en="Fees 50% off & {more}_here\nnext line")
    entry = citations.bibtex(reference(case, "en"), key="servtrade-beijing-data-en")
    assert entry.startswith("@misc{servtrade-beijing-data-en,\n")
    assert r"title = {Fees 50\% off \& \{more\}\_here next line}" in entry
    assert "author = {{Ministry of Commerce}}" in entry
    assert "date = {2023-11-01}" in entry
    assert "urldate = {2026-12-01}" in entry
    # Braces balance, so a BibTeX parser reads the entry to its end.
    unescaped = entry.replace(r"\{", "").replace(r"\}", "")
    assert unescaped.count("{") == unescaped.count("}")


class MetaTags(HTMLParser):
    """The <meta name=... content=...> tags of a page's <head>, as a reference manager reads."""

    def __init__(self):
        super().__init__()
        self.in_head = False
        self.tags = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "head":
            self.in_head = True
        elif tag == "meta" and self.in_head and "name" in attrs:
            self.tags.append((attrs["name"], attrs.get("content")))

    def handle_endtag(self, tag):
        if tag == "head":
            self.in_head = False


def meta_tags(html):
    parser = MetaTags()
    parser.feed(html)
    return parser.tags


def test_the_case_page_has_highwire_tags_that_zotero_reads(client):
    case = ministry_case()
    tags = meta_tags(client.get(url("cases:case-detail", case.slug)).text)
    values = dict(tags)
    # Zotero's Embedded Metadata translator and Google Scholar need a title, an author and a
    # date; the rest fills in the item.
    assert values["citation_title"] == "The Beijing data exchange"
    assert values["citation_author"] == "Ministry of Commerce"
    assert values["citation_publication_date"] == "2023/11/01"
    assert values["citation_technical_report_number"] == "商服贸函〔2023〕1号"
    assert values["citation_public_url"] == "http://testserver/en/cases/beijing-data/"
    assert values["citation_language"] == "en"
    assert values["citation_keywords"] == "Digital trade; ICT services"
    assert values["citation_abstract"] == "Beijing built a data exchange."
    assert len(tags) == len(values), "each tag once"


def test_the_chinese_page_has_chinese_highwire_tags(client):
    case = ministry_case()
    values = dict(meta_tags(client.get(url("cases:case-detail", case.slug, lang="zh-hans")).text))
    assert values["citation_title"] == "北京数据交易所"
    assert values["citation_author"] == "商务部"
    assert values["citation_language"] == "zh-Hans"


def test_meta_tags_escape_what_they_carry(client):
    case = ministry_case(title_en='A "quoted" <title>')
    html = client.get(url("cases:case-detail", case.slug)).text
    assert dict(meta_tags(html))["citation_title"] == 'A "quoted" <title>'
    assert '<title>"' not in html


def test_the_case_page_shows_both_styles_in_both_languages(client):
    case = ministry_case()
    response = client.get(url("cases:case-detail", case.slug))
    rows = response.context["citations"]
    assert [(row["style"], row["lang"]) for row in rows] == [
        ("GB/T 7714-2015", "zh"),
        ("GB/T 7714-2015", "en"),
        ("APA 7", "zh"),
        ("APA 7", "en"),
    ]
    text = response.text
    # Each citation points at the page in its own language.
    assert "[EB/OL]//全面深化服务贸易创新发展试点最佳实践案例（第四批）. (2023-11-01)" in text
    # The site's date (Asia/Shanghai), which is not the machine's after 16:00 UTC.
    today = timezone.localdate().isoformat()
    assert f"[{today}]. http://testserver/zh-hans/cases/beijing-data/." in text
    assert f"[{today}]. http://testserver/en/cases/beijing-data/." in text
    assert '<p class="citation" id="cite-apa7-zh" lang="zh-Hans" data-copy' in text
    assert "<i>The Beijing data exchange.</i>" in text
    assert text.count("data-copy ") == 4
    for lang in ("zh-hans", "en"):
        for file_format in ("ris", "bib"):
            assert f'href="{url("cases:case-citation", case.slug, file_format, lang=lang)}"' in text


def test_a_staff_preview_of_a_draft_offers_no_citation(admin_client):
    draft = ministry_case(status=Case.Status.DRAFT, published_on=None)
    response = admin_client.get(url("cases:case-detail", draft.slug))
    assert response.status_code == 200
    assert "Cite this case" not in response.text
    assert "citation_title" not in response.text


@pytest.mark.parametrize(
    ("lang", "file_format", "content_type", "expected"),
    [
        ("en", "ris", "application/x-research-info-systems", "TI  - The Beijing data exchange"),
        ("zh-hans", "ris", "application/x-research-info-systems", "TI  - 北京数据交易所"),
        ("en", "bib", "application/x-bibtex", "title = {The Beijing data exchange}"),
        ("zh-hans", "bib", "application/x-bibtex", "author = {{商务部}}"),
    ],
)
def test_citation_downloads_come_in_the_page_language(
    client, lang, file_format, content_type, expected
):
    case = ministry_case()
    response = client.get(url("cases:case-citation", case.slug, file_format, lang=lang))
    assert response.status_code == 200
    assert response["Content-Type"] == f"{content_type}; charset=utf-8"
    suffix = "en" if lang == "en" else "zh"
    assert response["Content-Disposition"] == (
        f'attachment; filename="servtrade-beijing-data-{suffix}.{file_format}"'
    )
    assert expected in response.content.decode()


def test_an_unknown_citation_format_or_a_draft_is_not_found(client, admin_client):
    case = ministry_case()
    assert client.get(url("cases:case-citation", case.slug, "docx")).status_code == 404
    draft = ministry_case(
        batch=case.batch, slug="draft", status=Case.Status.DRAFT, published_on=None
    )
    # Not even for staff: only what the public can reach is cited.
    assert admin_client.get(url("cases:case-citation", draft.slug, "ris")).status_code == 404
