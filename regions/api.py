"""API endpoints of regions and pilot programs (mounted by servtrade.api_urls)."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view

from regions.models import Membership, PilotProgram, Region
from regions.serializers import PilotProgramSerializer, RegionSerializer
from servtrade.api import ReadOnlyViewSet
from servtrade.http_caching import catalogue_version


@extend_schema_view(
    list=extend_schema(summary="Pilot regions and their provinces, in code order"),
    retrieve=extend_schema(summary="One region, by slug"),
)
class RegionViewSet(ReadOnlyViewSet):
    serializer_class = RegionSerializer
    lookup_field = "slug"
    queryset = Region.objects.select_related("parent").prefetch_related("programs")

    def get_queryset(self):
        version = catalogue_version(self.request)
        # In code order, as the region list's default.
        return super().get_queryset().with_case_counts(version).order_by("code", "slug")


@extend_schema_view(
    list=extend_schema(summary="Pilot programs (phases), oldest first, with their members"),
    retrieve=extend_schema(summary="One pilot program, by slug"),
)
class PilotProgramViewSet(ReadOnlyViewSet):
    serializer_class = PilotProgramSerializer
    lookup_field = "slug"
    queryset = PilotProgram.objects.with_counts().prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("region").order_by(
                "region__code", "region__slug"
            ),
        )
    )
