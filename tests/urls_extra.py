"""The site's URLs plus a page added later outside the language prefixes (tests only): new
addresses such as /api/ or /data/ get the public HTTP caching without asking for it."""

from django.http import JsonResponse
from django.urls import path

from cases.models import Case
from servtrade.urls import urlpatterns as site_urlpatterns


def case_count(request):
    return JsonResponse({"cases": Case.objects.published().count()})


urlpatterns = [*site_urlpatterns, path("data/count.json", case_count)]
