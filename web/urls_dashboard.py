"""Pages of the dashboard, included by web.urls under the "web" namespace."""

urlpatterns = []
