"""The map and charts in a real browser, on the real catalogue (the demo fixtures).

Each page is checked with axe-core (vendored in tests/browser/vendor/, injected into the page:
no network), at phone width for sideways scrolling, with the keyboard for the map's details,
and photographed at phone and desktop width into test-artifacts/screenshots/.
"""

from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PAGES = [
    ("home", "/{lang}/"),
    ("program", "/{lang}/programs/comprehensive-deepening-2020/"),
    ("region", "/{lang}/regions/jinan/"),
    ("case-list", "/{lang}/cases/?region=guangdong"),
]


@pytest.fixture
def demo():
    call_command("load_demo", verbosity=0)
    cache.clear()


def axe_violations(page):
    """Serious and critical axe-core violations on the page: [(rule, [targets])]."""
    # Evaluated through the DevTools protocol, which the page's strict CSP (no inline script)
    # does not govern; a <script> tag with it would be refused, as it should.
    page.evaluate(AXE.read_text())
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        (v["id"], [node["target"] for node in v["nodes"]][:5])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
@pytest.mark.parametrize(("name", "path"), PAGES)
def test_pictures_show_pass_axe_and_fit_a_phone(
    live_server, page, screenshot, demo, lang, name, path
):
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security" in message.text else None
        ),
    )
    page.goto(live_server.url + path.format(lang=lang))
    assert page.evaluate("document.querySelectorAll('[style]').length") == 0
    if name == "case-list":
        # The charts of the filtered list: theme, sector and lead region.
        expect(page.locator("figure.facet-chart svg")).to_have_count(3)
    else:
        expect(page.locator("svg.map-svg")).to_be_visible()
        assert page.locator("a.marker").count() >= 28  # every pilot region of the catalogue
    if name in ("home", "program"):
        expect(page.locator("figure.completeness svg")).to_be_visible()
        expect(page.locator("figure.timeline svg")).to_be_visible()
    if name == "region":
        expect(page.locator("a.marker.state-current")).to_have_count(1)
    assert axe_violations(page) == []
    assert refused == []  # nothing the strict Content-Security-Policy had to block
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(f"pictures-{name}-{lang}")


def test_the_map_shows_a_regions_details_on_keyboard_focus(live_server, page, demo):
    page.goto(f"{live_server.url}/en/")
    readout = page.locator('a.marker[href="/en/regions/shenzhen/"] .readout')
    expect(readout).to_be_hidden()
    # Tab from the link just before the map until the focus reaches Shenzhen.
    page.locator("a.marker").first.focus()
    for _ in range(60):
        if page.evaluate("document.activeElement.getAttribute('href')") == "/en/regions/shenzhen/":
            break
        page.keyboard.press("Tab")
    expect(readout).to_be_visible()
    expect(readout).to_contain_text("Shenzhen")
    expect(readout).to_contain_text("2016, 2018, 2020")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/en/regions/shenzhen/")


def test_the_pictures_work_without_javascript(live_server, browser, demo):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/zh-hans/")
    expect(page.locator("svg.map-svg")).to_be_visible()
    page.locator("figure.region-map summary").click()
    expect(page.locator("figure.region-map table.data")).to_be_visible()
    context.close()
