"""WSGI entry point (gunicorn servtrade.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servtrade.settings")

application = get_wsgi_application()

# A worker (each, after gunicorn forks it, or after it is recycled) gets the counting bitmaps
# in its background thread before its first visitor needs them: without, that visitor's list
# waited for their build (0.9-1.3 s at 100,000 cases) and the requests queued behind it too.
from cases.counting import prepare_in_background  # noqa: E402 (needs the apps loaded above)

prepare_in_background()
