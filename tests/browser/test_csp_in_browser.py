"""The strict Content-Security-Policy in a real browser: every public page and the admin's pages
work under it, with their scripts running, and the browser logs no violation (the autouse
csp_violations fixture in conftest.py fails any browser test that logs one)."""

import pytest
from playwright.sync_api import expect

from cases.models import Case
from tests.browser.test_public_site import catalogue
from tests.factories import SuperuserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"


def assert_strict_policy(response):
    policy = response.headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    for kind in ("script-src", "style-src"):
        assert "unsafe-inline" not in directives[kind]
        assert "unsafe-eval" not in directives[kind]


def test_every_public_page_works_under_the_policy(live_server, page):
    catalogue()
    case = Case.objects.published().select_related("batch__program").first()
    region = case.lead_regions.first()
    pages = [
        "/zh-hans/",
        "/en/",
        "/en/cases/",
        "/zh-hans/cases/?theme=digital-trade&sort=-published_on",
        case.get_absolute_url(),
        case.batch.get_absolute_url(),
        "/en/regions/",
        region.get_absolute_url(),
        "/en/programs/",
        case.batch.program.get_absolute_url(),
        "/en/compare/?region=beijing&region=guangzhou",
        "/zh-hans/compare/?region=nowhere",
        f"{case.get_absolute_url()}both-languages/",
        "/en/suggest/?region=guangzhou",
        "/en/no-such-page/",
    ]
    for path in pages:
        response = page.goto(live_server.url + path)
        assert response.status in (200, 400, 404), path
        assert_strict_policy(response)
        expect(page.locator("link[rel=stylesheet]").first).to_be_attached()
        # The stylesheet applied (not refused): the header is laid out by site.css.
        assert page.evaluate(
            "getComputedStyle(document.querySelector('.site-header')).display"
        ) in ("block", "flex", "grid"), path

    # site.js ran: on a wide screen it opens the short filter groups of the case list.
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_server.url + "/en/cases/")
    assert page.locator("details.facet[open]").count() > 0


def test_the_admin_works_under_the_policy(live_server, page):
    SuperuserFactory(username="chief", password=PASSWORD)
    catalogue()
    case = Case.objects.first()

    response = page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    assert_strict_policy(response)
    page.locator("#id_username").fill("chief")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    expect(page.locator("#site-name")).to_be_visible()

    # The changelist's action script runs: ticking "select all" counts the rows.
    page.goto(f"{live_server.url}/admin/cases/case/")
    page.locator("#action-toggle").check()
    expect(page.locator(".action-counter")).to_contain_text(str(Case.objects.count()))

    # The change form's scripts run: autocomplete widgets (select2) and the date shortcuts.
    page.goto(f"{live_server.url}/admin/cases/case/{case.pk}/change/")
    expect(page.locator(".select2-container").first).to_be_visible()
    expect(page.locator(".datetimeshortcuts").first).to_be_attached()

    # The export page's "select all" box (its handler attached by static/js/admin_csp.js, not
    # by an inline onchange) clears every field's box.
    page.goto(f"{live_server.url}/admin/cases/case/export/")
    fields = page.locator('.selectable-field-export-row input[type="checkbox"]')
    assert fields.count() > 1 and all(box.is_checked() for box in fields.all())
    page.locator("input.select-toggle").uncheck()
    assert not any(box.is_checked() for box in fields.all())

    for path in (
        "/admin/cases/case/add/",
        f"/admin/cases/case/{case.pk}/history/",
        "/admin/cases/case/import/",
        "/admin/cases/casebatch/",
        "/admin/regions/region/",
        "/admin/auth/user/",
    ):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert_strict_policy(response)


def test_an_injected_inline_script_is_refused(live_server, page, csp_violations):
    catalogue()
    page.goto(f"{live_server.url}/en/cases/")
    ran = page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.injected = true";
            document.body.append(script);
            return window.injected === true;
        }"""
    )
    assert ran is False
    page.wait_for_timeout(200)
    assert any("script-src" in violation for violation in csp_violations)
    csp_violations.clear()
