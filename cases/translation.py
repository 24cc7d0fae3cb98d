"""Translation state in the admin: what exists in one language only, and a form to fill it in.

Editors see, across the catalogue, how many cases lack a title, summary or full text in Chinese
or in English while having it in the other (``CaseAdmin``'s "needs translation" page), filter the
case list by it, and work through a case on a form with Chinese on the left and English on the
right.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from cases.querysets import TRANSLATED_FIELDS

LANGUAGES = [("zh", _("Chinese")), ("en", _("English"))]
# How many cases the overview lists to start work on.
WORK_LIST = 50


class NeedsTranslationFilter(admin.SimpleListFilter):
    title = _("translation")
    parameter_name = "translation"

    def lookups(self, request, model_admin):
        return [
            ("missing", _("needs translation")),
            ("zh", _("Chinese missing")),
            ("en", _("English missing")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.needing_translation()
        if self.value() in ("zh", "en"):
            return queryset.missing_in(self.value())
        return queryset


class TranslationForm(forms.ModelForm):
    """The case's texts in both languages; the template sets Chinese left, English right."""

    class Meta:
        model = Case
        fields = [f"{name}_{lang}" for name in TRANSLATED_FIELDS for lang in ("zh", "en")]

    def pairs(self):
        """[(Chinese field, English field)] per text, for the two columns."""
        return [(self[f"{name}_zh"], self[f"{name}_en"]) for name in TRANSLATED_FIELDS]


class TranslationAdminMixin:
    """For CaseAdmin: the "needs translation" overview and the side-by-side form."""

    def get_urls(self):
        urls = [
            path(
                "translations/",
                self.admin_site.admin_view(self.translations_view),
                name="cases_case_translations",
            ),
            path(
                "<int:pk>/translate/",
                self.admin_site.admin_view(self.translate_view),
                name="cases_case_translate",
            ),
        ]
        return [*urls, *super().get_urls()]

    def translations_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        cases = Case.objects.all()
        counts = cases.translation_counts()
        changelist = reverse("admin:cases_case_changelist")
        rows = [
            {
                "field": Case._meta.get_field(f"{name}_zh").verbose_name,
                "name": name,
                "cells": [
                    (label, counts[(name, lang)], f"{changelist}?translation={lang}")
                    for lang, label in LANGUAGES
                ],
            }
            for name in TRANSLATED_FIELDS
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Needs translation"),
            "opts": self.model._meta,
            "rows": rows,
            "languages": LANGUAGES,
            "total": cases.needing_translation().count(),
            "work": cases.needing_translation().select_related("batch__program")[:WORK_LIST],
            "changelist_missing": f"{changelist}?translation=missing",
        }
        return TemplateResponse(request, "admin/cases/case/translations.html", context)

    def translate_view(self, request, pk):
        case = get_object_or_404(Case, pk=pk)
        if not self.has_change_permission(request, case):
            raise PermissionDenied
        form = TranslationForm(request.POST or None, instance=case)
        if request.method == "POST" and form.is_valid():
            form.save()
            self.log_change(request, case, [{"changed": {"fields": form.changed_data}}])
            self.message_user(
                request, _("The translation of “%(case)s” is saved.") % {"case": case}
            )
            after = request.POST.get("next") == "overview"
            return redirect("admin:cases_case_translations" if after else request.path)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Translate “%(case)s”") % {"case": case},
            "opts": self.model._meta,
            "original": case,
            "form": form,
            "languages": LANGUAGES,
        }
        status = 400 if form.errors else 200
        return TemplateResponse(request, "admin/cases/case/translate.html", context, status=status)
