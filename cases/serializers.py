"""The API's view of cases, batches, themes and sectors (see servtrade.api).

Every record carries both languages, its flags, its official source and its public pages in
both languages; links point to the related records in the API. Only published cases are ever
serialized, and counts are of published cases only.
"""

from rest_framework import serializers

from cases.models import Case, CaseBatch, ServiceSector, Theme
from servtrade.api import PageUrlField


class BatchLinkMixin:
    """Batches are addressed by their key, ``<program slug>-<number>``, as the list filters them."""

    def get_url(self, obj, view_name, request, format):
        return self.reverse(view_name, kwargs={"key": obj.key}, request=request, format=format)


class BatchLink(BatchLinkMixin, serializers.HyperlinkedRelatedField):
    def use_pk_only_optimization(self):
        # The key needs the batch's program: the case list has both already (select_related).
        return False


class BatchIdentity(BatchLinkMixin, serializers.HyperlinkedIdentityField):
    pass


def case_count_field():
    return serializers.IntegerField(help_text="How many published cases it has.")


class ThemeSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:theme-detail", lookup_field="slug", help_text="This record in the API."
    )
    slug = serializers.SlugField(help_text="The theme's key in URLs (the `theme` filter).")
    name_zh = serializers.CharField(help_text="Name in Chinese.")
    name_en = serializers.CharField(help_text="Name in English.")
    description_zh = serializers.CharField(help_text="Description in Chinese.")
    description_en = serializers.CharField(help_text="Description in English.")
    position = serializers.IntegerField(help_text="Place in the site's order of themes.")
    case_count = case_count_field()
    page_url_zh = PageUrlField("zh-hans", "the theme (the list of its cases)")
    page_url_en = PageUrlField("en", "the theme (the list of its cases)")

    class Meta:
        model = Theme
        fields = [
            "url",
            "slug",
            "name_zh",
            "name_en",
            "description_zh",
            "description_en",
            "position",
            "case_count",
            "page_url_zh",
            "page_url_en",
        ]


class ServiceSectorSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:sector-detail", lookup_field="code", help_text="This record in the API."
    )
    code = serializers.CharField(help_text="EBOPS 2010 code, SA to SL (the `sector` filter).")
    name_zh = serializers.CharField(help_text="Name in Chinese.")
    name_en = serializers.CharField(help_text="Name in English.")
    needs_verification = serializers.BooleanField(
        help_text="Some facts of this record are not confirmed by a source yet."
    )
    case_count = case_count_field()
    page_url_zh = PageUrlField("zh-hans", "the sector (the list of its cases)")
    page_url_en = PageUrlField("en", "the sector (the list of its cases)")

    class Meta:
        model = ServiceSector
        fields = [
            "url",
            "code",
            "name_zh",
            "name_en",
            "needs_verification",
            "case_count",
            "page_url_zh",
            "page_url_en",
        ]


class CaseBatchSerializer(serializers.ModelSerializer):
    url = BatchIdentity(view_name="api:batch-detail", help_text="This record in the API.")
    key = serializers.CharField(
        help_text="The batch's key, `<program slug>-<number>` (the `batch` filter)."
    )
    program = serializers.HyperlinkedRelatedField(
        view_name="api:program-detail",
        lookup_field="slug",
        read_only=True,
        help_text="The pilot program that published it.",
    )
    program_slug = serializers.SlugField(source="program.slug", help_text="The program's slug.")
    number = serializers.IntegerField(help_text="1 for the program's first batch, ...")
    kind = serializers.ChoiceField(choices=CaseBatch.Kind.choices, help_text="What it collects.")
    title_zh = serializers.CharField(help_text="Title in Chinese.")
    title_en = serializers.CharField(help_text="Title in English.")
    published_on = serializers.DateField(
        allow_null=True, help_text="When the ministry published it."
    )
    issuer_zh = serializers.CharField(help_text="Issuer, in Chinese.")
    issuer_en = serializers.CharField(help_text="Issuer, in English.")
    document_no = serializers.CharField(help_text="Number of the issuing document.")
    source_url = serializers.CharField(
        help_text="The best source linked: the official notice if there is one, else a secondary "
        "source (never a mirror); empty if none is known."
    )
    official_case_count = serializers.IntegerField(
        allow_null=True, help_text="How many cases it has according to the ministry, if known."
    )
    case_count = serializers.IntegerField(
        source="catalogued_published", help_text="How many of its cases servtrade publishes."
    )
    needs_verification = serializers.BooleanField(
        help_text="Some facts of this record are not confirmed by a source yet."
    )
    page_url_zh = PageUrlField("zh-hans", "the batch")
    page_url_en = PageUrlField("en", "the batch")

    class Meta:
        model = CaseBatch
        fields = [
            "url",
            "key",
            "program",
            "program_slug",
            "number",
            "kind",
            "title_zh",
            "title_en",
            "published_on",
            "issuer_zh",
            "issuer_en",
            "document_no",
            "source_url",
            "official_case_count",
            "case_count",
            "needs_verification",
            "page_url_zh",
            "page_url_en",
        ]


class CaseSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:case-detail", lookup_field="slug", help_text="This record in the API."
    )
    slug = serializers.SlugField(help_text="The case's key, as in its page's address.")
    title_zh = serializers.CharField(help_text="Title in Chinese; empty if only known in English.")
    title_en = serializers.CharField(help_text="Title in English; empty if only known in Chinese.")
    title_is_topic = serializers.BooleanField(
        help_text="The official title is not known yet; the title describes the topic."
    )
    needs_verification = serializers.BooleanField(
        help_text="Some facts of this case are not confirmed by a source yet."
    )
    summary_zh = serializers.CharField(help_text="Summary in Chinese (servtrade's own words).")
    summary_en = serializers.CharField(help_text="Summary in English (servtrade's own words).")
    released_on = serializers.DateField(
        allow_null=True,
        help_text="When the ministry released the case's batch; null when not known. The date "
        "lists, filters, sorting and citations use.",
    )
    catalogued_on = serializers.DateField(
        source="published_on",
        help_text="When servtrade published this record: servtrade's date, not the ministry's.",
    )
    title_zh_descriptive = serializers.BooleanField(
        help_text="The Chinese title is servtrade's descriptive title, not an official one."
    )
    title_en_descriptive = serializers.BooleanField(
        help_text="The English title is servtrade's descriptive title, not an official one."
    )
    source_url = serializers.CharField(
        help_text="The best source linked: the official notice if there is one, else a secondary "
        "source (never a mirror); empty if none is known."
    )
    batch = BatchLink(
        view_name="api:batch-detail", read_only=True, help_text="The batch it was published in."
    )
    batch_key = serializers.CharField(source="batch.key", help_text="The batch's key.")
    program = serializers.HyperlinkedRelatedField(
        source="batch.program",
        view_name="api:program-detail",
        lookup_field="slug",
        read_only=True,
        help_text="The pilot program of its batch.",
    )
    program_slug = serializers.SlugField(
        source="batch.program.slug", help_text="The program's slug."
    )
    theme = serializers.HyperlinkedRelatedField(
        view_name="api:theme-detail",
        lookup_field="slug",
        read_only=True,
        allow_null=True,
        help_text="The highlight it illustrates.",
    )
    theme_slug = serializers.SlugField(
        source="theme.slug", allow_null=True, help_text="The theme's slug."
    )
    lead_regions = serializers.HyperlinkedRelatedField(
        view_name="api:region-detail",
        lookup_field="slug",
        many=True,
        read_only=True,
        help_text="The regions that lead it.",
    )
    lead_region_slugs = serializers.SlugRelatedField(
        source="lead_regions",
        slug_field="slug",
        many=True,
        read_only=True,
        help_text="The lead regions' slugs.",
    )
    sectors = serializers.HyperlinkedRelatedField(
        view_name="api:sector-detail",
        lookup_field="code",
        many=True,
        read_only=True,
        help_text="The EBOPS 2010 service sectors it concerns.",
    )
    sector_codes = serializers.SlugRelatedField(
        source="sectors",
        slug_field="code",
        many=True,
        read_only=True,
        help_text="The sectors' EBOPS codes.",
    )
    adoption_count = serializers.IntegerField(
        help_text="How many other regions adopted it (published adoptions, and every pilot "
        "region but its own when its batch was replicated nationwide); the list's "
        "“Adopted by” column."
    )
    page_url_zh = PageUrlField("zh-hans", "the case")
    page_url_en = PageUrlField("en", "the case")

    class Meta:
        model = Case
        fields = [
            "url",
            "slug",
            "title_zh",
            "title_en",
            "title_is_topic",
            "needs_verification",
            "summary_zh",
            "summary_en",
            "released_on",
            "catalogued_on",
            "title_zh_descriptive",
            "title_en_descriptive",
            "source_url",
            "batch",
            "batch_key",
            "program",
            "program_slug",
            "theme",
            "theme_slug",
            "lead_regions",
            "lead_region_slugs",
            "sectors",
            "sector_codes",
            "adoption_count",
            "page_url_zh",
            "page_url_en",
        ]


class CaseDetailSerializer(CaseSerializer):
    """One case with its full text, which lists leave out."""

    body_zh = serializers.CharField(help_text="Full text in Chinese (servtrade's own words).")
    body_en = serializers.CharField(help_text="Full text in English (servtrade's own words).")

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "body_zh", "body_en"]
