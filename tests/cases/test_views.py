"""The public case pages: list, downloads, detail, batch and home, with their query budgets."""

import csv
import datetime
import io
import json

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone, translation

from cases import counting, linked
from cases.models import Case
from tests.budgets import (
    BATCH_QUERIES,
    BATCH_QUERIES_WARM,
    CASE_DETAIL_QUERIES,
    CASE_LIST_QUERIES,
    CASE_LIST_QUERIES_WARM,
    HOME_QUERIES,
    HOME_QUERIES_WARM,
    LINKED_TABLES,
)
from tests.factories import (
    CaseBatchFactory,
    CaseFactory,
    MembershipFactory,
    PilotProgramFactory,
    RegionFactory,
    ServiceSectorFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


def url(name, *args, lang="en", query=""):
    with translation.override(lang):
        return reverse(name, args=args) + (f"?{query}" if query else "")


def many_cases(count, **kwargs):
    """``count`` published cases, each with two regions and two sectors, in one batch."""
    batch = CaseBatchFactory()
    regions = [RegionFactory(), RegionFactory()]
    sectors = [ServiceSectorFactory(code="SG"), ServiceSectorFactory(code="SI")]
    return [
        CaseFactory(batch=batch, lead_regions=regions, sectors=sectors, **kwargs)
        for _ in range(count)
    ]


def titles_in(response):
    return [str(row.record.title) for row in response.context["table"].paginated_rows]


def test_the_list_shows_published_cases_only(client):
    CaseFactory(title_en="Published data case")
    CaseFactory(title_en="Draft data case", status=Case.Status.DRAFT, published_on=None)
    CaseFactory(title_en="Reviewed data case", status=Case.Status.IN_REVIEW)
    response = client.get(url("cases:case-list"))
    assert response.status_code == 200
    assert "Published data case" in response.text
    assert "Draft data case" not in response.text
    assert "Reviewed data case" not in response.text


@pytest.mark.parametrize(("rows", "per_page"), [(1, 20), (3, 20), (60, 20), (60, 50), (60, 100)])
def test_the_list_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, rows, per_page
):
    many_cases(rows)
    page = url("cases:case-list", query=f"per_page={per_page}&sector=SG")
    with django_assert_max_num_queries(CASE_LIST_QUERIES):
        response = client.get(page)
    assert len(titles_in(response)) == min(rows, per_page)
    with django_assert_max_num_queries(CASE_LIST_QUERIES_WARM):
        again = client.get(page)
    assert again.text == response.text


def test_a_filtered_list_is_a_permalink_of_slugs_and_codes(client, django_assert_max_num_queries):
    guangzhou = RegionFactory(slug="guangzhou")
    theme = ThemeFactory(slug="institutional-opening-up", name_en="Institutional opening up")
    wanted = CaseFactory(
        title_en="Wanted",
        theme=theme,
        lead_regions=[guangzhou],
        sectors=[ServiceSectorFactory(code="SI")],
    )
    CaseFactory(
        title_en="Other theme", lead_regions=[guangzhou], sectors=[ServiceSectorFactory(code="SI")]
    )
    query = "theme=institutional-opening-up&region=guangzhou&sector=SI"
    with django_assert_max_num_queries(CASE_LIST_QUERIES):
        response = client.get(url("cases:case-list", query=query))
    assert titles_in(response) == [wanted.title_en]
    assert "1 published case matches." in response.text
    assert 'value="institutional-opening-up" id="f-theme-1" checked' in response.text


def test_it_ignores_an_unknown_theme_visibly(client):
    CaseFactory(title_en="Still listed")
    response = client.get(url("cases:case-list", query="theme=no-such-theme"))
    assert response.status_code == 200
    assert "Theme: “no-such-theme” was not understood and is ignored." in response.text
    assert titles_in(response) == ["Still listed"]


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ("page=abc", "There is no page “abc”; this is page 1 of 3."),
        ("page=99999", "There is no page “99999”; this is page 3 of 3."),
        ("page=-1", "There is no page “-1”; this is page 3 of 3."),
        ("per_page=7", "“7” is not a page size offered; showing 20 per page."),
        ("per_page=1000000", "“1000000” is not a page size offered; showing 20 per page."),
        ("sort=nonsense", "The list cannot be sorted by “nonsense”; that was ignored."),
        (f"q={'x' * 10_000}", "Keywords: “Ensure this value has at most 200 characters"),
        ("q=%00", "Keywords: “Null characters are not allowed.”"),
        ("region=%00%FF%FE", "Lead region: “\ufffd\ufffd\ufffd” was not understood"),
    ],
)
def test_bad_parameters_give_a_page_that_says_what_was_ignored(
    client, django_assert_max_num_queries, query, notice
):
    many_cases(45)
    with django_assert_max_num_queries(CASE_LIST_QUERIES):
        response = client.get(url("cases:case-list", query=query))
    assert response.status_code == 200
    assert notice in response.text
    assert titles_in(response)


@pytest.mark.parametrize(
    "odd", ["🚢", "%E2%80%AE%CC%81", "%F0%AA%9A%B2", "%EF%BF%BE", "%ED%A0%80", "<script>", "%22'"]
)
def test_odd_unicode_in_a_search_gives_the_page(client, odd):
    CaseFactory(title_en="Shipping services", summary_en="", summary_zh="")
    response = client.get(url("cases:case-list", query=f"q=shipping+{odd}"))
    assert response.status_code == 200
    assert "<script>" not in response.text.split('id="id_q"')[1].split(">")[0]


def test_it_sorts_by_title_in_the_page_language_both_ways(client):
    CaseFactory(title_zh="乙", title_en="Alpha")
    CaseFactory(title_zh="甲", title_en="Beta")
    CaseFactory(title_zh="丙", title_en="")
    response = client.get(url("cases:case-list", query="sort=title"))
    assert titles_in(response) == ["Alpha", "Beta", "丙"]
    response = client.get(url("cases:case-list", query="sort=-title"))
    assert titles_in(response) == ["丙", "Beta", "Alpha"]
    assert 'aria-sort="descending"' in response.text


def test_it_sorts_by_batch_and_by_date(client):
    program = PilotProgramFactory()
    CaseFactory(
        title_en="Batch 2",
        batch=CaseBatchFactory(program=program, number=2),
        published_on=datetime.date(2022, 1, 1),
    )
    CaseFactory(
        title_en="Batch 1",
        batch=CaseBatchFactory(program=program, number=1),
        published_on=datetime.date(2021, 1, 1),
    )
    assert titles_in(client.get(url("cases:case-list", query="sort=batch"))) == [
        "Batch 1",
        "Batch 2",
    ]
    assert titles_in(client.get(url("cases:case-list", query="sort=-published_on"))) == [
        "Batch 2",
        "Batch 1",
    ]


def test_pages_and_page_sizes_keep_the_filters(client):
    many_cases(45, theme=ThemeFactory(slug="opening"))
    response = client.get(url("cases:case-list", query="theme=opening&page=2"))
    table = response.context["table"]
    assert (table.page.number, len(titles_in(response))) == (2, 20)
    assert "Showing 21–40 of 45" in response.text
    assert 'href="?theme=opening&amp;page=3"' in response.text
    response = client.get(url("cases:case-list", query="theme=opening&per_page=50"))
    assert len(titles_in(response)) == 45


def test_a_title_shown_in_the_other_language_is_marked(client):
    CaseFactory(title_zh="仅有中文的案例", title_en="")
    response = client.get(url("cases:case-list"))
    assert '<span lang="zh-Hans">仅有中文的案例</span>' in response.text
    assert "only in Chinese" in response.text


def export(client, export_format, query=""):
    response = client.get(url("cases:case-list", query=f"{query}&_export={export_format}"))
    assert response.status_code == 200
    return response


def exported_world():
    """Three published cases that sort as C, B, A by title descending, one draft, one elsewhere."""
    theme = ThemeFactory(slug="opening", name_zh="制度型开放", name_en="Opening up")
    guangzhou = RegionFactory(slug="guangzhou", name_zh="广州市", name_en="Guangzhou")
    sectors = [ServiceSectorFactory(code="SG"), ServiceSectorFactory(code="SI")]
    for title in ("A data", "C data", "B data"):
        CaseFactory(
            title_en=title,
            title_zh=f"{title}（中文）",
            theme=theme,
            lead_regions=[guangzhou],
            sectors=sectors,
            slug=title.replace(" ", "-").lower(),
        )
    CaseFactory(title_en="D draft", theme=theme, status=Case.Status.DRAFT, published_on=None)
    CaseFactory(title_en="E other theme")


def test_the_csv_download_is_the_whole_filtered_sorted_list_with_a_bom(
    client, django_assert_max_num_queries
):
    exported_world()
    with django_assert_max_num_queries(CASE_LIST_QUERIES + 4):
        response = export(client, "csv", "theme=opening&sort=-title&per_page=20&page=2")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="servtrade-cases-' in response["Content-Disposition"]
    assert response.streaming
    content = response.getvalue()
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert list(rows[0])[:2] == ["Chinese title", "English title"]
    assert [row["English title"] for row in rows] == ["C data", "B data", "A data"]
    assert rows[0]["Chinese title"] == "C data（中文）"
    assert rows[0]["Lead regions (Chinese)"] == "广州市"
    assert rows[0]["Lead regions (English)"] == "Guangzhou"
    assert rows[0]["Sector codes (EBOPS 2010)"] == "SG; SI"
    assert rows[0]["Sectors (English)"] == "Services SG; Services SI"
    assert rows[0]["Sectors (Chinese)"] == "服务SG; 服务SI"
    assert rows[0]["Theme (Chinese / English)"] == "制度型开放 / Opening up"
    assert rows[0]["Permalink"] == "http://testserver/en/cases/c-data/"


def test_the_xlsx_download_opens_as_a_workbook_with_the_same_rows(client):
    exported_world()
    response = export(client, "xlsx", "theme=opening&sort=title")
    sheet = openpyxl.load_workbook(io.BytesIO(response.getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    titles = [row[header.index("English title")] for row in rows[1:]]
    assert titles == ["A data", "B data", "C data"]
    assert rows[1][header.index("Permalink")] == "http://testserver/en/cases/a-data/"


def test_the_json_download_is_keyed_by_stable_column_names(client):
    exported_world()
    response = export(client, "json", "theme=opening&sort=title")
    records = json.loads(response.getvalue())
    assert [record["title_en"] for record in records] == ["A data", "B data", "C data"]
    assert records[0]["lead_regions_en"] == "Guangzhou"
    assert records[0]["permalink"] == "http://testserver/en/cases/a-data/"


def test_a_chinese_page_downloads_chinese_permalinks(client):
    exported_world()
    response = client.get(url("cases:case-list", lang="zh-hans", query="_export=csv"))
    assert "http://testserver/zh-hans/cases/a-data/" in response.getvalue().decode("utf-8-sig")


def test_an_unknown_download_format_shows_the_page(client):
    CaseFactory(title_en="Listed")
    response = client.get(url("cases:case-list", query="_export=yaml"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_the_case_page_shows_every_field_and_its_links(client, django_assert_max_num_queries):
    program = PilotProgramFactory(slug="pilot-2020", name_en="Comprehensive pilot")
    batch = CaseBatchFactory(
        program=program,
        number=4,
        title_en="Fourth batch",
        issuer_en="Ministry of Commerce",
        published_on=datetime.date(2023, 11, 1),
    )
    case = CaseFactory(
        slug="beijing-data",
        title_en="Beijing data exchange",
        summary_en="A data exchange for the capital.",
        batch=batch,
        lead_regions=[RegionFactory(slug="beijing", name_en="Beijing")],
        sectors=[ServiceSectorFactory(code="SI", name_en="ICT services")],
        source_url="https://www.mofcom.gov.cn/case",
    )
    with django_assert_max_num_queries(CASE_DETAIL_QUERIES):
        response = client.get(url("cases:case-detail", case.slug))
    text = response.text
    assert response.status_code == 200
    assert '<a href="/en/programs/pilot-2020/">Comprehensive pilot</a>' in text
    assert '<a href="/en/programs/pilot-2020/batches/4/">Fourth batch</a>' in text
    assert '<a href="/en/cases/?region=beijing">Beijing</a>' in text
    assert 'href="/en/cases/?sector=SI"' in text
    assert "A data exchange for the capital." in text
    assert 'href="https://www.mofcom.gov.cn/case"' in text
    assert "Last updated" in text
    today = timezone.localdate().isoformat()  # the site's date (Asia/Shanghai)
    assert (
        "Ministry of Commerce. Beijing data exchange[EB/OL]//Fourth batch. "
        f"(2023-11-01)[{today}]. http://testserver/en/cases/beijing-data/." in text
    )


def test_a_draft_case_is_not_found(client):
    draft = CaseFactory(status=Case.Status.DRAFT, published_on=None)
    assert client.get(url("cases:case-detail", draft.slug)).status_code == 404


def test_a_flagged_case_says_which_fact_is_unverified_and_that_its_title_is_ours(client):
    note = "Unconfirmed: this case's attribution and title\nSectors: editorial mapping."
    case = CaseFactory(needs_verification=True, title_is_topic=True, verification_note=note)
    text = client.get(url("cases:case-detail", case.slug)).text.replace("&#x27;", "'")
    assert "Not yet confirmed by a source:" in text
    assert "Its lead region and title, which the ministry's list of the batch's cases" in text
    assert "The official title of this case is not known yet" in text
    bare = CaseFactory(needs_verification=True)
    text = client.get(url("cases:case-detail", bare.slug)).text
    assert "some facts of this record (an editor has the details)." in text


@pytest.mark.parametrize("bitmaps", [False, True])
def test_related_cases_share_a_theme_or_sector_are_published_and_bounded(
    client, django_assert_num_queries, bitmaps
):
    """The same relatives whether the case bitmaps name the candidates (no query) or SQL
    does (three index reads)."""
    theme, sector = ThemeFactory(), ServiceSectorFactory(code="SG")
    other_sector = ServiceSectorFactory(code="SC")
    case = CaseFactory(theme=theme, sectors=[sector, other_sector])
    CaseFactory(theme=theme, sectors=[sector], title_en="Theme and sector")
    CaseFactory.create_batch(3, theme=theme, title_en="Same theme")
    CaseFactory(sectors=[sector, other_sector], title_en="Both sectors")
    CaseFactory.create_batch(4, sectors=[other_sector], title_en="Same sector")
    CaseFactory(theme=theme, title_en="Draft relative", status=Case.Status.DRAFT)
    CaseFactory(title_en="Unrelated")
    counting.forget()
    linked.forget()
    if bitmaps:
        counting.build_and_keep()
    # With the bitmaps: no candidates to read, and no adoptions (nobody adopted it). Its batch
    # was not replicated nationwide (no pilot regions read).
    expected = CASE_DETAIL_QUERIES - (3 + 1 if bitmaps else 0) - 1
    with django_assert_num_queries(expected):
        response = client.get(url("cases:case-detail", case.slug))
    # The linked tables (regions, sectors, sources) are read once per catalogue version.
    with django_assert_num_queries(expected - LINKED_TABLES):
        client.get(url("cases:case-detail", case.slug))
    related = [str(other.title) for other in response.context["related_cases"]]
    assert related == ["Theme and sector"] + ["Same theme"] * 3 + ["Both sectors", "Same sector"]
    assert "Draft relative" not in response.text and "Unrelated" not in response.text


@pytest.mark.parametrize("extra", [0, 40, 120])
def test_the_batch_page_groups_its_published_cases_by_theme(
    client, django_assert_max_num_queries, extra
):
    batch = CaseBatchFactory(
        program=PilotProgramFactory(slug="pilot-2020"), number=4, official_case_count=25
    )
    first, second = ThemeFactory(name_en="Opening up"), ThemeFactory(name_en="Digital trade")
    for theme in (first, second, first, *[second] * extra):
        CaseFactory(
            batch=batch,
            theme=theme,
            lead_regions=[RegionFactory()],
            sectors=[ServiceSectorFactory()],
        )
    CaseFactory(batch=batch, theme=first, title_en="Draft here", status=Case.Status.DRAFT)
    with django_assert_max_num_queries(BATCH_QUERIES):
        response = client.get(url("cases:batch-detail", "pilot-2020", 4))
    text = response.text
    assert f"{3 + extra} of 25 cases catalogued." in text
    assert text.index("Opening up") < text.index("Digital trade")
    assert "Draft here" not in text
    assert 'href="/en/cases/?batch=pilot-2020-4"' in text
    # 50 cases a page; a theme's heading counts all its cases in the batch.
    shown = [len(cases) for _theme, cases, _total in response.context["groups"]]
    assert sum(shown) == min(3 + extra, 50)
    assert [total for *_, total in response.context["groups"]] == [2, 1 + extra]
    assert ('rel="next"' in text) == (extra > 47)


def test_the_batch_page_shows_its_last_cases_on_its_last_page(
    client, django_assert_max_num_queries
):
    batch = CaseBatchFactory(program=PilotProgramFactory(slug="pilot-2020"), number=4)
    theme = ThemeFactory()
    for number in range(110):
        CaseFactory(batch=batch, theme=theme, slug=f"batch-case-{number:03d}")
    with django_assert_max_num_queries(BATCH_QUERIES):
        response = client.get(url("cases:batch-detail", "pilot-2020", 4, query="page=3"))
    ((_theme, cases, total),) = response.context["groups"]
    assert [case.slug for case in cases] == [f"batch-case-{n:03d}" for n in range(100, 110)]
    assert total == 110
    with django_assert_max_num_queries(BATCH_QUERIES_WARM):
        again = client.get(url("cases:batch-detail", "pilot-2020", 4, query="page=3"))
    assert [case.slug for _, cases, _ in again.context["groups"] for case in cases] == [
        case.slug for case in cases
    ]
    assert 'rel="prev"' in response.text and 'rel="next"' not in response.text
    # A page that does not exist shows the last one rather than failing.
    beyond = client.get(url("cases:batch-detail", "pilot-2020", 4, query="page=99"))
    assert beyond.context["page"].number == 3


def test_a_batch_of_unknown_size_says_so(client):
    batch = CaseBatchFactory(official_case_count=None)
    CaseFactory(batch=batch)
    text = client.get(url("cases:batch-detail", batch.program.slug, batch.number)).text
    assert "1 case catalogued; the official number of cases is unknown." in text


def test_an_unknown_batch_is_not_found(client):
    program = PilotProgramFactory(slug="pilot-2020")
    assert client.get(url("cases:batch-detail", program.slug, 9)).status_code == 404


def test_the_home_page_counts_published_cases_and_shows_the_latest_batch(
    client, django_assert_max_num_queries
):
    program = PilotProgramFactory()
    MembershipFactory(program=program)
    MembershipFactory(program=program)
    CaseBatchFactory(program=program, number=1, published_on=datetime.date(2021, 5, 12))
    latest = CaseBatchFactory(
        program=program, number=4, title_en="Fourth batch", published_on=datetime.date(2023, 11, 1)
    )
    CaseFactory.create_batch(
        3,
        batch=latest,
        theme=ThemeFactory(slug="opening"),
        lead_regions=[RegionFactory(slug="beijing")],
    )
    CaseFactory(batch=latest, status=Case.Status.DRAFT)
    with django_assert_max_num_queries(HOME_QUERIES):
        response = client.get(url("home"))
    with django_assert_max_num_queries(HOME_QUERIES_WARM):
        assert client.get(url("home")).text == response.text
    context = response.context
    assert (context["program_count"], context["region_count"]) == (1, 2)
    assert (context["batch_count"], context["case_count"]) == (2, 3)
    assert "Fourth batch" in response.text
    assert "3 of 25 cases catalogued." in response.text
    assert 'href="/en/cases/?theme=opening"' in response.text
    assert 'href="/en/cases/?region=beijing"' in response.text


@pytest.mark.parametrize(
    ("accept_language", "home"),
    [
        ("en-GB,en;q=0.9", "/en/"),
        ("zh-CN,zh;q=0.9", "/zh-hans/"),
        ("fr", "/zh-hans/"),
        ("", "/zh-hans/"),
    ],
)
def test_the_root_redirects_by_the_browsers_language(client, accept_language, home):
    response = client.get("/", headers={"accept-language": accept_language})
    assert (response.status_code, response["Location"]) == (302, home)


def test_the_language_switch_keeps_the_page_and_its_filters(client):
    ThemeFactory(slug="opening")
    response = client.get(url("cases:case-list", query="theme=opening&sort=-title"))
    assert (
        'href="/zh-hans/cases/?theme=opening&amp;sort=-title" hreflang="zh-Hans"' in response.text
    )


def test_a_missing_page_is_friendly_in_its_language(client):
    response = client.get("/en/cases/no-such-case/")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert 'href="/zh-hans/cases/no-such-case/"' in response.text
    response = client.get("/zh-hans/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.text


@pytest.mark.urls("tests.urls_with_error")
def test_a_server_error_is_friendly_in_both_languages(client):
    client.raise_request_exception = False
    response = client.get("/en/boom/")
    assert response.status_code == 500
    assert "服务器出错了" in response.text
    assert "Something went wrong on our side" in response.text


def test_language_links_keep_a_raw_utf8_query_intact(client):
    response = client.generic("GET", "/en/cases/?q=%E6%95%B0%E6%8D%AE")
    raw = client.get("/en/cases/", QUERY_STRING="q=数据".encode().decode("latin-1"))
    for page in (response, raw):
        assert 'href="/zh-hans/cases/?q=%E6%95%B0%E6%8D%AE"' in page.content.decode()


def test_a_case_page_tells_the_ministrys_release_from_servtrades_own_date(client):
    from tests.factories import CaseBatchFactory

    undated = CaseFactory(
        batch=CaseBatchFactory(published_on=None), published_on=datetime.date(2026, 11, 30)
    )
    dated = CaseFactory(published_on=datetime.date(2023, 11, 1))
    undated_page = client.get(f"/en/cases/{undated.slug}/").content.decode()
    dated_page = client.get(f"/en/cases/{dated.slug}/").content.decode()
    assert "Date not known" in undated_page and "In servtrade since" in undated_page
    assert 'datetime="2026-11-30"' in undated_page
    assert 'datetime="2023-11-01"' in dated_page and "In servtrade since" not in dated_page


def test_staff_preview_a_draft_under_a_banner_and_the_public_gets_a_404(client):
    from tests.factories import UserFactory

    draft = CaseFactory(status=Case.Status.DRAFT, published_on=None, batch=None)
    url = f"/en/cases/{draft.slug}/"
    assert client.get(url).status_code == 404
    editor = UserFactory(is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="view_case"))
    client.force_login(editor)
    response = client.get(url)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Draft, not public." in content and "“draft”" in content
    assert "Cite this case" not in content
    assert "no-store" in response["Cache-Control"]


def test_staff_without_the_view_permission_get_the_public_404(client):
    from tests.factories import UserFactory

    draft = CaseFactory(status=Case.Status.IN_REVIEW)
    client.force_login(UserFactory(is_staff=True))
    assert client.get(f"/en/cases/{draft.slug}/").status_code == 404


def test_a_published_case_has_no_banner_and_says_when_it_was_last_updated(client):
    case = CaseFactory()
    content = client.get(f"/en/cases/{case.slug}/").content.decode()
    assert "Draft, not public." not in content
    updated = timezone.localtime(case.updated_at).date().isoformat()  # as the page shows it
    assert "Last updated" in content and updated in content


def test_a_search_without_results_suggests_what_to_try(client):
    CaseFactory(theme=ThemeFactory(slug="opening"), title_en="Data flows")
    response = client.get(url("cases:case-list", query="q=data&theme=no-match&sector=SZ"))
    assert "Nothing found" not in response.text  # the unknown values are ignored: results
    response = client.get(url("cases:case-list", query="q=xyzzy&theme=opening"))
    text = response.text
    assert "Nothing found. Things to try:" in text
    assert 'href="/en/cases/?q=xyzzy"' in text  # the same words without the filters
    assert 'href="/zh-hans/cases/?q=xyzzy&amp;theme=opening"' in text  # the other language
    assert "Nothing found" not in client.get(url("cases:case-list")).text


def test_the_list_has_a_skip_link_to_its_results_and_writes_sector_names_out(client):
    CaseFactory(sectors=[ServiceSectorFactory(code="SG", name_en="Financial services")])
    text = client.get(url("cases:case-list")).text
    assert '<a href="#results">Skip to results</a>' in text and 'id="results"' in text
    assert '<span class="sector">SG Financial services</span>' in text


@pytest.mark.parametrize(
    ("sort", "reads_by_id"),
    [
        (None, True),
        ("-released_on", True),  # the list's own order, asked for by name
        ("-published_on", True),  # unknown (the old name): ignored, so the list's own order
        ("released_on", False),
        ("title", False),
        ("title,-released_on", False),
    ],
)
def test_a_page_in_the_lists_own_order_is_read_by_id_whatever_the_sort_says(
    client, settings, sort, reads_by_id
):
    """More results than COUNTING_FEW_RESULTS, in the default order: the bitmaps say which
    cases the page shows and the database reads those, not the whole list sorted."""
    settings.COUNTING_FEW_RESULTS = 3
    program = PilotProgramFactory()
    for number, year in enumerate([2019, 2021, 2020], start=1):
        batch = CaseBatchFactory(
            program=program, number=number, published_on=datetime.date(year, 1, 1)
        )
        CaseFactory.create_batch(3, batch=batch)
    query = "per_page=20" + (f"&sort={sort}" if sort else "")
    response = client.get(url("cases:case-list", query=query))
    view = response.context["view"]
    assert (view.rows_needed() == 20) == reads_by_id
    plain = Case.objects.published().order_by_release()
    if reads_by_id:
        assert titles_in(response) == [case.title_en for case in plain]
