from django.contrib.auth import views as auth_views
from django.urls import include, path

from assistance.views import evidence_file
from matching import views as matching_views
from web import views
from web import views_assistance as assistance
from web import views_catalogue as catalogue
from web import views_reports as reports

app_name = "web"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.dashboard, name="dashboard"),
    path("profile/", views.profile, name="profile"),
    path("language/", views.set_language, name="language"),
    path("households/", views.household_list, name="households"),
    path("households/new/", views.household_new, name="household_new"),
    path("households/duplicates/", matching_views.candidates_partial, name="duplicate_check"),
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
    path("catalogue/", catalogue.catalogue, name="catalogue"),
    path("catalogue/new/", catalogue.catalogue_new, name="catalogue_new"),
    path("catalogue/rules/", catalogue.guard_rules, name="guard_rules"),
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/new/", views.organisation_new, name="organisation_new"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    # Assistance, budgets, activities and community projects (web/views_assistance.py).
    path("households/<int:pk>/assistance/", assistance.household_assistance, name="household_assistance"),
    path("households/<int:pk>/assistance/new/", assistance.delivery_new, name="delivery_new"),
    path("assistance/", assistance.delivery_list, name="deliveries"),
    path("assistance/<int:pk>/", assistance.delivery_detail, name="delivery"),
    path("assistance/<int:pk>/status/", assistance.delivery_status, name="delivery_status"),
    path("assistance/<int:pk>/detail/", assistance.delivery_kind, name="delivery_kind"),
    path("assistance/<int:pk>/milestones/", assistance.delivery_milestone, name="delivery_milestone"),
    path("assistance/<int:pk>/follow-ups/", assistance.delivery_follow_up, name="delivery_follow_up"),
    path("assistance/<int:pk>/referral-status/", assistance.delivery_referral, name="delivery_referral"),
    path("assistance/<int:pk>/evidence/", assistance.delivery_evidence, name="delivery_evidence"),
    path("evidence/<int:pk>/", evidence_file, name="evidence"),
    path("programmes/<slug:code>/results/", reports.programme_results, name="programme_results"),
    path("programmes/<slug:code>/houses/", assistance.programme_houses, name="programme_houses"),
    path("programmes/<slug:code>/budget/", assistance.programme_budget_page, name="programme_budget"),
    path("budget/", assistance.budget_index, name="budget"),
    path("activities/", assistance.activity_list, name="activities"),
    path("activities/new/", assistance.activity_new, name="activity_new"),
    path("activities/<int:pk>/", assistance.activity_detail, name="activity"),
    path("activities/<int:pk>/edit/", assistance.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/attendees/", assistance.activity_attendees, name="activity_attendees"),
    path("activities/<int:pk>/attendance-file/", assistance.activity_import, name="activity_import"),
    path("projects/", assistance.project_list, name="projects"),
    path("projects/new/", assistance.project_new, name="project_new"),
    path("projects/<int:pk>/", assistance.project_detail, name="project"),
    path("projects/<int:pk>/edit/", assistance.project_edit, name="project_edit"),
    path("projects/<int:pk>/transition/", assistance.project_transition, name="project_transition"),
    path("", include("web.urls_dashboard")),
    path("", include("web.urls_exports")),
    path("", include("web.urls_drilldown")),
]
