from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from cases.views import HomeView
from servtrade import health

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
]

# Every public page exists once per language (/zh-hans/..., /en/...); "/" redirects by the
# browser's language, Chinese by default (LocaleMiddleware).
urlpatterns += i18n_patterns(
    path("", HomeView.as_view(), name="home"),
    path("", include("cases.urls")),
    path("", include("regions.urls")),
)
