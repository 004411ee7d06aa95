"""Pages of a programme's results framework, included by web.urls under the "web" namespace."""

from django.urls import path

from web import views_framework as framework

urlpatterns = [
    path("programmes/<slug:code>/framework/", framework.framework, name="framework"),
    path("programmes/<slug:code>/framework/results/", framework.result_new, name="framework_result_new"),
    path("programmes/<slug:code>/framework/results/<int:pk>/edit/", framework.result_edit,
         name="framework_result_edit"),
    path("programmes/<slug:code>/framework/results/<int:pk>/delete/", framework.result_delete,
         name="framework_result_delete"),
    path("programmes/<slug:code>/framework/results/<int:pk>/indicators/", framework.indicator_new,
         name="framework_indicator_new"),
    path("programmes/<slug:code>/framework/indicators/<int:pk>/edit/", framework.indicator_edit,
         name="framework_indicator_edit"),
    path("programmes/<slug:code>/framework/indicators/<int:pk>/delete/", framework.indicator_delete,
         name="framework_indicator_delete"),
    path("programmes/<slug:code>/framework/indicators/<int:pk>/targets/", framework.target_set,
         name="framework_target"),
    path("programmes/<slug:code>/framework/indicators/<int:pk>/values/", framework.value_record,
         name="framework_value"),
]
