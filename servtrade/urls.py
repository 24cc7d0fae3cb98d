from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from cases.sitemaps import BatchSitemap, CaseSitemap
from cases.views import HomeView, bulk_file
from regions.sitemaps import ProgramSitemap, RegionSitemap
from servtrade import health
from servtrade.sitemaps import PagesSitemap
from servtrade.views import favicon, robots_txt

SITEMAPS = {
    "pages": PagesSitemap,
    "cases": CaseSitemap,
    "batches": BatchSitemap,
    "regions": RegionSitemap,
    "programs": ProgramSitemap,
}

admin.site.site_header = "servtrade · 服务贸易创新发展试点案例库 · Trade in Services Pilot Cases"
admin.site.site_title = "servtrade"
admin.site.index_title = "管理 · Administration"

# A database that cannot be reached answers 503 wherever the error is raised.
handler500 = "servtrade.unavailable.server_error"

urlpatterns = [
    # Outside the language prefixes: probes poll them, every second if they like.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("servtrade.api_urls")),
    path("robots.txt", robots_txt, name="robots"),
    path("favicon.ico", favicon, name="favicon"),
    # The bulk files at stable addresses, outside the language prefixes: one file per format.
    path("data/files/<str:name>", bulk_file, name="bulk-file"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS, "template_name": "seo/sitemap.xml"},
        name="sitemap-section",
    ),
]

# Every public page exists once per language (/zh-hans/..., /en/...); "/" redirects by the
# browser's language, Chinese by default (LocaleMiddleware).
urlpatterns += i18n_patterns(
    path("", HomeView.as_view(), name="home"),
    path("", include("cases.urls")),
    path("", include("regions.urls")),
)
