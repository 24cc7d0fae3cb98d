"""Best practice cases, the batches they are published in, and their themes and sectors."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import (
    F,
    Q,
)
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.querysets import (
    RELATED_CANDIDATES,
    AdoptionQuerySet,
    CaseBatchQuerySet,
    CaseQuerySet,
    CaseTermQuerySet,
)
from cases.search import SearchDocumentField
from regions.models import PilotProgram, Region, SlugManager, Verifiable
from servtrade.bilingual import Bilingual
from servtrade.indexes import NullsLastIndex


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

    objects = SlugManager.from_queryset(CaseTermQuerySet)()

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


class ServiceSectorManager(models.Manager.from_queryset(CaseTermQuerySet)):
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
    replicated_nationwide = models.BooleanField(
        _("replicated nationwide"),
        default=False,
        help_text=_(
            "The State Council had every pilot region replicate this batch's cases (as with "
            "the 2016 round's experiences): each case counts as adopted by every pilot region, "
            "without an adoption record per region."
        ),
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


class SourceManager(models.Manager):
    def get_by_natural_key(self, key):
        return self.get(key=key)


class Source(models.Model):
    """A document that reports a fact: the ministry's own notice, a secondary report, or a mirror.

    Only a source of kind "official" is ever shown as the official notice. A mirror is a copy of
    an official page on another site; ``copies_url`` is the official address it presumably
    copies, shown as unconfirmed until an editor has opened it (``copies_url_confirmed``).
    """

    class Kind(models.TextChoices):
        OFFICIAL = "official", _("official (a government body's own site)")
        SECONDARY = "secondary", _("secondary (news report, reprint, translation)")
        MIRROR = "mirror", _("mirror (a copy of an official page on another site)")

    key = models.CharField(
        _("key"), max_length=20, unique=True, help_text=_("The facts file's id, e.g. S12.")
    )
    url = models.URLField(_("address"), max_length=500, blank=True)
    title = models.CharField(_("title"), max_length=500)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    date = models.CharField(
        _("date"), max_length=200, blank=True, help_text=_("As the source gives it, e.g. 2023-11.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.SECONDARY)
    copies_url = models.URLField(
        _("official address it copies"),
        max_length=500,
        blank=True,
        help_text=_("For a mirror: the official page it presumably copies."),
    )
    copies_url_confirmed = models.BooleanField(
        _("official address confirmed"),
        default=False,
        help_text=_("Set once someone has opened the official address and found the same text."),
    )

    objects = SourceManager()

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["key"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="mirror") | Q(copies_url=""),
                name="source_only_mirrors_copy",
                violation_error_message=_("Only a mirror copies an official address."),
            ),
        ]

    def __str__(self):
        return f"{self.key} {self.title}"

    def natural_key(self):
        return (self.key,)

    @property
    def is_official(self):
        return self.kind == self.Kind.OFFICIAL


class CaseManager(SlugManager.from_queryset(CaseQuerySet)):
    def bitmaps(self, version):
        """The case bitmaps of catalogue ``version`` (or their stand-in: cases.counting) when
        they are there, None when they are not (ask SQL). Never builds them in this request."""
        from cases.counting import CaseBitmaps  # it reads these models

        return CaseBitmaps.current(version, build_now=False)

    def lead_region_counts(self, version):
        """{region slug: published cases it leads, a province's with its cities'} from the case
        bitmaps (``bitmaps()``); None without them (count in SQL)."""
        bitmaps = self.bitmaps(version)
        return None if bitmaps is None else bitmaps.counts("region")

    def first_led_by(self, version, slug, limit):
        """The ids of the first ``limit`` published cases region ``slug`` leads (a province's
        with its cities'), in the list's order, from the case bitmaps; None without them."""
        bitmaps = self.bitmaps(version)
        if bitmaps is None:
            return None
        return bitmaps.first_ids(bitmaps.options["region"].get(slug, 0), limit)

    def public_adoptions_of(self, version, case):
        """The published adoptions of ``case``, region fetched; none, without a query, when the
        case bitmaps say nobody adopted it."""
        bitmaps = self.bitmaps(version)
        if bitmaps is not None and not bitmaps.may_be_adopted(case.pk):
            return case.adoptions.none()
        return case.adoptions.published().select_related("region")

    def related_candidates(self, version, case):
        """The ids of the cases ``related_to(case)`` ranks, from the case bitmaps (no query; in
        SQL, three index reads); None without them. ``case`` comes with its theme and sectors
        (``with_related()``)."""
        bitmaps = self.bitmaps(version)
        if bitmaps is None:
            return None
        return bitmaps.related_ids(
            case.pk,
            case.theme.slug if case.theme_id else None,
            [sector.code for sector in case.sectors.all()],
            RELATED_CANDIDATES,
        )


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
    # A title servtrade wrote because the official one is not known in that language; shown as
    # "暂拟标题" / "Descriptive title" and in brackets in citations, never as the official title.
    title_zh_descriptive = models.BooleanField(
        _("Chinese title is descriptive"),
        default=False,
        help_text=_("The Chinese title is ours, written until the official one is found."),
    )
    title_en_descriptive = models.BooleanField(
        _("English title is descriptive"),
        default=False,
        help_text=_("The English title is ours, written until the official one is found."),
    )
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    summary_zh = models.TextField(_("Chinese summary"), blank=True)
    summary_en = models.TextField(_("English summary"), blank=True)
    body_zh = models.TextField(_("Chinese full text"), blank=True)
    body_en = models.TextField(_("English full text"), blank=True)
    cataloguing_note_zh = models.TextField(
        _("cataloguing note (Chinese)"),
        blank=True,
        help_text=_("What is not known yet about this case, e.g. that its title was not found."),
    )
    cataloguing_note_en = models.TextField(_("cataloguing note (English)"), blank=True)
    lead_regions = models.ManyToManyField(
        Region, verbose_name=_("lead regions"), related_name="led_cases", blank=True
    )
    sectors = models.ManyToManyField(
        ServiceSector, verbose_name=_("service sectors"), related_name="cases", blank=True
    )
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.DRAFT)
    published_on = models.DateField(_("publication date"), null=True, blank=True)
    source_url = models.URLField(_("source link"), max_length=500, blank=True)
    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), related_name="cases", blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)
    # One more on every save: the admin refuses a save made from an older version (two editors
    # on the same case), see cases/admin.py CaseForm.
    version = models.PositiveIntegerField(_("version"), default=1)

    title = Bilingual()
    summary = Bilingual()
    body = Bilingual()
    cataloguing_note = Bilingual()

    objects = CaseManager()
    # The many-to-many fields get history tables of their own, so a version of a case includes
    # its lead regions and sectors (and reverting restores them).
    history = HistoricalRecords(m2m_fields=["lead_regions", "sectors"])

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = [F("published_on").desc(nulls_last=True), "slug"]
        permissions = [("publish_case", _("Can publish and unpublish cases"))]
        indexes = [
            # The list's order: the first page of the unfiltered list.
            NullsLastIndex(
                F("status"),
                F("published_on").desc(nulls_last=True),
                F("slug"),
                name="cases_case_listed",
            ),
            # The same order over every status: the admin's case list (a sort of every case
            # took 180 ms at 100,000 cases on PostgreSQL), and its years (date_hierarchy).
            NullsLastIndex(
                F("published_on").desc(nulls_last=True), F("slug"), name="cases_case_admin_listed"
            ),
            # A theme or a batch with the list's order: a filtered first page without a sort.
            models.Index(
                fields=["theme", "status", "published_on", "slug"], name="cases_case_theme_listed"
            ),
            models.Index(
                fields=["batch", "status", "published_on", "slug"], name="cases_case_batch_listed"
            ),
        ]
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

    # The field every save of an existing case counts up (servtrade.history.save_in_bulk
    # counts its saves too).
    SAVE_COUNTER = "version"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self.version += 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, self.SAVE_COUNTER}
        super().save(*args, **kwargs)

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

    @property
    def released_on(self):
        """The ministry's release date of the case (its batch's); None when not known.

        This is the date every list, facet, order, export and citation uses. ``published_on``
        is servtrade's own date (when the case went public here); only the case page shows it.
        """
        return self.batch.published_on if self.batch else None

    @property
    def title_is_descriptive(self):
        """Whether the title the page shows is ours rather than the official wording."""
        title = self.title
        return self.title_is_topic or getattr(self, f"title_{title.lang}_descriptive")

    def title_is_descriptive_in(self, lang):
        """Whether the title shown in ``lang`` (or its fallback, the other language's) is ours."""
        shown = lang if getattr(self, f"title_{lang}") else ("en" if lang == "zh" else "zh")
        return self.title_is_topic or getattr(self, f"title_{shown}_descriptive")

    def official_sources(self):
        """The case's official sources; needs ``sources`` prefetched (``with_related()``)."""
        return [source for source in self.sources.all() if source.is_official]

    def other_sources(self):
        return [source for source in self.sources.all() if not source.is_official]


class Adoption(models.Model):
    """Evidence that a region copied a case: fully or in part, when, and where it says so.

    Edited like cases (draft, in review, published; history kept); only published adoptions of
    published cases are public. Adoptions by every pilot region at once are not rows: see
    ``CaseBatch.replicated_nationwide``.
    """

    Status = Case.Status

    class Extent(models.TextChoices):
        FULL = "full", _("fully")
        PARTIAL = "partial", _("in part")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="adoptions"
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("adopting region"),
        on_delete=models.PROTECT,
        related_name="adoptions",
    )
    extent = models.CharField(_("extent"), max_length=10, choices=Extent, default=Extent.FULL)
    adopted_on = models.DateField(
        _("adopted on"), null=True, blank=True, help_text=_("Empty if the source gives no date.")
    )
    evidence_url = models.URLField(
        _("evidence link"),
        max_length=500,
        help_text=_("A document or report that says the region adopted the case."),
    )
    evidence_quote = models.TextField(
        _("quote from the evidence"),
        max_length=2000,
        help_text=_("The passage that says so, copied as it stands (in its own language)."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.DRAFT)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)

    objects = AdoptionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("adoption")
        verbose_name_plural = _("adoptions")
        ordering = [F("adopted_on").desc(nulls_last=True), "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "region"],
                name="adoption_once_per_region",
                violation_error_message=_("This region's adoption of this case is recorded."),
            ),
        ]

    def __str__(self):
        return _("%(region)s adopted “%(case)s”") % {"region": self.region, "case": self.case}

    def get_absolute_url(self):
        return f"{self.case.get_absolute_url()}#adoptions"

    def clean(self):
        """A region cannot adopt a case it leads itself."""
        if (
            self.case_id
            and self.region_id
            and self.case.lead_regions.filter(pk=self.region_id).exists()
        ):
            raise ValidationError(
                {"region": _("This region leads the case; it cannot also adopt it.")}
            )


class Suggestion(models.Model):
    """A visitor's suggestion of a missing case or a correction, waiting for an editor.

    Never shown on the public site: an editor turns it into a draft case (pre-filled from it),
    applies the correction to the case, or rejects it. See cases/suggestions.py for the form and
    its protections.
    """

    class Kind(models.TextChoices):
        MISSING_CASE = "missing-case", _("a missing case")
        CORRECTION = "correction", _("a correction")

    class Status(models.TextChoices):
        NEW = "new", _("new")
        DRAFTED = "drafted", _("turned into a draft case")
        CORRECTED = "corrected", _("correction made")
        REJECTED = "rejected", _("rejected")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.MISSING_CASE)
    what = models.TextField(_("what"), max_length=2000)
    case = models.ForeignKey(
        Case,
        verbose_name=_("case to correct"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestions",
    )
    batch = models.ForeignKey(
        CaseBatch,
        verbose_name=_("batch"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestions",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestions",
    )
    source_url = models.URLField(_("source link"), max_length=500)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    language = models.CharField(_("language of the page"), max_length=10, blank=True)
    # A keyed hash of the sender's address: enough to limit floods, never the address itself.
    sender = models.CharField(_("sender (hashed address)"), max_length=64, db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.NEW)
    draft_case = models.ForeignKey(
        Case,
        verbose_name=_("draft case made from it"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.what[:60]}"


class CaseSearch(models.Model):
    """A case's row in the search index, written only by database triggers (cases.db_objects).

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
        return (self.state() or (None,))[0]

    def state(self):
        """(token, changed_at) of the catalogue, or None when the row is missing.

        Every public page reads it (its ETag, its caches' keys), so by a fixed statement: the ORM
        took longer to build the query than the database to answer it (177 against 41 µs a read
        on SQLite, 367 against 168 µs on PostgreSQL, at the home page's 3.3 ms of CPU).
        """
        table = self.model._meta.db_table
        for version in self.raw(f"SELECT id, token, changed_at FROM {table} WHERE id = 1"):
            return version.token, version.changed_at
        return None


class CatalogueVersion(models.Model):
    """One row whose token changes on every write to the catalogue; caches key on it.

    Database triggers (cases.db_objects) write a new random token after any insert, update,
    delete (and, on PostgreSQL, truncate) of cases, their regions and sectors, batches, themes,
    sectors, regions, programs and memberships: so admin edits, imports, ``bulk_create``,
    ``QuerySet.update`` and raw SQL all invalidate, and nothing in Python has to remember to. A
    random token rather than a counter: a rolled-back write can never bring back a number that
    a cache entry was stored under.
    """

    token = models.CharField(_("token"), max_length=32)
    # When the token last changed (same triggers): public pages' Last-Modified.
    changed_at = models.DateTimeField(_("changed at"), null=True)

    objects = CatalogueVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("catalogue version")
        verbose_name_plural = _("catalogue versions")

    def __str__(self):
        return self.token
