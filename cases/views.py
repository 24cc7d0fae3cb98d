from django.db.models import F
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.generic import DetailView, TemplateView

from cases.filters import CaseFilterSet
from cases.models import Case, CaseBatch
from cases.tables import CaseTable
from regions.models import PilotProgram, Region
from servtrade.caching import cached
from servtrade.http_caching import catalogue_version
from servtrade.views import PublicListView

# How many related cases a case page suggests.
RELATED_CASES = 6
# The facets the home page offers as ways into the catalogue.
HOME_FACETS = ["theme", "sector", "region"]


class HomeView(TemplateView):
    """The catalogue's figures and ways in; cached until the catalogue changes."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        version = catalogue_version(self.request)
        published = Case.objects.published()
        return super().get_context_data(
            **cached(version, ("home-figures",), home_figures),
            facets=CaseFilterSet(queryset=published, version=version).facets(HOME_FACETS),
            **kwargs,
        )


def home_figures():
    latest = CaseBatch.objects.with_case_counts().select_related("program")
    return {
        "program_count": PilotProgram.objects.with_members().count(),
        "region_count": Region.objects.pilot().count(),
        "batch_count": CaseBatch.objects.count(),
        "case_count": Case.objects.published().count(),
        "latest_batch": latest.order_by(F("published_on").desc(nulls_last=True)).first(),
        "coverage": CaseBatch.objects.coverage(),
    }


class CaseListView(PublicListView):
    # Newest release first, cases whose release date is not known last.
    queryset = Case.objects.published().listed().order_by_release()
    filterset_class = CaseFilterSet
    table_class = CaseTable
    template_name = "cases/case_list.html"
    export_name = "servtrade-cases"

    def get_filterset_kwargs(self, filterset_class):
        # Options, counts and the total are cached until the catalogue changes.
        version = catalogue_version(self.request)
        return {**super().get_filterset_kwargs(filterset_class), "version": version}


class CaseDetailView(DetailView):
    """A published case. Staff preview drafts and cases in review here, under a banner; for
    everyone else such an address is a 404 like any unknown one."""

    template_name = "cases/case_detail.html"

    def get_queryset(self):
        return Case.objects.visible_to(self.request.user).with_related()

    def get_context_data(self, **kwargs):
        case = self.object
        permalink = self.request.build_absolute_uri(case.get_absolute_url())
        related = Case.objects.published().related_to(case).listed()[:RELATED_CASES]
        return super().get_context_data(
            related_cases=related,
            official_sources=case.official_sources(),
            other_sources=case.other_sources(),
            permalink=permalink,
            # Only what the public can reach is worth citing.
            citation=case.citation(permalink, timezone.localdate()) if case.is_published else "",
            **kwargs,
        )

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if not self.object.is_published:
            # A preview must never be kept by a shared cache and shown to the public.
            patch_cache_control(response, private=True, no_store=True)
        return response


class BatchDetailView(DetailView):
    """A batch's published cases, grouped by theme, with how many of them are catalogued."""

    template_name = "cases/casebatch_detail.html"

    def get_object(self, queryset=None):
        batches = CaseBatch.objects.with_case_counts().select_related("program")
        return get_object_or_404(
            batches, program__slug=self.kwargs["program_slug"], number=self.kwargs["number"]
        )

    def get_context_data(self, **kwargs):
        cases = self.object.cases.published().listed()
        return super().get_context_data(
            cases=cases.order_by(F("theme__position").asc(nulls_last=True), "theme__slug", "slug"),
            **kwargs,
        )
