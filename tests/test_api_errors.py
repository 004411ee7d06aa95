"""Bad input gets a problem document naming every bad field, and nothing is written."""

import pytest

from audit.models import AuditEntry
from registry.models import Household, Person
from tests.test_api_client import ApiClient
from tests.test_api_households import new_household


@pytest.fixture
def api(world, token_for):
    return ApiClient(token_for(world.klara))


def fields(response):
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["status"], body["title"]) == (422, "Unprocessable Content") and body["detail"]
    return {e["field"] for e in body["errors"]}


def test_it_names_every_bad_field_at_once_and_writes_nothing(api):
    body = new_household(current_country="XX", origin_municipality="Atlantis", programme="NOPE")
    body["members"][0].update(sex="X", date_of_birth="1971-13-40")
    body["members"][1].update(relationship="cousin", community="ZZZ", displacement_status="tourist")
    before = AuditEntry.objects.count()
    assert fields(api.post("/households", body)) == {
        "current_country", "origin_municipality", "programme", "members[0].sex", "members[0].date_of_birth",
        "members[1].relationship", "members[1].community", "members[1].displacement_status",
    }
    assert not Household.objects.filter(ref="H-API-1").exists()
    assert not Person.objects.filter(ref__startswith="P-API").exists()
    assert AuditEntry.objects.count() == before


def test_it_names_schema_errors_the_way_the_client_wrote_them(api):
    body = new_household()
    del body["members"][1]["given_name"]
    body["members"][1]["given_nmae"] = "Vjollca"
    body["members"][0]["sex"] = ["M"]
    assert fields(api.post("/households", body)) == {"members[1].given_nmae", "members[0].sex"}


def test_it_names_missing_members(api):
    body = new_household()
    del body["members"]
    assert fields(api.post("/households", body)) == {"members"}


def test_it_requires_exactly_one_head(api):
    body = new_household()
    body["members"][1]["relationship"] = "head"
    assert fields(api.post("/households", body)) == {"members"}
    assert not Household.objects.filter(ref="H-API-1").exists()


def test_it_refuses_a_taken_ref(api):
    body = new_household(ref="H-KL-1")
    body["members"][0]["ref"] = "H-KL-1-1"
    assert fields(api.post("/households", body)) == {"ref"}


def test_it_refuses_a_municipality_abroad(api):
    assert fields(api.post("/households", new_household(current_country="RS"))) == {"current_municipality"}


def test_it_answers_malformed_json_with_a_problem(api):
    response = api.post("/households", raw="{not json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 400


def test_it_answers_a_json_list_instead_of_an_object_with_422(api):
    assert fields(api.post("/households", raw="[1, 2]")) == {"body"}


@pytest.mark.parametrize("params, field", [
    ({"limit": "lots"}, "limit"), ({"limit": 0}, "limit"), ({"limit": 501}, "limit"), ({"offset": -1}, "offset"),
    ({"municipality": "Atlantis"}, "municipality"), ({"programme": "NOPE"}, "programme"),
])
def test_it_refuses_bad_list_parameters(api, params, field):
    assert fields(api.get("/households", **params)) == {field}


def test_it_refuses_a_bad_change_to_a_person(world, api):
    person = world.h_kline.members.first()
    response = api.patch(f"/persons/{person.pk}", {"given_name": "", "sex": "Q"}, if_match=f'"{person.version}"')
    assert fields(response) == {"given_name", "sex"}
    response = api.patch(f"/persons/{person.pk}", {"household": 3}, if_match=f'"{person.version}"')
    assert fields(response) == {"household"}
    person.refresh_from_db()
    assert (person.given_name, person.version) == ("Agim", 1)


def test_it_answers_unknown_api_paths_with_a_problem(api):
    response = api.get("/nothing-here")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_it_answers_forbidden_with_a_problem(world, token_for):
    response = ApiClient(token_for(world.mira)).post("/programmes", {"code": "X", "name": "X"})
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"]


def test_it_answers_a_wrong_method_with_a_problem(world, api):
    response = api.client.put(f"/api/v1/households/{world.h_kline.pk}", headers=api.headers)
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    assert set(response["Allow"].split(", ")) == {"GET", "PATCH", "DELETE"}
