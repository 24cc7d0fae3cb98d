from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from regions.models import Membership, PilotProgram, Region
from servtrade.history import HistoryAdmin, save_in_bulk

VERIFICATION_FIELDSET = (
    _("Verification"),
    {"fields": ["needs_verification", "verification_note"]},
)


@admin.action(description=_("Mark as checked: clear “needs verification”"), permissions=["change"])
def clear_verification(modeladmin, request, queryset):
    """Clear the flag of the selected records at once, all or none, once an editor has checked
    their facts. Each record's history says who cleared it."""
    flagged = modeladmin.model.objects.filter(pk__in=queryset.values("pk"), needs_verification=True)
    with transaction.atomic():
        records = list(flagged.select_for_update())
        for record in records:
            record.needs_verification = False
        save_in_bulk(records, ["needs_verification"])
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d record marked as checked.",
            "%(count)d records marked as checked.",
            len(records),
        )
        % {"count": len(records)},
    )


@admin.register(Region)
class RegionAdmin(HistoryAdmin):
    list_display = ["name_zh", "name_en", "kind", "parent", "code", "needs_verification"]
    list_filter = ["kind", "needs_verification", "programs", ("parent", admin.EmptyFieldListFilter)]
    search_fields = ["name_zh", "name_en", "slug", "code"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["name_en"]}
    actions = [clear_verification]
    fieldsets = [
        (None, {"fields": ["name_zh", "name_en", "slug", "kind", "parent", "code"]}),
        (_("Seat"), {"fields": ["latitude", "longitude", "coordinates_approximate"]}),
        VERIFICATION_FIELDSET,
    ]


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["region", "joined_on", "note_zh", "note_en", "needs_verification"]
    autocomplete_fields = ["region"]
    extra = 0


@admin.register(PilotProgram)
class PilotProgramAdmin(HistoryAdmin):
    list_display = ["name_zh", "name_en", "approved_on", "document_no", "needs_verification"]
    list_filter = ["needs_verification"]
    search_fields = ["name_zh", "name_en", "slug", "document_no"]
    prepopulated_fields = {"slug": ["name_en"]}
    date_hierarchy = "approved_on"
    inlines = [MembershipInline]
    actions = [clear_verification]
    fieldsets = [
        (None, {"fields": ["name_zh", "name_en", "slug"]}),
        (
            _("Approval"),
            {
                "fields": [
                    "approving_body_zh",
                    "approving_body_en",
                    "document_no",
                    "approved_on",
                    "starts_on",
                    "ends_on",
                    "source_url",
                ]
            },
        ),
        (_("Summary"), {"fields": ["summary_zh", "summary_en"]}),
        VERIFICATION_FIELDSET,
    ]
