"""Cases as spreadsheet rows (XLSX or CSV), for the admin's import and export.

The same columns go out and come back in, so a file exported, edited in Excel and imported again
updates the cases it came from (rows are matched by slug). An import checks every row before
anything is saved and reports every problem of every row; it never publishes: new cases start as
drafts and existing cases keep their status. docs/import.md describes the columns for editors.
"""

import datetime
import re
from collections import defaultdict

from diff_match_patch import diff_match_patch
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.html import format_html_join
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from cases.models import Case, CaseBatch, ServiceSector, Theme
from regions.models import Region
from servtrade.exports import neutralise, restore
from servtrade.history import record_history_in_bulk, skip_history

# What each column holds, shown on the admin's import page; docs/import.md says the same.
COLUMNS = {
    "slug": _(
        "The case's address on the site, e.g. xiamen-sports-trade. A slug that exists updates "
        "that case. Empty: made from the English title, for a new case."
    ),
    "batch": _(
        "The batch: its program's slug and its number, e.g. comprehensive-deepening-2020/1, or "
        "its Chinese or English title. May be empty while the batch is not known."
    ),
    "theme": _("The theme's Chinese or English name (or its slug)."),
    "title_zh": _("Required: the Chinese title."),
    "title_en": _("Required: the English title."),
    "summary_zh": _("Chinese summary."),
    "summary_en": _("English summary."),
    "body_zh": _("Chinese full text."),
    "body_en": _("English full text."),
    "lead_regions": _(
        "Lead regions, each by its GB/T 2260 code or its Chinese or English name, separated by "
        "“;” or “、”."
    ),
    "sectors": _(
        "Service sectors, each by its EBOPS code (SA to SL) or its Chinese or English name, "
        "separated by “;” or “、”."
    ),
    "published_on": _(
        "The official publication date, e.g. 2023-11-01 (or 2023/11/01, 2023年11月1日). Empty: "
        "the day a publisher publishes the case."
    ),
    "source_url": _("Link to the source, starting with https://"),
}
# Columns a file must have, even if some of their cells are empty.
REQUIRED_COLUMNS = ["slug", "title_zh", "title_en"]


class TextWidget(widgets.CharWidget):
    """Text without the spaces around it; ``required`` refuses an empty cell."""

    def __init__(self, required=False):
        super().__init__()
        self.required = required

    def clean(self, value, row=None, **kwargs):
        # A cell our export neutralised ('=...) comes back as the text it was.
        text = restore(super().clean(value, row, **kwargs).strip()).strip()
        if self.required and not text:
            raise ValueError(_("Required: every case needs its title in Chinese and in English."))
        return text


class DateWidget(widgets.DateWidget):
    """A date cell, or text in one of a few unambiguous formats (never month/day/year)."""

    FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]

    def __init__(self):
        super().__init__(format=self.FORMATS[0])
        self.formats = self.FORMATS

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):  # a date cell in XLSX
            return value.date()
        try:
            return super().clean(value.strip() if isinstance(value, str) else value, row)
        except ValueError:
            raise ValueError(
                _("“%(value)s” is not a date: write it as 2023-11-01.") % {"value": value}
            ) from None


class NamedWidget(widgets.ForeignKeyWidget):
    """One related record, named by any of ``lookups`` (English names in any case)."""

    def __init__(self, model, lookups, render_as):
        super().__init__(model, field=render_as)
        self.lookups = lookups
        self.forget()

    def forget(self):
        """Start an import: names are looked up once per import, not once per row."""
        self.known = {}

    def get_queryset(self, value, row, *args, **kwargs):
        return self.model.objects.all()

    def matches(self, name):
        """Up to two records of that name: enough to tell one from several."""
        if name not in self.known:
            query = Q()
            for lookup in self.lookups:
                query |= Q(**{lookup: name})
            self.known[name] = list(self.get_queryset(name, None).filter(query)[:2])
        return self.known[name]

    def find(self, name):
        found = self.matches(name)
        if not found:
            raise ValueError(
                _("Unknown %(model)s “%(name)s”.")
                % {"model": self.model._meta.verbose_name, "name": name}
            )
        if len(found) > 1:
            raise ValueError(
                _("“%(name)s” names more than one %(model)s: use the code or the slug.")
                % {"model": self.model._meta.verbose_name, "name": name}
            )
        return found[0]

    def clean(self, value, row=None, **kwargs):
        name = str(value or "").strip()
        return self.find(name) if name else None


class NamedManyWidget(widgets.ManyToManyWidget):
    """Several related records, each named as for ``NamedWidget``, separated by ; or 、.

    A name may contain 、 itself (the sector 电信、计算机和信息服务): of the pieces between
    separators, the longest run that names a record is taken as one name.
    """

    def __init__(self, model, lookups, render_as):
        super().__init__(model, separator="、", field=render_as)
        self.one = NamedWidget(model, lookups, render_as)

    def names(self, value):
        for part in re.split(r"[;；]", str(value or "")):
            pieces = [piece.strip() for piece in part.split("、") if piece.strip()]
            start = 0
            while start < len(pieces):
                end = len(pieces)
                while end > start + 1 and not self.one.matches("、".join(pieces[start:end])):
                    end -= 1
                yield "、".join(pieces[start:end])
                start = end

    def clean(self, value, row=None, **kwargs):
        found, problems = [], []
        for name in self.names(value):
            try:
                found.append(self.one.find(name))
            except ValueError as problem:
                problems.append(str(problem))
        if problems:
            raise ValueError(" ".join(problems))
        return found


class BatchWidget(NamedWidget):
    """A batch, as ``program-slug/number`` (what the export writes) or by its title."""

    def __init__(self):
        super().__init__(CaseBatch, ["title_zh", "title_en__iexact"], render_as="number")

    def get_queryset(self, value, row, *args, **kwargs):
        return CaseBatch.objects.select_related("program")  # rendered as program/number

    def find(self, name):
        program, _slash, number = name.rpartition("/")
        if program and number.isdigit():
            key = ("program/number", program, number)
            if key not in self.known:
                self.known[key] = (
                    self.get_queryset(name, None)
                    .filter(program__slug=program, number=number)
                    .first()
                )
            if self.known[key]:
                return self.known[key]
        try:
            return super().find(name)
        except ValueError:
            raise ValueError(
                _(
                    "Unknown batch “%(name)s”: write its program's slug and its number, e.g. "
                    "comprehensive-deepening-2020/1, or its title."
                )
                % {"name": name}
            ) from None

    def render(self, value, obj=None, **kwargs):
        return f"{value.program.slug}/{value.number}" if value else ""


class ManyField(fields.Field):
    """A many-to-many column; the preview's diff shows what the row sets, read from the row
    (``import_instance`` keeps it), not from the database once per row."""

    def export(self, instance, **kwargs):
        imported = getattr(instance, "imported_m2m", {})
        if self.attribute in imported:
            widget = self.widget
            return widget.separator.join(
                str(getattr(record, widget.field)) for record in imported[self.attribute]
            )
        return super().export(instance, **kwargs)


def constraint_message(name):
    (constraint,) = [c for c in Case._meta.constraints if c.name == name]
    return constraint.violation_error_message


def slug_from(title):
    return slugify(str(title or ""))[:120]


def text(name, required=False):
    return fields.Field(attribute=name, column_name=name, widget=TextWidget(required))


class StylelessDiff(resources.Diff):
    """The import preview's field diffs as <ins>/<del> without style attributes, which the
    site's Content-Security-Policy refuses (their colours are in static/css/admin.css)."""

    TAGS = {-1: "del", 0: "span", 1: "ins"}

    def as_html(self):
        rows = []
        for before, after in zip(self.left, self.right, strict=False):
            if before != after and self.new:
                before = ""
            dmp = diff_match_patch()
            diff = dmp.diff_main(force_str(before), force_str(after))
            dmp.diff_cleanupSemantic(diff)
            rows.append(
                format_html_join(
                    "", "<{}>{}</{}>", ((self.TAGS[op], text, self.TAGS[op]) for op, text in diff)
                )
            )
        return rows


class CaseResource(resources.ModelResource):
    slug = text("slug")
    batch = fields.Field(attribute="batch", column_name="batch", widget=BatchWidget())
    theme = fields.Field(
        attribute="theme",
        column_name="theme",
        widget=NamedWidget(Theme, ["name_zh", "name_en__iexact", "slug"], render_as="name_zh"),
    )
    title_zh = text("title_zh", required=True)
    title_en = text("title_en", required=True)
    summary_zh = text("summary_zh")
    summary_en = text("summary_en")
    body_zh = text("body_zh")
    body_en = text("body_en")
    lead_regions = ManyField(
        attribute="lead_regions",
        column_name="lead_regions",
        widget=NamedManyWidget(
            Region, ["code", "name_zh", "name_en__iexact", "slug"], render_as="name_zh"
        ),
    )
    sectors = ManyField(
        attribute="sectors",
        column_name="sectors",
        widget=NamedManyWidget(
            ServiceSector, ["code__iexact", "name_zh", "name_en__iexact"], render_as="code"
        ),
    )
    published_on = fields.Field(
        attribute="published_on", column_name="published_on", widget=DateWidget()
    )
    source_url = text("source_url")

    class Meta:
        model = Case
        fields = list(COLUMNS)
        import_id_fields = ["slug"]
        use_transactions = True
        clean_model_instances = True
        report_skipped = False

    @classmethod
    def get_display_name(cls):
        return _("Cases")

    def filter_export(self, queryset, **kwargs):
        return queryset.with_related()

    def export_field(self, field, instance, **kwargs):
        # Exports are spreadsheets (CSV, XLSX): no cell may run as a formula there.
        return neutralise(super().export_field(field, instance, **kwargs))

    def get_diff_class(self):
        return StylelessDiff

    def import_data_inner(self, dataset, dry_run, raise_errors, *args, **kwargs):
        dataset.headers = [str(header or "").strip() for header in dataset.headers]
        missing = [column for column in REQUIRED_COLUMNS if column not in dataset.headers]
        unknown = [header for header in dataset.headers if header and header not in COLUMNS]
        if missing or unknown:
            # Refused whole: row by row, wrong columns would give a problem in every row.
            result = self.get_result_class()()
            problem = _(
                "The first row must name the columns. Missing: %(missing)s. Unknown: "
                "%(unknown)s. The columns are: %(columns)s."
            ) % {
                "missing": ", ".join(missing) or "-",
                "unknown": ", ".join(unknown) or "-",
                "columns": ", ".join(COLUMNS),
            }
            self.handle_import_error(result, ValueError(problem), raise_errors)
            return result
        self.dry_run, self.saved = dry_run, {True: [], False: []}
        result = super().import_data_inner(dataset, dry_run, raise_errors, *args, **kwargs)
        # Report rows as the spreadsheet numbers them: the header is row 1.
        for row in [*result.invalid_rows, *result.error_rows]:
            row.number += 1
        return result

    def before_import(self, dataset, **kwargs):
        """Note which rows share a slug (given, or made from the English title), and read the
        cases the rows name, and the records their cells name, once for the whole file."""
        self.rows_by_slug = defaultdict(list)
        for number, row in enumerate(dataset.dict, start=2):  # the header is row 1
            if any(row.values()):
                slug = str(row["slug"] or "").strip() or slug_from(row["title_en"])
                self.rows_by_slug[slug].append(number)
        self.existing = Case.objects.in_bulk(list(self.rows_by_slug), field_name="slug")
        for field in self.get_import_fields():
            widget = getattr(field.widget, "one", field.widget)
            if isinstance(widget, NamedWidget):
                widget.forget()

    def get_instance(self, instance_loader, row):
        # Read in before_import(), all at once; a case is matched by its slug.
        return self.existing.get(str(row.get("slug") or "").strip())

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return not any(row.values())  # a blank line

    def import_instance(self, instance, row, **kwargs):
        """Read the row and check all of it, so the preview lists every problem at once."""
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        # The library reads many-to-many columns only after saving; read them now, with the rest.
        instance.imported_m2m = {}
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                try:
                    instance.imported_m2m[field.attribute] = field.clean(row)
                except ValueError as error:
                    errors[field.attribute] = [str(error)]
        self.check_slug(instance, errors)
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The model's checks, without the ones that cost a query per row and are known here.

        The slug is unique (before_import read every case the file names, check_slug the
        rest), the batch and theme exist (the widgets found them), and of the check
        constraints only the publication ones can fail (both titles are required): they are
        checked here, in Python, with the constraints' own messages.
        """
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(
                exclude={*errors, "batch", "theme"},
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        published = instance.status == Case.Status.PUBLISHED
        for field, constraint in [
            ("batch", "case_published_has_batch"),
            ("published_on", "case_published_has_date"),
        ]:
            if published and getattr(instance, field) is None:
                errors.setdefault(field, []).append(constraint_message(constraint))
        if errors:
            raise ValidationError(errors)

    def check_slug(self, instance, errors):
        """Make a missing slug from the English title; refuse one another case or row has."""
        if not instance.slug and instance.title_en:
            instance.slug = slug_from(instance.title_en)
            if Case.objects.filter(slug=instance.slug).exists():
                errors["slug"] = [
                    _(
                        "The slug “%(slug)s” made from the English title is another case's. To "
                        "update that case, write its slug in this row; else give this row a slug "
                        "of its own."
                    )
                    % {"slug": instance.slug}
                ]
        rows = self.rows_by_slug.get(instance.slug, [])
        if len(rows) > 1:
            errors["slug"] = [
                _("Rows %(rows)s have the same slug “%(slug)s”: each case needs its own.")
                % {"rows": ", ".join(map(str, rows)), "slug": instance.slug}
            ]

    def before_save_instance(self, instance, row, **kwargs):
        skip_history(instance)
        instance.is_new = instance._state.adding

    def save_m2m(self, instance, row, **kwargs):
        for attribute, related in instance.imported_m2m.items():
            manager = getattr(instance, attribute)
            if instance.is_new:
                # A new case has no links yet: one insert, not set()'s read, diff and insert.
                through = manager.through
                source, target = manager.source_field_name, manager.target_field_name
                through.objects.bulk_create(
                    through(**{f"{source}_id": instance.pk, f"{target}_id": record.pk})
                    for record in {record.pk: record for record in related}.values()
                )
            else:
                manager.set(related)
        self.last_saved = instance

    def after_import_row(self, row, row_result, **kwargs):
        # The row is saved whole (its savepoint will be released): its history record is due.
        if row_result.import_type in (row_result.IMPORT_TYPE_NEW, row_result.IMPORT_TYPE_UPDATE):
            instance = self.last_saved
            self.saved[instance.is_new].append(instance)

    def after_import(self, dataset, result, **kwargs):
        """Each saved case's one history record, with its links, for the whole file at once;
        none in a preview, whose writes are all rolled back."""
        if self.dry_run or result.has_errors() or result.has_validation_errors():
            return
        now = timezone.now()
        for created, instances in self.saved.items():
            record_history_in_bulk(instances, now, created=created)
