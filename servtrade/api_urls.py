"""/api/: the versioned read-only API, its OpenAPI schema and its documentation."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from cases.api import CaseBatchViewSet, CaseViewSet, ServiceSectorViewSet, ThemeViewSet
from regions.api import PilotProgramViewSet, RegionViewSet
from servtrade.api import not_found

router = DefaultRouter()
# JSON is the only format: no ".json" suffix routes.
router.include_format_suffixes = False
router.register("cases", CaseViewSet, basename="case")
router.register("regions", RegionViewSet, basename="region")
router.register("programs", PilotProgramViewSet, basename="program")
router.register("batches", CaseBatchViewSet, basename="batch")
router.register("themes", ThemeViewSet, basename="theme")
router.register("sectors", ServiceSectorViewSet, basename="sector")

app_name = "api"

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Its script is a URL of its own, not inline: the site's Content Security Policy allows it.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    # Anything else under /api/ (with a slash: CommonMiddleware still adds a missing one).
    re_path(r"^.*/$", not_found),
]
