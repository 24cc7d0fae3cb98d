from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django_filters import CharFilter

from regions.models import PilotProgram, Region, RegionQuerySet
from servtrade.facets import FacetFilter, FacetFilterSet, Option

# What the region list shows when its URL chooses nothing.
DEFAULT_SCOPE = "pilot"


def scope_options():
    return [
        Option("pilot", _("Pilot regions")),
        Option("province", _("Other regions (the provinces around pilot regions)")),
    ]


def program_options():
    """The pilot programs as facet options, oldest first; for any list filtered by program."""
    return [Option(program.slug, program.name) for program in PilotProgram.objects.all()]


def kind_options():
    return [Option(value, label) for value, label in Region.Kind.choices]


def province_options():
    return [Option(region.slug, region.name) for region in Region.objects.top_level()]


class RegionFilterSet(FacetFilterSet):
    """The public region list's filters, by slug or kind, as a shareable URL.

    It lists pilot regions unless the URL chooses a ``scope``: the provinces around them, which
    are not pilot regions themselves, only by that filter (``?scope=province``).
    """

    scope = FacetFilter(
        label=_("Show"),
        apply=RegionQuerySet.in_scopes,
        count=RegionQuerySet.scope_counts,
        options=scope_options,
    )
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
        fields = ["scope", "q", "program", "kind", "province"]

    def __init__(self, data=None, *args, **kwargs):
        if data is None or "scope" not in data:
            data = data.copy() if data is not None else QueryDict(mutable=True)
            data.setlist("scope", [DEFAULT_SCOPE])
        super().__init__(data, *args, **kwargs)
