"""Activities and community projects through the web pages: every role sees the activities and
how many attended, but only the attendees in its own scope; attendance is added by searching a
person or importing a spreadsheet (every bad row shown, nothing half-written); projects move along
their transitions, and a stale change shows the conflict."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from activities.actions import create_activity, create_project, transition_project
from activities.models import Activity, Attendance, CommunityProject
from tests.conftest import PERSONAS, VISIBLE

DAY = datetime.date(2024, 5, 10)


@pytest.fixture
def meeting(world):
    """An information meeting of RRK-VI attended by one person of each household."""
    activity = Activity(type="information_meeting", title="Return information day", date=DAY, programme=world.rrk6,
                        municipality=world.kline, participants_female=12, participants_male=9)
    heads = [h.members.order_by("pk").first().pk for h in (world.h_kline, world.h_dragash, world.h_serbia)]
    return create_activity(activity, attendees=heads, acting_user=world.ada)


def activity_data(world, **fields):
    data = {"type": "conference", "title": "Diaspora investment conference", "date": "2024-09-12",
            "end_date": "2024-09-13", "programme": world.rrk.pk, "municipality": world.kline.pk, "venue": "Hotel",
            "country": "", "sector": "migration", "participants_female": "20", "participants_male": "25",
            "participants_sex_unknown": "0", "participants_official": "10", "participants_community": "15",
            "participants_business": "20", "participants_other": "0", "notes": ""}
    data.update(fields)
    return data


def attendee_households(response):
    return set(re.findall(r">(H-[A-Z]{2}-\d)</a>", response.content.decode()))


@pytest.mark.parametrize("name", PERSONAS)
def test_everyone_sees_the_activity_but_only_attendees_in_scope(client, world, meeting, name):
    client.force_login(getattr(world, name))
    response = client.get(f"/activities/{meeting.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Return information day" in body and "3 registered" in body
    assert attendee_households(response) == VISIBLE[name] & {"H-KL-1", "H-DR-1", "H-RS-1"}
    if name == "dona":
        assert "Krasniqi" not in body and "Hoxha" not in body and "Petrović" not in body
    assert "Return information day" in client.get("/activities/", {"programme": "RRK"}).content.decode()


def test_it_filters_activities_by_type_and_dates(client, world, meeting):
    client.force_login(world.dona)
    assert "Return information day" in client.get("/activities/", {"type": "information_meeting",
                                                                   "date_from": "2024-05-01"}).content.decode()
    assert "Return information day" not in client.get("/activities/", {"date_from": "2024-06-01"}).content.decode()
    assert "Return information day" not in client.get("/activities/", {"type": "conference"}).content.decode()
    response = client.get("/activities/", {"date_from": "not a date"})
    assert response.status_code == 200 and "date_from" in response.context["form"].errors


def test_it_creates_an_activity_with_participant_counts(client, world):
    client.force_login(world.klara)
    response = client.post("/activities/new/", activity_data(world))
    activity = Activity.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/activities/{activity.pk}/"
    assert activity.participants_by_sex() == 45 and activity.participants_by_kind() == 45


def test_it_names_the_fields_in_error_and_saves_nothing(client, world):
    client.force_login(world.klara)
    response = client.post("/activities/new/", activity_data(world, participants_business="5", end_date="2024-09-01",
                                                             participants_male="-1"))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"participants_male"}
    response = client.post("/activities/new/", activity_data(world, participants_business="5", end_date="2024-09-01"))
    assert {"participants_official", "end_date"} <= set(response.context["form"].errors)
    assert not Activity.objects.exists()


def test_read_only_roles_cannot_create_or_edit(client, world, meeting):
    for user in (world.dona, world.mira, world.aida):
        client.force_login(user)
        assert client.get("/activities/new/").status_code == 404
        assert client.post(f"/activities/{meeting.pk}/edit/", activity_data(world, version="1")).status_code == 404
    meeting.refresh_from_db()
    assert meeting.title == "Return information day"


def test_a_stale_activity_edit_shows_the_conflict(client, world, meeting):
    client.force_login(world.klara)
    from activities.actions import update_activity

    update_activity(meeting, {"title": "Renamed meanwhile"}, expected_version=1, acting_user=world.ada)
    response = client.post(f"/activities/{meeting.pk}/edit/", activity_data(world, title="Mine", version="1"))
    body = response.content.decode()
    assert "Someone else saved this record" in body and "Renamed meanwhile" in body
    meeting.refresh_from_db()
    assert meeting.title == "Renamed meanwhile"
    # Saving again knowingly replaces the current version.
    response = client.post(f"/activities/{meeting.pk}/edit/", activity_data(world, title="Mine", version="2"))
    assert response.status_code == 302


def test_it_adds_an_attendee_found_by_search_within_scope(client, world, meeting):
    client.force_login(world.klara)
    fragment = client.get(f"/activities/{meeting.pk}/", {"q": "Краснићи Дрита"},
                          headers={"HX-Request": "true", "HX-Target": "person-results"})
    drita = world.h_kline.members.get(given_name="Drita")
    body = fragment.content.decode()
    assert "<html" not in body and f'value="{drita.pk}"' in body
    out_of_scope = client.get(f"/activities/{meeting.pk}/", {"q": "Ilir Hoxha"},
                              headers={"HX-Request": "true", "HX-Target": "person-results"}).content.decode()
    assert "Nobody found" in out_of_scope
    response = client.post(f"/activities/{meeting.pk}/attendees/", {"person": [drita.pk], "attended": "1",
                                                                   "certified": "1"})
    assert response.status_code == 302
    assert Attendance.objects.get(activity=meeting, person=drita).certified
    # A person out of scope is refused like one that does not exist.
    ilir = world.h_dragash.members.get(given_name="Ilir")
    response = client.post(f"/activities/{meeting.pk}/attendees/", {"person": [ilir.pk]}, follow=True)
    assert f"Unknown person {ilir.pk}" in response.content.decode()
    assert not Attendance.objects.filter(person=ilir).exists()


def test_it_removes_an_attendee(client, world, meeting):
    client.force_login(world.klara)
    agim = world.h_kline.members.get(given_name="Agim")
    assert client.post(f"/activities/{meeting.pk}/attendees/", {"remove": agim.pk}).status_code == 302
    assert not Attendance.objects.filter(activity=meeting, person=agim).exists()
    assert Attendance.objects.filter(activity=meeting).count() == 2


def test_the_import_shows_every_bad_row_and_writes_nothing(client, world, meeting):
    client.force_login(world.klara)
    csv = "person_ref,attended,certified\nH-KL-1-2,yes,yes\nH-DR-1-1,yes,no\nH-KL-1-3,maybe,\n,yes,no\n"
    response = client.post(f"/activities/{meeting.pk}/attendance-file/",
                           {"file": SimpleUploadedFile("list.csv", csv.encode())})
    body = response.content.decode()
    assert "Nothing was imported" in body
    assert "row 3, column person_ref: unknown person H-DR-1-1" in body
    assert "row 4, column attended" in body and "row 5, column person_ref" in body
    assert Attendance.objects.filter(activity=meeting).count() == 3
    good = "person_ref,attended,certified\nH-KL-1-2,yes,yes\nH-KL-1-3,yes,no\n"
    response = client.post(f"/activities/{meeting.pk}/attendance-file/",
                           {"file": SimpleUploadedFile("list.csv", good.encode())}, follow=True)
    assert "2 attendees added, 0 updated, 0 unchanged" in response.content.decode()
    assert set(Attendance.objects.filter(activity=meeting).values_list("person__ref", flat=True)) >= {
        "H-KL-1-2", "H-KL-1-3"}


def test_attendance_of_a_sensitive_programme_is_for_cleared_users_only(client, world):
    survivor = world.h_sensitive.members.get()
    activity = create_activity(Activity(type="workshop", title="Peer support group", date=DAY, programme=world.ct),
                               attendees=[survivor.pk], acting_user=world.sara)
    client.force_login(world.klara)
    body = client.get(f"/activities/{activity.pk}/").content.decode()
    assert "Berisha" not in body and 'name="q"' not in body
    client.force_login(world.sara)
    assert "Berisha" in client.get(f"/activities/{activity.pk}/").content.decode()


# Community projects --------------------------------------------------------------------------

def project_data(world, **fields):
    data = {"type": "road", "title": "Road to Dollc", "programme": world.rrk6.pk, "municipality": world.kline.pk,
            "settlement": "Dollc", "cost_eur": "40000", "catchment_population": "600", "notes": ""}
    data.update(fields)
    return data


def test_it_creates_a_project_and_moves_it_along(client, world):
    client.force_login(world.klara)
    response = client.post("/projects/new/", project_data(world, cost_eur="-1"))
    assert "cost_eur" in response.context["form"].errors and not CommunityProject.objects.exists()
    client.post("/projects/new/", project_data(world))
    project = CommunityProject.objects.get()
    assert project.status == "planned"
    client.post(f"/projects/{project.pk}/transition/", {"to_status": "in_progress", "version": 1})
    client.post(f"/projects/{project.pk}/transition/", {"to_status": "completed", "on": "2024-10-01", "version": 2})
    project.refresh_from_db()
    assert project.status == "completed" and str(project.completed_on) == "2024-10-01"
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "In progress &rarr; Completed" in page and 'name="to_status"' not in page
    assert "Road to Dollc" in client.get("/projects/", {"status": "completed"}).content.decode()
    assert "Road to Dollc" not in client.get("/projects/", {"status": "planned"}).content.decode()


def test_cancelling_a_project_needs_a_reason(client, world):
    project = create_project(CommunityProject(type="water_supply", title="Water for Brod", programme=world.rrk6),
                             acting_user=world.ada)
    client.force_login(world.drita)
    response = client.post(f"/projects/{project.pk}/transition/", {"to_status": "cancelled", "version": 1})
    assert "Give a reason for cancelling" in response.content.decode()
    project.refresh_from_db()
    assert project.status == "planned"


def test_a_stale_project_transition_shows_the_conflict(client, world):
    project = create_project(CommunityProject(type="bridge", title="Bridge at Brod", programme=world.rrk6),
                             acting_user=world.ada)
    client.force_login(world.drita)
    transition_project(project, "in_progress", acting_user=world.ada)
    response = client.post(f"/projects/{project.pk}/transition/",
                           {"to_status": "cancelled", "reason": "no funds", "version": 1})
    assert "Someone else saved this record" in response.content.decode()
    project.refresh_from_db()
    assert project.status == "in_progress"


def test_donors_read_projects_but_do_not_write(client, world):
    project = create_project(CommunityProject(type="school", title="School in Mlikë", programme=world.rrk6),
                             acting_user=world.ada)
    client.force_login(world.dona)
    assert "School in Mlikë" in client.get("/projects/").content.decode()
    assert client.get(f"/projects/{project.pk}/").status_code == 200
    assert client.get("/projects/new/").status_code == 404
    assert client.post(f"/projects/{project.pk}/transition/",
                       {"to_status": "in_progress", "version": 1}).status_code == 404
    project.refresh_from_db()
    assert project.status == "planned"
