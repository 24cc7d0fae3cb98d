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

    title_zh = Column(
        _("Chinese title"),
        value=lambda case: case.title_zh or None,
        data=("string", "The case's title in Chinese.", "案例的中文标题。"),
    )
    title_en = Column(
        _("English title"),
        value=lambda case: case.title_en or None,
        data=("string", "The case's title in English.", "案例的英文标题。"),
    )
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
        data=(
            "string",
            "The pilot program (phase) of its batch, Chinese / English.",
            "所属批次的试点（阶段），中文 / 英文。",
        ),
    )
    batch_number = Column(
        _("Batch number"),
        value=lambda case: case.batch.number if case.batch else None,
        data=("integer", "The batch's number within its program.", "批次在试点中的序号。"),
    )
    theme_names = Column(
        _("Theme (Chinese / English)"),
        value=lambda case: both(case.theme, "name") if case.theme else None,
        data=(
            "string",
            "The highlight it illustrates, Chinese / English.",
            "所属亮点（主题），中文 / 英文。",
        ),
    )
    lead_regions_zh = Column(
        _("Lead regions (Chinese)"),
        value=lambda case: joined(case.lead_regions.all(), "name_zh"),
        data=(
            "string",
            "Lead regions in Chinese, separated by “; ”.",
            "牵头地区（中文），以“; ”分隔。",
        ),
    )
    lead_regions_en = Column(
        _("Lead regions (English)"),
        value=lambda case: joined(case.lead_regions.all(), "name_en"),
        data=(
            "string",
            "Lead regions in English, separated by “; ”.",
            "牵头地区（英文），以“; ”分隔。",
        ),
    )
    sector_codes = Column(
        _("Sector codes (EBOPS 2010)"),
        value=lambda case: joined(case.sectors.all(), "code"),
        data=(
            "string",
            "EBOPS 2010 service sector codes (SA to SL), separated by “; ”.",
            "EBOPS 2010 服务部门代码（SA 至 SL），以“; ”分隔。",
        ),
    )
    sectors_zh = Column(
        _("Sectors (Chinese)"),
        value=lambda case: joined(case.sectors.all(), "name_zh"),
        data=(
            "string",
            "Service sectors in Chinese, separated by “; ”.",
            "服务部门（中文），以“; ”分隔。",
        ),
    )
    sectors_en = Column(
        _("Sectors (English)"),
        value=lambda case: joined(case.sectors.all(), "name_en"),
        data=(
            "string",
            "Service sectors in English, separated by “; ”.",
            "服务部门（英文），以“; ”分隔。",
        ),
    )
    released_on = Column(
        _("Released"),
        html=released,
        value=lambda case: (
            case.released_on.isoformat() if case.released_on else str(DATE_NOT_KNOWN)
        ),
        orderable=True,
        data=(
            "string",
            "When the ministry released the case's batch (ISO 8601 date), or “date not known”.",
            "商务部发布该案例所属批次的日期（ISO 8601），未知时为“日期不详”。",
        ),
    )
    adoptions = Column(
        _("Adopted by"),
        html=lambda case: adopted_by(case.adoption_count) if case.adoption_count else EMPTY,
        value=lambda case: case.adoption_count,
        order_by=("adoption_count", "slug"),
        data=(
            "integer",
            "How many other regions adopted the case: published adoptions, and every other pilot "
            "region when its batch was replicated nationwide.",
            "借鉴该案例的其他地区数：已发布的借鉴记录，批次在全国复制推广时另计其他所有试点地区。",
        ),
    )
    title_is_topic = Column(
        _("Title is only a topic"),
        value=lambda case: case.title_is_topic,
        data=(
            "boolean",
            "The official title is not known; the title describes the topic.",
            "正式标题尚未查到，标题描述的是主题。",
        ),
    )
    title_zh_descriptive = Column(
        _("Chinese title is descriptive"),
        value=lambda case: case.title_zh_descriptive,
        data=(
            "boolean",
            "The Chinese title is servtrade's descriptive title, not an official one.",
            "中文标题为 servtrade 暂拟的描述性标题，并非正式标题。",
        ),
    )
    title_en_descriptive = Column(
        _("English title is descriptive"),
        value=lambda case: case.title_en_descriptive,
        data=(
            "boolean",
            "The English title is servtrade's descriptive title, not an official one.",
            "英文标题为 servtrade 暂拟的描述性标题，并非正式标题。",
        ),
    )
    official_source = Column(
        _("Official source"),
        value=official_source,
        data=(
            "string",
            "The official notice of the case, on a government site; empty when none is linked yet.",
            "案例的官方通知（政府网站）；尚未链接时为空。",
        ),
    )
    needs_verification = Column(
        _("Needs verification"),
        value=lambda case: case.needs_verification,
        data=(
            "boolean",
            "Some facts of the case are not confirmed by a source yet.",
            "部分事实尚未得到来源证实。",
        ),
    )
    source_url = Column(
        _("Source"),
        value=lambda case: case.source_url or None,
        data=(
            "string",
            "The best source linked: the official notice if there is one, else a secondary source "
            "(never a mirror).",
            "已链接的最佳来源：有官方通知时为官方通知，否则为二手来源（从不使用镜像）。",
        ),
    )
    permalink = Column(
        _("Permalink"),
        value=lambda case: case.get_absolute_url(),
        absolute=True,
        data=(
            "string",
            "The case's page on servtrade (English).",
            "案例在 servtrade 上的页面（英文）。",
        ),
    )

    class Meta:
        template_name = "includes/_table.html"
        order_by_field = "sort"
        attrs = {"class": "results"}
        empty_text = _("No published case matches these filters.")

    def order_title(self, queryset, is_descending):
        return queryset.order_by_title(descending=is_descending), True

    def order_released_on(self, queryset, is_descending):
        return queryset.order_by_release(descending=is_descending), True
