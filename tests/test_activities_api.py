"""Recording activities through the API (contract section 4: /activities)."""

import pytest

from activities.models import Activity, Attendance
from audit.models import AuditEntry
from tests.test_api_client import ApiClient


def new_activity(world, **overrides):
    body = {
        "programme": "RRK-VI",
        "type": "information_meeting",
        "date": "2024-04-15",
        "municipality": "Klinë",
        "title": "Information meeting on return to Klina",
        "attendees": [p.pk for p in world.h_kline.members.all()],
        "participants": {"female": 12, "male": 9},
    }
    body.update(overrides)
    return body


@pytest.fixture
def klara(world, token_for):
    return ApiClient(token_for(world.klara))


def test_it_records_an_activity_in_the_contract_shape(world, klara):
    response = klara.post("/activities", new_activity(world))
    assert response.status_code == 201, response.content
    body = response.json()
    activity = Activity.objects.get(pk=body["id"])
    assert (activity.programme, activity.type, str(activity.date)) == (world.rrk6, "information_meeting",
                                                                       "2024-04-15")
    assert activity.municipality == world.kline and body["municipality"] == "M18"
    assert (activity.participants_female, activity.participants_male) == (12, 9)
    assert body["participants_total"] == 21
    assert sorted(a["person"] for a in body["attendees"]) == sorted(world.h_kline.members.values_list("pk", flat=True))
    assert body["attendees_count"] == 3
    assert response["Location"].endswith(f"/api/v1/activities/{activity.pk}")
    assert response["ETag"] == '"1"'


def test_it_takes_the_optional_fields(world, klara):
    body = new_activity(world, type="study_visit", municipality=None, country="se", venue="Karolinska",
                        organiser="IOM", sector="health", end_date="2024-04-20",
                        participants={"female": 2, "male": 1, "unknown": 1, "official": 3, "business": 1})
    response = klara.post("/activities", body)
    assert response.status_code == 201, response.content
    out = response.json()
    assert (out["country"], out["venue"], out["organiser"], out["sector"]) == (
        "SE", "Karolinska", "International Organization for Migration", "health")
    assert out["participants"] == {"female": 2, "male": 1, "unknown": 1, "official": 3, "community_member": 0,
                                   "business": 1, "other": 0}


@pytest.mark.parametrize("name", ["M18", "Klina", "Клина", "kline"])
def test_it_names_the_municipality_any_way(world, klara, name):
    response = klara.post("/activities", new_activity(world, municipality=name))
    assert response.status_code == 201, response.content
    assert response.json()["municipality"] == "M18"


def test_it_names_every_bad_field_and_writes_nothing(world, klara):
    body = new_activity(world, programme="NOPE", type="party", municipality="Atlantis", sector="mining",
                        participants={"female": -1, "male": 2})
    response = klara.post("/activities", body)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    fields = {e["field"] for e in response.json()["errors"]}
    assert "participants.female" in fields
    response = klara.post("/activities", new_activity(world, programme="NOPE", type="party",
                                                      municipality="Atlantis", sector="mining"))
    assert {e["field"] for e in response.json()["errors"]} == {"programme", "type", "municipality", "sector"}
    response = klara.post("/activities", new_activity(world, date="2024-04-15", end_date="2024-04-01",
                                                      participants={"female": 2, "male": 2, "official": 3}))
    assert {e["field"] for e in response.json()["errors"]} == {"end_date", "participants.official"}
    assert not Activity.objects.exists() and not Attendance.objects.exists()
    assert not AuditEntry.objects.filter(model__startswith="activities.").exists()


def test_it_names_attendees_the_caller_cannot_see_as_unknown(world, klara):
    dragash = world.h_dragash.members.first()
    mine = world.h_kline.members.first()
    response = klara.post("/activities", new_activity(world, attendees=[mine.pk, dragash.pk, 999999]))
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == ["attendees[1]", "attendees[2]"]
    # The same words for a person out of scope as for one that does not exist.
    assert errors[0]["message"].replace(str(dragash.pk), "#") == errors[1]["message"].replace("999999", "#")
    assert not Activity.objects.exists() and not Attendance.objects.exists()


def test_it_refuses_roles_that_do_not_edit(world, token_for):
    for user in (world.dona, world.mira, world.aida):
        response = ApiClient(token_for(user)).post("/activities", new_activity(world, attendees=[]))
        assert response.status_code == 403
    assert not Activity.objects.exists()


def test_it_filters_and_pages_the_list(world, klara):
    for day, kind in (("2024-04-01", "training"), ("2024-04-02", "training"), ("2024-04-03", "forum")):
        klara.post("/activities", new_activity(world, date=day, type=kind, attendees=[]))
    assert klara.get("/activities", type="training").json()["count"] == 2
    assert klara.get("/activities", programme="RRK").json()["count"] == 3  # phases included
    assert klara.get("/activities", municipality="Dragash").json()["count"] == 0
    page = klara.get("/activities", limit=2, offset=2).json()
    assert page["count"] == 3 and [a["date"] for a in page["items"]] == ["2024-04-01"]
    assert klara.get("/activities", municipality="Atlantis").status_code == 422


def test_it_needs_if_match_to_change_an_activity_and_refuses_a_stale_one(world, klara):
    created = klara.post("/activities", new_activity(world)).json()
    path = f"/activities/{created['id']}"
    assert klara.patch(path, {"title": "Renamed"}).status_code == 428
    first = klara.patch(path, {"title": "First", "participants": {"male": 10}}, if_match='"1"')
    assert first.status_code == 200 and first["ETag"] == '"2"'
    assert first.json()["participants"]["female"] == 12 and first.json()["participants"]["male"] == 10
    assert klara.patch(path, {"title": "Second"}, if_match='"1"').status_code == 412
    activity = Activity.objects.get(pk=created["id"])
    assert (activity.title, activity.version) == ("First", 2)
    assert klara.get(path)["ETag"] == '"2"'
    update = AuditEntry.objects.get(model="activities.activity", action="update")
    assert update.actor == world.klara and update.changes["title"] == ["Information meeting on return to Klina",
                                                                     "First"]


def test_it_adds_marks_and_removes_attendees_with_an_audit_row_for_each(world, klara):
    created = klara.post("/activities", new_activity(world, attendees=[])).json()
    path = f"/activities/{created['id']}/attendees"
    head = world.h_kline.members.get(relationship="head")
    body = klara.post(path, {"attendees": [head.pk], "certified": True}).json()
    assert body["attendees"][0]["certified"] is True and body["certified_count"] == 1
    added = AuditEntry.objects.get(model="activities.attendance", action="create")
    assert (added.actor, added.household_id) == (world.klara, world.h_kline.pk)

    outsider = world.h_dragash.members.first()
    refused = klara.post(path + "/remove", {"attendees": [head.pk, outsider.pk]})
    assert refused.status_code == 422 and [e["field"] for e in refused.json()["errors"]] == ["attendees[1]"]
    assert Attendance.objects.count() == 1

    assert klara.post(path + "/remove", {"attendees": [head.pk]}).json()["attendees_count"] == 0
    removed = AuditEntry.objects.get(model="activities.attendance", action="delete")
    assert (removed.actor, removed.household_id) == (world.klara, world.h_kline.pk)


def test_it_answers_404_for_an_activity_that_does_not_exist(world, klara):
    assert klara.get("/activities/424242").status_code == 404
    assert klara.patch("/activities/424242", {"title": "x"}, if_match='"1"').status_code == 404
