"""Community and infrastructure projects: recorded, changed with versions, moved through their statuses."""

import pytest

from activities.models import CommunityProject, ProjectStatusChange
from audit.models import AuditEntry
from tests.test_api_client import ApiClient


def new_project(**overrides):
    body = {"programme": "RRK-VI", "type": "public_lighting", "title": "Street lights in Zllakuqan",
            "municipality": "Klina", "settlement": "Zllakuqan/Zlokućane", "cost_eur": "18500.00",
            "catchment_population": 1200}
    body.update(overrides)
    return body


def transition(api, project_id, body, version=None):
    headers = dict(api.headers)
    if version is not None:
        headers["If-Match"] = f'"{version}"'
    return api.client.post(f"/api/v1/community-projects/{project_id}/transition", body,
                           content_type="application/json", headers=headers)


@pytest.fixture
def api(world, token_for):
    return ApiClient(token_for(world.marko))


def test_it_records_a_planned_project(world, api):
    response = api.post("/community-projects", new_project())
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["municipality"], body["cost_eur"], body["catchment_population"]) == (
        "planned", "M18", "18500.00", 1200)
    assert body["allowed_next"] == ["cancelled", "in_progress"]
    assert [(h["from_status"], h["to_status"], h["actor"]) for h in body["history"]] == [("", "planned", "marko")]


def test_it_names_bad_fields_and_writes_nothing(world, api):
    response = api.post("/community-projects", new_project(type="castle", municipality="Atlantis", cost_eur="-5",
                                                           catchment_population=-1))
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"cost_eur", "catchment_population"}
    response = api.post("/community-projects", new_project(type="castle", municipality="Atlantis", programme="X"))
    assert {e["field"] for e in response.json()["errors"]} == {"type", "municipality", "programme"}
    assert not CommunityProject.objects.exists() and not AuditEntry.objects.exists()


def test_it_moves_a_project_to_completion_with_a_row_for_each_step(world, api):
    project = api.post("/community-projects", new_project()).json()
    assert transition(api, project["id"], {"status": "completed"}, 1).status_code == 422  # not straight from planned
    assert transition(api, project["id"], {"status": "in_progress"}, 1).status_code == 200
    done = transition(api, project["id"], {"status": "completed", "date": "2024-11-30"}, 2)
    assert done.status_code == 200
    body = done.json()
    assert (body["status"], body["completed_on"], body["allowed_next"], body["version"]) == (
        "completed", "2024-11-30", [], 3)
    assert [(c.from_status, c.to_status) for c in ProjectStatusChange.objects.filter(project_id=project["id"])] == [
        ("", "planned"), ("planned", "in_progress"), ("in_progress", "completed")]
    assert AuditEntry.objects.filter(model="activities.communityproject", action="transition",
                                     actor=world.marko).count() == 2
    refused = transition(api, project["id"], {"status": "cancelled", "reason": "too late"}, 3)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "status"


def test_it_needs_a_reason_to_cancel_and_if_match_to_transition(world, api):
    project = api.post("/community-projects", new_project()).json()
    assert transition(api, project["id"], {"status": "cancelled", "reason": "no permit"}).status_code == 428
    no_reason = transition(api, project["id"], {"status": "cancelled"}, 1)
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    assert transition(api, project["id"], {"status": "cancelled", "reason": "no permit"}, 7).status_code == 412
    assert CommunityProject.objects.get().status == "planned"


def test_it_needs_if_match_to_change_a_project_and_keeps_the_newer_change(world, api):
    project = api.post("/community-projects", new_project()).json()
    path = f"/community-projects/{project['id']}"
    assert api.get(path)["ETag"] == '"1"'
    assert api.patch(path, {"cost_eur": "20000"}).status_code == 428
    assert api.patch(path, {"cost_eur": "20000"}, if_match='"1"').status_code == 200
    assert api.patch(path, {"cost_eur": "1"}, if_match='"1"').status_code == 412
    assert str(CommunityProject.objects.get().cost_eur) == "20000.00"
    refused = api.patch(path, {"completed_on": "2024-01-01"}, if_match='"2"')
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "completed_on"


def test_it_shows_projects_to_every_role_and_lets_only_editors_write(world, token_for, api):
    api.post("/community-projects", new_project())
    for user in (world.dona, world.otto, world.aida, world.petar):
        assert ApiClient(token_for(user)).get("/community-projects").json()["count"] == 1
    assert ApiClient(token_for(world.dona)).post("/community-projects", new_project()).status_code == 403
    assert api.get("/community-projects", status="planned", programme="RRK").json()["count"] == 1
    assert api.get("/community-projects", type="school").json()["count"] == 0
