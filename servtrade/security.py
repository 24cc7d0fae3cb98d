"""Who is asking: the client's address, believed from a proxy only when one is configured."""

from django.conf import settings
from django.contrib import admin
from django.shortcuts import render


def client_ip(request):
    """REMOTE_ADDR; behind a proxy (DJANGO_BEHIND_PROXY=1) the X-Real-IP the proxy sets.

    Without a proxy, X-Real-IP and X-Forwarded-For come from the client and could name anyone,
    so they are ignored: a lockout cannot be dodged, or pinned on someone else, by a header.
    """
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_REAL_IP", "").strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR")


def lockout_response(request, original_response, credentials):
    """django-axes' answer to a locked-out sign-in: the admin's page saying why and for how long,
    with 429 Too Many Requests (AXES_LOCKOUT_CALLABLE)."""
    from axes.helpers import get_cool_off, get_failure_limit

    minutes = int(get_cool_off(request).total_seconds() // 60)
    context = {
        **admin.site.each_context(request),
        # Signed out: the admin's app list would only say there is nothing to see.
        "is_nav_sidebar_enabled": False,
        "failure_limit": get_failure_limit(request, credentials),
        "minutes": minutes,
    }
    return render(request, "admin/locked_out.html", context, status=429)
