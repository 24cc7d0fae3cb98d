import django_tables2 as tables
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from regions.models import PilotProgram, Region
from servtrade.templatetags.servtrade import localized

ANNOUNCED = _("announced, no member regions yet")


def link(obj, text=None):
    return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), localized(text or obj.name))


class RegionTable(tables.Table):
    """The public region list; rows come with parent, programs and ``case_count`` fetched."""

    name = tables.Column(verbose_name=_("Region"))
    kind = tables.Column(verbose_name=_("Kind"))
    parent = tables.Column(verbose_name=_("Province"), order_by=("parent__code", "code"))
    code = tables.Column(verbose_name=_("GB/T 2260 code"))
    programs = tables.Column(verbose_name=_("Pilot programs"), orderable=False, empty_values=())
    case_count = tables.Column(verbose_name=_("Cases led"), attrs={"td": {"class": "num"}})

    class Meta:
        model = Region
        fields = ["name", "kind", "parent", "code", "programs", "case_count"]
        template_name = "includes/_table.html"
        order_by_field = "sort"
        attrs = {"class": "results"}
        empty_text = _("No region matches these filters.")

    def render_name(self, record):
        return link(record)

    def order_name(self, queryset, is_descending):
        return queryset.order_by_name(descending=is_descending), True

    def render_parent(self, value):
        return link(value)

    def render_programs(self, record):
        return format_html_join(
            " ",
            '<a href="{}" title="{}">{}</a>',
            (
                (program.get_absolute_url(), program.name, program.year_label)
                for program in record.programs.all()
            ),
        )

    def render_case_count(self, record, value):
        if not value:
            return "0"
        return format_html('<a href="{}#cases">{}</a>', record.get_absolute_url(), value)


class ProgramTable(tables.Table):
    """The pilot's phases, oldest first, with ``with_counts()`` annotations."""

    name = tables.Column(verbose_name=_("Pilot program"), orderable=False)
    approved_on = tables.DateColumn(verbose_name=_("Approved"), orderable=False, format="Y-m-d")
    document_no = tables.Column(verbose_name=_("Approval document"), orderable=False)
    period = tables.Column(verbose_name=_("Period"), orderable=False, empty_values=())
    region_count = tables.Column(verbose_name=_("Regions"), orderable=False)
    batch_count = tables.Column(verbose_name=_("Batches"), orderable=False)
    case_count = tables.Column(verbose_name=_("Cases catalogued"), orderable=False)

    class Meta:
        model = PilotProgram
        fields = [
            "name",
            "approved_on",
            "document_no",
            "period",
            "region_count",
            "batch_count",
            "case_count",
        ]
        template_name = "includes/_table.html"
        attrs = {"class": "results"}

    def render_name(self, record):
        if record.region_count:
            return link(record)
        # Announced without member regions: not a pilot program (yet), and not counted as one.
        return format_html('{} <span class="flag">{}</span>', link(record), ANNOUNCED)

    def render_period(self, record):
        if not (record.starts_on or record.ends_on):
            return "—"
        return f"{record.starts_on or '…'} – {record.ends_on or '…'}"
