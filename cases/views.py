import datetime

from django.conf import settings
from django.db.models import F
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import condition, require_safe
from django.views.generic import DetailView, TemplateView

from cases import bulk
from cases.feeds import feed_url
from cases.filters import CaseFilterSet
from cases.models import Case, CaseBatch
from cases.structured_data import case_article, catalogue_dataset
from cases.tables import CaseTable
from regions.models import PilotProgram, Region
from servtrade.caching import cached
from servtrade.http_caching import catalogue_version
from servtrade.views import PublicListView

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
            **kwargs,
        )


def home_figures():
    latest = CaseBatch.objects.with_case_counts().select_related("program")
    return {
        "program_count": PilotProgram.objects.count(),
        "region_count": Region.objects.filter(memberships__isnull=False).distinct().count(),
        "batch_count": CaseBatch.objects.count(),
        "case_count": Case.objects.published().count(),
        "latest_batch": latest.order_by(F("published_on").desc(nulls_last=True)).first(),
    }


class CaseListView(PublicListView):
    queryset = Case.objects.published().listed()
    filterset_class = CaseFilterSet
    table_class = CaseTable
    template_name = "cases/case_list.html"
    export_name = "servtrade-cases"
    # Lists longer than settings.EXPORT_ROW_LIMIT are downloaded from the bulk files (/data/),
    # which no web worker builds.
    bulk_url = reverse_lazy("cases:data")

    def get_filterset_kwargs(self, filterset_class):
        # Options, counts and the total are cached until the catalogue changes.
        version = catalogue_version(self.request)
        return {**super().get_filterset_kwargs(filterset_class), "version": version}

    def get_context_data(self, **kwargs):
        return super().get_context_data(feed_url=feed_url(self.request.GET), **kwargs)


class CaseDetailView(DetailView):
    """A published case. Staff preview drafts and cases in review here, under a banner; for
    everyone else such an address is a 404 like any unknown one."""

    template_name = "cases/case_detail.html"

    def get_queryset(self):
        return Case.objects.visible_to(self.request.user).with_related()

    def get_context_data(self, **kwargs):
        case = self.object
        permalink = self.request.build_absolute_uri(case.get_absolute_url())
        related = Case.objects.published().related_to(case).listed()[:RELATED_CASES]
        return super().get_context_data(
            related_cases=related,
            permalink=permalink,
            # Only what the public can reach is worth citing.
            citation=case.citation(permalink, timezone.localdate()) if case.is_published else "",
            structured_data=case_article(self.request, case) if case.is_published else None,
            **kwargs,
        )

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if not self.object.is_published:
            # A preview must never be kept by a shared cache and shown to the public.
            patch_cache_control(response, private=True, no_store=True)
        return response


class BatchDetailView(DetailView):
    """A batch's published cases, grouped by theme, with how many of them are catalogued."""

    template_name = "cases/casebatch_detail.html"

    def get_object(self, queryset=None):
        batches = CaseBatch.objects.with_case_counts().select_related("program")
        return get_object_or_404(
            batches, program__slug=self.kwargs["program_slug"], number=self.kwargs["number"]
        )

    def get_context_data(self, **kwargs):
        cases = self.object.cases.published().listed()
        return super().get_context_data(
            cases=cases.order_by(F("theme__position").asc(nulls_last=True), "theme__slug", "slug"),
            **kwargs,
        )


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
