"""The benchmark's reference view: a minimal hand-written view of the case list's query.

Same filters, same page size, with its count, a bare template: as fast as a page showing these
cases can reasonably be. bench/run.py measures every public page against it. Mounted only by
bench.settings, never by the site itself.
"""

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
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
<td>{{ case.published_on }}</td></tr>{% endfor %}
</table></html>"""
)


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
    if ADOPTED_ELSEWHERE in request.GET.getlist("adopted"):
        cases = cases.adopted_elsewhere()
    if request.GET.get("q"):
        cases = cases.search(request.GET["q"])
    page = Paginator(
        cases.with_related(), int(request.GET.get("per_page", PAGE_SIZES[0]))
    ).get_page(request.GET.get("page"))
    return HttpResponse(TEMPLATE.render({"page": page}, request))


urlpatterns = [path("bench/reference/", reference_case_list), *site_urlpatterns]
