"""Pilot regions and the pilot programs (phases) they belong to.

``regions`` is the base app: ``cases`` refers to these models, never the other way round.
"""

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Case as Choice
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from servtrade.bilingual import Bilingual, active_suffix


class Verifiable(models.Model):
    """A record some of whose facts could not be confirmed in a source yet.

    Editors see the flag and its note in the admin and clear it once the facts are checked; the
    public site shows such records with a visible "unverified" mark.
    """

    needs_verification = models.BooleanField(
        _("needs verification"),
        default=False,
        help_text=_("Some facts of this record are not confirmed by a source yet."),
    )
    verification_note = models.TextField(
        _("verification note"),
        blank=True,
        help_text=_("Which facts are unconfirmed and why; for editors."),
    )

    class Meta:
        abstract = True


class SlugManager(models.Manager):
    """Finds records by their slug, the natural key fixtures use."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class RegionQuerySet(models.QuerySet):
    def top_level(self):
        return self.filter(parent__isnull=True)

    def pilot(self):
        """Regions that are members of a pilot program (any phase)."""
        return self.filter(Exists(Membership.objects.filter(region=OuterRef("pk"))))

    def with_children_of(self, slugs):
        """Regions named by slug plus the regions directly inside them (a province's cities)."""
        return self.filter(Q(slug__in=slugs) | Q(parent__slug__in=slugs))

    def search(self, q):
        """Regions whose name, in either language, or slug contains ``q``."""
        return self.filter(Q(name_zh__icontains=q) | Q(name_en__icontains=q) | Q(slug__icontains=q))

    def order_by_name(self, descending=False):
        """Order by the name as the page shows it: its language's, else the other one."""
        shown = F(f"name_{active_suffix()}")
        return self.order_by(shown.desc() if descending else shown.asc(), "slug")

    # Filters and facet counts of the public region list (see servtrade.facets).

    def in_kinds(self, kinds):
        return self.filter(kind__in=kinds)

    def in_programs(self, slugs):
        return self.filter(
            pk__in=Membership.objects.filter(program__slug__in=slugs).values("region")
        )

    def in_provinces(self, slugs):
        return self.with_children_of(slugs)

    def with_is_pilot(self):
        """Annotate ``is_pilot``: a member of at least one pilot program."""
        return self.annotate(is_pilot=Exists(Membership.objects.filter(region=OuterRef("pk"))))

    def in_scopes(self, scopes):
        """``pilot``: pilot regions; ``province``: the other regions, the provinces around them."""
        return self.with_is_pilot().filter(is_pilot__in=[scope == "pilot" for scope in scopes])

    def scope_counts(self):
        rows = (
            self.with_is_pilot()
            .order_by()
            .values_list("is_pilot")
            .annotate(n=Count("pk", distinct=True))
        )
        return {("pilot" if is_pilot else "province"): n for is_pilot, n in rows}

    # Counts are distinct: the list's queryset already joins the cases it counts.

    def kind_counts(self):
        return dict(self.order_by().values_list("kind").annotate(n=Count("pk", distinct=True)))

    def program_counts(self):
        rows = (
            self.order_by()
            .values_list("memberships__program__slug")
            .annotate(n=Count("pk", distinct=True))
        )
        return {key: n for key, n in rows if key is not None}

    def province_counts(self):
        rows = (
            self.order_by()
            .annotate(key=Coalesce("parent__slug", "slug"))
            .values_list("key")
            .annotate(n=Count("pk", distinct=True))
        )
        return dict(rows)

    def with_case_counts(self, version=None):
        """Annotate ``case_count``: the published cases the region leads, a province's including
        those its cities and new areas lead (each case once).

        The one definition of "cases led": the case list's region filter and its counts
        (``CaseQuerySet.in_regions``, ``region_counts``) include a province's regions the same way.
        Given the catalogue ``version``, the counts come from the case bitmaps when they are
        built (a constant per region, nothing counted per request: cases.counting); otherwise,
        and without a version, a subquery counts them.
        """
        counts = None if version is None else published_case_manager().lead_region_counts(version)
        if counts is not None:
            return self.annotate(
                case_count=Choice(
                    *(When(slug=slug, then=Value(n)) for slug, n in counts.items()),
                    default=Value(0),
                    output_field=IntegerField(),
                )
            )
        links = Region.led_cases.through.objects.filter(
            Q(region=OuterRef("pk")) | Q(region__parent=OuterRef("pk")),
            case__in=published_cases(),
        )
        counts = (
            links.order_by()
            .annotate(group=Value(1))
            .values("group")
            .annotate(n=Count("case", distinct=True))
            .values("n")
        )
        return self.annotate(case_count=Coalesce(Subquery(counts), 0))


def published_case_manager():
    """``Case.objects``, reached through the relation (see published_cases)."""
    return Region._meta.get_field("led_cases").related_model.objects


def published_cases():
    """The published cases, without importing ``cases``.

    Dependencies point one way: ``cases`` imports ``regions``, never the reverse. Pages about
    regions and programs still count published cases, so they reach the Case model through the
    reverse relation by its name and let the cases' own QuerySet say what "published" means.
    """
    return published_case_manager().published()


class RegionManager(SlugManager.from_queryset(RegionQuerySet)):
    pass


# Kinds of region at the top of China's administrative hierarchy, which have no parent.
TOP_LEVEL_KINDS = ["province", "autonomous-region", "municipality"]


class Region(Verifiable):
    """A pilot region (city, state-level new area, municipality) or the province containing it."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("province")
        AUTONOMOUS_REGION = "autonomous-region", _("autonomous region")
        MUNICIPALITY = "municipality", _("province-level municipality")
        SUB_PROVINCIAL_CITY = "sub-provincial-city", _("sub-provincial city (separately planned)")
        PROVINCIAL_CAPITAL = "provincial-capital", _("provincial capital")
        PREFECTURE_CITY = "prefecture-city", _("prefecture-level city")
        NEW_AREA = "new-area", _("state-level new area")

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("The province-level region that contains this one; empty for provinces."),
    )
    code = models.CharField(
        _("GB/T 2260 code"),
        max_length=6,
        unique=True,
        null=True,
        blank=True,
        validators=[RegexValidator(r"^\d{6}$", _("A GB/T 2260 code is six digits."))],
        help_text=_("Administrative division code; state-level new areas have none."),
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    coordinates_approximate = models.BooleanField(
        _("coordinates approximate"),
        default=False,
        help_text=_("The seat's coordinates are an approximate city centre."),
    )

    name = Bilingual()

    objects = RegionManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind__in=TOP_LEVEL_KINDS, parent__isnull=True)
                    | (~Q(kind__in=TOP_LEVEL_KINDS) & Q(parent__isnull=False))
                ),
                name="region_only_top_level_kinds_lack_parent",
                violation_error_message=_(
                    "Provinces, autonomous regions and municipalities have no province above "
                    "them; every other region needs one."
                ),
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="region_latitude_in_range",
                violation_error_message=_("Latitude must lie between -90 and 90."),
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="region_longitude_in_range",
                violation_error_message=_("Longitude must lie between -180 and 180."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("regions:region-detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    @property
    def is_top_level(self):
        return self.kind in TOP_LEVEL_KINDS


class PilotProgramQuerySet(models.QuerySet):
    def with_members(self):
        """Programs that have member regions: the pilot programs proper. A program announced
        without members yet (the demonstration zones) is listed, labelled, but not counted."""
        return self.filter(Exists(Membership.objects.filter(program=OuterRef("pk"))))

    def with_counts(self):
        """Annotate ``region_count``, ``batch_count`` and ``case_count`` (published cases).

        Each count is its own subquery, so they do not multiply one another through joins.
        """
        batches = self.model._meta.get_field("batches").related_model.objects.all()
        return self.annotate(
            region_count=count_of(Membership.objects.all(), "program"),
            batch_count=count_of(batches, "program"),
            case_count=count_of(published_cases(), "batch__program"),
        )


def count_of(queryset, outer_field):
    """How many rows of ``queryset`` point at the outer row through ``outer_field``.

    COUNT(*), not COUNT(id): PostgreSQL then counts from an index that holds the outer field
    (and the status) alone, without reading each row for its id; a batch's cases in the batch
    admin took 0.23-0.35 s at 100,000 cases, against 70 ms (EXPLAIN ANALYZE).
    """
    counts = (
        queryset.filter(**{outer_field: OuterRef("pk")})
        .order_by()
        .values(outer_field)
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counts), 0)


class PilotProgramManager(SlugManager.from_queryset(PilotProgramQuerySet)):
    pass


class PilotProgram(Verifiable):
    """One phase of the pilot, approved by the State Council for a set of regions."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    approving_body_zh = models.CharField(_("approving body (Chinese)"), max_length=100, blank=True)
    approving_body_en = models.CharField(_("approving body (English)"), max_length=100, blank=True)
    document_no = models.CharField(
        _("approval document"),
        max_length=100,
        blank=True,
        help_text=_("The approving document's number, e.g. 国函〔2020〕111号."),
    )
    approved_on = models.DateField(_("approval date"), null=True, blank=True)
    starts_on = models.DateField(_("period start"), null=True, blank=True)
    ends_on = models.DateField(_("period end"), null=True, blank=True)
    summary_zh = models.TextField(_("Chinese summary"), blank=True)
    summary_en = models.TextField(_("English summary"), blank=True)
    source_url = models.URLField(_("source link"), max_length=500, blank=True)
    regions = models.ManyToManyField(
        Region,
        through="Membership",
        related_name="programs",
        verbose_name=_("member regions"),
    )

    name = Bilingual()
    approving_body = Bilingual()
    summary = Bilingual()

    objects = PilotProgramManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pilot program")
        verbose_name_plural = _("pilot programs")
        ordering = [models.F("approved_on").asc(nulls_last=True), "slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="program_period_ends_after_start",
                violation_error_message=_("The period cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("regions:program-detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    @property
    def year_label(self):
        """A short name for lists: the year of approval ("2020")."""
        return str(self.approved_on.year) if self.approved_on else self.slug


class MembershipManager(models.Manager):
    def get_by_natural_key(self, program_slug, region_slug):
        return self.get(program__slug=program_slug, region__slug=region_slug)


class Membership(Verifiable):
    """A region's place in a pilot program."""

    program = models.ForeignKey(
        PilotProgram,
        verbose_name=_("pilot program"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="memberships"
    )
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    note_zh = models.CharField(_("Chinese note"), max_length=300, blank=True)
    note_en = models.CharField(_("English note"), max_length=300, blank=True)

    note = Bilingual()

    objects = MembershipManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["program", "region"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "region"],
                name="membership_region_once_per_program",
                violation_error_message=_("This region is already a member of this program."),
            ),
        ]

    def __str__(self):
        return f"{self.program} · {self.region}"

    def natural_key(self):
        return (*self.program.natural_key(), *self.region.natural_key())

    natural_key.dependencies = ["regions.pilotprogram", "regions.region"]
