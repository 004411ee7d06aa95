from django.contrib.auth import views as auth_views
from django.urls import path

from web import views

app_name = "web"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.dashboard, name="dashboard"),
    path("profile/", views.profile, name="profile"),
    path("language/", views.set_language, name="language"),
    path("households/", views.household_list, name="households"),
    path("households/new/", views.household_new, name="household_new"),
    path("households/<int:pk>/", views.household_detail, name="household"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/enrol/", views.enrol, name="enrol"),
    path("enrolments/<int:pk>/transition/", views.transition, name="transition"),
    path("persons/<int:pk>/", views.person_detail, name="person"),
    path("persons/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("persons/<int:pk>/documents/", views.person_document_add, name="person_document_add"),
    path("persons/<int:pk>/documents/<int:document>/remove/", views.person_document_remove,
         name="person_document_remove"),
    path("persons/<int:pk>/consents/", views.person_consent_add, name="person_consent_add"),
    path("persons/<int:pk>/consents/<int:consent>/withdraw/", views.person_consent_withdraw,
         name="person_consent_withdraw"),
    path("programmes/", views.programme_list, name="programmes"),
    path("programmes/new/", views.programme_new, name="programme_new"),
    path("programmes/<slug:code>/", views.programme_detail, name="programme"),
    path("programmes/<slug:code>/edit/", views.programme_edit, name="programme_edit"),
    path("audit/", views.audit_log, name="audit"),
]
