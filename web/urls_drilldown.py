"""The records behind a figure, included by web.urls under the "web" namespace."""

from django.urls import path

from web import views_drilldown as drilldown

urlpatterns = [
    # <str:>, not <slug:>: indicator codes follow the logframe's numbering ("1.2.a").
    path("programmes/<slug:code>/results/<str:indicator>/records/", drilldown.indicator_records,
         name="indicator_records"),
]
