"""The public list view: page sizes, downloads, and notices about bad parameters."""

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from servtrade.exports import TableExport

PAGE_SIZES = (20, 50, 100)


class PageSizePaginator(Paginator):
    """A paginator that only serves the page sizes the page offers (no ?per_page=1000000).

    ``count``, when given, is the number of rows already known (the FilterSet caches it), so
    the paginator does not count them again.
    """

    def __init__(self, object_list, per_page, *args, count=None, **kwargs):
        per_page = per_page if per_page in PAGE_SIZES else PAGE_SIZES[0]
        super().__init__(object_list, per_page, *args, **kwargs)
        if count is not None:
            self.count = count


class PublicListView(SingleTableMixin, FilterView):
    """A public list is four attributes: ``queryset``, ``filterset_class`` (a FacetFilterSet),
    ``table_class`` (a servtrade.tables.Table) and ``template_name``; ``export_name`` also
    offers downloads of the filtered, sorted list (all pages) as CSV, XLSX and JSON. With
    ``bulk_url`` set, a list longer than ``settings.EXPORT_ROW_LIMIT`` is not built by a worker:
    its download links and ``?_export=`` lead to ``bulk_url`` (the whole catalogue's files).

    Pages come in the sizes offered. A parameter the page cannot use (``?page=abc``,
    ``?page=99999``, ``?per_page=7``, ``?sort=nonsense``, an unknown filter value) never fails
    the page: the page shows what it did instead, and says so.
    """

    # An unusable filter value is dropped and reported; the others still apply.
    strict = False
    # The table paginates; Django's list pagination stays off, or it would 404 on a bad page.
    paginate_by = None
    table_pagination = {"per_page": PAGE_SIZES[0], "paginator_class": PageSizePaginator}
    export_name = None
    # The ``sort`` value that names the queryset's own order, if one does.
    default_sort = None
    export_trigger_param = "_export"
    bulk_url = None

    def too_long_to_export(self, rows):
        return self.bulk_url is not None and rows > settings.EXPORT_ROW_LIMIT

    def download_format(self):
        """The format of the download asked for, or None for the page."""
        if self.export_name is None:
            return None
        export_format = self.request.GET.get(self.export_trigger_param)
        return export_format if TableExport.is_valid_format(export_format) else None

    def get_table_pagination(self, table):
        if self.download_format():
            return False
        # The FilterSet counts the rows (and caches the count), so the paginator does not.
        return {**super().get_table_pagination(table), "count": self.filterset.count()}

    def get_context_data(self, **kwargs):
        if self.download_format():
            # A download needs the filtered, sorted rows only (render_to_response reads them
            # from the table): no facets, no page, no count.
            return kwargs
        context = super().get_context_data(**kwargs)
        table = context["table"]
        params = self.request.GET
        context.update(
            facets=self.filterset.facets(),
            notices=self.get_notices(table),
            page_sizes=PAGE_SIZES,
            page_range=table.paginator.get_elided_page_range(
                table.page.number, on_each_side=2, on_ends=1
            ),
            # What the filter form must send again so that applying filters keeps the order and
            # page size (the page number is dropped: new filters start at page 1).
            kept_params=[("sort", value) for value in params.getlist("sort")]
            + [("per_page", value) for value in params.getlist("per_page")[:1]],
            downloads=self.get_downloads(),
        )
        if self.too_long_to_export(table.paginator.count):
            context.update(downloads=[], bulk_url=self.bulk_url)
        return context

    def rows_needed(self):
        """How many rows of the list's default order this page shows or skips (page × size);
        None when another order is asked for, the page number is no number, or it is a download.
        """
        params = self.request.GET
        if self.sorted_otherwise() or self.download_format():
            return None
        try:
            page, size = int(params.get("page", 1)), int(params.get("per_page", PAGE_SIZES[0]))
        except ValueError:
            return None
        return page * size if page >= 1 and size in PAGE_SIZES else None

    def sorted_otherwise(self):
        """Whether the rows are asked for in another order than the queryset's own: a ``sort``
        the table knows, other than ``default_sort`` (an unknown one is ignored, see
        get_notices)."""
        sort = self.request.GET.get("sort")
        if sort is None or sort == self.default_sort:
            return False
        known = self.table_class.sort_keys()
        return any(key.strip() in known for key in sort.split(","))

    def render_to_response(self, context, **response_kwargs):
        export_format = self.download_format()
        if export_format is None:
            return super().render_to_response(context, **response_kwargs)
        rows = self.filterset.count() if self.bulk_url else 0
        if self.too_long_to_export(rows):
            return redirect(f"{self.bulk_url}?rows={rows}")
        filename = f"{self.export_name}-{timezone.localdate().isoformat()}.{export_format}"
        export = TableExport(export_format, self.get_table(**self.get_table_kwargs()))
        return export.response(filename=filename)

    def get_downloads(self):
        """[(label, URL)] of this very list in each download format; none without export_name."""
        if self.export_name is None:
            return []
        downloads = []
        for export_format in TableExport.FORMATS_OFFERED:
            query = self.request.GET.copy()
            query.pop("page", None)
            query[self.export_trigger_param] = export_format
            downloads.append((export_format.upper(), f"?{query.urlencode()}"))
        return downloads

    def get_notices(self, table):
        notices = self.filterset.notices() + [
            gettext("%(filter)s: “%(value)s” was not understood and is ignored.")
            % {"filter": label, "value": shorten(value)}
            for label, value in self.filterset.ignored()
        ]
        params = self.request.GET
        page = params.get("page")
        if page is not None and page != str(table.page.number):
            notices.append(
                gettext("There is no page “%(page)s”; this is page %(shown)d of %(total)d.")
                % {
                    "page": shorten(page),
                    "shown": table.page.number,
                    "total": table.paginator.num_pages,
                }
            )
        per_page = params.get("per_page")
        if per_page is not None and per_page != str(table.paginator.per_page):
            notices.append(
                gettext("“%(size)s” is not a page size offered; showing %(shown)d per page.")
                % {"size": shorten(per_page), "shown": table.paginator.per_page}
            )
        unknown_sorts = set(params.getlist("sort")) - set(table.order_by or ())
        notices += [
            gettext("The list cannot be sorted by “%(sort)s”; that was ignored.")
            % {"sort": shorten(sort)}
            for sort in sorted(unknown_sorts)
        ]
        return notices


def shorten(value, limit=60):
    """A user's input, cut short enough to quote back in a notice, control characters shown."""
    value = "".join(char if char.isprintable() else "\ufffd" for char in value)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def favicon(request):
    """Browsers ask for /favicon.ico wherever a page names no icon (the admin, the API's
    documentation, a file opened in the browser): the site's icon, not a 404. A temporary
    redirect, kept a day, since the icon's address changes with its content."""
    response = redirect(static("favicon.svg"))
    patch_cache_control(response, public=True, max_age=24 * 60 * 60)
    return response


def robots_txt(request):
    """Crawlers: everywhere public, not the admin, downloads, API or filter combinations."""
    sitemap_url = request.build_absolute_uri(reverse("sitemap"))
    return render(
        request, "seo/robots.txt", {"sitemap_url": sitemap_url}, content_type="text/plain"
    )
