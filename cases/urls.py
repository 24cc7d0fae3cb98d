from django.urls import path

from cases import views
from cases.feeds import CaseFeed

app_name = "cases"

urlpatterns = [
    path("cases/", views.CaseListView.as_view(), name="case-list"),
    path("cases/feed/", CaseFeed(), name="case-feed"),
    path("data/", views.DataView.as_view(), name="data"),
    path("cases/<slug:slug>/", views.CaseDetailView.as_view(), name="case-detail"),
    path(
        "programs/<slug:program_slug>/batches/<int:number>/",
        views.BatchDetailView.as_view(),
        name="batch-detail",
    ),
]
