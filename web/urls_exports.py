"""Pages of the exports, included by web.urls under the "web" namespace."""

from django.urls import path

from web import views_exports as exports

urlpatterns = [
    path("programmes/<slug:code>/export/<str:fmt>/", exports.programme_export, name="programme_export"),
]
