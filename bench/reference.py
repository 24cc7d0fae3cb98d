"""The benchmark's reference view: a minimal hand-written view of the case list's query.

Same filters, same page size, with its count, a bare template: as fast as a page showing these
cases can reasonably be. bench/run.py measures every public page against it. Mounted only by
bench.settings, never by the site itself.
"""

from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef, Q
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from cases.models import Case
from cases.querysets import ADOPTED_ELSEWHERE
from regions.models import Region
from servtrade.urls import urlpatterns as site_urlpatterns
from servtrade.views import PAGE_SIZES

# A bare list, compiled once like any cached template.
TEMPLATE = engines["django"].from_string(
    """<!doctype html><html lang="en"><meta charset="utf-8"><title>reference</title>
<p>{{ page.paginator.count }} cases</p>
<table>{% for case in page %}
<tr><td><a href="/en/cases/{{ case.slug }}/">{{ case.title_en|default:case.title_zh }}</a></td>
<td>{{ case.batch.title_en }}</td><td>{{ case.theme.name_en }}</td>
<td>{% for region in case.lead_regions.all %}{{ region.name_en }} {% endfor %}</td>
<td>{% for sector in case.sectors.all %}{{ sector.code }} {% endfor %}</td>
<td>{{ case.batch.published_on }}</td></tr>{% endfor %}
</table></html>"""
)


def in_batches(cases, keys):
    wanted = Q(pk__in=[])
    for key in keys:
        program, _sep, number = key.rpartition("-")
        wanted |= Q(batch__program__slug=program, batch__number=int(number))
    return cases.filter(wanted)


def in_years(cases, years):
    # The ministry's release year (the batch's); "unknown": the date is not known.
    wanted = Q(batch__published_on__year__in=[int(year) for year in years if year.isdigit()])
    if "unknown" in years:
        wanted |= Q(batch__published_on__isnull=True)
    return cases.filter(wanted)


def in_source_kinds(cases, kinds):
    official = Case.sources.through.objects.filter(source__kind="official")
    has_official = Exists(official.filter(case=OuterRef("pk")))
    if kinds == ["official"]:
        return cases.filter(has_official)
    return cases.exclude(has_official) if kinds == ["secondary"] else cases


def in_sectors(cases, codes):
    links = Case.sectors.through.objects.filter(servicesector__code__in=codes)
    return cases.filter(Exists(links.filter(case=OuterRef("pk"))))


def in_regions(cases, slugs):
    led = Case.lead_regions.through.objects.filter(
        region__in=Region.objects.with_children_of(slugs)
    )
    return cases.filter(Exists(led.filter(case=OuterRef("pk"))))


FILTERS = {
    "program": lambda cases, slugs: cases.filter(batch__program__slug__in=slugs),
    "batch": in_batches,
    "year": in_years,
    "source": in_source_kinds,
    "theme": lambda cases, slugs: cases.filter(theme__slug__in=slugs),
    "sector": in_sectors,
    "region": in_regions,
    "adopted": lambda cases, keys: (
        cases.adopted_elsewhere() if ADOPTED_ELSEWHERE in keys else cases
    ),
}


def reference_case_list(request):
    # The list's order: newest release first, unknown dates last.
    cases = Case.objects.published().order_by(
        F("batch__published_on").desc(nulls_last=True), "slug"
    )
    for name, apply in FILTERS.items():
        if values := request.GET.getlist(name):
            cases = apply(cases, values)
    if request.GET.get("q"):
        cases = cases.search(request.GET["q"])
    page = Paginator(
        cases.with_related(), int(request.GET.get("per_page", PAGE_SIZES[0]))
    ).get_page(request.GET.get("page"))
    return HttpResponse(TEMPLATE.render({"page": page}, request))


urlpatterns = [path("bench/reference/", reference_case_list), *site_urlpatterns]
