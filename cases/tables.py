from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from servtrade.bilingual import both
from servtrade.tables import EMPTY, Column, Table, joined
from servtrade.templatetags.servtrade import localized


def link(obj, text):
    return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), localized(text))


DATE_NOT_KNOWN = _("date not known")
# The mark beside a title that is ours, not the official wording.
DESCRIPTIVE = _("Descriptive title")


def title(case):
    if case.title_is_descriptive:
        return format_html(
            '{} <span class="flag flag-topic">{}</span>', link(case, case.title), DESCRIPTIVE
        )
    return link(case, case.title)


def released(case):
    """The ministry's release date (the batch's), never servtrade's own publication date."""
    if case.released_on is None:
        return format_html('<span class="muted">{}</span>', DATE_NOT_KNOWN)
    return format_html('<time datetime="{0}">{0}</time>', date_format(case.released_on, "Y-m-d"))


def official_source(case):
    """The official notice's address; a secondary source or a mirror is never put here."""
    return next((source.url for source in case.official_sources()), None)


def adopted_by(count):
    return ngettext("%(count)d region", "%(count)d regions", count) % {"count": count}


class CaseTable(Table):
    """The public case list. Reads what ``Case.objects.listed().with_adoption_counts()`` fetched.

    Each column is declared once (see servtrade.tables.Column): the page shows titles and names
    in its language; the downloads (``?_export=``) carry both languages and each case's
    permalink instead. Columns are in the downloads' order, titles first; the page shows its
    visible ones in the same order.
    """

    title_zh = Column(_("Chinese title"), value=lambda case: case.title_zh or None)
    title_en = Column(_("English title"), value=lambda case: case.title_en or None)
    title = Column(_("Title"), html=title, orderable=True)
    lead_regions = Column(
        _("Lead regions"),
        html=lambda case: format_html_join(
            "、", "{}", ((localized(region.name),) for region in case.lead_regions.all())
        ),
    )
    theme = Column(
        _("Theme"),
        html=lambda case: localized(case.theme.name) if case.theme else EMPTY,
        order_by=("theme__position", "slug"),
    )
    batch = Column(
        _("Batch"),
        html=lambda case: link(case.batch, case.batch.short_title) if case.batch else EMPTY,
        order_by=("batch__program__approved_on", "batch__number", "slug"),
    )
    # Written out, never only a code in a tooltip (a phone cannot hover).
    sectors = Column(
        _("Sectors"),
        html=lambda case: format_html_join(
            "",
            '<span class="sector">{} {}</span>',
            ((sector.code, localized(sector.name)) for sector in case.sectors.all()),
        ),
    )
    program = Column(
        _("Pilot program"),
        value=lambda case: both(case.batch.program, "name") if case.batch else None,
    )
    batch_number = Column(
        _("Batch number"), value=lambda case: case.batch.number if case.batch else None
    )
    theme_names = Column(
        _("Theme (Chinese / English)"),
        value=lambda case: both(case.theme, "name") if case.theme else None,
    )
    lead_regions_zh = Column(
        _("Lead regions (Chinese)"), value=lambda case: joined(case.lead_regions.all(), "name_zh")
    )
    lead_regions_en = Column(
        _("Lead regions (English)"), value=lambda case: joined(case.lead_regions.all(), "name_en")
    )
    sector_codes = Column(
        _("Sector codes (EBOPS 2010)"), value=lambda case: joined(case.sectors.all(), "code")
    )
    sectors_zh = Column(
        _("Sectors (Chinese)"), value=lambda case: joined(case.sectors.all(), "name_zh")
    )
    sectors_en = Column(
        _("Sectors (English)"), value=lambda case: joined(case.sectors.all(), "name_en")
    )
    released_on = Column(
        _("Released"),
        html=released,
        value=lambda case: (
            case.released_on.isoformat() if case.released_on else str(DATE_NOT_KNOWN)
        ),
        orderable=True,
    )
    adoptions = Column(
        _("Adopted by"),
        html=lambda case: adopted_by(case.adoption_count) if case.adoption_count else EMPTY,
        value=lambda case: case.adoption_count,
        order_by=("adoption_count", "slug"),
    )
    title_is_topic = Column(_("Title is only a topic"), value=lambda case: case.title_is_topic)
    title_zh_descriptive = Column(
        _("Chinese title is descriptive"), value=lambda case: case.title_zh_descriptive
    )
    title_en_descriptive = Column(
        _("English title is descriptive"), value=lambda case: case.title_en_descriptive
    )
    official_source = Column(_("Official source"), value=official_source)
    needs_verification = Column(_("Needs verification"), value=lambda case: case.needs_verification)
    source_url = Column(_("Source"), value=lambda case: case.source_url or None)
    permalink = Column(_("Permalink"), value=lambda case: case.get_absolute_url(), absolute=True)

    class Meta:
        template_name = "includes/_table.html"
        order_by_field = "sort"
        attrs = {"class": "results"}
        empty_text = _("No published case matches these filters.")

    @classmethod
    def sort_keys(cls):
        """The values ``sort`` takes: each sortable column, ``-`` before it for descending."""
        names = [name for name, column in cls.base_columns.items() if column.orderable]
        return [key for name in names for key in (name, f"-{name}")]

    def order_title(self, queryset, is_descending):
        return queryset.order_by_title(descending=is_descending), True

    def order_released_on(self, queryset, is_descending):
        return queryset.order_by_release(descending=is_descending), True
