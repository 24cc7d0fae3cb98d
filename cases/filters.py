from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_filters import CharFilter

from cases.counting import ListCounts
from cases.models import Case, CaseBatch, ServiceSector, Theme
from cases.querysets import ADOPTED_ELSEWHERE, UNKNOWN_YEAR, CaseQuerySet
from cases.search import SearchQuery
from regions.filters import program_options
from regions.models import Region
from servtrade.bilingual import LocalizedText
from servtrade.facets import FacetFilter, FacetFilterSet, Option

# Long enough for any real query; longer input is reported and ignored, not searched.
SEARCH_MAX_LENGTH = 200


def batch_options():
    for batch in CaseBatch.objects.select_related("program"):
        yield Option(batch.key, batch.short_title)


def theme_options():
    for theme in Theme.objects.all():
        yield Option(theme.slug, theme.name)


def sector_options():
    for sector in ServiceSector.objects.all():
        name = sector.name
        yield Option(
            sector.code, LocalizedText(f"{sector.code} {name}", name.lang, name.is_fallback)
        )


def region_options():
    """Provinces (and municipalities) in code order, each followed by its regions."""
    regions = list(Region.objects.select_related("parent"))

    def place(region):
        province = region.parent or region
        depth = region.parent_id is not None
        return (province.code or "", province.slug, depth, region.code or "", region.slug)

    for region in sorted(regions, key=place):
        yield Option(region.slug, region.name, depth=0 if region.parent_id is None else 1)


def year_options():
    """Years of the ministry's releases (the batches'), newest first; then "date not known"."""
    for day in CaseBatch.objects.dates("published_on", "year", order="DESC"):
        yield Option(str(day.year), str(day.year))
    yield Option(UNKNOWN_YEAR, _("Date not known"))


def source_options():
    yield Option("official", _("Official notice linked"))
    yield Option("secondary", _("Official notice not yet linked"))


def adoption_options():
    yield Option(ADOPTED_ELSEWHERE, str(_("Adopted elsewhere")))


class CaseFilterSet(FacetFilterSet):
    """The public case list's filters: keywords plus one facet per way of narrowing the list.

    Every value in the URL is a slug or code, so a filtered list is a shareable permalink. Its
    queryset is the published cases, whose counts come from bitmaps (cases.counting).
    """

    q = CharFilter(label=_("Keywords"), method="search", max_length=SEARCH_MAX_LENGTH)
    program = FacetFilter(
        label=_("Pilot program"),
        apply=CaseQuerySet.in_programs,
        count=CaseQuerySet.program_counts,
        options=program_options,
    )
    batch = FacetFilter(
        label=_("Batch"),
        apply=CaseQuerySet.in_batches,
        count=CaseQuerySet.batch_counts,
        options=batch_options,
    )
    theme = FacetFilter(
        label=_("Theme"),
        apply=CaseQuerySet.in_themes,
        count=CaseQuerySet.theme_counts,
        options=theme_options,
    )
    sector = FacetFilter(
        label=_("Service sector"),
        apply=CaseQuerySet.in_sectors,
        count=CaseQuerySet.sector_counts,
        options=sector_options,
    )
    region = FacetFilter(
        label=_("Lead region"),
        apply=CaseQuerySet.in_regions,
        count=CaseQuerySet.region_counts,
        options=region_options,
    )
    year = FacetFilter(
        label=_("Year released"),
        apply=CaseQuerySet.in_years,
        count=CaseQuerySet.year_counts,
        options=year_options,
    )
    source = FacetFilter(
        label=_("Source"),
        apply=CaseQuerySet.in_source_kinds,
        count=CaseQuerySet.source_counts,
        options=source_options,
    )
    adopted = FacetFilter(
        label=_("Replication"),
        apply=CaseQuerySet.in_adoption_states,
        count=CaseQuerySet.adoption_state_counts,
        options=adoption_options,
    )

    class Meta:
        model = Case
        fields = ["q", "program", "batch", "theme", "sector", "region", "year", "source", "adopted"]

    def get_counter(self):
        if self.version is None:
            return None
        return ListCounts.for_state(self.version, self.cleaned_data)

    def search(self, queryset, name, value):
        # Too many matches to rank them all (see cases.counting): newest first instead.
        ranked = self.counter is None or self.counter.ranked
        # Which sectors and themes the words name is read once per page, not once per facet.
        if not hasattr(self, "_named"):
            self._named = Case.objects.named_by(SearchQuery.parse(value), self.version)
        return queryset.search(value, named=self._named, ranked=ranked)

    def notices(self):
        if self.counter is not None and not self.counter.ranked:
            return [
                _(
                    "More than %(few)d cases match: they are listed newest first, not by "
                    "relevance. Add a word or a filter to rank them."
                )
                % {"few": settings.COUNTING_FEW_RESULTS}
            ]
        return []
