"""Pages of the exports, included by web.urls under the "web" namespace."""

urlpatterns = []
