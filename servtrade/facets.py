"""Faceted filtering: multiple-choice filters on readable keys whose options carry result counts.

A ``FacetFilterSet`` is an ordinary django-filter FilterSet with some ``FacetFilter``s. Each facet
filters by slugs or codes (``?theme=institutional-opening-up&region=guangzhou``) and can tell, for
each of its options, how many results the option would give with all the *other* filters kept:
one aggregate (GROUP BY) query per facet, asked of the model's QuerySet. Views, and later the JSON
API, use the same FilterSets, so nothing here knows about HTML.

Given a ``version`` (see servtrade.caching), the options, the counts and the number of results
are cached under it: a page with a warm cache runs no facet query at all.

Values nobody can understand (a stale slug in a shared link, a typo) are dropped one by one and
reported by ``ignored()``, so the page shows what was ignored instead of failing or silently
throwing away the whole filter.
"""

from dataclasses import dataclass, field

import django_filters
from django import forms
from django.utils.translation import get_language, gettext

from servtrade.caching import cached


class LenientMultipleChoiceField(forms.MultipleChoiceField):
    """Keeps the values it knows and remembers the others in ``ignored``."""

    ignored = ()

    def clean(self, value):
        values = self.to_python(value)
        self.ignored = [v for v in values if not self.valid_value(v)]
        return [v for v in values if self.valid_value(v)]


class FacetFilter(django_filters.Filter):
    """A multiple choice (OR) of keys, applied and counted by the QuerySet's own methods.

    ``apply(queryset, keys)`` keeps the rows matching any of the keys, e.g.
    ``CaseQuerySet.in_themes``; ``count(queryset)`` returns ``{key: number of rows}`` in one
    aggregate query, e.g. ``CaseQuerySet.theme_counts``; ``options()`` gives the ``Option``s
    that can be chosen, e.g. ``theme_options``.
    """

    field_class = LenientMultipleChoiceField

    def __init__(self, *, apply, count, options, **kwargs):
        self.apply = apply
        self.count = count
        self.options = options
        super().__init__(**kwargs)

    def filter(self, qs, value):
        return self.apply(qs, value) if value else qs


@dataclass(frozen=True)
class Option:
    """One choice of a facet: a key for the URL, a label to show, and how to show it."""

    key: str
    label: str
    depth: int = 0


@dataclass
class FacetOption:
    key: str
    label: str
    depth: int
    count: int
    selected: bool


@dataclass
class Facet:
    name: str
    label: str
    options: list = field(default_factory=list)

    @property
    def selected(self):
        return [option for option in self.options if option.selected]


class FacetFilterSet(django_filters.FilterSet):
    """A FilterSet with FacetFilters.

    The options are read once per FilterSet (one query per facet, and only when needed) and
    serve both to validate the values in the URL and to label the counts.
    """

    # Whether the page's rows are filtered in SQL (not read by id from the counter's results).
    rows_in_sql = False

    def __init__(self, *args, version=None, rows_needed=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        # How many rows of the default order the page shows or skips (see get_counter).
        self.rows_needed = rows_needed
        self._options = {}

    def get_options(self, name):
        """The options of facet ``name``, read once (and cached in the page's language)."""
        if name not in self._options:
            self._options[name] = cached(
                self.version,
                ("facet-options", type(self).__name__, name, get_language()),
                lambda: list(self.filters[name].options()),
            )
        return self._options[name]

    def state(self):
        """What the results depend on: the understood values, in a canonical order."""
        return tuple(
            (name, tuple(sorted(value)) if isinstance(value, list) else value)
            for name, value in sorted(self.cleaned_data.items())
            if value not in (None, "", [])
        )

    def get_counter(self):
        """Something that counts faster than SQL (see cases.counting), or None to count in SQL.

        For this FilterSet's values it answers ``count()``, ``facet_counts(name)`` (None for a
        facet it does not know), ``rows(queryset, rows_needed)`` (the page's rows read by id,
        or None to filter in SQL) and ``few_ids()`` (the ids of all the results when they are
        few, else None).
        """
        return None

    @property
    def counter(self):
        if not hasattr(self, "_counter"):
            self._counter = self.get_counter()
        return self._counter

    def count(self):
        """How many results the filters give (for the paginator), cached with the counts."""
        if self.counter is not None:
            return self.counter.count()
        return cached(
            self.version, ("count", type(self).__name__, self.state()), lambda: self.qs.count()
        )

    @property
    def qs(self):
        # django-filter leaves an unbound FilterSet's queryset as it is; a counter still knows
        # which rows the unfiltered list's page shows, so that the database does not sort the
        # whole catalogue to find them.
        if not hasattr(self, "_qs") and not self.is_bound and self.counter is not None:
            rows = self.counter.rows(self.queryset.all(), self.rows_needed)
            if rows is not None:
                self._qs = rows
        return super().qs

    def filter_queryset(self, queryset):
        # The counter knows the results: the page reads them by id when it can.
        rows = None if self.counter is None else self.counter.rows(queryset, self.rows_needed)
        if rows is not None:
            return rows
        self.rows_in_sql = True
        queryset = super().filter_queryset(queryset)
        if self.counter is None:
            return queryset
        if (ids := self.counter.few_ids()) is not None:
            queryset = queryset.filter(pk__in=ids)
        return queryset

    def notices(self):
        """What the page should say about how it found its results (none here)."""
        return []

    def get_form_class(self):
        # Only a bound FilterSet builds its form, so a page without parameters reads no options
        # for facets it does not show.
        for name in self.facet_names:
            choices = [(option.key, option.label) for option in self.get_options(name)]
            self.filters[name].extra["choices"] = choices
        return super().get_form_class()

    def search(self, queryset, name, value):
        """The method of a keyword filter: the model's QuerySet alone knows how to search."""
        return queryset.search(value)

    @property
    def facet_names(self):
        return [name for name, f in self.filters.items() if isinstance(f, FacetFilter)]

    @property
    def cleaned_data(self):
        """The understood values; empty for an unbound FilterSet (a page without parameters)."""
        if not self.is_bound:
            return {}
        self.form.is_valid()
        return self.form.cleaned_data

    def unusable(self):
        """Each value the URL gave that cannot be used: (filter name, value or message, which).

        ``which`` is "value" for a value the filter does not know (a stale slug), "message"
        for the form's own error about the parameter (keywords too long).
        """
        if not self.is_bound:
            return
        self.form.is_valid()
        for name, bound_field in self.form.fields.items():
            for value in getattr(bound_field, "ignored", ()):
                yield name, value, "value"
            for message in self.form.errors.get(name, ()):
                yield name, message, "message"

    def ignored(self):
        """What the URL asked for that could not be used: [(filter label, value or message)]."""
        return [(self.filters[name].label, text) for name, text, _which in self.unusable()]

    def problems(self):
        """{parameter: [why]} for every parameter that could not be used, for the API's 400."""
        found = {}
        for name, text, which in self.unusable():
            if which == "value":
                text = gettext("“%(value)s” is not a known value of %(name)s.") % {
                    "value": text[:60],
                    "name": name,
                }
            found.setdefault(name, []).append(str(text))
        return found

    def filter_queryset_except(self, queryset, excluded):
        for name, value in self.cleaned_data.items():
            if name != excluded:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def facets(self, names=None):
        """Each facet with its options and, per option, the rows it would give.

        The counts keep every filter but the facet's own, as a faceted search does; an option
        with no rows is left out unless it is selected (so it can be unselected).
        """
        names = names or self.facet_names
        all_counts = {}
        if self.counter is not None:
            all_counts = {name: self.counter.facet_counts(name) for name in names}
        # What the counter cannot count (or everything, without one) is counted in SQL.
        in_sql = tuple(name for name in names if all_counts.get(name) is None)
        if in_sql:
            all_counts |= cached(
                self.version,
                ("facet-counts", type(self).__name__, self.state(), in_sql),
                lambda: {name: self.facet_counts(name) for name in in_sql},
            )
        result = []
        for name in names:
            facet_filter = self.filters[name]
            counts = all_counts[name]
            selected = set(self.cleaned_data.get(name) or ())
            facet = Facet(name=name, label=facet_filter.label)
            for option in self.get_options(name):
                count = counts.get(option.key, 0)
                if count or option.key in selected:
                    facet.options.append(
                        FacetOption(
                            option.key, option.label, option.depth, count, option.key in selected
                        )
                    )
            result.append(facet)
        return result

    def facet_counts(self, name):
        """{option key: results} of facet ``name`` with every other filter kept."""
        queryset = self.filter_queryset_except(self.queryset.all(), name)
        return self.filters[name].count(queryset)
