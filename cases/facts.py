"""Turn the researched facts file into fixture records.

Two inputs, both under ``fixtures/source/``:

- ``servtrade_facts.json``: researched facts with sources and a confidence mark for each; the
  source of truth. A corrected fact becomes a corrected fixture by rerunning build_fixtures.
- ``editorial.json``: what servtrade adds: slugs, display names, our readings of free-text dates,
  and summaries in our own words. An entry that contradicts the facts is refused.

Facts marked "uncertain" are loaded with ``needs_verification`` set and a note saying which fact
is unconfirmed, so no uncertain fact is ever shown as verified. "Derived" facts are loaded and
explained in the note, without the flag.
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures"
SOURCE_DIR = FIXTURES_DIR / "source"
FACTS_FILE = SOURCE_DIR / "servtrade_facts.json"
EDITORIAL_FILE = SOURCE_DIR / "editorial.json"

# The fixture files, in loading order; load_demo loads exactly these.
FIXTURE_NAMES = ["sectors", "themes", "regions", "programs", "batches", "sources", "cases"]

# Facts' region kinds (free text with a parenthesis) to Region.Kind values.
KIND_PREFIXES = [
    ("province_level_municipality", "municipality"),
    ("autonomous_region", "autonomous-region"),
    ("province", "province"),
    ("sub_provincial_city", "sub-provincial-city"),
    ("provincial_capital", "provincial-capital"),
    ("regional_capital", "provincial-capital"),
    ("prefecture_level_city", "prefecture-city"),
    ("state_level_new_area", "new-area"),
]
TOP_LEVEL = {"province", "autonomous-region", "municipality"}
# Cases whose batch the facts do not know; they are loaded as drafts without a batch.
UNKNOWN_BATCH = "earlier_phase_batch_unknown"
# Sector values in the facts that name no single EBOPS category.
NO_SINGLE_SECTOR = {"multiple", "all"}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Source ids such as S7 or S14b, as the facts' notes cite them.
SOURCE_ID = re.compile(r"\bS\d+b?\b")
SOURCE_KINDS = {"official", "secondary", "mirror"}
# An official source is a government body's own site; anything else is secondary at best.
GOVERNMENT_HOST = re.compile(r"^https?://([a-z0-9-]+\.)*gov\.cn/", re.IGNORECASE)
# Chinese text: a Chinese page shows no case title without it.
HAS_CJK = re.compile(r"[\u3400-\u9fff]")


class FactsError(ValueError):
    """The facts and the editorial layer do not fit together; the message names the record."""


@dataclass
class Flags:
    """Collects what is unconfirmed (sets the flag) and what is derived (only explained)."""

    uncertain: list = field(default_factory=list)
    remarks: list = field(default_factory=list)

    def check(self, confidence, what):
        if confidence and str(confidence).startswith("uncertain"):
            self.uncertain.append(what)

    def as_fields(self, sources=None):
        """The model's two verification fields; source ids the note cites get their links."""
        parts = [f"Unconfirmed: {item}" for item in self.uncertain] + self.remarks
        cited = sorted(set(SOURCE_ID.findall(" ".join(parts))), key=lambda s: (len(s), s))
        if sources and cited:
            parts.append(
                "Sources: " + "; ".join(f"{s} {sources.get(s) or '(no link)'}" for s in cited)
            )
        return {"needs_verification": bool(self.uncertain), "verification_note": "\n".join(parts)}


def record(model, fields):
    """A fixture record with a natural primary key (no pk), as dumpdata --natural-primary does."""
    return {"model": model, "fields": fields}


def region_slug(facts_id):
    return facts_id.replace("_", "-")


def read_date(value, reading, where):
    """An ISO date from the facts, or our reading of a free-text date, checked against it."""
    if value and ISO_DATE.match(value):
        if reading and reading != value:
            raise FactsError(f"{where}: editorial date {reading} contradicts the facts' {value}")
        return value
    if not reading:
        if value:
            raise FactsError(f"{where}: the facts say {value!r}; editorial.json needs a reading")
        return None
    if not value or not value.startswith(reading[:7]):
        raise FactsError(f"{where}: editorial date {reading} does not match the facts' {value!r}")
    return reading


def kind_of(facts_kind, where):
    for prefix, kind in KIND_PREFIXES:
        if facts_kind.startswith(prefix):
            return kind
    raise FactsError(f"{where}: unknown region kind {facts_kind!r}")


class FixtureBuilder:
    def __init__(self, facts, editorial):
        self.facts = facts
        self.editorial = editorial
        self.catalogued_at = editorial["catalogued_at"]
        self.programs = {
            program["id"]: program
            for program in facts["programs"]
            if program["id"] not in editorial["excluded_programs"]
        }
        self.program_slugs = {}
        self.batch_keys = {}
        self.batch_dates = {}
        self.region_slugs = {}
        self.theme_by_category = {}
        self.sector_codes = set()
        self.source_urls = {source["id"]: source.get("url") for source in facts["sources"]}
        self.source_kinds = {}

    @staticmethod
    def editorial_entry(section, key, where):
        try:
            return section[key]
        except KeyError:
            raise FactsError(f"{where}: no entry in editorial.json") from None

    def build(self):
        """All fixtures, by name, in loading order."""
        sources = self.sources()  # first: the other records' links depend on the sources' kinds
        built = {
            "sectors": self.sectors(),
            "themes": self.themes(),
            "regions": self.regions(),
            "programs": self.programs_and_memberships(),
            "batches": self.batches(),
            "sources": sources,
            "cases": self.cases(),
        }
        assert list(built) == FIXTURE_NAMES
        return built

    def sectors(self):
        records = []
        for sector in self.facts["service_categories"]:
            if not re.match(r"^S[A-L]$", sector["code"]):
                continue  # "S" is the services total, not a category
            flags = Flags()
            flags.check(sector.get("code_confidence"), "the EBOPS code")
            flags.check(sector.get("name_zh_confidence"), "the Chinese name")
            flags.check(sector.get("name_en_confidence"), "the English name")
            name_zh, _, remark = sector["name_zh"].partition(" (")
            if remark:
                flags.remarks.append(f"Chinese name: {remark.rstrip(')')}")
            self.sector_codes.add(sector["code"])
            records.append(
                record(
                    "cases.servicesector",
                    {
                        "code": sector["code"],
                        "name_zh": name_zh,
                        "name_en": sector["name_en"],
                        **flags.as_fields(self.source_urls),
                    },
                )
            )
        return records

    def themes(self):
        records = []
        for position, theme in enumerate(self.editorial["themes"], start=1):
            for category in theme["facts_categories"]:
                self.theme_by_category[category] = theme["slug"]
            records.append(
                record(
                    "cases.theme",
                    {
                        "slug": theme["slug"],
                        "name_zh": theme["name_zh"],
                        "name_en": theme["name_en"],
                        "description_zh": theme["description_zh"],
                        "description_en": theme["description_en"],
                        "position": position,
                    },
                )
            )
        return records

    def regions(self):
        """Provinces first, then the pilot regions; each non-top-level region points at one."""
        names = self.editorial["region_names"]
        top_level_by_name = {}
        records = []
        for province in self.facts["provinces"]:
            slug = region_slug(province["id"])
            flags = Flags()
            flags.check(province.get("confidence"), "the province's code")
            top_level_by_name[province["name_en"]] = slug
            records.append(
                record(
                    "regions.region",
                    {
                        "slug": slug,
                        "name_zh": province["name_zh"],
                        "name_en": province["name_en"],
                        "kind": kind_of(province["kind"], province["id"]),
                        "parent": None,
                        "code": province["gb2260_code"],
                        "latitude": None,
                        "longitude": None,
                        "coordinates_approximate": False,
                        **flags.as_fields(self.source_urls),
                    },
                )
            )
        pilot_regions = []
        for region in self.facts["regions"]:
            kind = kind_of(region["kind"], region["id"])
            slug = region_slug(region["id"])
            self.region_slugs[region["id"]] = slug
            if kind in TOP_LEVEL:
                top_level_by_name[region["province_en"]] = slug
            pilot_regions.append((region, kind, slug))
        for region, kind, slug in pilot_regions:
            where = f"region {region['id']}"
            parent = None
            if kind not in TOP_LEVEL:
                try:
                    parent = [top_level_by_name[region["province_en"]]]
                except KeyError:
                    raise FactsError(
                        f"{where}: no province called {region['province_en']!r}"
                    ) from None
            flags = Flags()
            flags.check(region.get("kind_confidence"), "the kind of region (general knowledge)")
            flags.check(region.get("coords_confidence"), "the seat's coordinates (approximate)")
            if region.get("gb2260_code"):
                flags.check(region.get("gb2260_confidence"), "the GB/T 2260 code")
            for key in ("gb2260_note", "scope_note", "note", "seat"):
                if region.get(key):
                    flags.remarks.append(region[key])
            override = names.get(region["id"], {})
            records.append(
                record(
                    "regions.region",
                    {
                        "slug": slug,
                        "name_zh": override.get("name_zh", region["name_zh"]),
                        "name_en": override.get("name_en", region["name_en"]),
                        "kind": kind,
                        "parent": parent,
                        "code": region.get("gb2260_code"),
                        "latitude": f"{region['lat']:.6f}" if region.get("lat") else None,
                        "longitude": f"{region['lon']:.6f}" if region.get("lon") else None,
                        "coordinates_approximate": bool(region.get("coords_approximate")),
                        **flags.as_fields(self.source_urls),
                    },
                )
            )
        return records

    def programs_and_memberships(self):
        editorial = self.editorial["programs"]
        unverified = self.editorial["unverified_memberships"]
        notes = self.editorial["membership_notes"]
        programs, memberships = [], []
        for facts_id, program in self.programs.items():
            where = f"program {facts_id}"
            ours = self.editorial_entry(editorial, facts_id, where)
            self.program_slugs[facts_id] = ours["slug"]
            approved_on = read_date(program.get("approval_date"), ours.get("approved_on"), where)
            starts_on = read_date(program.get("start_date"), ours.get("starts_on"), where)
            ends_on = read_date(program.get("end_date"), ours.get("ends_on"), where)
            flags = Flags()
            flags.check(program.get("approval_date_confidence"), "the approval date")
            flags.check(program.get("document_no_confidence"), "the approval document number")
            if program.get("region_list_confidence", "").startswith("partial"):
                flags.uncertain.append(f"member list: {program['region_list_confidence']}")
            for key in ("approval_date_note", "region_count_note", "note", "status"):
                if program.get(key):
                    flags.remarks.append(program[key])
            if program.get("end_date") and not ISO_DATE.match(program["end_date"]):
                flags.remarks.append(f"Period end: {program['end_date']}")
            region_ids = program.get("region_ids", [])
            if program.get("region_count") and len(region_ids) != program["region_count"]:
                raise FactsError(
                    f"{where}: {len(region_ids)} regions listed, {program['region_count']} stated"
                )
            programs.append(
                record(
                    "regions.pilotprogram",
                    {
                        "slug": ours["slug"],
                        "name_zh": program["name_zh"],
                        "name_en": re.sub(
                            r" \((first|second|third) round\)$", "", program["name_en"]
                        ),
                        "approving_body_zh": ours.get("approving_body_zh", ""),
                        "approving_body_en": ours.get("approving_body_en", ""),
                        "document_no": (program.get("document_no") or "").split(" (")[0],
                        "approved_on": approved_on,
                        "starts_on": starts_on,
                        "ends_on": ends_on,
                        "summary_zh": ours["summary_zh"],
                        "summary_en": ours["summary_en"],
                        "source_url": self.preferred_source_url(program.get("sources")),
                        **flags.as_fields(self.source_urls),
                    },
                )
            )
            for region_id in region_ids:
                if region_id not in self.region_slugs:
                    raise FactsError(f"{where}: unknown member region {region_id!r}")
                membership_flags = Flags()
                if region_id in unverified.get(facts_id, []):
                    membership_flags.uncertain.append("this membership (from memory)")
                note = notes.get(f"{facts_id}/{region_id}", {})
                memberships.append(
                    record(
                        "regions.membership",
                        {
                            "program": [ours["slug"]],
                            "region": [self.region_slugs[region_id]],
                            "joined_on": approved_on,
                            "note_zh": note.get("note_zh", ""),
                            "note_en": note.get("note_en", ""),
                            **membership_flags.as_fields(self.source_urls),
                        },
                    )
                )
        return programs + memberships

    def batches(self):
        editorial = self.editorial["batches"]
        records = []
        for batch in self.facts["batches"]:
            where = f"batch {batch['id']}"
            ours = self.editorial_entry(editorial, batch["id"], where)
            if batch["phase"] != ours["program"]:
                raise FactsError(f"{where}: the facts put it in {batch['phase']}")
            program_slug = self.program_slugs[ours["program"]]
            self.batch_keys[batch["id"]] = [program_slug, ours["number"]]
            published_on = read_date(batch.get("release_date"), None, where)
            self.batch_dates[batch["id"]] = published_on
            flags = Flags()
            flags.check(batch.get("count_confidence"), "the official number of cases")
            flags.check(batch.get("release_date_confidence"), "the release date")
            if str(batch.get("count_confidence", "")).startswith("derived"):
                flags.remarks.append(f"Number of cases derived: {batch['count_confidence']}")
            for key in ("release_date_note", "count_note", "document_no_note", "release_context"):
                if batch.get(key):
                    flags.remarks.append(batch[key])
            issuer_en = batch.get("issuer") or ""
            records.append(
                record(
                    "cases.casebatch",
                    {
                        "program": [program_slug],
                        "number": ours["number"],
                        "kind": ours["kind"],
                        "title_zh": batch["label_zh"],
                        "title_en": batch["label_en"],
                        "published_on": published_on,
                        "issuer_zh": ours.get("issuer_zh", ""),
                        "issuer_en": re.sub(r" \(.*\)$", "", issuer_en),
                        "document_no": batch.get("document_no") or "",
                        "source_url": self.preferred_source_url(batch.get("sources")),
                        "official_case_count": batch.get("case_count"),
                        **flags.as_fields(self.source_urls),
                    },
                )
            )
        return records

    def sources(self):
        """Every source, with its kind: official only on a government site, mirrors marked.

        A mirror's presumed official address must be the one the facts record for it (in the
        source's title), and stays unconfirmed until an editor has opened it.
        """
        editorial = self.editorial.get("sources", {})
        unknown = set(editorial) - set(self.source_urls)
        if unknown:
            raise FactsError(f"editorial.json gives kinds of unknown sources: {sorted(unknown)}")
        records = []
        for source in self.facts["sources"]:
            where = f"source {source['id']}"
            ours = editorial.get(source["id"], {})
            kind = ours.get("kind", "secondary")
            url = source.get("url") or ""
            copies_url = ours.get("copies_url", "")
            if kind not in SOURCE_KINDS:
                raise FactsError(f"{where}: unknown kind {kind!r}")
            if kind == "official" and not GOVERNMENT_HOST.match(url):
                raise FactsError(f"{where}: official, but {url!r} is not a government site")
            if kind == "mirror":
                path = re.sub(r"^https?://", "", copies_url)
                if not path or path not in source["title"]:
                    raise FactsError(f"{where}: the facts do not name {copies_url!r} as original")
            elif copies_url:
                raise FactsError(f"{where}: only a mirror copies an official address")
            self.source_kinds[source["id"]] = kind
            records.append(
                record(
                    "cases.source",
                    {
                        "key": source["id"],
                        "url": url,
                        "title": source["title"],
                        "publisher": source.get("publisher") or "",
                        "date": source.get("date") or "",
                        "kind": kind,
                        "copies_url": copies_url,
                        "copies_url_confirmed": False,
                    },
                )
            )
        return records

    def preferred_source_url(self, source_ids):
        """The link a record's ``source_url`` keeps: an official source's, else a secondary
        one's; never a mirror's."""
        usable = [s for s in source_ids or [] if self.source_urls.get(s)]
        for wanted in ("official", "secondary"):
            for source_id in usable:
                if self.source_kinds[source_id] == wanted:
                    return self.source_urls[source_id]
        return ""

    def case_titles(self, case, ours, where):
        """Both titles and whether each is ours (descriptive) rather than the source's wording."""
        titles, descriptive = {}, {}
        for lang in ("zh", "en"):
            theirs = case.get(f"title_{lang}") or ""
            if lang == "en":
                theirs = re.sub(r"^\(theme\) ", "", theirs)
            written = ours.get(f"title_{lang}", "")
            if theirs and written:
                raise FactsError(f"{where}: editorial title_{lang} replaces the facts' title")
            if not theirs and not written:
                raise FactsError(
                    f"{where}: no {lang} title; editorial.json needs a descriptive one"
                )
            titles[lang], descriptive[lang] = theirs or written, not theirs
        if not HAS_CJK.search(titles["zh"]):
            raise FactsError(f"{where}: the Chinese title has no Chinese text")
        return titles, descriptive

    def cases(self):
        editorial = self.editorial["cases"]
        records, slugs = [], {}
        for case in self.facts["cases"]:
            where = f"case {case['id']}"
            ours = self.editorial_entry(editorial, case["id"], where)
            if ours["slug"] in slugs:
                raise FactsError(
                    f"{where}: slug {ours['slug']!r} is taken by {slugs[ours['slug']]}"
                )
            slugs[ours["slug"]] = case["id"]
            flags = Flags()
            flags.check(case.get("confidence"), "this case's attribution and title")
            if case.get("note"):
                flags.remarks.append(case["note"])
            # The facts' sector codes are the researcher's mapping of the topic, not a source's.
            flags.remarks.append(
                "Service sectors: an editorial mapping of the topic to EBOPS 2010."
            )

            batch = case["batch"]
            if batch == UNKNOWN_BATCH:
                batch_key, status, published_on = None, "draft", None
                flags.remarks.append("Batch unknown: kept as a draft until it is found.")
            elif batch in self.batch_keys:
                batch_key, status = self.batch_keys[batch], "published"
                # First shown when the ministry released the batch; where that date is unknown,
                # when servtrade catalogued it.
                published_on = self.batch_dates[batch] or self.catalogued_at[:10]
            else:
                raise FactsError(f"{where}: unknown batch {batch!r}")

            theme = None
            if case.get("category"):
                try:
                    theme = [self.theme_by_category[case["category"]]]
                except KeyError:
                    raise FactsError(f"{where}: no theme for {case['category']!r}") from None

            lead_regions = []
            for region_id in case["lead_region_ids"]:
                if region_id not in self.region_slugs:
                    raise FactsError(f"{where}: unknown lead region {region_id!r}")
                lead_regions.append([self.region_slugs[region_id]])
            if not lead_regions:
                flags.remarks.append("Lead region not stated in the source.")

            sectors = []
            for code in case["service_sectors_ebops"]:
                if code in NO_SINGLE_SECTOR:
                    flags.remarks.append(f"Sectors: {code} (no single EBOPS category).")
                elif code in self.sector_codes:
                    sectors.append([code])
                else:
                    raise FactsError(f"{where}: unknown sector code {code!r}")

            titles, descriptive = self.case_titles(case, ours, where)
            records.append(
                record(
                    "cases.case",
                    {
                        "slug": ours["slug"],
                        "batch": batch_key,
                        "theme": theme,
                        "title_zh": titles["zh"],
                        "title_en": titles["en"],
                        "title_is_topic": not case["title_known"],
                        "title_zh_descriptive": descriptive["zh"],
                        "title_en_descriptive": descriptive["en"],
                        "summary_zh": ours["summary_zh"],
                        "summary_en": ours["summary_en"],
                        "cataloguing_note_zh": ours.get("note_zh", ""),
                        "cataloguing_note_en": ours.get("note_en", ""),
                        "body_zh": "",
                        "body_en": "",
                        "lead_regions": lead_regions,
                        "sectors": sectors,
                        "status": status,
                        "published_on": published_on,
                        "source_url": self.preferred_source_url(case.get("sources")),
                        "sources": [[s] for s in case.get("sources") or []],
                        "created_at": self.catalogued_at,
                        "updated_at": self.catalogued_at,
                        **flags.as_fields(self.source_urls),
                    },
                )
            )
        unused = set(editorial) - {case["id"] for case in self.facts["cases"]}
        if unused:
            raise FactsError(f"editorial.json describes cases the facts lack: {sorted(unused)}")
        return records


def load_sources(facts_file=FACTS_FILE, editorial_file=EDITORIAL_FILE):
    return (
        json.loads(Path(facts_file).read_text(encoding="utf-8")),
        json.loads(Path(editorial_file).read_text(encoding="utf-8")),
    )


def write_fixtures(built, directory=FIXTURES_DIR):
    """Write one JSON file per fixture; returns the paths written."""
    paths = []
    for name, records in built.items():
        path = Path(directory) / f"{name}.json"
        path.write_text(json.dumps(records, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        paths.append(path)
    return paths
