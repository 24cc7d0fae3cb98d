from django.urls import path

from regions import views

app_name = "regions"

urlpatterns = [
    path("regions/", views.RegionListView.as_view(), name="region-list"),
    path("regions/<slug:slug>/", views.RegionDetailView.as_view(), name="region-detail"),
    path("programs/", views.ProgramListView.as_view(), name="program-list"),
    path("programs/<slug:slug>/", views.ProgramDetailView.as_view(), name="program-detail"),
]
