"""What every public list page shares: page sizes, downloads, and notices about bad parameters."""

from django.core.paginator import Paginator
from django.utils import timezone
from django.utils.translation import gettext
from django_tables2.export import ExportMixin

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


class PublicListMixin:
    """For a ``SingleTableMixin`` view: pagination with a size choice, and visible notices.

    A parameter the page cannot use (``?page=abc``, ``?page=99999``, ``?per_page=7``,
    ``?sort=nonsense``, an unknown filter value) never fails the page: the page shows what it
    did instead, and says so.
    """

    # The table paginates; Django's list pagination stays off, or it would 404 on a bad page.
    paginate_by = None
    table_pagination = {"per_page": PAGE_SIZES[0], "paginator_class": PageSizePaginator}

    def get_table_pagination(self, table):
        pagination = super().get_table_pagination(table)
        filterset = getattr(self, "filterset", None)
        if pagination and filterset is not None:
            pagination["count"] = filterset.count()
        return pagination

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        table = context["table"]
        context["notices"] = self.get_notices(table)
        context["page_sizes"] = PAGE_SIZES
        context["page_range"] = table.paginator.get_elided_page_range(
            table.page.number, on_each_side=2, on_ends=1
        )
        # What the filter form must send again so that applying filters keeps the order and
        # page size (the page number is dropped: new filters start at page 1).
        params = self.request.GET
        context["kept_params"] = [("sort", value) for value in params.getlist("sort")] + [
            ("per_page", value) for value in params.getlist("per_page")[:1]
        ]
        return context

    def rows_needed(self):
        """How many rows of the list's default order this page shows or skips (page × size);
        None when another order is asked for, the page number is no number, or it is a download.
        """
        params = self.request.GET
        if "sort" in params or getattr(self, "export_trigger_param", "_export") in params:
            return None
        try:
            page, size = int(params.get("page", 1)), int(params.get("per_page", PAGE_SIZES[0]))
        except ValueError:
            return None
        return page * size if page >= 1 and size in PAGE_SIZES else None

    def get_notices(self, table):
        notices = []
        filterset = getattr(self, "filterset", None)
        if filterset is not None:
            notices += filterset.notices()
            notices += [
                gettext("%(filter)s: “%(value)s” was not understood and is ignored.")
                % {"filter": label, "value": shorten(value)}
                for label, value in filterset.ignored()
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


class ExportListMixin(ExportMixin):
    """Downloads of exactly the filtered, sorted list (all pages) as CSV, XLSX or JSON."""

    export_class = TableExport
    export_formats = TableExport.FORMATS_OFFERED

    def get(self, request, *args, **kwargs):
        # A download needs the filtered, sorted rows only: no facets, no page, no count.
        if self.export_class.is_valid_format(request.GET.get(self.export_trigger_param)):
            self.filterset = self.get_filterset(self.get_filterset_class())
            self.object_list = self.filterset.qs
            return self.create_export(request.GET[self.export_trigger_param])
        return super().get(request, *args, **kwargs)

    def get_table_pagination(self, table):
        if self.export_class.is_valid_format(self.request.GET.get(self.export_trigger_param)):
            return False
        return super().get_table_pagination(table)

    def get_export_filename(self, export_format):
        return f"{self.export_name}-{timezone.localdate().isoformat()}.{export_format}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["downloads"] = []
        for export_format in self.export_formats:
            query = self.request.GET.copy()
            query.pop("page", None)
            query[self.export_trigger_param] = export_format
            context["downloads"].append((export_format.upper(), f"?{query.urlencode()}"))
        return context


def shorten(value, limit=60):
    """A user's input, cut short enough to quote back in a notice, control characters shown."""
    value = "".join(char if char.isprintable() else "\ufffd" for char in value)
    return value if len(value) <= limit else value[: limit - 1] + "…"
