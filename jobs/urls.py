from django.urls import path

from jobs import views

app_name = "jobs"
urlpatterns = [
    path("<int:pk>/", views.job_detail, name="job"),
    path("<int:pk>/status.json", views.job_status, name="status"),
    path("<int:pk>/cancel/", views.job_cancel, name="cancel"),
]
