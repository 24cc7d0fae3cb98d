from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django_filters import CharFilter

from regions.models import PilotProgram, Region
from servtrade.facets import FacetFilter, FacetFilterSet, Option


class RegionFilterSet(FacetFilterSet):
    """The public region list's filters, by slug or kind, as a shareable URL.

    It lists pilot regions unless the URL chooses a ``scope``: the provinces around them, which
    are not pilot regions themselves, only by that filter (``?scope=province``).
    """

    scope = FacetFilter(label=_("Show"), apply="in_scopes", count="scope_counts")
    q = CharFilter(label=_("Name"), method="search", max_length=100)
    program = FacetFilter(label=_("Pilot program"), apply="in_programs", count="program_counts")
    kind = FacetFilter(label=_("Kind"), apply="in_kinds", count="kind_counts")
    province = FacetFilter(label=_("Province"), apply="in_provinces", count="province_counts")

    class Meta:
        model = Region
        fields = ["scope", "q", "program", "kind", "province"]

    def __init__(self, data=None, *args, **kwargs):
        if data is None or "scope" not in data:
            data = data.copy() if data is not None else QueryDict(mutable=True)
            data.setlist("scope", [DEFAULT_SCOPE])
        super().__init__(data, *args, **kwargs)

    def options_scope(self):
        yield Option("pilot", _("Pilot regions"))
        yield Option("province", _("Other regions (the provinces around pilot regions)"))

    def options_program(self):
        return program_options()

    def options_kind(self):
        for value, label in Region.Kind.choices:
            yield Option(value, label)

    def options_province(self):
        for region in Region.objects.top_level():
            yield Option(region.slug, region.name)


# What the region list shows when its URL chooses nothing.
DEFAULT_SCOPE = "pilot"


def program_options():
    """The pilot programs as facet options, oldest first; for any list filtered by program."""
    return [Option(program.slug, program.name) for program in PilotProgram.objects.all()]
