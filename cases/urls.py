from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("cases/", views.CaseListView.as_view(), name="case-list"),
    path("cases/<slug:slug>/", views.CaseDetailView.as_view(), name="case-detail"),
    path(
        "cases/<slug:slug>/both-languages/",
        views.BothLanguagesView.as_view(),
        name="case-both-languages",
    ),
    path(
        "cases/<slug:slug>/citation.<slug:format>",
        views.CitationDownloadView.as_view(),
        name="case-citation",
    ),
    path("compare/", views.CompareView.as_view(), name="compare"),
    path("suggest/", views.SuggestView.as_view(), name="suggest"),
    path("suggest/thanks/", views.SuggestThanksView.as_view(), name="suggest-thanks"),
    path(
        "programs/<slug:program_slug>/batches/<int:number>/",
        views.BatchDetailView.as_view(),
        name="batch-detail",
    ),
]
