"""Typed readers for settings that come from the environment.

Each one rejects a value it cannot understand instead of guessing, so a typo in a deployment
fails at start-up with a message that names the variable.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default):
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use one of 1/0, true/false.")


def env_int(name, default):
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def secret_key():
    """DJANGO_SECRET_KEY, else the contents of the file DJANGO_SECRET_KEY_FILE names, else ''.

    A file keeps the key out of the process list and the shell history (container secrets,
    `make demo`'s own .local-secret-key); a file named but missing or empty is an error.
    """
    if key := os.environ.get("DJANGO_SECRET_KEY", "").strip():
        return key
    path = os.environ.get("DJANGO_SECRET_KEY_FILE", "").strip()
    if not path:
        return ""
    try:
        key = Path(path).read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ImproperlyConfigured(
            f"DJANGO_SECRET_KEY_FILE={path!r} cannot be read: {error.strerror}."
        ) from None
    if not key:
        raise ImproperlyConfigured(f"DJANGO_SECRET_KEY_FILE={path!r} is empty.")
    return key


def env_list(name, default):
    """A comma-separated list, e.g. DJANGO_ALLOWED_HOSTS=servtrade.example,www.servtrade.example."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def cache_from_url(url):
    """Django CACHES entry for CACHE_URL.

    redis:// and rediss:// URLs go to Django's Redis backend made to survive Redis going away
    (servtrade/cache_backends.py), which hands the URL to redis-py unchanged; locmem:// (or no
    URL) keeps a per-process cache; dummy:// caches nothing.
    """
    scheme = urlsplit(url).scheme if url else "locmem"
    if scheme in {"redis", "rediss"}:
        return {"BACKEND": "servtrade.cache_backends.ResilientRedisCache", "LOCATION": url}
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ImproperlyConfigured(
        f"CACHE_URL={url!r} has an unknown scheme {scheme!r}; use redis://, locmem:// or dummy://."
    )
