import datetime
from itertools import groupby
from operator import attrgetter

from django.conf import settings
from django.db.models import F
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import condition, require_safe
from django.views.generic import DetailView, TemplateView

from cases import bulk, citations, suggestions
from cases.compare import KINDS, MAX_ITEMS, Comparison
from cases.feeds import feed_url
from cases.filters import CaseFilterSet
from cases.models import Case, CaseBatch
from cases.search import through_the_index
from cases.structured_data import case_article, catalogue_dataset
from cases.tables import CaseTable
from regions.models import PilotProgram, Region
from servtrade.caching import cached
from servtrade.http_caching import catalogue_version
from servtrade.views import PAGE_SIZES, PageSizePaginator, PublicListView

# How many related cases a case page suggests.
RELATED_CASES = 6
# The facets the home page offers as ways into the catalogue.
HOME_FACETS = ["theme", "sector", "region"]


class HomeView(TemplateView):
    """The catalogue's figures and ways in; cached until the catalogue changes."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        version = catalogue_version(self.request)
        published = Case.objects.published()
        return super().get_context_data(
            **cached(version, ("home-figures",), home_figures),
            facets=CaseFilterSet(queryset=published, version=version).facets(HOME_FACETS),
            structured_data=catalogue_dataset(self.request),
            # The pictures are cached under it too (servtrade.templatetags.pictures).
            catalogue_version=version,
            **kwargs,
        )


def home_figures():
    latest = CaseBatch.objects.with_case_counts().select_related("program")
    return {
        "program_count": PilotProgram.objects.with_members().count(),
        "region_count": Region.objects.pilot().count(),
        "batch_count": CaseBatch.objects.count(),
        "case_count": Case.objects.published().count(),
        "latest_batch": latest.order_by(F("published_on").desc(nulls_last=True)).first(),
    }


class CaseListView(PublicListView):
    # Newest release first, cases whose release date is not known last.
    queryset = Case.objects.published().listed().with_adoption_counts().order_by_release()
    filterset_class = CaseFilterSet
    table_class = CaseTable
    template_name = "cases/case_list.html"
    export_name = "servtrade-cases"
    default_sort = "-released_on"
    # Lists longer than settings.EXPORT_ROW_LIMIT are downloaded from the bulk files (/data/),
    # which no web worker builds.
    bulk_url = reverse_lazy("cases:data")

    def get_filterset_kwargs(self, filterset_class):
        # Options, counts and the total are cached until the catalogue changes.
        version = catalogue_version(self.request)
        return {
            **super().get_filterset_kwargs(filterset_class),
            "version": version,
            "rows_needed": self.rows_needed(),
        }

    def get_context_data(self, **kwargs):
        # The charts of the filtered cases are cached under the list's catalogue version
        # (servtrade.templatetags.pictures), which would otherwise be read a second time.
        context = super().get_context_data(
            catalogue_version=self.filterset.version,
            feed_url=feed_url(self.request.GET),
            **kwargs,
        )
        table = context.get("table")
        searched = getattr(self.filterset.form, "cleaned_data", {}).get("q")
        if table is not None and searched and self.filterset.rows_in_sql:
            # The page's rows read now, a search's matches through the search index: ranked,
            # sorted by a column or past the first 1,000 rows, they are filtered in SQL, and
            # PostgreSQL's planner scanned every document for them (0.4 s a subquery at
            # 100,000 cases; cases.search.through_the_index).
            with through_the_index():
                len(table.page.object_list)
        return context


class CaseDetailView(DetailView):
    """A published case. Staff preview drafts and cases in review here, under a banner; for
    everyone else such an address is a 404 like any unknown one."""

    template_name = "cases/case_detail.html"

    def get_queryset(self):
        return Case.objects.visible_to(self.request.user).with_related()

    def get_context_data(self, **kwargs):
        case = self.object
        permalink = self.request.build_absolute_uri(case.get_absolute_url())
        version = catalogue_version(self.request)
        candidates = Case.objects.related_candidates(version, case)
        related = Case.objects.published().related_to(case, candidates).itemised()[:RELATED_CASES]
        return super().get_context_data(
            related_cases=related,
            official_sources=case.official_sources(),
            other_sources=case.other_sources(),
            permalink=permalink,
            adoptions=Case.objects.public_adoptions_of(version, case),
            nationwide_regions=self.nationwide_regions(case),
            # Only what the public can reach is worth citing.
            **(citation_context(self.request, case) if case.is_published else {}),
            structured_data=case_article(self.request, case) if case.is_published else None,
            **kwargs,
        )

    def nationwide_regions(self, case):
        """How many pilot regions adopted ``case`` by a nationwide replication of its batch
        (every one but its own lead regions), or None. The pilot regions are read once per
        catalogue version for every case page, not once a page."""
        if not (case.batch and case.batch.replicated_nationwide):
            return None
        pilot = cached(
            catalogue_version(self.request),
            ("pilot region ids",),
            lambda: set(Region.objects.pilot().values_list("pk", flat=True)),
        )
        return len(pilot - {region.pk for region in case.lead_regions.all()})

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if not self.object.is_published:
            # A preview must never be kept by a shared cache and shown to the public.
            patch_cache_control(response, private=True, no_store=True)
        return response


class BothLanguagesView(DetailView):
    """A case's texts in Chinese and English side by side, for readers of either or both."""

    template_name = "cases/case_both_languages.html"

    def get_queryset(self):
        return Case.objects.visible_to(self.request.user).select_related("batch__program")

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if not self.object.is_published:
            patch_cache_control(response, private=True, no_store=True)
        return response


def permalink_in(request, case, lang):
    """The case's absolute address in ``lang`` ("zh" or "en")."""
    with translation.override("en" if lang == "en" else "zh-hans"):
        return request.build_absolute_uri(case.get_absolute_url())


def citation_context(request, case):
    """The case page's citations (both styles, both languages), meta tags and downloads."""
    accessed_on = timezone.localdate()
    page_lang = "en" if translation.get_language() == "en" else "zh"
    here = citations.Reference.of(
        case, page_lang, permalink_in(request, case, page_lang), accessed_on
    )
    downloads = []
    for lang, code in (("zh", "zh-hans"), ("en", "en")):
        with translation.override(code):
            for file_format in CitationDownloadView.FORMATS:
                url = reverse("cases:case-citation", args=[case.slug, file_format])
                downloads.append({"format": file_format, "lang": lang, "url": url})
    return {
        "citations": citations.citations(
            case, lambda lang: permalink_in(request, case, lang), accessed_on
        ),
        "highwire_tags": citations.highwire_tags(here),
        "citation_downloads": downloads,
    }


class CitationDownloadView(DetailView):
    """A published case's citation as a file for a reference manager, in the page's language."""

    FORMATS = {
        "ris": "application/x-research-info-systems",
        "bib": "application/x-bibtex",
    }

    def get_queryset(self):
        return Case.objects.published().with_related()

    def render_to_response(self, context, **response_kwargs):
        file_format = self.kwargs["format"]
        if file_format not in self.FORMATS:
            raise Http404
        case = self.object
        lang = "en" if translation.get_language() == "en" else "zh"
        ref = citations.Reference.of(
            case, lang, permalink_in(self.request, case, lang), timezone.localdate()
        )
        if file_format == "ris":
            content = citations.ris(ref)
        else:
            content = citations.bibtex(ref, key=f"servtrade-{case.slug}-{lang}")
        response = HttpResponse(content, content_type=f"{self.FORMATS[file_format]}; charset=utf-8")
        filename = f"servtrade-{case.slug}-{lang}.{file_format}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class BatchDetailView(DetailView):
    """A batch's published cases, grouped by theme, a page at a time, with how many of them are
    catalogued: the same queries at any size.

    Its counts and which cases each page shows are computed once per catalogue version (a
    batch of 14,000 cases is sorted by theme to find a page's 50); a request reads the page's
    cases by id.
    """

    template_name = "cases/casebatch_detail.html"
    cases_per_page = PAGE_SIZES[1]

    def get_object(self, queryset=None):
        return get_object_or_404(
            CaseBatch.objects.select_related("program"),
            program__slug=self.kwargs["program_slug"],
            number=self.kwargs["number"],
        )

    def get_context_data(self, **kwargs):
        batch = self.object
        version = catalogue_version(self.request)
        cases = batch.cases.published().order_by(
            F("theme__position").asc(nulls_last=True), "theme__slug", "slug"
        )
        figures = cached(version, ("batch figures", batch.pk), lambda: batch_figures(batch))
        batch.catalogued, batch.catalogued_published, totals = figures
        paginator = PageSizePaginator(cases, self.cases_per_page, count=batch.catalogued_published)
        page = paginator.get_page(self.request.GET.get("page"))
        first = (page.number - 1) * self.cases_per_page
        ids = cached(
            version,
            ("batch page", batch.pk, page.number),
            lambda: list(cases.values_list("pk", flat=True)[first : first + self.cases_per_page]),
        )
        page.object_list = list(cases.itemised().filter(pk__in=ids))
        # A theme's heading counts its cases in the whole batch, not just on this page.
        groups = [
            (theme, list(cases), totals.get(theme.pk if theme else None, 0))
            for theme, cases in groupby(page, key=attrgetter("theme"))
        ]
        return super().get_context_data(
            page=page,
            page_range=paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            groups=groups,
            **kwargs,
        )


def batch_figures(batch):
    """(cases catalogued, published ones, {theme id: published cases}) of a batch."""
    counted = CaseBatch.objects.filter(pk=batch.pk).with_case_counts()
    catalogued, published = counted.values_list("catalogued", "catalogued_published").get()
    return catalogued, published, batch.cases.published().totals_by_theme()


class CompareView(TemplateView):
    """Two to four regions, batches or programs side by side (cases/compare.py).

    A page without a comparison offers the choice; one the address cannot make says why, with
    status 400, and offers the choice again.
    """

    template_name = "cases/compare.html"

    def get_context_data(self, **kwargs):
        comparison = Comparison(self.request.GET)
        filterset = CaseFilterSet(version=catalogue_version(self.request))
        choosers = []
        for param, kind in KINDS.items():
            chosen = [c.key for c in comparison.columns] if comparison.kind is kind else []
            choosers.append(
                {
                    "kind": kind,
                    "options": filterset.get_options(param),
                    "slots": chosen + [""] * (MAX_ITEMS - len(chosen)),
                }
            )
        return super().get_context_data(comparison=comparison, choosers=choosers, **kwargs)

    def render_to_response(self, context, **response_kwargs):
        comparison = context["comparison"]
        if comparison.given and not comparison.ok:
            response_kwargs["status"] = 400
        return super().render_to_response(context, **response_kwargs)


class SuggestView(TemplateView):
    """The public's form for a missing case or a correction (cases/suggestions.py).

    Also the target of the short forms on case, batch and region pages. A good suggestion goes
    to the moderation queue and the sender to a thank-you page; anything else gets the form back
    with what was wrong, and nothing is stored.
    """

    template_name = "cases/suggest.html"

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        # The form's CSRF token is this visitor's own: never kept by a shared cache.
        patch_cache_control(response, private=True, no_store=True)
        return response

    def get(self, request, *args, **kwargs):
        form = suggestions.SuggestionForm(initial=self.initial_from(request.GET))
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        if int(request.META.get("CONTENT_LENGTH") or 0) > suggestions.MAX_BODY:
            return self.refuse(_("This suggestion is too long to be sent; please shorten it."), 413)
        form = suggestions.SuggestionForm(request.POST)
        if form.is_robot():
            # Thanked like anyone, so that a robot learns nothing; nothing is stored.
            return redirect("cases:suggest-thanks")
        if suggestions.too_many_from(suggestions.sender_of(request)):
            return self.refuse(
                _(
                    "Thank you, but we have received many suggestions from your address in the "
                    "last hour. Please try again later."
                ),
                429,
                form,
            )
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        suggestions.save_suggestion(form, request)
        return redirect("cases:suggest-thanks")

    def refuse(self, message, status, form=None):
        form = form or suggestions.SuggestionForm()
        context = self.get_context_data(form=form, refusal=message)
        return self.render_to_response(context, status=status)

    @staticmethod
    def initial_from(query):
        """What the short form of a case, batch or region page sent along, to check and send:
        ?case=, ?batch=, ?region=, ?kind=, ?what=, ?source_url= (each cut to its field's size)."""
        sizes = {"case": 120, "batch": 80, "region": 60, "kind": 20}
        sizes |= {"what": 2000, "source_url": 500}
        initial = {key: query[key][:size] for key, size in sizes.items() if key in query}
        if "case" in initial and "kind" not in initial:
            initial["kind"] = suggestions.Suggestion.Kind.CORRECTION
        return initial


class SuggestThanksView(TemplateView):
    template_name = "cases/suggest_thanks.html"


class DataView(TemplateView):
    """/data/: the bulk files with their size, rows, build date and licence, and the other ways
    to the data (API, feeds). Reads the build's manifest, not the database."""

    template_name = "cases/data.html"

    def get_context_data(self, **kwargs):
        manifest = bulk.read_manifest()
        files = []
        if manifest:
            for name, entry in manifest["files"].items():
                files.append({"name": name, **entry})
        return super().get_context_data(
            manifest=manifest,
            files=files,
            row_limit=settings.EXPORT_ROW_LIMIT,
            asked_rows=self.request.GET.get("rows", "")[:12],
            structured_data=catalogue_dataset(self.request),
            **kwargs,
        )


def bulk_file_etag(request, name):
    entry = (bulk.read_manifest() or {"files": {}})["files"].get(name)
    return entry and entry["sha256"]


def bulk_file_modified(request, name):
    path = bulk.bulk_dir() / name
    if name in bulk.FILES and path.exists():
        return datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.UTC)
    return None


@require_safe
@condition(etag_func=bulk_file_etag, last_modified_func=bulk_file_modified)
def bulk_file(request, name):
    """A bulk file at its stable address, sent from disk (no database), with an ETag (its
    SHA-256) and Last-Modified, so a client that has it gets a 304."""
    if name not in bulk.FILES or bulk_file_etag(request, name) is None:
        raise Http404("No such file.")
    response = FileResponse(
        open(bulk.bulk_dir() / name, "rb"),  # noqa: SIM115 (FileResponse closes it)
        content_type=bulk.FILES[name],
        as_attachment=not name.endswith(".json"),
        filename=name,
    )
    # A day in caches; revalidated by ETag after that.
    response["Cache-Control"] = "public, max-age=3600"
    return response
