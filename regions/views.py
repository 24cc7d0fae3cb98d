"""Public pages about regions and programs.

They show counts and lists of published cases without importing ``cases``: they go through the
reverse relations (``region.led_cases``, ``program.batches``) and the cases' own QuerySet verbs,
so ``regions`` keeps pointing one way only.
"""

from django.views.generic import DetailView
from django_tables2 import SingleTableView

from regions.filters import RegionFilterSet
from regions.models import PilotProgram, Region, published_case_manager, published_cases
from regions.tables import ProgramTable, RegionTable
from servtrade.caching import cached
from servtrade.http_caching import catalogue_version
from servtrade.views import PublicListView

# How many of a region's cases its page lists before linking to the full list.
REGION_CASES_SHOWN = 20


class RegionListView(PublicListView):
    queryset = Region.objects.select_related("parent").prefetch_related("programs")
    filterset_class = RegionFilterSet
    table_class = RegionTable
    template_name = "regions/region_list.html"

    def get_queryset(self):
        return super().get_queryset().with_case_counts(catalogue_version(self.request))


class RegionDetailView(DetailView):
    template_name = "regions/region_detail.html"

    def get_queryset(self):
        version = catalogue_version(self.request)
        return Region.objects.select_related("parent").with_case_counts(version)

    def get_context_data(self, **kwargs):
        region = self.object
        adoptions = list(region.adoptions.public().select_related("case"))
        # Adoptions of the cases it leads, by other regions (the model reached by the relation).
        adopted_from_here = (
            region.adoptions.model.objects.public()
            .filter(case__in=region.led_cases.all())
            .select_related("case", "region")
        )
        nationwide = published_cases().replicated_nationwide_in(region)
        nationwide_count = cached(
            catalogue_version(self.request), ("nationwide", region.slug), nationwide.count
        )
        return super().get_context_data(
            memberships=region.memberships.select_related("program"),
            children=region.children.all(),
            cases=self.first_cases().itemised().order_by_release()[:REGION_CASES_SHOWN],
            adoptions=adoptions,
            adopted_from_here=adopted_from_here,
            nationwide_cases=nationwide.itemised()[:REGION_CASES_SHOWN] if nationwide_count else [],
            adopted_count=len(adoptions) + nationwide_count,
            **kwargs,
        )

    def first_cases(self):
        """The cases its count counts: a province's include its regions' (see with_case_counts).
        Read by id when the case bitmaps say which come first, so the database sorts 20 rows,
        not all of a province's."""
        ids = published_case_manager().first_led_by(
            catalogue_version(self.request), self.object.slug, REGION_CASES_SHOWN
        )
        if ids is None:
            return published_cases().in_regions([self.object.slug])
        return published_cases().filter(pk__in=ids)


class ProgramListView(SingleTableView):
    table_class = ProgramTable
    template_name = "regions/pilotprogram_list.html"
    table_pagination = False

    def get_queryset(self):
        return PilotProgram.objects.with_counts()

    def get_context_data(self, **kwargs):
        batches = PilotProgram._meta.get_field("batches").related_model.objects
        return super().get_context_data(coverage=batches.coverage(), **kwargs)


class ProgramDetailView(DetailView):
    template_name = "regions/pilotprogram_detail.html"

    def get_queryset(self):
        return PilotProgram.objects.with_counts()

    def get_context_data(self, **kwargs):
        program = self.object
        return super().get_context_data(
            memberships=program.memberships.select_related("region__parent").order_by(
                "region__code", "region__slug"
            ),
            batches=program.batches.with_case_counts(),
            **kwargs,
        )
