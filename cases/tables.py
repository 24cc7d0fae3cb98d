import django_tables2 as tables
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from servtrade.bilingual import both
from servtrade.tables import LeanRowsMixin
from servtrade.templatetags.servtrade import localized

# What django-tables2 shows for an empty value.
EMPTY = "—"
DATE_NOT_KNOWN = _("date not known")
# The mark beside a title that is ours, not the official wording.
DESCRIPTIVE = _("Descriptive title")


class ExportColumn(tables.Column):
    """A column only the downloads have: hidden in the page, never sortable."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, visible=False, orderable=False, **kwargs)


class CaseTable(LeanRowsMixin, tables.Table):
    """The public case list. Reads only what ``Case.objects.listed()`` fetched.

    The page shows titles and names in its language; the downloads (``?_export=``) carry both
    languages and each case's permalink instead.
    """

    title = tables.Column(verbose_name=_("Title"), exclude_from_export=True)
    lead_regions = tables.Column(
        verbose_name=_("Lead regions"), orderable=False, empty_values=(), exclude_from_export=True
    )
    theme = tables.Column(
        verbose_name=_("Theme"), order_by=("theme__position", "slug"), exclude_from_export=True
    )
    batch = tables.Column(
        verbose_name=_("Batch"),
        order_by=("batch__program__approved_on", "batch__number", "slug"),
        exclude_from_export=True,
    )
    sectors = tables.Column(
        verbose_name=_("Sectors"), orderable=False, empty_values=(), exclude_from_export=True
    )
    # The ministry's release date (the batch's), never servtrade's own publication date.
    released_on = tables.Column(verbose_name=_("Released"), accessor="batch__published_on")

    title_zh = ExportColumn(verbose_name=_("Chinese title"))
    title_en = ExportColumn(verbose_name=_("English title"))
    program = ExportColumn(verbose_name=_("Pilot program"), accessor="batch__program")
    batch_number = ExportColumn(verbose_name=_("Batch number"), accessor="batch__number")
    theme_names = ExportColumn(verbose_name=_("Theme (Chinese / English)"), accessor="theme")
    lead_regions_zh = ExportColumn(verbose_name=_("Lead regions (Chinese)"), empty_values=())
    lead_regions_en = ExportColumn(verbose_name=_("Lead regions (English)"), empty_values=())
    sector_codes = ExportColumn(verbose_name=_("Sector codes (EBOPS 2010)"), empty_values=())
    sectors_zh = ExportColumn(verbose_name=_("Sectors (Chinese)"), empty_values=())
    sectors_en = ExportColumn(verbose_name=_("Sectors (English)"), empty_values=())
    title_is_topic = ExportColumn(verbose_name=_("Title is only a topic"))
    title_zh_descriptive = ExportColumn(verbose_name=_("Chinese title is descriptive"))
    title_en_descriptive = ExportColumn(verbose_name=_("English title is descriptive"))
    official_source = ExportColumn(verbose_name=_("Official source"), empty_values=())
    needs_verification = ExportColumn(verbose_name=_("Needs verification"))
    source_url = ExportColumn(verbose_name=_("Source"))
    permalink = ExportColumn(verbose_name=_("Permalink"), empty_values=())

    class Meta:
        model = Case
        fields = ["title", "lead_regions", "theme", "batch", "sectors", "released_on"]
        # Downloads read best with the titles first and the date after the sectors; the page
        # shows its visible columns in the same relative order.
        sequence = [
            "title_zh",
            "title_en",
            "title",
            "lead_regions",
            "theme",
            "batch",
            "sectors",
            "program",
            "batch_number",
            "theme_names",
            "lead_regions_zh",
            "lead_regions_en",
            "sector_codes",
            "sectors_zh",
            "sectors_en",
            "released_on",
            "...",
        ]
        template_name = "includes/_table.html"
        order_by_field = "sort"
        attrs = {"class": "results"}
        empty_text = _("No published case matches these filters.")

    def cells(self, record):
        """The page's cells of one case (LeanRowsMixin), from the render_* methods below."""
        return {
            "title": self.render_title(record, record.title),
            "lead_regions": self.render_lead_regions(record),
            "theme": self.render_theme(record.theme) if record.theme else EMPTY,
            "batch": self.render_batch(record.batch) if record.batch else EMPTY,
            "sectors": self.render_sectors(record),
            "released_on": self.render_released_on(record.released_on),
        }

    def export_values(self, record):
        """The downloads' values of one case (servtrade.exports), as ``as_values()`` gives them
        from the value_* methods below, without django-tables2's per-cell signature checks."""
        batch, theme = record.batch, record.theme
        return {
            # Empty field values are exported as None, as django-tables2 does.
            "title_zh": record.title_zh or None,
            "title_en": record.title_en or None,
            "program": self.value_program(batch.program) if batch else None,
            "batch_number": batch.number if batch else None,
            "theme_names": self.value_theme_names(theme) if theme else None,
            "lead_regions_zh": self.value_lead_regions_zh(record),
            "lead_regions_en": self.value_lead_regions_en(record),
            "sector_codes": self.value_sector_codes(record),
            "sectors_zh": self.value_sectors_zh(record),
            "sectors_en": self.value_sectors_en(record),
            "released_on": self.value_released_on(record.released_on),
            "title_is_topic": record.title_is_topic,
            "title_zh_descriptive": record.title_zh_descriptive,
            "title_en_descriptive": record.title_en_descriptive,
            "official_source": self.value_official_source(record),
            "needs_verification": record.needs_verification,
            "source_url": record.source_url or None,
            "permalink": self.value_permalink(record),
        }

    def render_title(self, record, value):
        link = format_html('<a href="{}">{}</a>', record.get_absolute_url(), localized(value))
        if record.title_is_descriptive:
            return format_html('{} <span class="flag flag-topic">{}</span>', link, DESCRIPTIVE)
        return link

    def render_released_on(self, value):
        if value is None:
            return format_html('<span class="muted">{}</span>', DATE_NOT_KNOWN)
        return format_html('<time datetime="{0}">{0}</time>', date_format(value, "Y-m-d"))

    def order_released_on(self, queryset, is_descending):
        return queryset.order_by_release(descending=is_descending), True

    def order_title(self, queryset, is_descending):
        return queryset.order_by_title(descending=is_descending), True

    def render_lead_regions(self, record):
        return format_html_join(
            "、", "{}", ((localized(r.name),) for r in record.lead_regions.all())
        )

    def render_theme(self, value):
        return localized(value.name)

    def render_batch(self, value):
        return format_html('<a href="{}">{}</a>', value.get_absolute_url(), value.short_title)

    def render_sectors(self, record):
        # Written out, never only a code in a tooltip (a phone cannot hover).
        return format_html_join(
            "",
            '<span class="sector">{} {}</span>',
            ((sector.code, localized(sector.name)) for sector in record.sectors.all()),
        )

    def value_program(self, value):
        return both(value, "name")

    def value_theme_names(self, value):
        return both(value, "name")

    def value_lead_regions_zh(self, record):
        return "; ".join(region.name_zh for region in record.lead_regions.all())

    def value_lead_regions_en(self, record):
        return "; ".join(region.name_en for region in record.lead_regions.all())

    def value_sector_codes(self, record):
        return "; ".join(sector.code for sector in record.sectors.all())

    def value_sectors_zh(self, record):
        return "; ".join(sector.name_zh for sector in record.sectors.all())

    def value_sectors_en(self, record):
        return "; ".join(sector.name_en for sector in record.sectors.all())

    def value_released_on(self, value):
        return value.isoformat() if value else str(DATE_NOT_KNOWN)

    def value_official_source(self, record):
        """The official notice's address; a secondary source or a mirror is never put here."""
        return next((source.url for source in record.official_sources()), None)

    def value_permalink(self, record):
        return self.request.build_absolute_uri(record.get_absolute_url())
