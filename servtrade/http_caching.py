"""HTTP caching of every anonymous public GET: validators from the catalogue version, 304s, and
a Cache-Control that lets a shared cache in front (nginx, a CDN) keep a page for a short time.

A public page changes only when the catalogue does (its version, servtrade.caching), when the
language or the address differs, when the day changes (citations carry the date) or when a new
release changes the templates. The ETag hashes exactly those, so a conditional GET is answered
304 before any view runs, at the cost of the one query that reads the version (which the views
then reuse: ``catalogue_version(request)``). Last-Modified is when the catalogue last changed.

Never cached, by anyone but the visitor's own browser, and never answered 304 here:
- anything a signed-in user sees (staff see drafts, banners, their own session);
- a response whose view already said how to cache it (a draft preview is ``private, no-store``);
- a response that sets a cookie, or is not a 200;
- the paths in ``HTTP_CACHE_EXCLUDED_PATHS`` (the admin, the language switch, health checks);
- a page built from entries of an earlier catalogue version, while the new version's are computed
  (``servtrade.caching.served_stale()``): it gets no validators and ``no-cache``, so that no
  browser or shared cache keeps it as the new version's.
Everything else under the site (today's pages, tomorrow's /api/ and /data/) gets it for free.
"""

import hashlib
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from cases.models import CatalogueVersion
from servtrade import caching

_STATE = "_servtrade_catalogue_state"
_MISSING = (None, None)


def catalogue_state(request):
    """(token, changed_at) of the catalogue, read at most once per request."""
    if not hasattr(request, _STATE):
        setattr(request, _STATE, CatalogueVersion.objects.state() or _MISSING)
    return getattr(request, _STATE)


def catalogue_version(request):
    """The catalogue's version token for this request (None when there is none)."""
    return catalogue_state(request)[0]


@cache
def release():
    """A digest of what renders a page besides the data: code, templates, translations, static.

    The same files give the same digest on every host, so all gunicorn hosts agree on ETags;
    a deployment that changes any of them changes every ETag. ``HTTP_CACHE_RELEASE`` (e.g. the
    release's commit) replaces the scan.
    """
    if settings.HTTP_CACHE_RELEASE:
        return settings.HTTP_CACHE_RELEASE
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for folder, pattern in (
        ("templates", "*.html"),
        ("locale", "*.mo"),
        ("static", "*"),
        ("servtrade", "*.py"),
        ("cases", "*.py"),
        ("regions", "*.py"),
    ):
        for path in sorted((base / folder).rglob(pattern)):
            if path.is_file():
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class PublicHTTPCacheMiddleware:
    """Place after AuthenticationMiddleware (it reads ``request.user``) and LocaleMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        caching.begin_request()
        if not self.applies_to(request):
            response = self.get_response(request)
            if request.user.is_authenticated and "Cache-Control" not in response:
                # A signed-in user's page is theirs alone, and is checked again on every visit.
                patch_cache_control(response, private=True, no_cache=True)
            return response

        etag, last_modified = self.validators(request)
        if etag:
            not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
            if not_modified is not None:
                return self.mark_cacheable(not_modified, etag, last_modified)

        response = self.get_response(request)
        if caching.served_stale():
            patch_cache_control(response, no_cache=True, max_age=0)
        elif etag and self.is_cacheable(response):
            self.mark_cacheable(response, etag, last_modified)
        return response

    @staticmethod
    def applies_to(request):
        return (
            request.method in ("GET", "HEAD")
            and not request.path.startswith(tuple(settings.HTTP_CACHE_EXCLUDED_PATHS))
            and not request.user.is_authenticated
        )

    @staticmethod
    def validators(request):
        try:
            token, changed_at = catalogue_state(request)
        except DatabaseError:
            # No database, no version: the page is served (or fails) uncached.
            return None, None
        if token is None:
            return None, None
        parts = (
            token,
            release(),
            getattr(request, "LANGUAGE_CODE", ""),
            timezone.localdate().isoformat(),
            request.get_full_path(),
        )
        etag = f'"{caching.digest_of(parts)}"'
        # Whole seconds, as HTTP dates have them. (Two changes within one second share a date;
        # the ETag, which clients send along and which takes precedence, still tells them apart.)
        last_modified = int(changed_at.timestamp()) if changed_at else None
        return etag, last_modified

    @staticmethod
    def is_cacheable(response):
        return (
            response.status_code == 200 and "Cache-Control" not in response and not response.cookies
        )

    @staticmethod
    def mark_cacheable(response, etag, last_modified):
        response.headers["ETag"] = etag
        if last_modified is not None:
            response.headers["Last-Modified"] = http_date(last_modified)
        # Browsers ask again each time (and get a 304 while nothing changed); a shared cache may
        # serve the page for HTTP_CACHE_SECONDS without asking.
        patch_cache_control(response, public=True, max_age=0, s_maxage=settings.HTTP_CACHE_SECONDS)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response
