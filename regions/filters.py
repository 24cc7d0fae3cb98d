from django.utils.translation import gettext_lazy as _
from django_filters import CharFilter

from regions.models import PilotProgram, Region, RegionQuerySet
from servtrade.facets import FacetFilter, FacetFilterSet, Option


def program_options():
    """The pilot programs as facet options, oldest first; for any list filtered by program."""
    return [Option(program.slug, program.name) for program in PilotProgram.objects.all()]


def kind_options():
    return [Option(value, label) for value, label in Region.Kind.choices]


def province_options():
    return [Option(region.slug, region.name) for region in Region.objects.top_level()]


class RegionFilterSet(FacetFilterSet):
    """The public region list's filters, by slug or kind, as a shareable URL."""

    q = CharFilter(label=_("Name"), method="search", max_length=100)
    program = FacetFilter(
        label=_("Pilot program"),
        apply=RegionQuerySet.in_programs,
        count=RegionQuerySet.program_counts,
        options=program_options,
    )
    kind = FacetFilter(
        label=_("Kind"),
        apply=RegionQuerySet.in_kinds,
        count=RegionQuerySet.kind_counts,
        options=kind_options,
    )
    province = FacetFilter(
        label=_("Province"),
        apply=RegionQuerySet.in_provinces,
        count=RegionQuerySet.province_counts,
        options=province_options,
    )

    class Meta:
        model = Region
        fields = ["q", "program", "kind", "province"]
