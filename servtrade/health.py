"""``/healthz`` and ``/readyz``: what a load balancer or an operator polls, every second if need be.

``/healthz`` only says the process answers; it touches nothing. ``/readyz`` checks what a page
needs: the database answers ``SELECT 1``, the migrations on disk are applied, and the cache
answers. Without the database (or with migrations missing) the site cannot serve, so the answer
is 503; without the cache it serves from the database (servtrade/cache_backends.py), so the
answer stays 200 and says "degraded". Answers name a check and its state, never a host, a
user, a password or an exception's message.
"""

import time

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from servtrade.cache_backends import CacheUnavailable

# Once every migration is applied it stays so for the life of the process (a deploy with new
# migrations starts new processes), so the migration graph is read from disk only until then.
_migrations_applied = False


def check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return f"unavailable ({type(error).__name__})"
    return "ok"


def check_migrations():
    global _migrations_applied
    if _migrations_applied:
        return "ok"
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as error:
        return f"unknown ({type(error).__name__})"
    if plan:
        return f"{len(plan)} not applied"
    _migrations_applied = True
    return "ok"


def check_cache():
    ping = getattr(cache, "ping", None)  # a per-process memory cache is always there
    if ping is None:
        return "ok"
    try:
        ping()
    except CacheUnavailable:
        return "unavailable"
    return "ok"


@never_cache
@require_safe
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request):
    started = time.monotonic()
    checks = {"database": check_database()}
    checks["migrations"] = check_migrations() if checks["database"] == "ok" else "unknown"
    checks["cache"] = check_cache()
    if checks["database"] != "ok" or checks["migrations"] != "ok":
        status, code = "unavailable", 503
    elif checks["cache"] != "ok":
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return JsonResponse(
        {
            "status": status,
            "checks": checks,
            "duration_ms": round((time.monotonic() - started) * 1000, 1),
        },
        status=code,
    )
