from django.urls import path

from matching import views

app_name = "review"
urlpatterns = [
    path("", views.pair_list, name="pairs"),
    path("find/", views.find_duplicates, name="find"),
    path("<int:pk>/", views.pair_detail, name="pair"),
    path("<int:pk>/not-duplicate/", views.pair_not_duplicate, name="not_duplicate"),
    path("<int:pk>/merge/", views.pair_merge, name="merge"),
]
