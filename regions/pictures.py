"""What the map, the completeness chart and the timeline draw: numbers and places, no markup.

Each function reads the same QuerySet methods as the tables beside the pictures
(``Region.objects.with_case_counts()``, ``CaseBatch.objects.with_case_counts()``,
``PilotProgram.objects.with_counts()``), so a picture never says something a table does not.
The templates in templates/pictures/ turn these into inline SVG; servtrade.templatetags.pictures
renders and caches them under the catalogue's version. See docs/pictures.md.
"""

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from regions.models import Membership, PilotProgram, Region
from regions.tilegrid import BY_CODE, COLUMNS, ROWS

# Map geometry, in SVG user units: a tile's side, the gap between tiles, the marker's size.
TILE = 60
STEP = 64
MARKER_HEIGHT = 19
MARKER_MIN_WIDTH = 26
DIGIT_WIDTH = 8
PIP_WIDTH = 6
PIP_GAP = 1
# Charts are drawn 360 units wide, about a phone's width, so their text stays legible there.
CHART_WIDTH = 360
ROW_HEIGHT = 36
TIMELINE_AXIS = 24
# A phase's row: its name, the bar of its period, the dots of its batches, undated batches.
TIMELINE_BARS_HEIGHT = 36
TIMELINE_DOTS_HEIGHT = 58
TIMELINE_LINE = 18


def batch_model():
    """CaseBatch, reached through the program's reverse relation (``regions`` never imports
    ``cases``; see ``regions.models.published_cases``)."""
    return PilotProgram._meta.get_field("batches").related_model


@dataclass
class Marker:
    region: Region
    phases: list  # [(label, is a member)] for every phase that has members
    x: int = 0
    y: int = 0
    width: int = MARKER_MIN_WIDTH
    state: str = "member"  # member, other (not in the program shown), current, neighbour

    @property
    def phase_labels(self):
        return [label for label, member in self.phases if member]

    @property
    def phase_text(self):
        return pgettext("list separator", ", ").join(self.phase_labels)

    @property
    def center(self):
        return self.x + self.width / 2

    @property
    def pips(self):
        """(x, member) of each phase's little bar under the count; position says which phase."""
        total = len(self.phases) * (PIP_WIDTH + PIP_GAP) - PIP_GAP
        left = self.x + (self.width - total) / 2
        return [
            (left + index * (PIP_WIDTH + PIP_GAP), member)
            for index, (_label, member) in enumerate(self.phases)
        ]


@dataclass
class MapTile:
    tile: object
    x: int
    y: int
    region: Region | None = None  # the province-level region, when the database has it
    markers: list = field(default_factory=list)
    current: bool = False


def pilot_regions(version=None):
    """Every region that belongs to a phase, with its case count and phases (three queries);
    ``version``: the catalogue's, for counts from the case bitmaps (see with_case_counts)."""
    return list(
        Region.objects.filter(pk__in=Membership.objects.values("region"))
        .select_related("parent")
        .prefetch_related("memberships")
        .with_case_counts(version)
        .order_by("code", "slug")
    )


def phase_label(program):
    return program.year_label if program.approved_on else program.name


def region_map(program=None, region=None, regions=None):
    """The tile-grid map: every province-level division, the pilot regions in their tiles.

    ``program``: its members are drawn solid, the other pilot regions hollow. ``region``: that
    region (or, for a province, its tile) is highlighted and its province's other pilot regions
    marked. ``regions``: ``pilot_regions()``, when the caller has them already.
    """
    regions = pilot_regions() if regions is None else regions
    member_programs = {m.program_id for r in regions for m in r.memberships.all()}
    phases = [p for p in PilotProgram.objects.all() if p.pk in member_programs]
    tiles = {
        tile.code: MapTile(tile, tile.column * STEP + 2, tile.row * STEP + 2)
        for tile in BY_CODE.values()
    }
    unplaced = []
    province_of_region = province_slug(region) if region else None
    for pilot in regions:
        joined = {m.program_id for m in pilot.memberships.all()}
        marker = Marker(pilot, [(phase_label(p), p.pk in joined) for p in phases])
        if program is not None and program.pk not in joined:
            marker.state = "other"
        if region is not None:
            if pilot.pk == region.pk:
                marker.state = "current"
            elif province_slug(pilot) == province_of_region:
                marker.state = "neighbour"
        province = pilot if pilot.parent is None else pilot.parent
        tile = tiles.get(province.code)
        if tile is None:
            unplaced.append(marker)
            continue
        tile.region = province
        tile.markers.append(marker)
    for tile in tiles.values():
        if region is not None and tile.region is not None:
            tile.current = tile.region.slug == province_of_region
        place_markers(tile)
    return {
        "tiles": sorted(tiles.values(), key=lambda t: (t.tile.row, t.tile.column)),
        "markers": [m for t in tiles.values() for m in t.markers],
        "unplaced": unplaced,
        "rows": sorted_markers(regions, tiles, unplaced),
        "phases": [phase_label(p) for p in phases],
        "width": COLUMNS * STEP,
        "height": ROWS * STEP,
        "program": program,
        "region": region,
    }


def province_slug(region):
    return region.parent.slug if region.parent_id else region.slug


def place_markers(tile):
    """Markers flow left to right inside the tile, under its name, wrapping to a second row."""
    x, y = tile.x + 3, tile.y + 18
    for marker in tile.markers:
        digits = len(str(marker.region.case_count))
        marker.width = max(MARKER_MIN_WIDTH, digits * DIGIT_WIDTH + 8)
        if x + marker.width > tile.x + TILE - 2 and x > tile.x + 3:
            x, y = tile.x + 3, y + MARKER_HEIGHT + 2
        marker.x, marker.y = x, y
        x += marker.width + 2


def sorted_markers(regions, tiles, unplaced):
    by_region = {m.region.pk: m for t in tiles.values() for m in t.markers}
    by_region.update({m.region.pk: m for m in unplaced})
    return [by_region[r.pk] for r in regions]


def shorten_label(text, width=CHART_WIDTH - 10):
    """``text`` cut at a word to fit about ``width`` units (CJK characters count double).

    No ellipsis: the link's accessible name is the whole text, and the visible part must be
    a piece of it (WCAG 2.5.3, "label in name"); the data table shows the whole text.
    """
    used = 0
    for index, char in enumerate(text):
        used += 12.5 if ord(char) > 0x2E80 else 7.4
        if used > width:
            cut = text[:index]
            if " " in cut and ord(char) <= 0x2E80:
                cut = cut.rsplit(" ", 1)[0]
            return cut.rstrip(" ,;:·")
    return text


# Completeness: catalogued vs official, per batch and per program.


@dataclass
class CompletenessRow:
    label: str
    url: str
    catalogued: int
    official: int | None
    is_total: bool = False
    # Where the template draws it: bar lengths and the row's top, in SVG units.
    catalogued_width: float = 0.0
    official_width: float = 0.0
    y: int = 0


def completeness(program=None):
    """Per batch (and per program, a total row), published cases catalogued vs official number.

    A program's official total is known only when every batch's number is; otherwise the
    total row says so rather than adding up part of it.
    """
    batches = batch_model().objects.all()
    if program is not None:
        batches = batches.filter(program=program)
    rows = []
    for group in batches.coverage():  # one query; the coverage table's own counts
        rows += [
            CompletenessRow(
                str(batch.short_title),
                batch.get_absolute_url(),
                batch.catalogued_published,
                batch.official_case_count,
            )
            for batch in group.batches
        ]
        rows.append(
            CompletenessRow(
                _("%(program)s, all batches") % {"program": phase_label(group.program)},
                group.program.get_absolute_url(),
                group.catalogued,
                group.official,
                is_total=True,
            )
        )
    # Batches share one scale and totals another, so that a small batch still shows.
    widest = max([max(r.catalogued, r.official or 0) for r in rows if not r.is_total] or [1])
    widest_total = max([max(r.catalogued, r.official or 0) for r in rows if r.is_total] or [1])
    y = 0
    for row in rows:
        scale = max(widest_total if row.is_total else widest, 1)
        row.catalogued_width = round(row.catalogued / scale * CHART_WIDTH, 1)
        row.official_width = round((row.official or 0) / scale * CHART_WIDTH, 1)
        row.y = y
        y += ROW_HEIGHT + (6 if row.is_total else 0)
    return {"rows": rows, "height": y, "width": CHART_WIDTH}


# Timeline: phases with their periods, batches with their release dates.


@dataclass
class TimelinePhase:
    program: PilotProgram
    batches: list  # [(batch, position on the axis or None when the date is not known)]
    approved_x: float | None = None
    period_x: float | None = None
    period_width: float = 0.0
    y: int = 0
    height: int = 0

    @property
    def dated_batches(self):
        return [(batch, x) for batch, x in self.batches if x is not None]

    @property
    def undated_batches(self):
        """[(batch, y)]: the batches whose date is not known, one line each under the row."""
        undated = [batch for batch, x in self.batches if x is None]
        top = self.y + (TIMELINE_DOTS_HEIGHT if self.dated_batches else TIMELINE_BARS_HEIGHT)
        return [(batch, top + 12 + index * TIMELINE_LINE) for index, batch in enumerate(undated)]

    @property
    def label(self):
        """The phase's name, cut to fit the chart's width (the table has it whole)."""
        return shorten_label(str(self.program.name))


def timeline(program=None):
    """The phases (approval date, period) and their batches (release date, or "not known").

    Positions are shares (0..1) of an axis from January of the first year to January after
    the last; the template scales them. Two queries.
    """
    programs = PilotProgram.objects.all()
    batches = batch_model().objects.select_related("program").order_by("program", "number")
    if program is not None:
        programs = programs.filter(pk=program.pk)
        batches = batches.filter(program=program)
    batches_of = {}
    for batch in batches:
        batches_of.setdefault(batch.program_id, []).append(batch)
    programs = list(programs)
    dates = [
        day
        for phase in programs
        for day in (phase.approved_on, phase.starts_on, phase.ends_on)
        + tuple(batch.published_on for batch in batches_of.get(phase.pk, []))
        if day
    ]
    if not dates:
        first, last = datetime.date(2016, 1, 1), datetime.date(2017, 1, 1)
    else:
        first = datetime.date(min(dates).year, 1, 1)
        last = datetime.date(max(dates).year + 1, 1, 1)
    span = (last - first).days

    def position(day):
        """Where ``day`` falls on the axis, in SVG units."""
        # A margin each side, so that a mark on the first or last day is drawn whole.
        share = (day - first).days / span if day else None
        return None if day is None else round(10 + share * (CHART_WIDTH - 20), 1)

    phases = []
    y = TIMELINE_AXIS
    for phase in programs:
        row = TimelinePhase(
            phase,
            [(batch, position(batch.published_on)) for batch in batches_of.get(phase.pk, [])],
            approved_x=position(phase.approved_on),
        )
        if phase.starts_on and phase.ends_on:
            row.period_x = position(phase.starts_on)
            row.period_width = position(phase.ends_on) - row.period_x
        row.y = y
        row.height = (
            (TIMELINE_DOTS_HEIGHT if row.dated_batches else TIMELINE_BARS_HEIGHT)
            + TIMELINE_LINE * len(row.undated_batches)
            + 10
        )
        y += row.height
        phases.append(row)
    years = [(position(datetime.date(year, 1, 1)), year) for year in range(first.year, last.year)]
    return {"phases": phases, "years": years, "height": y, "width": CHART_WIDTH}
