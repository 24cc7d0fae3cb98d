"""Two to four regions, batches or programs side by side: phases, cases by theme and sector.

``Comparison(request.GET)`` reads ``?region=beijing&region=shanghai`` (or ``batch=`` keys such as
``pilot-2020-4``, or ``program=`` slugs), keeps what it understands and says what it could not
use; the page shows ``columns`` once ``ok``. Each column's figures come from the cases' own
QuerySet filters (``in_regions``, ``in_batches``, ``in_programs``), the same that the case list
uses, so each count links to the list that shows those cases. At most four columns of a few
queries each: the page's query count is bounded.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from cases.models import Case, CaseBatch, ServiceSector, Theme
from regions.models import Membership, PilotProgram, Region

MIN_ITEMS, MAX_ITEMS = 2, 4
# What a region or program slug or a batch key can look like.
KEY = re.compile(r"[-\w]{1,120}")


@dataclass
class Kind:
    """One kind of thing that can be compared, and how to find its records and cases."""

    param: str
    label: str
    plural: str
    filter_method: str

    def records(self, keys):
        """{key: record} for the keys that name one."""
        if self.param == "region":
            return {r.slug: r for r in Region.objects.filter(slug__in=keys)}
        if self.param == "program":
            return {p.slug: p for p in PilotProgram.objects.filter(slug__in=keys)}
        wanted = Q(pk__in=[])
        for key in keys:
            program_slug, _sep, number = key.rpartition("-")
            if number.isdigit():
                wanted |= Q(program__slug=program_slug, number=int(number))
        return {b.key: b for b in CaseBatch.objects.select_related("program").filter(wanted)}


KINDS = {
    kind.param: kind
    for kind in (
        Kind("region", gettext_lazy("regions"), pgettext_lazy("compare", "Regions"), "in_regions"),
        Kind("batch", gettext_lazy("batches"), pgettext_lazy("compare", "Batches"), "in_batches"),
        Kind(
            "program", gettext_lazy("programs"), pgettext_lazy("compare", "Programs"), "in_programs"
        ),
    )
}


@dataclass
class Column:
    """One region, batch or program and its published cases' figures."""

    key: str
    record: object
    phases: list
    case_count: int
    adopted_count: int
    themes: dict
    sectors: dict
    cases_url: str
    only_themes: list = field(default_factory=list)
    only_sectors: list = field(default_factory=list)

    @property
    def label(self):
        """The column's heading: a region's or program's name, a batch's short title."""
        return getattr(self.record, "short_title", None) or self.record.name


@dataclass
class Row:
    """A theme or sector across the columns: [(column, count)], and whether only one has it."""

    label: str
    key: str
    cells: list
    only: bool


class Comparison:
    def __init__(self, query):
        self.notices = []
        self.kind = None
        self.columns = []
        self.theme_rows = self.sector_rows = []
        given = [param for param in KINDS if any(v.strip() for v in query.getlist(param))]
        if not given:
            return
        if len(given) > 1:
            self.notices.append(
                _("Compare regions, batches or programs, one kind at a time; not %(kinds)s.")
                % {"kinds": " + ".join(str(KINDS[param].label) for param in given)}
            )
            return
        self.kind = KINDS[given[0]]
        keys = unique(v.strip() for v in query.getlist(self.kind.param) if v.strip())
        if len(keys) > MAX_ITEMS:
            self.notices.append(
                _("At most %(max)d can be compared side by side; the first %(max)d are shown.")
                % {"max": MAX_ITEMS}
            )
            keys = keys[:MAX_ITEMS]
        # Only slug-like keys reach the database (PostgreSQL refuses a NUL byte, for one).
        records = self.kind.records([key for key in keys if KEY.fullmatch(key)])
        for key in keys:
            if key not in records:
                self.notices.append(
                    _("“%(key)s” is not one of the %(kind)s servtrade knows; it was left out.")
                    % {"key": key[:100], "kind": self.kind.label}
                )
        found = [key for key in keys if key in records]
        if len(found) < MIN_ITEMS:
            self.notices.append(
                _("Choose two to four %(kind)s to compare.") % {"kind": self.kind.label}
            )
            return
        self.columns = [self.column(key, records[key]) for key in found]
        themes = [(theme.slug, theme.name) for theme in Theme.objects.all()]
        sectors = [(s.code, f"{s.code} {s.name}") for s in ServiceSector.objects.all()]
        self.theme_rows = self.rows("themes", themes)
        self.sector_rows = self.rows("sectors", sectors)

    @property
    def given(self):
        """Whether the address asked for a comparison at all (else the page only offers one)."""
        return bool(self.kind or self.notices)

    @property
    def ok(self):
        return bool(self.columns)

    def column(self, key, record):
        cases = getattr(Case.objects.published(), self.kind.filter_method)([key])
        return Column(
            key=key,
            record=record,
            phases=self.phases(record),
            case_count=cases.count(),
            adopted_count=cases.adopted_elsewhere().count(),
            themes=cases.theme_counts(),
            sectors=cases.sector_counts(),
            cases_url=f"{reverse('cases:case-list')}?{urlencode({self.kind.param: key})}",
        )

    def phases(self, record):
        """The programs (phases) a column took part in: [(program, date)]."""
        if self.kind.param == "region":
            memberships = Membership.objects.filter(region=record).select_related("program")
            return [(m.program, m.joined_on or m.program.starts_on) for m in memberships]
        if self.kind.param == "batch":
            return [(record.program, record.published_on)]
        return [(record, record.approved_on)]

    def rows(self, counts, options):
        """Rows of the themes or sectors (``counts``) any column has, in their usual order.

        Each column's ``only_<counts>`` gets the labels of the rows only it has cases in.
        """
        rows = []
        for key, label in options:
            cells = [(column, getattr(column, counts).get(key, 0)) for column in self.columns]
            having = [column for column, count in cells if count]
            if not having:
                continue
            rows.append(Row(label=label, key=key, cells=cells, only=len(having) == 1))
            if len(having) == 1:
                getattr(having[0], f"only_{counts}").append(label)
        return rows


def unique(values):
    seen = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen
