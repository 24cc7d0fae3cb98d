"""The test suite's settings: the site's production defaults, with what a test run needs.

A key of its own (never debug mode: the tests see the site as visitors do), plain HTTP for the
test client and the browser tests' live server, and static files found in the source folders so
the tests need no collectstatic (tests/test_deploy.py checks the hashed, compressed build).
"""

import os

_KEY = "DJANGO_SECRET_KEY"
_set_here = _KEY not in os.environ and "DJANGO_SECRET_KEY_FILE" not in os.environ
if _set_here:
    os.environ[_KEY] = "test-suite-only-secret-key-never-used-by-a-site-" + "x" * 20
try:
    from servtrade.settings import *  # noqa: F403
    from servtrade.settings import DATABASES, STORAGES
finally:
    # Subprocesses the tests start (manage.py checks) choose their own environment.
    if _set_here:
        del os.environ[_KEY]

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
DATABASES["default"]["CONN_MAX_AGE"] = 0
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Counts and bitmaps computed in the request: a background thread has its own connection and
# could not see a test's uncommitted rows, and could stand in an earlier test's bitmaps for this
# one's (tests/cases/test_counting.py and test_caching.py test the background with their own
# settings). Here, not in a fixture: module-scoped fixtures run before any test's.
COUNTING_IN_BACKGROUND = False
