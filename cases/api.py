"""API endpoints of cases, batches, themes and sectors (mounted by servtrade.api_urls).

The case list reads exactly the public list's parameters through the same ``CaseFilterSet`` and
sorts through the same ``CaseTable``, so ``/api/v1/cases/?…`` gives the cases of
``/en/cases/?…`` in the same order. Only a value the list would ignore is answered with a 400.
"""

from django.db.models import F
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions

from cases.filters import SEARCH_MAX_LENGTH, CaseFilterSet
from cases.models import Case, CaseBatch, ServiceSector, Theme
from cases.serializers import (
    CaseBatchSerializer,
    CaseDetailSerializer,
    CaseSerializer,
    ServiceSectorSerializer,
    ThemeSerializer,
)
from cases.tables import CaseTable
from servtrade.api import ReadOnlyViewSet, list_parameter, strict_filterset
from servtrade.http_caching import catalogue_version

FACET_PARAMETERS = {
    "program": "Pilot program slug, e.g. `pilot-2020`.",
    "batch": "Batch key, `<program slug>-<number>`.",
    "theme": "Theme slug.",
    "sector": "EBOPS 2010 sector code, SA to SL.",
    "region": "Lead region slug; a province includes the cases of its cities.",
    "year": "Year the case was published.",
    "adopted": "`elsewhere`: only cases another region adopted (or a nationwide replication).",
}


def case_list_parameters():
    """The public list's parameters, documented; the values each facet knows are added to the
    schema when it is generated (``list_known_values``), as they change with the catalogue."""
    return [
        OpenApiParameter(
            "q",
            {"type": "string", "maxLength": SEARCH_MAX_LENGTH, "pattern": "^[^\\x00]*$"},
            OpenApiParameter.QUERY,
            description="Keywords, in either language; every word must match. Without `sort`, "
            "the best matches come first.",
        ),
        *[
            list_parameter(name, f"{text} Repeat it to allow several values (any of them).")
            for name, text in FACET_PARAMETERS.items()
        ],
        list_parameter(
            "sort",
            "Sort by a column, `-` before it for descending; repeat it for ties. `title` sorts by "
            "the English title, as `/en/cases/` does. Without it: newest first, then by slug.",
            enum=CaseTable.sort_keys(),
        ),
    ]


@extend_schema_view(
    list=extend_schema(
        summary="Published cases, filtered and sorted as the public case list",
        parameters=case_list_parameters(),
    ),
    retrieve=extend_schema(summary="One published case, by slug, with its full text"),
)
class CaseViewSet(ReadOnlyViewSet):
    lookup_field = "slug"

    def get_queryset(self):
        cases = Case.objects.published().with_related().with_adoption_counts()
        if self.action == "list":
            # The public list's default order (CaseListView), in which the counting bitmaps
            # number the cases.
            return cases.defer("body_zh", "body_en", "verification_note").order_by_release()
        return cases

    def get_serializer_class(self):
        return CaseSerializer if self.action == "list" else CaseDetailSerializer

    def filter_queryset(self, queryset):
        params = self.request.query_params
        # Unbound without parameters, as on the page: no facet options need reading then.
        self.filterset = strict_filterset(
            CaseFilterSet(
                params or None, queryset=queryset, version=catalogue_version(self.request)
            )
        )
        sorts = params.getlist("sort")
        unknown = [key for key in sorts if key not in CaseTable.sort_keys()]
        if unknown:
            message = _("“%(value)s” is not a column to sort by.") % {"value": unknown[0][:60]}
            raise exceptions.ValidationError({"sort": [message]})
        # The public list's own table sorts; the title in English, as /en/cases/ does.
        with translation.override("en"):
            return CaseTable(self.filterset.qs, order_by=sorts).data.data

    def known_count(self):
        """The filtered count, cached under the catalogue version (see servtrade.facets)."""
        return self.filterset.count()


@extend_schema_view(
    list=extend_schema(summary="Batches of cases, by program and number"),
    retrieve=extend_schema(summary="One batch, by key"),
)
class CaseBatchViewSet(ReadOnlyViewSet):
    serializer_class = CaseBatchSerializer
    lookup_field = "key"
    # Aggregates drop Meta.ordering, so each list names its total order.
    queryset = (
        CaseBatch.objects.with_case_counts()
        .select_related("program")
        .order_by(F("program__approved_on").asc(nulls_last=True), "program__slug", "number")
    )

    def get_object(self):
        program_slug, _sep, number = self.kwargs["key"].rpartition("-")
        if not number.isdigit():
            raise exceptions.NotFound()
        return get_object_or_404(
            self.get_queryset(), program__slug=program_slug, number=int(number)
        )


@extend_schema_view(
    list=extend_schema(summary="Themes, in the site's order"),
    retrieve=extend_schema(summary="One theme, by slug"),
)
class ThemeViewSet(ReadOnlyViewSet):
    serializer_class = ThemeSerializer
    lookup_field = "slug"
    queryset = Theme.objects.with_case_counts().order_by("position", "slug")


@extend_schema_view(
    list=extend_schema(summary="The 12 EBOPS 2010 service sectors"),
    retrieve=extend_schema(summary="One sector, by EBOPS code"),
)
class ServiceSectorViewSet(ReadOnlyViewSet):
    serializer_class = ServiceSectorSerializer
    lookup_field = "code"
    queryset = ServiceSector.objects.with_case_counts().order_by("code")


def list_known_values(result, generator, request, public):
    """drf-spectacular hook: each facet parameter of the case list lists the values it takes."""
    filterset = CaseFilterSet(queryset=Case.objects.published())
    operation = result["paths"].get("/api/v1/cases/", {}).get("get")
    for parameter in operation["parameters"] if operation else ():
        if parameter["name"] in FACET_PARAMETERS:
            options = filterset.get_options(parameter["name"])
            parameter["schema"]["items"]["enum"] = [option.key for option in options]
    return result
