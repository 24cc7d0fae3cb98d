"""Admin list filters that stay cheap on a large table.

Django's ``RelatedOnlyFieldListFilter`` finds the values in use with ``SELECT DISTINCT`` over a
join of the whole table, and any filter on a many-to-many field makes the changelist ``SELECT
DISTINCT`` over every column of every row. These ask EXISTS instead: per offered value, the
first matching row through an index; and for the rows, the join table alone.
"""

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q


class RelatedInUseFieldListFilter(admin.RelatedFieldListFilter):
    """``RelatedOnlyFieldListFilter`` without the DISTINCT scan: values some row points to."""

    def field_choices(self, field, request, model_admin):
        rows = model_admin.get_queryset(request).order_by()
        in_use = Exists(rows.filter(**{self.field_path: OuterRef("pk")}))
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(include_blank=False, limit_choices_to=Q(in_use), ordering=ordering)


class ManyToManyInUseFilter(admin.SimpleListFilter):
    """Filter by one value of a many-to-many field (``field_name``), offering values in use.

    A SimpleListFilter, so the changelist does not add DISTINCT: the rows are filtered by EXISTS
    on the join table, which cannot give a row twice. Make one with ``in_use_filter(name)``.
    """

    field_name = None

    def __init__(self, request, params, model, model_admin):
        self.field = model._meta.get_field(self.field_name)
        self.title = self.field.verbose_name
        super().__init__(request, params, model, model_admin)

    def links(self, **lookups):
        return self.field.remote_field.through.objects.filter(**lookups)

    def lookups(self, request, model_admin):
        to_related = self.field.m2m_reverse_field_name()
        in_use = Exists(self.links(**{to_related: OuterRef("pk")}))
        return [(str(obj.pk), str(obj)) for obj in self.field.related_model.objects.filter(in_use)]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if self.value() not in {key for key, _label in self.lookup_choices}:
            return queryset.none()
        links = self.links(
            **{
                self.field.m2m_field_name(): OuterRef("pk"),
                self.field.m2m_reverse_field_name(): self.value(),
            }
        )
        return queryset.filter(Exists(links))


def in_use_filter(field_name):
    """A ManyToManyInUseFilter for ``field_name``, with the field's name as URL parameter."""
    return type(
        f"{field_name.title()}InUseFilter",
        (ManyToManyInUseFilter,),
        {"field_name": field_name, "parameter_name": field_name},
    )
