#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys
from pathlib import Path

# The key `make` writes for this checkout (gitignored). Commands run by hand in a checkout set up
# by make use it, as make's own do; the site itself (gunicorn, servtrade.wsgi) never falls back
# to it, and without the file the settings still refuse to start without a key.
LOCAL_SECRET_KEY = Path(__file__).resolve().parent / ".local-secret-key"


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servtrade.settings")
    if not os.environ.get("DJANGO_SECRET_KEY") and LOCAL_SECRET_KEY.exists():
        os.environ.setdefault("DJANGO_SECRET_KEY_FILE", str(LOCAL_SECRET_KEY))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
