"""The API's documentation and the open data page in a real browser, with the network off:
everything they need is served by the site itself."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_csp_in_browser import assert_strict_policy
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db(transaction=True)


def offline(page, live_server):
    """Refuse every request that leaves the live server; return the list of those refused."""
    refused = []

    def route(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    return refused


def test_the_api_docs_work_with_the_network_off(page, live_server, screenshot):
    """... and under the site's Content-Security-Policy (no inline script or style; the autouse
    csp_violations fixture fails the test on any violation the browser logs)."""
    CaseFactory(slug="a-case")
    refused = offline(page, live_server)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    response = page.goto(live_server.url + "/api/docs/")
    assert_strict_policy(response)
    expect(page.get_by_text("/api/v1/cases/", exact=True).first).to_be_visible()
    expect(page.get_by_text("servtrade API").first).to_be_visible()
    screenshot("api-docs")
    assert refused == [] and errors == []


def test_the_open_data_page_links_the_api_docs_from_the_footer(page, live_server, screenshot):
    refused = offline(page, live_server)
    page.goto(live_server.url + "/en/data/")
    screenshot("open-data")
    page.get_by_role("contentinfo").get_by_role("link", name="JSON API").click()
    expect(page).to_have_url(live_server.url + "/api/docs/")
    assert refused == []
