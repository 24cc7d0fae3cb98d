"""The API's view of regions and pilot programs (see servtrade.api). Counts are of published
cases only; no field ever reveals a draft."""

from rest_framework import serializers

from regions.models import Membership, PilotProgram, Region
from servtrade.api import PageUrlField


class RegionSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:region-detail", lookup_field="slug", help_text="This record in the API."
    )
    slug = serializers.SlugField(help_text="The region's key in URLs, e.g. `beijing`.")
    code = serializers.CharField(
        allow_null=True,
        help_text="GB/T 2260 administrative division code; null for state-level new areas.",
    )
    name_zh = serializers.CharField(help_text="Name in Chinese.")
    name_en = serializers.CharField(help_text="Name in English.")
    kind = serializers.ChoiceField(
        choices=Region.Kind.choices, help_text="Kind of administrative unit."
    )
    parent = serializers.HyperlinkedRelatedField(
        view_name="api:region-detail",
        lookup_field="slug",
        read_only=True,
        allow_null=True,
        help_text="The province-level region containing this one; null for provinces.",
    )
    latitude = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        allow_null=True,
        coerce_to_string=False,
        help_text="Latitude of the seat (WGS 84), if known.",
    )
    longitude = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        allow_null=True,
        coerce_to_string=False,
        help_text="Longitude of the seat (WGS 84), if known.",
    )
    coordinates_approximate = serializers.BooleanField(
        help_text="The coordinates are an approximate city centre."
    )
    needs_verification = serializers.BooleanField(
        help_text="Some facts of this record are not confirmed by a source yet."
    )
    programs = serializers.HyperlinkedRelatedField(
        view_name="api:program-detail",
        lookup_field="slug",
        many=True,
        read_only=True,
        help_text="The pilot programs this region is a member of.",
    )
    case_count = serializers.IntegerField(
        help_text="Published cases this region leads (a province's own, not its cities')."
    )
    page_url_zh = PageUrlField("zh-hans", "the region")
    page_url_en = PageUrlField("en", "the region")

    class Meta:
        model = Region
        fields = [
            "url",
            "slug",
            "code",
            "name_zh",
            "name_en",
            "kind",
            "parent",
            "latitude",
            "longitude",
            "coordinates_approximate",
            "needs_verification",
            "programs",
            "case_count",
            "page_url_zh",
            "page_url_en",
        ]


class MembershipSerializer(serializers.ModelSerializer):
    region = serializers.HyperlinkedRelatedField(
        view_name="api:region-detail",
        lookup_field="slug",
        read_only=True,
        help_text="The member region.",
    )
    region_slug = serializers.SlugField(source="region.slug", help_text="The region's slug.")
    joined_on = serializers.DateField(
        allow_null=True, help_text="When the region joined the program, if known."
    )
    note_zh = serializers.CharField(help_text="Note on the membership, in Chinese.")
    note_en = serializers.CharField(help_text="Note on the membership, in English.")
    needs_verification = serializers.BooleanField(
        help_text="The membership is not confirmed by a source yet."
    )

    class Meta:
        model = Membership
        fields = ["region", "region_slug", "joined_on", "note_zh", "note_en", "needs_verification"]


class PilotProgramSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:program-detail", lookup_field="slug", help_text="This record in the API."
    )
    slug = serializers.SlugField(help_text="The program's key in URLs, e.g. `pilot-2020`.")
    name_zh = serializers.CharField(help_text="Name in Chinese.")
    name_en = serializers.CharField(help_text="Name in English.")
    approving_body_zh = serializers.CharField(help_text="Who approved it, in Chinese.")
    approving_body_en = serializers.CharField(help_text="Who approved it, in English.")
    document_no = serializers.CharField(help_text="Number of the approving document.")
    approved_on = serializers.DateField(allow_null=True, help_text="Date of approval.")
    starts_on = serializers.DateField(allow_null=True, help_text="Start of the pilot period.")
    ends_on = serializers.DateField(allow_null=True, help_text="End of the pilot period.")
    summary_zh = serializers.CharField(help_text="Summary in Chinese (servtrade's own words).")
    summary_en = serializers.CharField(help_text="Summary in English (servtrade's own words).")
    source_url = serializers.CharField(help_text="The official source; empty if none is known.")
    needs_verification = serializers.BooleanField(
        help_text="Some facts of this record are not confirmed by a source yet."
    )
    memberships = MembershipSerializer(
        many=True, read_only=True, help_text="The member regions and their membership."
    )
    region_count = serializers.IntegerField(help_text="How many regions are members.")
    batch_count = serializers.IntegerField(help_text="How many batches of cases it published.")
    case_count = serializers.IntegerField(help_text="Published cases of all its batches.")
    page_url_zh = PageUrlField("zh-hans", "the program")
    page_url_en = PageUrlField("en", "the program")

    class Meta:
        model = PilotProgram
        fields = [
            "url",
            "slug",
            "name_zh",
            "name_en",
            "approving_body_zh",
            "approving_body_en",
            "document_no",
            "approved_on",
            "starts_on",
            "ends_on",
            "summary_zh",
            "summary_en",
            "source_url",
            "needs_verification",
            "memberships",
            "region_count",
            "batch_count",
            "case_count",
            "page_url_zh",
            "page_url_en",
        ]
