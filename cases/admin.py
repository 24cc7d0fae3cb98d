import tablib
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from simple_history.manager import SIMPLE_HISTORY_REVERSE_ATTR_NAME

from cases.models import Adoption, Case, CaseBatch, ServiceSector, Source, Suggestion, Theme
from cases.querysets import TRANSLATED_FIELDS, IncompleteCases
from cases.resources import COLUMNS, REQUIRED_COLUMNS, BatchWidget, CaseResource
from cases.suggestions import draft_case_from
from cases.translation import NeedsTranslationFilter, TranslationAdminMixin
from regions.admin import VERIFICATION_FIELDSET, clear_verification
from regions.models import Region
from servtrade.admin_filters import RelatedInUseFieldListFilter, in_use_filter
from servtrade.history import HistoryAdmin, HistoryForm


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
    actions = [clear_verification]


# Workflow actions show in the list (for the selected rows) and on each record's own page.
LIST_AND_FORM = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]


class PublishingAdmin(HistoryAdmin):
    """An admin with actions that publish cases: only for users who may publish.

    Actions declared with ``permissions=["publish"]`` are left out of the page for everyone else,
    and Django refuses a forged POST of one as an unknown action.
    """

    def has_publish_permission(self, request):
        return request.user.has_perm("cases.publish_case")

    def publish_cases(self, request, cases):
        """Publish ``cases``, all or none, and say which cases miss what if none was."""
        try:
            count = cases.publish()
        except IncompleteCases as error:
            incomplete = len(error.problems)
            self.message_user(
                request,
                ngettext(
                    "Nothing was published: %(count)d case is incomplete.",
                    "Nothing was published: %(count)d cases are incomplete.",
                    incomplete,
                )
                % {"count": incomplete},
                messages.ERROR,
            )
            for case, reasons in error.problems.items():
                self.message_user(
                    request,
                    _("%(case)s (%(slug)s): %(reasons)s")
                    % {"case": case, "slug": case.slug, "reasons": ", ".join(map(str, reasons))},
                    messages.ERROR,
                )
            return
        self.message_user(
            request,
            ngettext("%(count)d case published.", "%(count)d cases published.", count)
            % {"count": count},
            messages.SUCCESS,
        )


class CaseForm(HistoryForm):
    """The case form, refusing a save made from a version of the case someone has since saved.

    The form carries the version it was opened at. On saving, the case's row is locked (the
    admin saves in one transaction) and its version compared: if another editor (or an import,
    or a publisher) saved in between, nothing is saved, the form comes back with this editor's
    changes still in it and a list of what the other save changed, read from the history.
    Saving again then knowingly keeps this editor's version.
    """

    # Not required: a new case has no version to compare, and a hand-made POST without one
    # (a script) saves as before; the admin's own form always sends it.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A declared field gets no initial value from the instance.
        self.initial.setdefault("version", self.instance.version)
        if getattr(self.instance, SIMPLE_HISTORY_REVERSE_ATTR_NAME, None) is not None:
            # Reverting to an old version is a save on top of the current one.
            self.initial["version"] = (
                Case.objects.filter(pk=self.instance.pk).values_list("version", flat=True).get()
            )

    def clean(self):
        cleaned_data = super().clean()
        started_at = cleaned_data.get("version")
        if self.instance.pk is None or started_at is None:
            return cleaned_data
        current = (
            Case.objects.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list("version", flat=True)
            .get()
        )
        if started_at != current:
            # Saving again means: keep my version over theirs.
            self.data = self.data.copy()
            self.data[self.add_prefix("version")] = current
            raise forms.ValidationError(self.conflict_messages(started_at))
        return cleaned_data

    def conflict_messages(self, started_at):
        history = self.instance.history.order_by("-history_date", "-history_id")
        latest = history.first()
        started = history.filter(version=started_at).first()
        lines = [
            _(
                "%(user)s saved this case at %(time)s, after you opened it. Nothing of yours "
                "was saved; your changes are still in the form below."
            )
            % {
                "user": latest.history_user or _("someone else (an import or a script)"),
                "time": date_format(timezone.localtime(latest.history_date), "DATETIME_FORMAT"),
            }
        ]
        if started is not None:
            lines.append(_("What they changed:"))
            bookkeeping = ["version", "updated_at"]
            for change in latest.diff_against(started, excluded_fields=bookkeeping).changes:
                field = Case._meta.get_field(change.field)
                lines.append(
                    _("%(field)s: “%(old)s” → “%(new)s”")
                    % {
                        "field": capfirst(field.verbose_name),
                        "old": shorten(display_value(field, change.old)),
                        "new": shorten(display_value(field, change.new)),
                    }
                )
        lines.append(_("Check their changes, then save again to keep yours."))
        return [forms.ValidationError(line, code="conflict") for line in lines]

    def validate_constraints(self):
        """Every constraint of the case, also those on fields the form does not edit.

        Django skips the constraints on fields that are not in the form, and the status is
        read-only: clearing a published case's date or batch would reach the database's check
        constraints (a 500) instead of coming back as a form error. Only fields that already
        have an error are left out, as Django does.
        """
        try:
            self.instance.validate_constraints(exclude=set(self.errors) - {NON_FIELD_ERRORS})
        except ValidationError as error:
            self.add_error(None, error)


def display_value(field, value):
    """A value from a history diff as an editor knows it: names, not ids."""
    if field.many_to_many:
        related = field.related_model.objects.filter(
            pk__in=[row[field.m2m_reverse_field_name()] for row in value or []]
        )
        return "、".join(map(str, related))
    if field.is_relation:
        return str(field.related_model.objects.filter(pk=value).first() or "—")
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    return "—" if value in (None, "") else value


def shorten(value, length=80):
    return Truncator(str(value)).chars(length)


@admin.register(CaseBatch)
class CaseBatchAdmin(PublishingAdmin):
    list_display = [
        "title_zh",
        "program",
        "number",
        "published_on",
        "catalogued_of_official",
        "needs_verification",
    ]
    list_filter = ["program", "kind", "replicated_nationwide", "needs_verification"]
    search_fields = ["title_zh", "title_en", "document_no"]
    list_select_related = ["program"]
    autocomplete_fields = ["program"]
    date_hierarchy = "published_on"
    # A batch's cases are linked, not inlined: a batch may hold thousands, and a form with a
    # row for each could not even be posted (DATA_UPLOAD_MAX_NUMBER_FIELDS).
    readonly_fields = ["case_links"]
    actions = ["publish_batch", clear_verification]
    fieldsets = [
        (None, {"fields": ["program", "number", "kind", "title_zh", "title_en"]}),
        (_("Cases"), {"fields": ["case_links"]}),
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
                    "replicated_nationwide",
                ]
            },
        ),
        VERIFICATION_FIELDSET,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_case_counts()

    @admin.display(description=_("cases of this batch"))
    def case_links(self, batch):
        """Links to the case list filtered to this batch (all, by status), and to add one."""
        if batch.pk is None:
            return _("Save the batch first; then add its cases or import them.")
        cases = reverse("admin:cases_case_changelist")
        by_batch = f"batch__id__exact={batch.pk}"
        published = Case.Status.PUBLISHED
        links = [
            (f"{cases}?{by_batch}", _("all %(count)d cases") % {"count": batch.catalogued}),
            (
                f"{cases}?{by_batch}&status__exact={published}",
                _("%(count)d published") % {"count": batch.catalogued_published},
            ),
            (f"{cases}?{by_batch}&status__exact={Case.Status.IN_REVIEW}", _("in review")),
            (f"{cases}?{by_batch}&status__exact={Case.Status.DRAFT}", _("drafts")),
            (f"{reverse('admin:cases_case_add')}?batch={batch.pk}", _("add a case to this batch")),
        ]
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    @admin.display(description=_("cases catalogued"), ordering="catalogued")
    def catalogued_of_official(self, batch):
        if batch.official_case_count is None:
            return _("%(catalogued)d of an unknown number") % {"catalogued": batch.catalogued}
        return _("%(catalogued)d of %(official)d") % {
            "catalogued": batch.catalogued,
            "official": batch.official_case_count,
        }

    @admin.action(
        description=_("Publish every case of this batch"),
        description_plural=_("Publish every case of the selected batches"),
        permissions=["publish"],
        location=LIST_AND_FORM,
    )
    def publish_batch(self, request, queryset):
        self.publish_cases(request, Case.objects.filter(batch__in=queryset))


def import_problems(result):
    """Every problem of an import result, as lines an editor can act on."""
    lines = [str(error.error) for error in result.base_errors]
    for row in result.invalid_rows:
        for column, messages_ in row.error_dict.items():
            lines += [
                _("Row %(row)d, %(column)s: %(message)s")
                % {"row": row.number, "column": column, "message": message}
                for message in messages_
            ]
    for row in result.error_rows:
        lines += [
            _("Row %(row)d: %(message)s") % {"row": row.number, "message": error.error}
            for error in row.errors
        ]
    return lines


class CaseSpreadsheetMixin(ImportExportMixin):
    """Import cases from a spreadsheet, with a preview and a confirmation; export them again.

    See cases/resources.py for the columns and the checks, docs/import.md for editors.
    """

    resource_classes = [CaseResource]
    formats = [base_formats.XLSX, base_formats.CSV]
    import_template_name = "admin/cases/case/import.html"
    # CSV with a byte-order mark, which Excel needs to show Chinese; imports accept either.
    to_encoding = "utf-8-sig"

    def has_import_permission(self, request):
        # An import creates cases and updates existing ones.
        return request.user.has_perms(["cases.add_case", "cases.change_case"])

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_urls(self):
        template = path(
            "import/template.<slug:extension>",
            self.admin_site.admin_view(self.import_template_view),
            name="cases_case_import_template",
        )
        return [template, *super().get_urls()]

    def import_template_view(self, request, extension):
        """An empty spreadsheet with the columns in the first row."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        formats = {file_format().get_extension(): file_format() for file_format in self.formats}
        if extension not in formats:
            raise Http404
        file_format = formats[extension]
        content = file_format.export_data(tablib.Dataset(headers=list(COLUMNS)))
        if not file_format.is_binary():
            content = content.encode(self.to_encoding)
        response = HttpResponse(content, content_type=file_format.get_content_type())
        response["Content-Disposition"] = f'attachment; filename="cases.{extension}"'
        return response

    def get_import_context_data(self, **kwargs):
        batches = CaseBatch.objects.select_related("program")
        return {
            **super().get_import_context_data(**kwargs),
            "columns": [
                (name, help_text, name in REQUIRED_COLUMNS) for name, help_text in COLUMNS.items()
            ],
            "batches": [(BatchWidget().render(batch), batch) for batch in batches],
        }

    def get_import_data_kwargs(self, **kwargs):
        # A confirmed import whose rows fail after all (something changed since the preview)
        # writes nothing at all, not the rows that still pass.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def add_data_read_fail_error_to_form(self, form, error):
        form.add_error(
            "import_file",
            _(
                "This file cannot be read as the format chosen. Choose XLSX for an Excel "
                "workbook, CSV for a CSV file saved as UTF-8."
            ),
        )

    def process_import(self, request, **kwargs):
        try:
            return super().process_import(request, **kwargs)
        except FileNotFoundError:  # confirmed twice, or the upload was cleaned away
            self.message_user(
                request,
                _("This upload was imported already or has expired: upload the file again."),
                messages.ERROR,
            )
            return redirect("admin:cases_case_import")

    def process_result(self, result, request):
        if not (result.has_errors() or result.has_validation_errors()):
            return super().process_result(result, request)
        self.message_user(
            request,
            _("Nothing was imported: the file does not pass the checks any more."),
            messages.ERROR,
        )
        for line in import_problems(result):
            self.message_user(request, line, messages.ERROR)
        return redirect("admin:cases_case_import")


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["key", "title", "publisher", "date", "kind", "copies_url_confirmed"]
    list_filter = ["kind", "copies_url_confirmed"]
    search_fields = ["key", "title", "publisher", "url"]
    list_select_related = []


@admin.register(Case)
class CaseAdmin(TranslationAdminMixin, CaseSpreadsheetMixin, PublishingAdmin):
    form = CaseForm
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
        NeedsTranslationFilter,
    ]
    search_fields = ["title_zh", "title_en", "summary_zh", "summary_en", "slug"]
    list_select_related = ["batch__program", "theme"]
    autocomplete_fields = ["batch", "theme", "lead_regions", "sectors", "sources"]
    prepopulated_fields = {"slug": ["title_en"]}
    date_hierarchy = "published_on"
    # Status changes only through the actions below, which check who may do what.
    readonly_fields = [
        "status",
        "publication_readiness",
        "translation_state",
        "created_at",
        "updated_at",
    ]
    actions = ["submit_for_review", "publish", "unpublish", clear_verification]
    # At 100,000 cases a count of the whole table on every page is wasted time.
    show_full_result_count = False

    class Media:
        css = {"all": ["css/admin.css"]}

    fieldsets = [
        (
            None,
            {
                "fields": [
                    "batch",
                    "theme",
                    "title_zh",
                    "title_en",
                    "title_is_topic",
                    "title_zh_descriptive",
                    "title_en_descriptive",
                    "slug",
                    "version",
                ]
            },
        ),
        (_("Regions and sectors"), {"fields": ["lead_regions", "sectors"]}),
        (
            _("Text"),
            {
                "fields": [
                    "translation_state",
                    "summary_zh",
                    "summary_en",
                    "body_zh",
                    "body_en",
                    "cataloguing_note_zh",
                    "cataloguing_note_en",
                ]
            },
        ),
        (
            _("Publication"),
            {
                "fields": [
                    "status",
                    "publication_readiness",
                    "published_on",
                    "sources",
                    "source_url",
                    "created_at",
                    "updated_at",
                ]
            },
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

    @admin.display(description=_("translation"))
    def translation_state(self, case):
        """Which texts exist in one language only, with the side-by-side form to fill them."""
        if case.pk is None:
            return self.get_empty_value_display()
        missing = [
            f"{Case._meta.get_field(f'{name}_{lang}').verbose_name}"
            for name in TRANSLATED_FIELDS
            for lang, other in (("zh", "en"), ("en", "zh"))
            if getattr(case, f"{name}_{other}") and not getattr(case, f"{name}_{lang}")
        ]
        return format_html(
            '{} <a href="{}">{}</a> · <a href="{}">{}</a>',
            _("Missing: %(texts)s.") % {"texts": ", ".join(missing)}
            if missing
            else _("Both languages complete."),
            reverse("admin:cases_case_translate", args=[case.pk]),
            _("Translate side by side"),
            reverse("admin:cases_case_translations"),
            _("All that needs translation"),
        )

    @admin.display(description=_("ready to publish"))
    def publication_readiness(self, case):
        if case.pk is None:
            return self.get_empty_value_display()
        missing = case.missing_for_publication()
        if missing:
            return _("Not yet: %(reasons)s") % {"reasons": ", ".join(map(str, missing))}
        return _("Yes")

    @admin.action(
        description=_("Submit this case for review"),
        description_plural=_("Submit the selected drafts for review"),
        permissions=["change"],
        location=LIST_AND_FORM,
    )
    def submit_for_review(self, request, queryset):
        count = queryset.submit_for_review()
        self.message_user(
            request,
            ngettext(
                "%(count)d case submitted for review.",
                "%(count)d cases submitted for review.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Publish this case"),
        description_plural=_("Publish the selected cases"),
        permissions=["publish"],
        location=LIST_AND_FORM,
    )
    def publish(self, request, queryset):
        self.publish_cases(request, queryset)

    @admin.action(
        description=_("Unpublish this case (back to draft)"),
        description_plural=_("Unpublish the selected cases (back to draft)"),
        permissions=["publish"],
        location=LIST_AND_FORM,
    )
    def unpublish(self, request, queryset):
        count = queryset.unpublish()
        self.message_user(
            request,
            ngettext(
                "%(count)d case returned to draft.", "%(count)d cases returned to draft.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Adoption)
class AdoptionAdmin(PublishingAdmin):
    """Adoptions move from draft to review to published like cases; publishers publish them."""

    list_display = ["case", "region", "extent", "adopted_on", "status"]
    list_filter = [
        "status",
        "extent",
        ("region", RelatedInUseFieldListFilter),
        ("case__batch__program", RelatedInUseFieldListFilter),
    ]
    search_fields = [
        "case__title_zh",
        "case__title_en",
        "case__slug",
        "region__name_zh",
        "region__name_en",
        "evidence_quote",
    ]
    list_select_related = ["case", "region"]
    autocomplete_fields = ["case", "region"]
    date_hierarchy = "adopted_on"
    readonly_fields = ["status", "created_at", "updated_at"]
    actions = ["submit_for_review", "publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["case", "region", "extent", "adopted_on"]}),
        (_("Evidence"), {"fields": ["evidence_url", "evidence_quote"]}),
        (_("Publication"), {"fields": ["status", "created_at", "updated_at"]}),
    ]

    def report(self, request, message, count):
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @admin.action(
        description=_("Submit this adoption for review"),
        description_plural=_("Submit the selected adoptions for review"),
        permissions=["change"],
        location=LIST_AND_FORM,
    )
    def submit_for_review(self, request, queryset):
        count = queryset.submit_for_review()
        self.report(
            request,
            ngettext(
                "%(count)d adoption submitted for review.",
                "%(count)d adoptions submitted for review.",
                count,
            ),
            count,
        )

    @admin.action(
        description=_("Publish this adoption"),
        description_plural=_("Publish the selected adoptions"),
        permissions=["publish"],
        location=LIST_AND_FORM,
    )
    def publish(self, request, queryset):
        count = queryset.publish()
        self.report(
            request,
            ngettext("%(count)d adoption published.", "%(count)d adoptions published.", count),
            count,
        )

    @admin.action(
        description=_("Unpublish this adoption (back to draft)"),
        description_plural=_("Unpublish the selected adoptions (back to draft)"),
        permissions=["publish"],
        location=LIST_AND_FORM,
    )
    def unpublish(self, request, queryset):
        count = queryset.unpublish()
        self.report(
            request,
            ngettext(
                "%(count)d adoption returned to draft.",
                "%(count)d adoptions returned to draft.",
                count,
            ),
            count,
        )


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    """The moderation queue of the public's suggestions: nothing here is ever public.

    What the visitor sent stays as it was sent (read-only); an editor turns a missing case into
    a pre-filled draft case, marks a correction made once the case is edited, or rejects.
    """

    list_display = ["created_at", "kind", "excerpt", "batch", "region", "case", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["what", "source_url", "contact"]
    list_select_related = ["batch__program", "region", "case"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "kind",
        "what",
        "case",
        "batch",
        "region",
        "source_url_link",
        "contact",
        "language",
        "created_at",
        "status",
        "draft_case",
    ]
    fields = readonly_fields
    actions = ["make_draft_cases", "mark_corrected", "reject"]

    def has_add_permission(self, request):
        return False  # suggestions come from the public form only

    @admin.display(description=_("what"))
    def excerpt(self, suggestion):
        return suggestion.what[:80]

    @admin.display(description=_("source link"))
    def source_url_link(self, suggestion):
        return format_html(
            '<a href="{}" rel="noopener noreferrer">{}</a>',
            suggestion.source_url,
            suggestion.source_url,
        )

    @admin.action(
        description=_("Turn into a draft case"),
        description_plural=_("Turn the selected suggestions into draft cases"),
        permissions=["change"],
        location=LIST_AND_FORM,
    )
    def make_draft_cases(self, request, queryset):
        new = queryset.filter(kind=Suggestion.Kind.MISSING_CASE, status=Suggestion.Status.NEW)
        cases = [draft_case_from(suggestion) for suggestion in new.select_related("region")]
        if len(cases) == 1:
            self.message_user(request, _("A draft case was made; complete it here."))
            return redirect("admin:cases_case_change", cases[0].pk)
        self.message_user(
            request,
            ngettext("%(count)d draft case made.", "%(count)d draft cases made.", len(cases))
            % {"count": len(cases)},
        )

    @admin.action(
        description=_("Mark the correction as made"),
        description_plural=_("Mark the selected corrections as made"),
        permissions=["change"],
        location=LIST_AND_FORM,
    )
    def mark_corrected(self, request, queryset):
        count = queryset.filter(kind=Suggestion.Kind.CORRECTION).update(
            status=Suggestion.Status.CORRECTED
        )
        self.message_user(
            request,
            ngettext("%(count)d correction marked.", "%(count)d corrections marked.", count)
            % {"count": count},
        )

    @admin.action(
        description=_("Reject"),
        description_plural=_("Reject the selected suggestions"),
        permissions=["change"],
        location=LIST_AND_FORM,
    )
    def reject(self, request, queryset):
        count = queryset.update(status=Suggestion.Status.REJECTED)
        self.message_user(
            request,
            ngettext("%(count)d suggestion rejected.", "%(count)d suggestions rejected.", count)
            % {"count": count},
        )
