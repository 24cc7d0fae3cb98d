from django.contrib import admin, messages
from django.db.models import Prefetch
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cases.models import Case, CaseBatch, ServiceSector, Theme
from regions.admin import VERIFICATION_FIELDSET
from regions.models import Region
from servtrade.admin_filters import RelatedInUseFieldListFilter, in_use_filter


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name_zh", "name_en", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name_zh", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}


@admin.register(ServiceSector)
class ServiceSectorAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "needs_verification"]
    search_fields = ["code", "name_zh", "name_en"]
    fieldsets = [(None, {"fields": ["code", "name_zh", "name_en"]}), VERIFICATION_FIELDSET]


class CaseInline(admin.TabularInline):
    model = Case
    fields = ["title_zh", "title_en", "slug", "theme", "status", "needs_verification"]
    show_change_link = True
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("theme")


@admin.register(CaseBatch)
class CaseBatchAdmin(admin.ModelAdmin):
    list_display = [
        "title_zh",
        "program",
        "number",
        "published_on",
        "catalogued_of_official",
        "needs_verification",
    ]
    list_filter = ["program", "kind", "needs_verification"]
    search_fields = ["title_zh", "title_en", "document_no"]
    list_select_related = ["program"]
    autocomplete_fields = ["program"]
    date_hierarchy = "published_on"
    inlines = [CaseInline]
    fieldsets = [
        (None, {"fields": ["program", "number", "kind", "title_zh", "title_en"]}),
        (
            _("Publication"),
            {
                "fields": [
                    "published_on",
                    "issuer_zh",
                    "issuer_en",
                    "document_no",
                    "source_url",
                    "official_case_count",
                ]
            },
        ),
        VERIFICATION_FIELDSET,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_case_counts()

    @admin.display(description=_("cases catalogued"), ordering="catalogued")
    def catalogued_of_official(self, batch):
        if batch.official_case_count is None:
            return _("%(catalogued)d of an unknown number") % {"catalogued": batch.catalogued}
        return _("%(catalogued)d of %(official)d") % {
            "catalogued": batch.catalogued,
            "official": batch.official_case_count,
        }


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = [
        "titles",
        "batch_short_title",
        "theme",
        "lead_region_names",
        "status",
        "published_on",
        "title_is_topic",
        "needs_verification",
    ]
    list_filter = [
        "status",
        ("batch__program", RelatedInUseFieldListFilter),
        "batch",
        "theme",
        in_use_filter("sectors"),
        in_use_filter("lead_regions"),
        "needs_verification",
        "title_is_topic",
    ]
    search_fields = ["title_zh", "title_en", "summary_zh", "summary_en", "slug"]
    list_select_related = ["batch__program", "theme"]
    autocomplete_fields = ["batch", "theme", "lead_regions", "sectors"]
    prepopulated_fields = {"slug": ["title_en"]}
    date_hierarchy = "published_on"
    readonly_fields = ["created_at", "updated_at"]
    actions = ["publish", "unpublish"]
    # At 100,000 cases a count of the whole table on every page is wasted time.
    show_full_result_count = False

    class Media:
        css = {"all": ["css/admin.css"]}

    fieldsets = [
        (None, {"fields": ["batch", "theme", "title_zh", "title_en", "title_is_topic", "slug"]}),
        (_("Regions and sectors"), {"fields": ["lead_regions", "sectors"]}),
        (_("Text"), {"fields": ["summary_zh", "summary_en", "body_zh", "body_en"]}),
        (
            _("Publication"),
            {"fields": ["status", "published_on", "source_url", "created_at", "updated_at"]},
        ),
        VERIFICATION_FIELDSET,
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("lead_regions", queryset=Region.objects.only("name_zh")))
        )

    @admin.display(description=_("title"), ordering="title_zh")
    def titles(self, case):
        """Both titles, Chinese first; an empty one shows as a dash so the link stays visible."""
        return format_html(
            '{}<br><small lang="en">{}</small>', case.title_zh or "—", case.title_en or "—"
        )

    @admin.display(description=_("batch"), ordering="batch__program__approved_on")
    def batch_short_title(self, case):
        return case.batch.short_title if case.batch else "—"

    @admin.display(description=_("lead regions"))
    def lead_region_names(self, case):
        return "、".join(region.name_zh for region in case.lead_regions.all())

    @admin.action(description=_("Publish the selected cases"))
    def publish(self, request, queryset):
        blocked = queryset.filter(batch__isnull=True)
        if blocked.exists():
            names = "; ".join(str(case) for case in blocked)
            self.message_user(
                request,
                _("Nothing was published: these cases have no batch yet: %(names)s")
                % {"names": names},
                messages.ERROR,
            )
            return
        count = queryset.publish()
        self.message_user(
            request,
            ngettext("%(count)d case published.", "%(count)d cases published.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish the selected cases (back to draft)"))
    def unpublish(self, request, queryset):
        count = queryset.unpublish()
        self.message_user(
            request,
            ngettext("%(count)d case unpublished.", "%(count)d cases unpublished.", count)
            % {"count": count},
            messages.SUCCESS,
        )
