from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("api.urls")),
    path("jobs/", include("jobs.urls")),
    path("duplicates/", include("matching.urls_review")),
    path("", include("web.urls")),
]
