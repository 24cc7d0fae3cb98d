"""Best practice cases, the batches they are published in, and their themes and sectors."""

import operator
from functools import reduce

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Value,
)
from django.db.models.functions import Coalesce, ExtractYear, NullIf
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.search import SearchDocumentField, SearchQuery, SearchRank
from regions.models import PilotProgram, Region, SlugManager, Verifiable
from servtrade.bilingual import Bilingual, active_suffix


class Theme(models.Model):
    """The highlight a case illustrates, e.g. "institutional opening up"."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    description_zh = models.TextField(_("Chinese description"), blank=True)
    description_en = models.TextField(_("English description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    name = Bilingual()
    description = Bilingual()

    objects = SlugManager()

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["position", "slug"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        """A theme has no page of its own: its address is the list of its cases."""
        return f"{reverse('cases:case-list')}?theme={self.slug}"

    def natural_key(self):
        return (self.slug,)


class ServiceSectorManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class ServiceSector(Verifiable):
    """One of the 12 EBOPS 2010 service categories (SA to SL) of China's service-trade data."""

    code = models.CharField(
        _("EBOPS code"),
        max_length=2,
        unique=True,
        validators=[RegexValidator(r"^S[A-L]$", _("An EBOPS 2010 code runs from SA to SL."))],
    )
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)

    name = Bilingual()

    objects = ServiceSectorManager()

    class Meta:
        verbose_name = _("service sector")
        verbose_name_plural = _("service sectors")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        """A sector has no page of its own: its address is the list of its cases."""
        return f"{reverse('cases:case-list')}?sector={self.code}"

    def natural_key(self):
        return (self.code,)


class CaseBatchQuerySet(models.QuerySet):
    def with_case_counts(self):
        """Annotate ``catalogued`` (all cases) and ``catalogued_published`` in one query."""
        return self.annotate(
            catalogued=Count("cases", distinct=True),
            catalogued_published=Count(
                "cases", filter=Q(cases__status=Case.Status.PUBLISHED), distinct=True
            ),
        )


class CaseBatchManager(models.Manager.from_queryset(CaseBatchQuerySet)):
    def get_by_natural_key(self, program_slug, number):
        return self.get(program__slug=program_slug, number=number)


class CaseBatch(Verifiable):
    """A numbered batch of cases a program published, e.g. the fourth batch of 2023."""

    class Kind(models.TextChoices):
        BEST_PRACTICE_CASES = "best-practice-cases", _("best practice cases")
        REPLICABLE_EXPERIENCES = "replicable-experiences", _("replicable pilot experiences")

    program = models.ForeignKey(
        PilotProgram,
        verbose_name=_("pilot program"),
        on_delete=models.PROTECT,
        related_name="batches",
    )
    number = models.PositiveSmallIntegerField(
        _("number"), validators=[MinValueValidator(1)], help_text=_("1 for the first batch, ...")
    )
    kind = models.CharField(
        _("kind"), max_length=30, choices=Kind, default=Kind.BEST_PRACTICE_CASES
    )
    title_zh = models.CharField(_("Chinese title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200)
    published_on = models.DateField(_("publication date"), null=True, blank=True)
    issuer_zh = models.CharField(_("issuer (Chinese)"), max_length=200, blank=True)
    issuer_en = models.CharField(_("issuer (English)"), max_length=200, blank=True)
    document_no = models.CharField(_("issuing document"), max_length=100, blank=True)
    source_url = models.URLField(_("source link"), max_length=500, blank=True)
    official_case_count = models.PositiveSmallIntegerField(
        _("official number of cases"),
        null=True,
        blank=True,
        help_text=_("How many cases the batch has according to the ministry; empty if unknown."),
    )

    title = Bilingual()
    issuer = Bilingual()

    objects = CaseBatchManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("case batch")
        verbose_name_plural = _("case batches")
        ordering = ["program", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "number"],
                name="batch_number_unique_in_program",
                violation_error_message=_("This program already has a batch with this number."),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="batch_number_positive",
                violation_error_message=_("Batch numbers start at 1."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("cases:batch-detail", args=[self.program.slug, self.number])

    @property
    def short_title(self):
        """E.g. "2020 · 第4批" / "2020 · batch 4", for narrow columns; needs program loaded."""
        return _("%(year)s · batch %(number)d") % {
            "year": self.program.year_label,
            "number": self.number,
        }

    def natural_key(self):
        return (*self.program.natural_key(), self.number)

    natural_key.dependencies = ["regions.pilotprogram"]

    @property
    def key(self):
        """How the case list's filter names this batch in a URL: ``pilot-2020-4``."""
        return f"{self.program.slug}-{self.number}"


class IncompleteCases(Exception):
    """Nothing was published: some of the cases are not complete yet.

    ``problems`` maps each incomplete case to the reasons, e.g. ``["no theme"]``.
    """

    def __init__(self, problems):
        self.problems = problems
        super().__init__(f"{len(problems)} incomplete case(s)")


class CaseQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Case.Status.PUBLISHED)

    def visible_to(self, user):
        """What a case page may show this user: published cases, or every case for staff.

        Staff who may view cases in the admin also see drafts and cases in review, to preview
        them on their public page; everyone else gets published cases only.
        """
        if user.has_perm("cases.view_case"):
            return self.all()
        return self.published()

    @staticmethod
    def publication_requirements():
        """The one rule of what a case needs before publication: (reason, condition if missing)."""
        lead_regions = Case.lead_regions.through.objects.filter(case=OuterRef("pk"))
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

    def submit_for_review(self):
        """Send the drafts among these cases to review; returns how many went."""
        return self.filter(status=Case.Status.DRAFT)._move_to(Case.Status.IN_REVIEW)

    def publish(self, on=None):
        """Publish these cases, all or none; a first publication sets the date (``on``, today).

        Raises ``IncompleteCases`` with every reason of every case, and publishes nothing, if any
        case misses something (see ``publication_requirements``). Cases published already stay
        as they are. Returns how many cases were published.
        """
        with transaction.atomic():
            unpublished = self.exclude(status=Case.Status.PUBLISHED)
            # Locked before the check, so that no edit makes a case incomplete in between.
            locked = unpublished.select_for_update(of=("self",)).values_list("pk", flat=True)
            problems = Case.objects.filter(pk__in=list(locked)).publication_problems()
            if problems:
                raise IncompleteCases(problems)
            return unpublished._move_to(Case.Status.PUBLISHED, on=on or timezone.localdate())

    def unpublish(self):
        """Take published cases (and cases in review) back to draft; returns how many went."""
        cases = self.filter(status__in=[Case.Status.PUBLISHED, Case.Status.IN_REVIEW])
        return cases._move_to(Case.Status.DRAFT)

    def _move_to(self, status, on=None):
        # Saved one by one, not with update(), so that each change gets its history record.
        # Rows are locked OF self: the admin's queryset joins batch and theme, and PostgreSQL
        # cannot lock the nullable side of an outer join (nor need it).
        with transaction.atomic():
            cases = list(self.select_for_update(of=("self",)))
            for case in cases:
                case.status = status
                if on and case.published_on is None:
                    case.published_on = on
                case.save(update_fields=["status", "published_on", "updated_at"])
        return len(cases)

    def search(self, text):
        """Cases matching every term of ``text`` in either language, best match first.

        Answered from the search index (see cases.search); ``search_rank`` is smaller for better
        matches. Text with nothing searchable in it matches nothing.
        """
        query = text if isinstance(text, SearchQuery) else SearchQuery.parse(text)
        if not query:
            return self.none()
        return (
            self.filter(search_entry__document__matches=query)
            .annotate(search_rank=SearchRank("search_entry__document", query))
            .order_by("search_rank", "pk")
        )

    def with_related(self):
        """Everything a list or detail shows about a case, in a fixed number of queries."""
        return self.select_related("batch__program", "theme").prefetch_related(
            "lead_regions", "sectors"
        )

    def listed(self):
        """What a list of cases shows: ``with_related()`` without the long texts it never shows."""
        return self.with_related().defer(*LONG_TEXT_FIELDS)

    def order_by_title(self, descending=False):
        """Order by the title as the page shows it: its language's, else the other one."""
        wanted = active_suffix()
        other = "en" if wanted == "zh" else "zh"
        shown = Coalesce(NullIf(f"title_{wanted}", Value("")), f"title_{other}")
        return self.order_by(shown.desc() if descending else shown.asc(), "slug")

    def related_to(self, case):
        """Other cases on the same theme or sharing a sector with ``case``, closest first.

        ``case`` comes with its sectors prefetched (``with_related()``), so this adds no query.
        """
        sector_ids = [sector.pk for sector in case.sectors.all()]
        same_theme = Q(theme_id=case.theme_id) if case.theme_id else Q(pk__in=[])
        shares_sector = Exists(
            Case.sectors.through.objects.filter(case=OuterRef("pk"), servicesector__in=sector_ids)
        )
        # Ranking every case of a big catalogue would read all of them; the closest few are
        # among the newest cases of each kind (same theme and a sector, same theme, a sector),
        # each found through an index, so only these few candidates are ranked.
        # The candidates' ids are fetched first (three small index reads): as subqueries joined
        # by OR they made PostgreSQL scan every case (154 ms at 100,000 cases, against 3 ms).
        # The list's own order (NULLS LAST), so that the list index serves it on PostgreSQL too.
        others = self.exclude(pk=case.pk).order_by(F("published_on").desc(nulls_last=True), "slug")
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

    # EXISTS on the join table itself (indexed both ways, migration 0003): the database can walk
    # the cases in the list's order and stop at a page's worth, instead of collecting every
    # matching case first and sorting them.

    def in_sectors(self, codes):
        links = Case.sectors.through.objects.filter(servicesector__code__in=codes)
        return self.filter(Exists(links.filter(case=OuterRef("pk"))))

    def in_regions(self, slugs):
        """Cases led by these regions or, for a province, by any region inside it."""
        regions = Region.objects.with_children_of(slugs)
        links = Case.lead_regions.through.objects.filter(region__in=regions)
        return self.filter(Exists(links.filter(case=OuterRef("pk"))))

    def in_years(self, years):
        return self.filter(published_on__year__in=[int(year) for year in years])

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

    def year_counts(self):
        counts = self._counts_by_key(ExtractYear("published_on"))
        return {str(year): n for year, n in counts.items()}


# How many of the newest cases of each kind related_to() ranks.
RELATED_CANDIDATES = 12
# Texts a list never shows; its querysets leave them in the database.
LONG_TEXT_FIELDS = ["summary_zh", "summary_en", "body_zh", "body_en", "verification_note"]


class CaseManager(SlugManager.from_queryset(CaseQuerySet)):
    pass


class Case(Verifiable):
    """A best practice case (or replicable experience) that other regions are meant to copy."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        IN_REVIEW = "in-review", _("in review")
        PUBLISHED = "published", _("published")

    batch = models.ForeignKey(
        CaseBatch,
        verbose_name=_("batch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        help_text=_("Required before publishing; a draft may wait for its batch to be known."),
    )
    theme = models.ForeignKey(
        Theme,
        verbose_name=_("theme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    title_zh = models.CharField(_("Chinese title"), max_length=300, blank=True)
    title_en = models.CharField(_("English title"), max_length=300, blank=True)
    title_is_topic = models.BooleanField(
        _("title is only a topic"),
        default=False,
        help_text=_("The official title is not known yet; the title describes the topic."),
    )
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    summary_zh = models.TextField(_("Chinese summary"), blank=True)
    summary_en = models.TextField(_("English summary"), blank=True)
    body_zh = models.TextField(_("Chinese full text"), blank=True)
    body_en = models.TextField(_("English full text"), blank=True)
    lead_regions = models.ManyToManyField(
        Region, verbose_name=_("lead regions"), related_name="led_cases", blank=True
    )
    sectors = models.ManyToManyField(
        ServiceSector, verbose_name=_("service sectors"), related_name="cases", blank=True
    )
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.DRAFT)
    published_on = models.DateField(_("publication date"), null=True, blank=True)
    source_url = models.URLField(_("source link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)

    title = Bilingual()
    summary = Bilingual()
    body = Bilingual()

    objects = CaseManager()
    # The many-to-many fields get history tables of their own, so a version of a case includes
    # its lead regions and sectors (and reverting restores them).
    history = HistoricalRecords(m2m_fields=["lead_regions", "sectors"])

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = [F("published_on").desc(nulls_last=True), "slug"]
        permissions = [("publish_case", _("Can publish and unpublish cases"))]
        constraints = [
            models.CheckConstraint(
                condition=~Q(title_zh="", title_en=""),
                name="case_has_a_title",
                violation_error_message=_("A case needs a title in at least one language."),
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(batch__isnull=False),
                name="case_published_has_batch",
                violation_error_message=_("A published case must belong to a batch."),
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_on__isnull=False),
                name="case_published_has_date",
                violation_error_message=_("A published case needs a publication date."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("cases:case-detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    def missing_for_publication(self):
        """Why this case cannot be published yet, e.g. ``["no theme"]``; empty when it can."""
        return Case.objects.filter(pk=self.pk).publication_problems().get(self, [])

    def citation(self, url, accessed_on):
        """A reference a researcher can paste into a paper, in the page's language.

        <issuer> (2023). <title>. In: <batch title>. servtrade, <url> (accessed <date>).
        Without a known issuer the title leads, as citation styles do for anonymous works: no
        author is guessed.
        """
        batch = self.batch
        year = (batch.published_on or self.published_on).year
        if batch.issuer:
            parts = [f"{batch.issuer} ({year}).", f"{self.title}."]
        else:
            parts = [f"{self.title} ({year})."]
        parts.append(_("In: %(batch)s.") % {"batch": batch.title})
        parts.append(
            _("servtrade, %(url)s (accessed %(date)s).")
            % {"url": url, "date": accessed_on.isoformat()}
        )
        return " ".join(parts)


class CaseSearch(models.Model):
    """A case's row in the search index, written only by database triggers (migration 0002).

    On SQLite an FTS5 table, whose rowid is the case's id; on PostgreSQL a table with a GIN-indexed
    tsvector. Django never creates or writes it; it exists so that a search joins it.
    """

    case = models.OneToOneField(
        Case,
        primary_key=True,
        db_column="rowid",
        on_delete=models.DO_NOTHING,
        related_name="search_entry",
    )
    document = SearchDocumentField()

    class Meta:
        managed = False
        db_table = "cases_casesearch"
        verbose_name = _("search index entry")
        verbose_name_plural = _("search index entries")

    def __str__(self):
        return f"search entry of case {self.case_id}"


class CatalogueVersionQuerySet(models.QuerySet):
    def current(self):
        """The catalogue's version token, or None when the row is missing (after a flush)."""
        return self.filter(pk=1).values_list("token", flat=True).first()


class CatalogueVersion(models.Model):
    """One row whose token changes on every write to the catalogue; caches key on it.

    Database triggers (migration 0004) write a new random token after any insert, update,
    delete (and, on PostgreSQL, truncate) of cases, their regions and sectors, batches, themes,
    sectors, regions, programs and memberships: so admin edits, imports, ``bulk_create``,
    ``QuerySet.update`` and raw SQL all invalidate, and nothing in Python has to remember to. A
    random token rather than a counter: a rolled-back write can never bring back a number that
    a cache entry was stored under.
    """

    token = models.CharField(_("token"), max_length=32)

    objects = CatalogueVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("catalogue version")
        verbose_name_plural = _("catalogue versions")

    def __str__(self):
        return self.token
