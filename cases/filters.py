from django.utils.translation import gettext_lazy as _
from django_filters import CharFilter

from cases.models import Case, CaseBatch, ServiceSector, Theme
from cases.querysets import UNKNOWN_YEAR
from cases.search import SearchQuery
from regions.filters import program_options
from regions.models import Region
from servtrade.bilingual import LocalizedText
from servtrade.facets import FacetFilter, FacetFilterSet, Option

# Long enough for any real query; longer input is reported and ignored, not searched.
SEARCH_MAX_LENGTH = 200


class CaseFilterSet(FacetFilterSet):
    """The public case list's filters: keywords plus one facet per way of narrowing the list.

    Every value in the URL is a slug or code, so a filtered list is a shareable permalink.
    """

    q = CharFilter(label=_("Keywords"), method="search", max_length=SEARCH_MAX_LENGTH)
    program = FacetFilter(label=_("Pilot program"), apply="in_programs", count="program_counts")
    batch = FacetFilter(label=_("Batch"), apply="in_batches", count="batch_counts")
    theme = FacetFilter(label=_("Theme"), apply="in_themes", count="theme_counts")
    sector = FacetFilter(label=_("Service sector"), apply="in_sectors", count="sector_counts")
    region = FacetFilter(label=_("Lead region"), apply="in_regions", count="region_counts")
    year = FacetFilter(label=_("Year released"), apply="in_years", count="year_counts")
    source = FacetFilter(label=_("Source"), apply="in_source_kinds", count="source_counts")

    class Meta:
        model = Case
        fields = ["q", "program", "batch", "theme", "sector", "region", "year", "source"]

    def search(self, queryset, name, value):
        # Which sectors and themes the words name is read once per page, not once per facet.
        if not hasattr(self, "_named"):
            self._named = Case.objects.named_by(SearchQuery.parse(value))
        return queryset.search(value, named=self._named)

    def options_program(self):
        return program_options()

    def options_batch(self):
        for batch in CaseBatch.objects.select_related("program"):
            yield Option(batch.key, batch.short_title)

    def options_theme(self):
        for theme in Theme.objects.all():
            yield Option(theme.slug, theme.name)

    def options_sector(self):
        for sector in ServiceSector.objects.all():
            name = sector.name
            yield Option(
                sector.code, LocalizedText(f"{sector.code} {name}", name.lang, name.is_fallback)
            )

    def options_region(self):
        """Provinces (and municipalities) in code order, each followed by its regions."""
        regions = list(Region.objects.select_related("parent"))

        def place(region):
            province = region.parent or region
            depth = region.parent_id is not None
            return (province.code or "", province.slug, depth, region.code or "", region.slug)

        for region in sorted(regions, key=place):
            yield Option(region.slug, region.name, depth=0 if region.parent_id is None else 1)

    def options_year(self):
        """Years of the ministry's releases, newest first; then "date not known"."""
        for day in CaseBatch.objects.dates("published_on", "year", order="DESC"):
            yield Option(str(day.year), str(day.year))
        yield Option(UNKNOWN_YEAR, _("Date not known"))

    def options_source(self):
        yield Option("official", _("Official notice linked"))
        yield Option("secondary", _("Official notice not yet linked"))
