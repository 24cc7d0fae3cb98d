"""The real catalogue (the demo fixtures) in a real browser, as a new reader meets it.

Phone and desktop screenshots of home, the regions list, a fourth-batch case in Chinese and a
2016 case go to test-artifacts/screenshots/real-*.png for people to look at.
"""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.django_db(transaction=True)

# A fourth-batch case whose Chinese title is ours, and a 2016 experience with no release date.
FOURTH_BATCH_CASE = "xian-geographic-information-services"
CASE_2016 = "big-data-digital-services-trade"


@pytest.fixture
def demo_site(live_server):
    call_command("load_demo", verbosity=0)
    return live_server.url


def test_home_says_how_complete_the_catalogue_is(demo_site, page, screenshot):
    page.goto(f"{demo_site}/zh-hans/")
    figures = page.locator(".figures")
    expect(figures).to_contain_text("3")  # pilot programs with members, not the announced zones
    chart = page.locator("figure.completeness")
    expect(chart).to_contain_text("官方数量不详")
    chart.locator("summary").click()
    expect(chart.locator("tr", has_text="2020年 · 第4批")).to_contain_text("25")
    screenshot("real-home-zh")
    page.goto(f"{demo_site}/en/")
    screenshot("real-home-en")


def test_the_regions_list_opens_with_pilot_regions_and_counts_that_agree(
    demo_site, page, screenshot
):
    page.set_viewport_size(PHONE)
    page.goto(f"{demo_site}/en/regions/")
    expect(page.locator(".list-header .lead")).to_contain_text("31 regions match")
    # A phone reader can jump past the filters straight to the first pilot region.
    page.get_by_role("link", name="Skip to results").click()
    first_row = page.locator("table.results tbody tr").first
    expect(first_row.locator("td").nth(4)).not_to_be_empty()  # its pilot programs
    screenshot("real-regions-en")
    page.goto(f"{demo_site}/en/regions/?scope=province&q=zhejiang")
    expect(page.locator("table.results tbody tr").first).to_contain_text("2")
    page.goto(f"{demo_site}/en/regions/zhejiang/")
    expect(page.locator("#cases-heading")).to_contain_text("2")


def test_a_fourth_batch_case_in_chinese_says_its_title_is_ours_and_cites_its_source(
    demo_site, page, screenshot
):
    page.goto(f"{demo_site}/zh-hans/cases/{FOURTH_BATCH_CASE}/")
    heading = page.locator("h1")
    expect(heading).to_have_text("探索地理信息服务新模式")
    expect(page.locator(".caveats")).to_contain_text("暂拟标题")
    expect(page.locator("dt", has_text="官方通知")).to_be_visible()
    expect(page.locator("#cite-apa7-zh")).to_contain_text("[探索地理信息服务新模式]. (2023年")
    expect(page.locator(".note")).to_contain_text("正式标题尚未查到")
    screenshot("real-case-fourth-batch-zh")


def test_a_2016_case_says_its_date_is_not_known_and_its_source_is_secondary(
    demo_site, page, screenshot
):
    page.goto(f"{demo_site}/en/cases/{CASE_2016}/")
    facts = page.locator("article dl.facts").first
    expect(facts).to_contain_text("Date not known")
    expect(facts).to_contain_text("Secondary source (official notice not yet linked)")
    expect(facts).not_to_contain_text("2026")
    expect(page.locator("#cite-apa7-en")).to_contain_text("(n.d.)")
    screenshot("real-case-2016-en")
    page.goto(f"{demo_site}/zh-hans/cases/{CASE_2016}/")
    screenshot("real-case-2016-zh")
