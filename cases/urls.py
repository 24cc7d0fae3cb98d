from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("cases/", views.CaseListView.as_view(), name="case-list"),
    path("cases/<slug:slug>/", views.CaseDetailView.as_view(), name="case-detail"),
    path(
        "cases/<slug:slug>/citation.<slug:format>",
        views.CitationDownloadView.as_view(),
        name="case-citation",
    ),
    path("compare/", views.CompareView.as_view(), name="compare"),
    path(
        "programs/<slug:program_slug>/batches/<int:number>/",
        views.BatchDetailView.as_view(),
        name="batch-detail",
    ),
]
