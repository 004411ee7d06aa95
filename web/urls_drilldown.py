"""The records behind a figure, included by web.urls under the "web" namespace."""

urlpatterns = []
