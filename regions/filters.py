from django.utils.translation import gettext_lazy as _
from django_filters import CharFilter

from regions.models import PilotProgram, Region
from servtrade.facets import FacetFilter, FacetFilterSet, Option


class RegionFilterSet(FacetFilterSet):
    """The public region list's filters, by slug or kind, as a shareable URL."""

    q = CharFilter(label=_("Name"), method="search", max_length=100)
    program = FacetFilter(label=_("Pilot program"), apply="in_programs", count="program_counts")
    kind = FacetFilter(label=_("Kind"), apply="in_kinds", count="kind_counts")
    province = FacetFilter(label=_("Province"), apply="in_provinces", count="province_counts")

    class Meta:
        model = Region
        fields = ["q", "program", "kind", "province"]

    def options_program(self):
        return program_options()

    def options_kind(self):
        for value, label in Region.Kind.choices:
            yield Option(value, label)

    def options_province(self):
        for region in Region.objects.top_level():
            yield Option(region.slug, region.name)


def program_options():
    """The pilot programs as facet options, oldest first; for any list filtered by program."""
    return [Option(program.slug, program.name) for program in PilotProgram.objects.all()]
