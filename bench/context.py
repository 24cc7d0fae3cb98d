"""What bench/run.py reads from a benchmark database (through ``manage.py shell``)."""

from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
)
from django.contrib.sessions.backends.db import SessionStore

from cases.filters import CaseFilterSet
from cases.models import Case, ServiceSector, Theme
from regions.models import Region


def bench_context(theme, sector, region):
    """A superuser's session, the admin's query string for the benchmark filter, and a case to
    show in detail."""
    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_staff": True, "is_superuser": True}
    )
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return {
        "session": session.session_key,
        "filter": {
            "theme__id__exact": Theme.objects.get(slug=theme).pk,
            "sectors": ServiceSector.objects.get(code=sector).pk,
            "lead_regions": Region.objects.get(slug=region).pk,
        },
        "detail": Case.objects.published().filter(slug__startswith="generated-").first().slug,
    }


def bench_vocabulary(titles=3000):
    """What bench/run.py draws its cold queries from: titles of the catalogue, and every option
    of every facet of the case list (as the list itself offers them)."""
    cases = Case.objects.published().order_by("pk")[:titles]
    filterset = CaseFilterSet(queryset=Case.objects.published())
    return {
        "titles_zh": list(cases.values_list("title_zh", flat=True)),
        "titles_en": list(cases.values_list("title_en", flat=True)),
        "options": {
            name: [option.key for option in filterset.get_options(name)]
            for name in filterset.facet_names
        },
    }
