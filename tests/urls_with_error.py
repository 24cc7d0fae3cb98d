"""The site's URLs plus one page that fails, to show the 500 page (tests only)."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import path

from servtrade.urls import urlpatterns as site_urlpatterns


def fail(request):
    raise RuntimeError("A deliberate failure to render the 500 page")


urlpatterns = [*site_urlpatterns, *i18n_patterns(path("boom/", fail))]
