"""Query logic of the cases app: what lists, filters, facets, search and publishing ask for.

Split out of models.py to keep both readable; the models attach these with ``from_queryset``.
Methods reach their model as ``self.model``, so this module never imports the models.
"""

import operator
import re
from dataclasses import dataclass
from functools import reduce

from django.db import connections, models, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear, NullIf
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import linked
from cases.search import SearchQuery, SearchRank
from regions.models import Region, count_of
from servtrade.bilingual import active_suffix
from servtrade.history import save_in_bulk


def names_hold(row, query):
    """Whether a sector's or theme's names (``row``: its fields) hold every term of ``query``,
    tested as names_in()'s SQL tests them: an English root at the start of a word, a Chinese
    term anywhere."""
    return all(
        re.search(rf"(^|\W){root}", row["name_en"], re.IGNORECASE) for root in query.roots
    ) and all(term.lower() in row["name_zh"].lower() for term in query.chinese_terms)


class CaseBatchQuerySet(models.QuerySet):
    def case_model(self):
        return self.model._meta.get_field("cases").related_model

    def with_case_counts(self):
        """Annotate ``catalogued`` (all cases) and ``catalogued_published`` in one query.

        Counted per batch by subqueries, which the (batch, status, ...) index answers: a join
        of every case counted DISTINCT took 0.4-0.5 s on PostgreSQL at 100,000 cases.
        """
        cases = self.case_model().objects
        return self.annotate(
            catalogued=count_of(cases.all(), "batch"),
            catalogued_published=count_of(cases.published(), "batch"),
        )

    def coverage(self):
        """How complete the catalogue is: a ``ProgramCoverage`` per program, its batches in
        order, each with ``catalogued_published`` and ``official_case_count`` (None: unknown)."""
        batches = self.with_case_counts().select_related("program")
        by_program = {}
        for batch in batches.order_by(
            F("program__approved_on").asc(nulls_last=True), "program__slug", "number"
        ):
            by_program.setdefault(batch.program, []).append(batch)
        return [ProgramCoverage(program, found) for program, found in by_program.items()]


@dataclass
class ProgramCoverage:
    program: object
    batches: list

    @property
    def catalogued(self):
        return sum(batch.catalogued_published for batch in self.batches)

    @property
    def official(self):
        """The official number of cases, None when any batch's is unknown."""
        counts = [batch.official_case_count for batch in self.batches]
        return None if None in counts else sum(counts)


class CaseTermQuerySet(models.QuerySet):
    """Themes and sectors: the terms a case is described by."""

    def with_case_counts(self):
        """Annotate ``case_count``: the published cases described by each term."""
        published = self.model._meta.get_field("cases").related_model.Status.PUBLISHED
        return self.annotate(case_count=Count("cases", filter=Q(cases__status=published)))


class IncompleteCases(Exception):
    """Nothing was published: some of the cases are not complete yet.

    ``problems`` maps each incomplete case to the reasons, e.g. ``["no theme"]``.
    """

    def __init__(self, problems):
        self.problems = problems
        super().__init__(f"{len(problems)} incomplete case(s)")


# search()'s default: look up which sectors and themes the query names (named_by()).
NOT_LOOKED_UP = object()


class WorkflowQuerySet(models.QuerySet):
    """Records edited as draft, then in review, then published (cases and adoptions)."""

    def published(self):
        return self.filter(status=self.model.Status.PUBLISHED)

    def submit_for_review(self):
        """Send the drafts among these records to review; returns how many went."""
        return self.filter(status=self.model.Status.DRAFT)._move_to(self.model.Status.IN_REVIEW)

    def unpublish(self):
        """Take published records (and records in review) back to draft; returns how many."""
        records = self.filter(status__in=[self.model.Status.PUBLISHED, self.model.Status.IN_REVIEW])
        return records._move_to(self.model.Status.DRAFT)

    def _move_to(self, status, on=None):
        # Written in bulk, each record with its history record (servtrade.history.save_in_bulk).
        # Rows are locked OF self: the admin's queryset joins batch and theme, and PostgreSQL
        # cannot lock the nullable side of an outer join (nor need it).
        with transaction.atomic():
            records = list(self.select_for_update(of=("self",)))
            fields = {"status"}
            for record in records:
                record.status = status
                if on and record.published_on is None:
                    record.published_on = on
                    fields.add("published_on")
            save_in_bulk(records, fields)
        return len(records)


class AdoptionQuerySet(WorkflowQuerySet):
    def public(self):
        """What the public sees: published adoptions of published cases."""
        return self.published().filter(case__status=self.model.Status.PUBLISHED)

    def publish(self):
        """Publish these adoptions (drafts and those in review); returns how many."""
        return self.exclude(status=self.model.Status.PUBLISHED)._move_to(
            self.model.Status.PUBLISHED
        )


class CaseQuerySet(WorkflowQuerySet):
    def visible_to(self, user):
        """What a case page may show this user: published cases, or every case for staff.

        Staff who may view cases in the admin also see drafts and cases in review, to preview
        them on their public page; everyone else gets published cases only.
        """
        if user.has_perm("cases.view_case"):
            return self.all()
        return self.published()

    def publication_requirements(self):
        """The one rule of what a case needs before publication: (reason, condition if missing)."""
        lead_regions = self.model.lead_regions.through.objects.filter(case=OuterRef("pk"))
        return [
            (_("no Chinese title"), Q(title_zh="")),
            (_("no English title"), Q(title_en="")),
            (_("no batch"), Q(batch__isnull=True)),
            (_("no lead region"), ~Exists(lead_regions)),
            (_("no theme"), Q(theme__isnull=True)),
        ]

    def incomplete(self):
        """Cases that miss something they need before publication."""
        conditions = [Q(condition) for _reason, condition in self.publication_requirements()]
        return self.filter(reduce(operator.or_, conditions))

    def publication_problems(self):
        """``{case: [reasons]}`` for the incomplete cases among these, in one query."""
        requirements = self.publication_requirements()
        flags = {
            f"missing_{index}": ExpressionWrapper(Q(condition), output_field=BooleanField())
            for index, (_reason, condition) in enumerate(requirements)
        }
        return {
            case: [
                reason
                for index, (reason, _condition) in enumerate(requirements)
                if getattr(case, f"missing_{index}")
            ]
            for case in self.incomplete().annotate(**flags)
        }

    def publish(self, on=None):
        """Publish these cases, all or none; a first publication sets the date (``on``, today).

        Raises ``IncompleteCases`` with every reason of every case, and publishes nothing, if any
        case misses something (see ``publication_requirements``). Cases published already stay
        as they are. Returns how many cases were published.
        """
        with transaction.atomic():
            unpublished = self.exclude(status=self.model.Status.PUBLISHED)
            # Locked before the check, so that no edit makes a case incomplete in between.
            list(unpublished.select_for_update(of=("self",)).values_list("pk", flat=True))
            # Checked by a subquery, not a list of their ids: on PostgreSQL a statement takes at
            # most 65,535 parameters (server-side binding, servtrade/settings.py).
            checked = self.model.objects.filter(pk__in=unpublished.values("pk"))
            problems = checked.publication_problems()
            if problems:
                raise IncompleteCases(problems)
            return unpublished._move_to(self.model.Status.PUBLISHED, on=on or timezone.localdate())

    def search(self, text, named=NOT_LOOKED_UP, ranked=True, among=None):
        """Cases matching every term of ``text`` in either language, best match first.

        Answered from the search index (see cases.search); ``search_rank`` is smaller for better
        matches. Text with nothing searchable in it matches nothing. Cases in a sector or theme
        whose name the query gives are found too (``named``: what ``named_by()`` returned,
        when the caller has it already). ``ranked=False`` keeps the order as it is (ranking
        reads the index entry of every match). ``among``: the ids of the matches, when the
        caller knows them already (cases.counting): only these are read and ranked.
        """
        query = text if isinstance(text, SearchQuery) else SearchQuery.parse(text)
        if not query:
            return self.none()
        if named is NOT_LOOKED_UP:
            named = self.named_by(query)
        index = self.model._meta.get_field("search_entry").related_model
        if named is not None:
            in_text = index.objects.filter(document__matches=query).values("case")
        fts5 = connections[self.db].vendor == "sqlite"
        if among is not None:
            matches = self.filter(pk__in=among)
            # FTS5 ranks (bm25) only the rows of its MATCH. PostgreSQL ranks any row, and does
            # not match known matches again: with both the match and the ids, its planner
            # checked each match against the whole list of ids (120 ms for 828 ids at 100,000
            # cases, against 20 ms for the ids alone; EXPLAIN ANALYZE).
            if ranked and named is None and fts5:
                matches = matches.filter(search_entry__document__matches=query)
        elif named is None:
            matches = self.filter(search_entry__document__matches=query)
        else:
            # FTS5 cannot MATCH inside an OR, so the text matches come as a subquery.
            matches = self.filter(Q(pk__in=in_text) | named)
        if not ranked:
            return matches
        if named is None:
            rank = SearchRank("search_entry__document", query)
            if among is not None and not fts5:
                # Each case's index entry read by its key: joined, the planner read the whole
                # index for 828 cases (a hash join: 40 ms, against 20), or needed to be told not
                # to (cases.search.through_the_index: three more round trips).
                entry = index.objects.filter(case=OuterRef("pk"))
                rank = Subquery(entry.annotate(rank=SearchRank("document", query)).values("rank"))
            return matches.annotate(search_rank=rank).order_by("search_rank", "pk")
        # The query names a sector or theme: its cases too, after those whose text matches.
        return matches.annotate(search_rank=Case(When(pk__in=in_text, then=0), default=1)).order_by(
            "search_rank", F("batch__published_on").desc(nulls_last=True), "pk"
        )

    def named_by(self, query, version=None):
        """``Q`` of the cases in the sectors or themes whose name, in either language, holds
        every term of ``query`` (``financial``, ``金融``); None when none does. The names are
        read as ``names_in`` reads them (at a catalogue ``version``: no query)."""
        named = self.names_in(query, version)
        found = Q(pk__in=[])
        if named["theme"]:
            found |= Q(theme__slug__in=named["theme"])
        if named["sector"]:
            links = self.model.sectors.through.objects.filter(
                servicesector__code__in=named["sector"]
            )
            found |= Q(Exists(links.filter(case=OuterRef("pk"))))
        return None if found == Q(pk__in=[]) else found

    def names_in(self, query, version=None):
        """{"theme": slugs, "sector": codes} of the themes and sectors whose name, in either
        language, holds every term of ``query``: the keys of the list's facets.

        Two small queries; none at a catalogue ``version`` whose tables this process has read
        (cases.linked), where the same test runs in Python: a search page's two round trips.
        """
        found = {}
        for facet, relation, key in (("sector", "sectors", "code"), ("theme", "theme", "slug")):
            model = self.model._meta.get_field(relation).related_model
            if version is not None:
                table = linked.table_at(self.db, version, model)
                found[facet] = [row[key] for row in table.records() if names_hold(row, query)]
                continue
            names = Q()
            for root in query.roots:
                # At the start of a word: "sport" must not find "Transport". Roots are
                # letters and digits only, so they need no escaping.
                names &= Q(name_en__iregex=rf"(^|\W){root}")
            for term in query.chinese_terms:
                names &= Q(name_zh__icontains=term)
            found[facet] = list(model.objects.filter(names).values_list(key, flat=True))
        return found

    def with_related(self):
        """Everything a list or detail shows about a case, in one query."""
        return self.select_related("batch__program", "theme").with_linked(
            "lead_regions", "sectors", "sources"
        )

    def with_linked(self, *relations):
        """Each case with the rows of its many-to-many ``relations`` to small tables (lead
        regions, sectors, sources), as ``prefetch_related`` would give them, but read with the
        cases' own query (cases.linked): no query per relation."""
        linking = self.annotate(**linked.annotations(self.model, relations))
        linking._iterable_class = linked.LinkedRowsIterable
        return linking

    def listed(self):
        """What a list of cases shows: ``with_related()`` without the long texts it never shows."""
        return self.with_related().defer(*LONG_TEXT_FIELDS)

    def itemised(self):
        """What a short list of cases shows (includes/_case_items.html: title, lead regions,
        release date, flags; a batch's groups them by theme): one query, which brings the
        lead regions but not the sectors and sources ``listed()`` reads."""
        return (
            self.select_related("batch", "theme")
            .with_linked("lead_regions")
            .defer(*LONG_TEXT_FIELDS)
        )

    def order_by_release(self, descending=True):
        """By the ministry's release date (the batch's), newest first; unknown dates last."""
        released = F("batch__published_on")
        released = released.desc(nulls_last=True) if descending else released.asc(nulls_last=True)
        return self.order_by(released, "slug")

    def order_by_title(self, descending=False):
        """Order by the title as the page shows it: its language's, else the other one."""
        wanted = active_suffix()
        other = "en" if wanted == "zh" else "zh"
        shown = Coalesce(NullIf(f"title_{wanted}", Value("")), f"title_{other}")
        return self.order_by(shown.desc() if descending else shown.asc(), "slug")

    def related_to(self, case, candidate_ids=None):
        """Other cases on the same theme or sharing a sector with ``case``, closest first.

        ``case`` comes with its sectors prefetched (``with_related()``), so this adds no query.
        ``candidate_ids``: the cases to rank, when the case bitmaps gave them
        (``Case.objects.related_candidates``); else they are read below.
        """
        sector_ids = [sector.pk for sector in case.sectors.all()]
        same_theme = Q(theme_id=case.theme_id) if case.theme_id else Q(pk__in=[])
        shares_sector = Exists(
            self.model.sectors.through.objects.filter(
                case=OuterRef("pk"), servicesector__in=sector_ids
            )
        )
        # Ranking every case of a big catalogue would read all of them; the closest few are
        # among the newest cases of each kind (same theme and a sector, same theme, a sector),
        # each found through an index, so only these few candidates are ranked.
        # The candidates' ids are fetched first (three small index reads): as subqueries joined
        # by OR they made PostgreSQL scan every case (154 ms at 100,000 cases, against 3 ms).
        # The list's own order (NULLS LAST), so that the list index serves it on PostgreSQL too.
        if candidate_ids is None:
            others = self.exclude(pk=case.pk).order_by(
                F("published_on").desc(nulls_last=True), "slug"
            )
            candidate_ids = set()
            for kind in (same_theme & Q(shares_sector), same_theme, Q(shares_sector)):
                candidate_ids.update(
                    others.filter(kind).values_list("pk", flat=True)[:RELATED_CANDIDATES]
                )
        return (
            self.filter(pk__in=candidate_ids)
            .annotate(
                shared_sectors=Count("sectors", filter=Q(sectors__in=sector_ids)),
                same_theme=ExpressionWrapper(same_theme, output_field=models.BooleanField()),
            )
            .filter(same_theme | Q(shared_sectors__gt=0))
            .order_by("-same_theme", "-shared_sectors", F("published_on").desc(), "slug")
        )

    # Replication. A case of a batch replicated nationwide counts as adopted by every pilot
    # region but its own lead regions, without an adoption row for each; rows by pilot regions
    # for such a case are then not counted twice.

    def adoption_model(self):
        return self.model._meta.get_field("adoptions").related_model

    def _published_adoptions(self):
        """Published adoptions of the outer case, less those a nationwide replication covers."""
        return (
            self.adoption_model()
            .objects.published()
            .filter(case=OuterRef("pk"))
            .exclude(
                Q(case__batch__replicated_nationwide=True) & Q(region__in=Region.objects.pilot())
            )
        )

    def with_adoption_counts(self):
        """Annotate ``adoption_count``: how many other regions adopted each case (published)."""
        led_by = self.model.lead_regions.through.objects.filter(
            case=OuterRef(OuterRef("pk")), region=OuterRef("pk")
        )
        other_pilot_regions = Region.objects.pilot().exclude(Exists(led_by))
        return self.annotate(
            adoption_count=count_in(self._published_adoptions())
            + Case(
                When(batch__replicated_nationwide=True, then=count_in(other_pilot_regions)),
                default=Value(0),
            )
        )

    def adopted_elsewhere(self):
        """Cases another region adopted: a published adoption, or a nationwide replication."""
        return self.filter(
            Exists(self.adoption_model().objects.published().filter(case=OuterRef("pk")))
            | Q(batch__replicated_nationwide=True)
        )

    def adopted_by(self, region):
        """Cases ``region`` adopted: by a published adoption or a nationwide replication."""
        adoptions = self.adoption_model().objects.published().filter(region=region)
        return self.filter(pk__in=adoptions.values("case")) | self.replicated_nationwide_in(region)

    def replicated_nationwide_in(self, region):
        """Cases of batches replicated nationwide, which ``region`` adopted as a pilot region
        (less the cases it leads itself); none for a region outside the pilot."""
        led = self.model.lead_regions.through.objects.filter(region=region).values("case")
        return self.filter(
            Exists(Region.objects.pilot().filter(pk=region.pk)), batch__replicated_nationwide=True
        ).exclude(pk__in=led)

    # Translation state: a text that exists in one language only.

    def missing_in(self, lang):
        """Cases with some text (title, summary, full text) in the other language only."""
        other = "en" if lang == "zh" else "zh"
        gaps = [
            Q(**{f"{name}_{lang}": ""}) & ~Q(**{f"{name}_{other}": ""})
            for name in TRANSLATED_FIELDS
        ]
        return self.filter(reduce(operator.or_, gaps))

    def needing_translation(self):
        return self.missing_in("zh") | self.missing_in("en")

    def translation_counts(self):
        """{(field, lang): how many cases lack ``field`` in ``lang`` but have it in the other}."""
        counts = {}
        for name in TRANSLATED_FIELDS:
            for lang, other in (("zh", "en"), ("en", "zh")):
                missing = Q(**{f"{name}_{lang}": ""}) & ~Q(**{f"{name}_{other}": ""})
                counts[(name, lang)] = Count("pk", filter=missing)
        # Aliases of their own: an aggregate named like a field would shadow it in the filters.
        aliases = {f"missing_{name}_{lang}": (name, lang) for name, lang in counts}
        totals = self.order_by().aggregate(**{alias: counts[key] for alias, key in aliases.items()})
        return {aliases[alias]: n for alias, n in totals.items()}

    # Filters by readable keys, one per facet of the public list. Filters over many-to-many
    # relations use a subquery so that a case never appears twice and no DISTINCT is needed.

    def in_programs(self, slugs):
        return self.filter(batch__program__slug__in=slugs)

    def in_batches(self, keys):
        """Cases in batches named ``<program slug>-<number>``, e.g. ``pilot-2020-4``."""
        wanted = Q(pk__in=[])
        for key in keys:
            program_slug, _sep, number = key.rpartition("-")
            wanted |= Q(batch__program__slug=program_slug, batch__number=int(number))
        return self.filter(wanted)

    def in_themes(self, slugs):
        return self.filter(theme__slug__in=slugs)

    # EXISTS on the join table itself (indexed both ways, see cases.db_objects): the database
    # can walk the cases in the list's order and stop at a page's worth, instead of collecting
    # every matching case first and sorting them.

    def in_sectors(self, codes):
        links = self.model.sectors.through.objects.filter(servicesector__code__in=codes)
        return self.filter(Exists(links.filter(case=OuterRef("pk"))))

    def in_regions(self, slugs):
        """Cases led by these regions or, for a province, by any region inside it."""
        regions = Region.objects.with_children_of(slugs)
        links = self.model.lead_regions.through.objects.filter(region__in=regions)
        return self.filter(Exists(links.filter(case=OuterRef("pk"))))

    def in_years(self, years):
        """Cases released in these years (the ministry's date); ``unknown``: date not known."""
        wanted = Q(batch__published_on__year__in=[int(y) for y in years if y != UNKNOWN_YEAR])
        if UNKNOWN_YEAR in years:
            wanted |= Q(batch__published_on__isnull=True)
        return self.filter(wanted)

    def with_official_source(self):
        links = self.model.sources.through.objects.filter(
            case=OuterRef("pk"), source__kind="official"
        )
        return self.annotate(has_official_source=Exists(links))

    def in_source_kinds(self, kinds):
        """``official``: cases with an official source linked; ``secondary``: cases without."""
        wanted = [kind == "official" for kind in kinds]
        return self.with_official_source().filter(has_official_source__in=wanted)

    def in_adoption_states(self, keys):
        """``["elsewhere"]``: the cases another region adopted (the list's one such option)."""
        return self.adopted_elsewhere() if ADOPTED_ELSEWHERE in keys else self

    # Facet counts: {key: number of cases}, each in one aggregate query.

    def _counts_by(self, *keys, distinct=False):
        # Filters are subqueries, so a case is one row unless a key crosses a many-to-many
        # relation: only then is the slower COUNT(DISTINCT) needed.
        rows = (
            self.order_by()
            .prefetch_related(None)
            .values_list(*keys)
            .annotate(n=Count("pk", distinct=distinct))
        )
        return {row[:-1]: row[-1] for row in rows if row[0] is not None}

    def _counts_by_key(self, key, distinct=False):
        return {keys[0]: n for keys, n in self._counts_by(key, distinct=distinct).items()}

    def program_counts(self):
        return self._counts_by_key("batch__program__slug")

    def batch_counts(self):
        counts = self._counts_by("batch__program__slug", "batch__number")
        return {f"{program}-{number}": n for (program, number), n in counts.items()}

    def theme_counts(self):
        return self._counts_by_key("theme__slug")

    def sector_counts(self):
        return self._counts_by_key("sectors__code", distinct=True)

    def region_counts(self):
        """Cases per lead region; a province counts the cases of its cities too (no twice).

        One query: cases grouped by region, and cases grouped by the province they fall in
        (the region's parent, or the region itself at the top), as a UNION ALL; a province
        takes the larger of its two rows, which is the one that includes its cities.
        """
        base = self.order_by().prefetch_related(None)
        own = base.annotate(key=F("lead_regions__slug"))
        province = base.annotate(key=Coalesce("lead_regions__parent__slug", "lead_regions__slug"))
        rows = [
            part.values("key").annotate(n=Count("pk", distinct=True)).values_list("key", "n")
            for part in (own, province)
        ]
        counts = {}
        for key, n in rows[0].union(rows[1], all=True).order_by():
            if key is not None:
                counts[key] = max(n, counts.get(key, 0))
        return counts

    def totals_by_theme(self):
        """{theme id, or None for no theme: cases}, in one aggregate query."""
        return dict(self.order_by().values_list("theme_id").annotate(n=Count("pk")))

    def year_counts(self):
        """Cases per year of release; those whose date is not known under ``unknown``."""
        rows = (
            self.order_by()
            .prefetch_related(None)
            .annotate(year=ExtractYear("batch__published_on"))
            .values_list("year")
            .annotate(n=Count("pk"))
        )
        return {str(year or UNKNOWN_YEAR): n for year, n in rows}

    def source_counts(self):
        """Cases with an official source linked (``official``) and without (``secondary``)."""
        rows = (
            self.with_official_source()
            .order_by()
            .prefetch_related(None)
            .values_list("has_official_source")
            .annotate(n=Count("pk"))
        )
        return {("official" if official else "secondary"): n for official, n in rows}

    def adoption_state_counts(self):
        return {
            ADOPTED_ELSEWHERE: self.order_by().prefetch_related(None).adopted_elsewhere().count()
        }


# The year facet's key for cases whose release date is not known.
UNKNOWN_YEAR = "unknown"


def count_in(queryset):
    """How many rows ``queryset`` (a correlated subquery) has, 0 for none: for annotations."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted), 0)


# The key of the case list's "adopted elsewhere" filter: ?adopted=elsewhere.
ADOPTED_ELSEWHERE = "elsewhere"


# The texts every case has in both languages (``<name>_zh``, ``<name>_en``).
TRANSLATED_FIELDS = ["title", "summary", "body"]
# How many of the newest cases of each kind related_to() ranks.
RELATED_CANDIDATES = 12
# Texts a list never shows; its querysets leave them in the database.
LONG_TEXT_FIELDS = ["summary_zh", "summary_en", "body_zh", "body_en", "verification_note"]
