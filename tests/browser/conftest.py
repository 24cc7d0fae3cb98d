"""Browser tests: Playwright driving Debian's headless Chromium against pytest-django's live server.

Never downloads a browser: it launches /usr/bin/chromium (Debian's `chromium` package, which
.ci/run installs). Screenshots go to test-artifacts/screenshots/ for people to look at.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("SERVTRADE_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}

# Playwright's sync API runs an event loop in the test's thread; Django's ORM (used by the tests
# to set up data) refuses to run beside one unless told that this is deliberate.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.fail(
            f"Browser tests need Debian's Chromium at {CHROMIUM}: apt-get install chromium "
            "(.ci/run installs it)."
        )
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": True,
        # As root Chromium needs --no-sandbox; the others stop it calling out to Google's
        # services, which this closed network refuses.
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot at phone and desktop width: screenshot("case-list")."""

    def take(name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
            page.set_viewport_size(size)
            page.screenshot(path=SCREENSHOTS / f"{name}-{label}.png", full_page=True)
        page.set_viewport_size(DESKTOP)

    return take


@pytest.fixture(autouse=True)
def csp_violations(page):
    """Every browser test fails if the page logs a Content-Security-Policy violation: the site
    and the admin must work under the strict policy (settings.SECURE_CSP). A test that provokes
    one on purpose reads and clears this list."""
    violations = []

    def watch(message):
        if "Content Security Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", watch)
    yield violations
    assert not violations, "CSP violations:\n" + "\n".join(violations)
