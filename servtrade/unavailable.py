"""A friendly 503 in the page's language when the database cannot be reached.

A database that has gone away (PostgreSQL restarted, the network cut, a SQLite file locked past
its timeout) raises ``OperationalError`` or ``InterfaceError`` wherever a query runs. A view's
or a template's error reaches ``DatabaseUnavailableMiddleware``; an error elsewhere (a
middleware saving the session) reaches ``server_error``, Django's 500 handler, which tells it
apart. Both answer 503 with ``Retry-After``; nothing is retried here, and the next request
opens a new connection (``CONN_HEALTH_CHECKS``), so the site recovers by itself.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.views import defaults

logger = logging.getLogger("servtrade.database")

UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def unavailable_response(request, error):
    logger.warning("Database unavailable for %s: %s", request.path, type(error).__name__)
    language = translation.get_language_from_path(request.path_info)
    with translation.override(language or translation.get_language()):
        content = loader.render_to_string("503.html", request=request)
    response = HttpResponse(content, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, UNAVAILABLE):
            return unavailable_response(request, exception)
        return None


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """Django's 500 view, except for a database that is unreachable: then a 503."""
    error = sys.exc_info()[1]
    if isinstance(error, UNAVAILABLE):
        return unavailable_response(request, error)
    return defaults.server_error(request, template_name)
