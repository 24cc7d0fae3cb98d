from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from servtrade.tables import EMPTY, Column, Table
from servtrade.templatetags.servtrade import localized


def link(obj, text=None):
    return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), localized(text or obj.name))


# Beside a program announced without member regions: not a pilot program (yet), not counted.
ANNOUNCED = _("announced, no member regions yet")


def program_name(program):
    if program.region_count:
        return link(program)
    return format_html('{} <span class="flag">{}</span>', link(program), ANNOUNCED)


def or_empty(value):
    return EMPTY if value in (None, "") else value


class RegionTable(Table):
    """The public region list; rows come with parent, programs and ``case_count`` fetched."""

    name = Column(_("Region"), html=link, orderable=True)
    kind = Column(_("Kind"), html=lambda region: region.get_kind_display(), order_by="kind")
    parent = Column(
        _("Province"),
        html=lambda region: link(region.parent) if region.parent else EMPTY,
        order_by=("parent__code", "code"),
    )
    code = Column(_("GB/T 2260 code"), html=lambda region: or_empty(region.code), order_by="code")
    programs = Column(
        _("Pilot programs"),
        html=lambda region: format_html_join(
            " ",
            '<a href="{}" title="{}">{}</a>',
            (
                (program.get_absolute_url(), program.name, program.year_label)
                for program in region.programs.all()
            ),
        ),
    )
    case_count = Column(
        _("Cases led"),
        html=lambda region: (
            format_html('<a href="{}#cases">{}</a>', region.get_absolute_url(), region.case_count)
            if region.case_count
            else "0"
        ),
        order_by="case_count",
        attrs={"td": {"class": "num"}},
    )

    class Meta:
        template_name = "includes/_table.html"
        order_by_field = "sort"
        attrs = {"class": "results"}
        empty_text = _("No region matches these filters.")

    def order_name(self, queryset, is_descending):
        return queryset.order_by_name(descending=is_descending), True


def period(program):
    if not (program.starts_on or program.ends_on):
        return EMPTY
    return f"{program.starts_on or '…'} – {program.ends_on or '…'}"


class ProgramTable(Table):
    """The pilot's phases, oldest first, with ``with_counts()`` annotations."""

    name = Column(_("Pilot program"), html=program_name)
    approved_on = Column(
        _("Approved"),
        html=lambda program: (
            date_format(program.approved_on, "Y-m-d") if program.approved_on else EMPTY
        ),
    )
    document_no = Column(_("Approval document"), html=lambda program: or_empty(program.document_no))
    period = Column(_("Period"), html=period)
    region_count = Column(_("Regions"), html=lambda program: program.region_count)
    batch_count = Column(_("Batches"), html=lambda program: program.batch_count)
    case_count = Column(_("Cases catalogued"), html=lambda program: program.case_count)

    class Meta:
        template_name = "includes/_table.html"
        attrs = {"class": "results"}
