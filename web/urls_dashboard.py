"""Pages of the dashboard, included by web.urls under the "web" namespace."""

from django.urls import path

from web import views_dashboard as dashboard

urlpatterns = [
    path("programmes/<slug:code>/dashboard/", dashboard.programme_dashboard, name="programme_dashboard"),
    path("reports/", dashboard.reports, name="reports"),
]
