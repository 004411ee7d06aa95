from django.urls import path

from matching import views
from merges import views as merges

app_name = "review"
urlpatterns = [
    path("", views.pair_list, name="pairs"),
    path("find/", views.find_duplicates, name="find"),
    path("<int:pk>/", views.pair_detail, name="pair"),
    path("<int:pk>/not-duplicate/", views.pair_not_duplicate, name="not_duplicate"),
    path("<int:pk>/merge/", views.pair_merge, name="merge"),
    path("merges/", merges.merge_list, name="merges"),
    path("merges/<int:pk>/undo/", merges.merge_undo, name="undo_merge"),
]
