"""The public site in a real browser: filters, pages, sorting, languages, downloads, keyboard.

Each test builds a small catalogue with the factories; screenshots of the main pages at phone
and desktop width go to test-artifacts/screenshots/ for people to look at.
"""

import csv
import datetime

import pytest
from playwright.sync_api import expect

from cases.models import Case, Suggestion
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

pytestmark = pytest.mark.django_db(transaction=True)


def catalogue(extra_cases=0):
    """A program with two batches, two themes, Guangdong with two cities, Beijing, two sectors."""
    program = PilotProgramFactory(
        slug="pilot-2020", name_zh="全面深化服务贸易创新发展试点", name_en="Comprehensive pilot"
    )
    guangdong = ProvinceFactory(slug="guangdong", name_zh="广东省", name_en="Guangdong")
    guangzhou = RegionFactory(
        slug="guangzhou", name_zh="广州市", name_en="Guangzhou", parent=guangdong
    )
    shenzhen = RegionFactory(
        slug="shenzhen", name_zh="深圳市", name_en="Shenzhen", parent=guangdong
    )
    beijing = ProvinceFactory(slug="beijing", name_zh="北京市", name_en="Beijing")
    for region in (guangzhou, shenzhen, beijing):
        MembershipFactory(program=program, region=region, joined_on=datetime.date(2020, 8, 2))
    opening = ThemeFactory(
        slug="institutional-opening-up", name_zh="制度型开放", name_en="Institutional opening up"
    )
    digital = ThemeFactory(slug="digital-trade", name_zh="数字贸易", name_en="Digital trade")
    finance = ServiceSectorFactory(code="SG", name_zh="金融服务", name_en="Financial services")
    data = ServiceSectorFactory(
        code="SI",
        name_zh="电信、计算机和信息服务",
        name_en="Telecommunications, computer and information services",
    )
    first = CaseBatchFactory(
        program=program,
        number=1,
        published_on=datetime.date(2021, 5, 12),
        title_zh="最佳实践案例（第一批）",
        title_en="Best practice cases, batch 1",
        official_case_count=16,
    )
    fourth = CaseBatchFactory(
        program=program,
        number=4,
        published_on=datetime.date(2023, 11, 1),
        title_zh="最佳实践案例（第四批）",
        title_en="Best practice cases, batch 4",
        official_case_count=None,
    )
    cases = [
        (
            "guangzhou-ship-repair",
            "广州国际航行船舶保税维修",
            "Bonded repair of ocean-going ships",
            first,
            opening,
            [guangzhou],
            [finance],
        ),
        (
            "shenzhen-data-port",
            "深圳数据跨境流动安全管理",
            "Safe cross-border data flows in Shenzhen",
            fourth,
            opening,
            [shenzhen],
            [data],
        ),
        (
            "beijing-digital-finance",
            "北京数字金融服务",
            "Digital finance services in Beijing",
            fourth,
            digital,
            [beijing],
            [finance, data],
        ),
        (
            "guangzhou-data-exchange",
            "广州数据交易所",
            "The Guangzhou data exchange",
            fourth,
            digital,
            [guangzhou],
            [data],
        ),
    ]
    for slug, title_zh, title_en, batch, theme, regions, sectors in cases:
        CaseFactory(
            slug=slug,
            title_zh=title_zh,
            title_en=title_en,
            batch=batch,
            theme=theme,
            lead_regions=regions,
            sectors=sectors,
            published_on=batch.published_on,
            summary_zh=f"{title_zh}：探索可复制推广的经验。",
            summary_en=f"{title_en}: experience other regions can copy.",
            needs_verification=slug == "beijing-digital-finance",
        )
    CaseFactory(
        slug="draft-case",
        title_en="A draft nobody sees",
        batch=fourth,
        theme=opening,
        status=Case.Status.DRAFT,
        lead_regions=[guangzhou],
    )
    for number in range(extra_cases):
        CaseFactory(
            slug=f"more-{number:02d}",
            title_en=f"More case {number:02d}",
            title_zh=f"更多案例{number:02d}",
            batch=first,
            theme=digital,
            lead_regions=[beijing],
            sectors=[finance],
            published_on=first.published_on,
        )


def open_facet(page, label):
    """Unfold a filter as a reader would (wide screens show short ones open already)."""
    facet = page.locator("details.facet", has=page.locator("summary", has_text=label))
    if facet.get_attribute("open") is None:
        facet.locator("summary").click()


def table_titles(page):
    return page.locator("table.results tbody tr td:first-child a").all_inner_texts()


def test_a_reader_filters_by_theme_and_region(live_server, page, screenshot):
    catalogue()
    page.goto(f"{live_server.url}/en/cases/")
    expect(page.get_by_text("4 published cases match.")).to_be_visible()

    open_facet(page, "Theme")
    page.get_by_role("checkbox", name="Institutional opening up").check()
    open_facet(page, "Lead region")
    page.get_by_role("checkbox", name="Guangdong").check()
    page.get_by_role("button", name="Apply filters").click()

    assert "theme=institutional-opening-up" in page.url and "region=guangdong" in page.url
    expect(page.get_by_text("2 published cases match.")).to_be_visible()
    assert sorted(table_titles(page)) == [
        "Bonded repair of ocean-going ships",
        "Safe cross-border data flows in Shenzhen",
    ]
    # The counts beside the options keep the other filter: digital trade has one Guangdong case.
    digital = page.locator(".option", has_text="Digital trade")
    expect(digital.locator(".count")).to_have_text("1 results")
    assert "A draft nobody sees" not in page.content()
    screenshot("case-list-filtered")


def test_a_reader_pages_and_sorts_the_list(live_server, page):
    catalogue(extra_cases=21)
    page.goto(f"{live_server.url}/en/cases/")
    expect(page.get_by_text("Showing 1–20 of 25")).to_be_visible()
    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Next").click()
    expect(page.get_by_text("Showing 21–25 of 25")).to_be_visible()
    assert "page=2" in page.url

    page.get_by_role("columnheader", name="Title").get_by_role("link").click()
    expect(page.get_by_role("columnheader", name="Title")).to_have_attribute(
        "aria-sort", "ascending"
    )
    assert "page=" not in page.url
    titles = table_titles(page)
    assert titles == sorted(titles) and titles[0] == "Bonded repair of ocean-going ships"

    page.get_by_role("columnheader", name="Title").get_by_role("link").click()
    expect(page.get_by_role("columnheader", name="Title")).to_have_attribute(
        "aria-sort", "descending"
    )
    assert table_titles(page)[0] == "The Guangzhou data exchange"


def test_switching_language_keeps_the_filtered_list(live_server, page):
    catalogue()
    page.goto(f"{live_server.url}/en/cases/?theme=digital-trade&sort=-title")
    page.get_by_role("navigation", name="Language").get_by_role("link", name="中文").click()

    assert page.url == f"{live_server.url}/zh-hans/cases/?theme=digital-trade&sort=-title"
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("案例")
    expect(page.get_by_role("checkbox", name="数字贸易")).to_be_checked()
    assert table_titles(page) == ["广州数据交易所", "北京数字金融服务"]


def test_the_csv_download_has_the_rows_of_the_table(live_server, page, tmp_path):
    catalogue(extra_cases=3)
    page.goto(f"{live_server.url}/en/cases/?sector=SG&sort=title")
    shown = table_titles(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("servtrade-cases-")
    path = tmp_path / "cases.csv"
    download.save_as(path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert [row["English title"] for row in rows] == shown
    assert all(row["Permalink"].startswith(f"{live_server.url}/en/cases/") for row in rows)


def test_the_filter_form_works_with_the_keyboard_alone(live_server, page):
    catalogue()
    page.goto(f"{live_server.url}/en/cases/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()

    def tab_to(locator, limit=60):
        for _ in range(limit):
            page.keyboard.press("Tab")
            if locator.evaluate("element => element === document.activeElement"):
                return
        pytest.fail(f"Tab never reached {locator}")

    search = page.get_by_label("Keywords")
    tab_to(search)
    outline = search.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline != "none", "the focused control shows no outline"
    page.keyboard.type("data")
    tab_to(page.get_by_role("checkbox", name="Digital trade"))
    page.keyboard.press("Space")
    tab_to(page.get_by_role("button", name="Apply filters"))
    page.keyboard.press("Enter")

    page.wait_for_url("**/en/cases/?q=data*")
    assert "theme=digital-trade" in page.url
    assert table_titles(page) == ["The Guangzhou data exchange"]


def test_screenshots_of_the_main_pages(live_server, page, screenshot):
    catalogue(extra_cases=3)
    pages = {
        "home": "/zh-hans/",
        "home-en": "/en/",
        "case-list": "/zh-hans/cases/?sector=SG",
        "case-detail": "/zh-hans/cases/beijing-digital-finance/",
        "case-detail-en": "/en/cases/shenzhen-data-port/",
        "region-list": "/zh-hans/regions/",
        "region-detail": "/en/regions/guangzhou/",
        "program-list": "/en/programs/",
        "program-detail": "/zh-hans/programs/pilot-2020/",
        "batch-detail": "/en/programs/pilot-2020/batches/4/",
        "not-found": "/zh-hans/cases/draft-case/",
    }
    for name, path in pages.items():
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == (404 if name == "not-found" else 200), path
        expect(page.locator("main h1")).to_be_visible()
        screenshot(name)


def test_each_citation_has_a_copy_button_that_copies_it(live_server, page, context, screenshot):
    catalogue()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(f"{live_server.url}/en/cases/shenzhen-data-port/")
    citations = page.locator("section.cite p.citation")
    expect(citations).to_have_count(4)
    buttons = page.locator("section.cite button.copy-button")
    expect(buttons).to_have_count(4)
    apa_english = page.locator("#cite-apa7-en")
    page.locator("#cite-apa7-en + button").click()
    expect(page.locator("#cite-apa7-en + button")).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == apa_english.inner_text().strip()
    assert copied.startswith("Safe cross-border data flows in Shenzhen. (2023, November 1).")
    # The button names the citation it copies, for screen readers.
    described_by = page.locator("#cite-apa7-en + button").get_attribute("aria-describedby")
    assert page.locator(f"#{described_by}").inner_text() == "APA 7 · English"
    page.locator("#cite-heading").scroll_into_view_if_needed()
    screenshot("case-citations")


def test_replication_shows_on_the_case_and_both_region_pages(live_server, page, screenshot):
    catalogue()
    chongqing = ProvinceFactory(slug="chongqing", name_zh="重庆市", name_en="Chongqing")
    AdoptionFactory(
        case=Case.objects.get(slug="shenzhen-data-port"),
        region=chongqing,
        extent="partial",
        adopted_on=datetime.date(2024, 6, 1),
        evidence_url="https://example.org/chongqing-report",
        evidence_quote="重庆市借鉴深圳数据跨境流动安全管理经验，建立了本地的数据出境服务机制。",
    )
    page.goto(f"{live_server.url}/en/cases/shenzhen-data-port/")
    replication = page.locator("#adoptions")
    expect(replication).to_contain_text("Originated in: Shenzhen")
    expect(replication.locator("ul.adoptions a", has_text="Chongqing")).to_be_visible()
    replication.scroll_into_view_if_needed()
    screenshot("case-replication")
    page.goto(f"{live_server.url}/zh-hans/regions/chongqing/")
    expect(page.locator("#adopted")).to_contain_text("深圳数据跨境流动安全管理")
    screenshot("region-adopted")
    page.goto(f"{live_server.url}/en/regions/shenzhen/")
    expect(page.locator("#cases")).to_contain_text("Chongqing")


def test_a_reader_compares_two_regions_chosen_in_the_list(live_server, page, screenshot):
    catalogue(extra_cases=2)
    page.goto(f"{live_server.url}/en/cases/")
    open_facet(page, "Lead region")
    page.get_by_role("checkbox", name="Beijing").check()
    page.get_by_role("checkbox", name="Guangzhou").check()
    page.get_by_role("button", name="Apply filters").click()
    page.get_by_role("link", name="Compare these regions side by side").click()
    # In the facet's order (the test regions' codes put Guangzhou first).
    expect(page).to_have_url(f"{live_server.url}/en/compare/?region=guangzhou&region=beijing")
    expect(page.locator("main h1")).to_have_text("Guangzhou vs. Beijing")
    table = page.locator("table.compare")
    expect(table.locator("thead th")).to_have_text(["Guangzhou", "Beijing"])
    expect(table.locator("tr", has_text="Published cases").locator("td")).to_have_text(["2", "3"])
    expect(page.locator("button.print-button")).to_be_visible()
    screenshot("compare-regions")
    # On a phone the table scrolls sideways inside its box; the page itself does not.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(f"{live_server.url}/zh-hans/compare/?batch=pilot-2020-1&batch=pilot-2020-4")
    expect(page.locator("table.compare thead th")).to_have_count(2)
    screenshot("compare-batches-zh")


def test_a_reader_suggests_a_correction_from_a_case_page(live_server, page, screenshot):
    catalogue()
    page.goto(f"{live_server.url}/en/cases/shenzhen-data-port/")
    page.get_by_text("Suggest a correction to this case").click()
    page.get_by_label("What is missing or wrong").fill("The release date should be 2023-11-02.")
    page.get_by_label("Source (a link to where this is published)").fill(
        "https://www.mofcom.gov.cn/notice"
    )
    page.get_by_role("button", name="Continue").click()
    # The full form, filled in: the visitor checks, may add a contact, and sends.
    expect(page.get_by_label("What is missing or wrong")).to_have_value(
        "The release date should be 2023-11-02."
    )
    page.get_by_label("Your e-mail or name (optional)").fill("reader@example.org")
    page.get_by_role("button", name="Send suggestion").click()
    expect(page.locator("main h1")).to_have_text("Thank you")
    suggestion = Suggestion.objects.get()
    assert suggestion.case.slug == "shenzhen-data-port"
    assert suggestion.kind == "correction"
    # Markup is refused with the full form, which keeps what was typed.
    page.goto(f"{live_server.url}/zh-hans/suggest/?region=guangzhou")
    page.get_by_label("缺少什么或哪里有误").fill("<b>广州</b>案例")
    page.get_by_label("来源（公开发布该信息的网页链接）").fill("https://example.org/a")
    page.get_by_role("button", name="提交建议").click()
    expect(page.locator(".notice[role=alert]")).to_contain_text("请填写纯文本")
    expect(page.get_by_label("缺少什么或哪里有误")).to_have_value("<b>广州</b>案例")
    screenshot("suggest-refused")
    assert Suggestion.objects.count() == 1
