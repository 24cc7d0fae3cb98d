"""The benchmark's reference view: a minimal hand-written view of the case list's query.

Same filters, same page size, with its count, a bare template: as fast as a page showing these
cases can reasonably be. bench/run.py measures every public page against it. Mounted only by
servtrade.settings_bench, never by the site itself.
"""

from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
)
from django.contrib.sessions.backends.db import SessionStore
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import render
from django.urls import path

from cases.filters import CaseFilterSet
from cases.models import Case, ServiceSector, Theme
from regions.models import Region
from servtrade.urls import urlpatterns as site_urlpatterns
from servtrade.views import PAGE_SIZES


def reference_case_list(request):
    cases = Case.objects.published()
    if programs := request.GET.getlist("program"):
        cases = cases.filter(batch__program__slug__in=programs)
    if batches := request.GET.getlist("batch"):
        wanted = Q(pk__in=[])
        for key in batches:
            program, _sep, number = key.rpartition("-")
            wanted |= Q(batch__program__slug=program, batch__number=int(number))
        cases = cases.filter(wanted)
    if years := request.GET.getlist("year"):
        cases = cases.filter(published_on__year__in=[int(year) for year in years])
    if themes := request.GET.getlist("theme"):
        cases = cases.filter(theme__slug__in=themes)
    if sectors := request.GET.getlist("sector"):
        in_sectors = Case.sectors.through.objects.filter(servicesector__code__in=sectors)
        cases = cases.filter(Exists(in_sectors.filter(case=OuterRef("pk"))))
    if regions := request.GET.getlist("region"):
        led = Case.lead_regions.through.objects.filter(
            region__in=Region.objects.with_children_of(regions)
        )
        cases = cases.filter(Exists(led.filter(case=OuterRef("pk"))))
    if request.GET.get("q"):
        cases = cases.search(request.GET["q"])
    page = Paginator(
        cases.with_related(), int(request.GET.get("per_page", PAGE_SIZES[0]))
    ).get_page(request.GET.get("page"))
    return render(request, "bench/reference.html", {"page": page})


def bench_context(theme, sector, region):
    """What bench/run.py needs from its database: a superuser's session, the admin's query
    string for the benchmark filter, and a case to show in detail."""
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


urlpatterns = [path("bench/reference/", reference_case_list), *site_urlpatterns]
