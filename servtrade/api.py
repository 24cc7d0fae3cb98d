"""What every endpoint of the read-only JSON API (/api/v1/) shares.

Pagination that refuses what it cannot serve (400 naming the parameter), JSON for every error
(404s under /api/ included; the 429 of servtrade.throttling), and the strict reading
of a public list's FilterSet: the pages drop an unknown filter value and say so, the API answers
400 instead, because a program that sent it should learn at once that its query means nothing.
"""

from django.core.paginator import EmptyPage, Paginator
from django.http import JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import exceptions, serializers, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler as drf_exception_handler

# The page sizes the API serves: any number up to MAX_PAGE_SIZE.
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def positive_int(params, name, default=None, maximum=None):
    """``params[name]`` as an integer from 1 to ``maximum``, else a 400 that names it."""
    raw = params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1 or (maximum and value > maximum) or raw.strip() != raw:
        message = _("“%(value)s” is not a whole number from 1 to %(maximum)s.") % {
            "value": raw[:60],
            "maximum": maximum or _("any size"),
        }
        raise exceptions.ValidationError({name: [message]})
    return value


class Pagination(PageNumberPagination):
    """Numbered pages (``page``, ``per_page`` up to 100) with ``count``, ``next``, ``previous``.

    The same records always land on the same page for the same query: every list has a total
    order (the case list ends on the slug). A view may know the count already (the case
    FilterSet caches it under the catalogue version) and give it as ``known_count``.
    """

    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "per_page"
    max_page_size = MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        per_page = positive_int(request.query_params, "per_page", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        number = positive_int(request.query_params, "page", 1)
        paginator = Paginator(queryset, per_page)
        known_count = getattr(view, "known_count", None)
        if known_count is not None:
            paginator.count = known_count()
        try:
            self.page = paginator.page(number)
        except EmptyPage as empty:
            raise exceptions.NotFound(
                _("There is no page %(page)d; the last page is %(last)d.")
                % {"page": number, "last": paginator.num_pages}
            ) from empty
        return list(self.page)

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "page",
                "in": "query",
                "required": False,
                "description": "Page number, from 1. A page past the last one answers 404.",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": "per_page",
                "in": "query",
                "required": False,
                "description": f"Records per page, 1 to {MAX_PAGE_SIZE} "
                f"(default {DEFAULT_PAGE_SIZE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        descriptions = {
            "count": "How many records the whole query gives, over all pages.",
            "next": "The next page's URL; null on the last page.",
            "previous": "The previous page's URL; null on the first page.",
            "results": "The records of this page.",
        }
        for name, text in descriptions.items():
            response["properties"][name]["description"] = text
        return response


class ReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """List and detail of one kind of record; detail by the same slug or code as its page."""

    pagination_class = Pagination
    lookup_value_regex = r"[^/]+"


def strict_filterset(filterset):
    """Raise a 400 naming every parameter whose value the FilterSet could not use."""
    problems = filterset.problems()
    if problems:
        raise exceptions.ValidationError(problems)
    return filterset


def exception_handler(exc, context):
    """DRF's JSON errors, with the offending parameters under ``errors`` for a 400."""
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": _("Invalid query parameters."), "errors": response.data}
    return response


def not_found(request, *args, **kwargs):
    """Any address under /api/ that names nothing: a JSON 404, not the site's HTML page."""
    return JsonResponse(
        {"detail": _("Not found.")}, status=404, json_dumps_params={"ensure_ascii": False}
    )


def list_parameter(name, description, enum=None):
    """An OpenAPI query parameter that may repeat (``?sector=SI&sector=SG``: any of them)."""
    items = {"type": "string", **({"enum": enum} if enum is not None else {})}
    return OpenApiParameter(
        name,
        {"type": "array", "items": items},
        OpenApiParameter.QUERY,
        description=description,
        style="form",
        explode=True,
    )


@extend_schema_field({"type": "string", "format": "uri"})
class PageUrlField(serializers.Field):
    """The record's public page in one language, as an absolute URL."""

    def __init__(self, language, what, **kwargs):
        self.language = language
        name = "Chinese" if language == "zh-hans" else "English"
        help_text = f"The public page of {what}, in {name}."
        super().__init__(source="*", read_only=True, help_text=help_text, **kwargs)

    def to_representation(self, value):
        with translation.override(self.language):
            return self.context["request"].build_absolute_uri(value.get_absolute_url())


ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, in words."},
        "errors": {
            "type": "object",
            "description": "For a 400: each offending query parameter and why.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["detail"],
}
ERROR_RESPONSES = {
    "400": "A query parameter has a value the API cannot use; `errors` names it.",
    "404": "No such record, or no such page of the list.",
    "429": "Too many requests from this address; wait the seconds `Retry-After` says.",
}


PATH_PARAMETERS = {
    "slug": "The record's slug, as in the address of its public page.",
    "code": "The sector's EBOPS 2010 code, `SA` to `SL`.",
    "key": "The batch's key, `<program slug>-<number>`, e.g. `pilot-2020-4`.",
}


def document_errors(result, generator, request, public):
    """drf-spectacular hook: every operation documents its JSON errors (400, 404, 429) and
    what its path parameter is."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    parameter.setdefault("description", PATH_PARAMETERS[parameter["name"]])
            for status, description in ERROR_RESPONSES.items():
                response = {"description": description, "content": content}
                if status == "429":
                    response["headers"] = {
                        "Retry-After": {
                            "description": "Seconds to wait before the next request.",
                            "schema": {"type": "integer"},
                        }
                    }
                operation["responses"].setdefault(status, response)
    return result
