"""A NUL character cannot be stored or compared by PostgreSQL: a request carrying one is refused
with an error naming the field, on every database, before anything is read or written."""

import json

import pytest

from homeward.middleware import field_with_nul
from registry.models import Household
from tests.test_api_client import ApiClient


@pytest.mark.parametrize("params", [{"q": "Kras\x00niqi"}, {"programme": "RRK\x00"}, {"q": "x\x00", "status": "applied"},
                                    {"municipality": "Kl\x00"}])
def test_the_api_refuses_a_nul_in_a_filter_naming_it(world, token_for, params):
    response = ApiClient(token_for(world.ada)).get("/households", **params)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    field = next(name for name, value in params.items() if "\x00" in value)
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_the_api_refuses_a_nul_in_a_json_body_naming_its_path(world, token_for):
    before = Household.objects.count()
    body = {"ref": "H-NUL", "current_country": "XK", "responsible_municipality": "M18",
            "members": [{"relationship": "head", "given_name": "Ag\x00im", "family_name": "Krasniqi", "sex": "M"}]}
    response = ApiClient(token_for(world.ada)).post("/households", body)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["members[0].given_name"]
    assert Household.objects.count() == before


@pytest.mark.parametrize("path", ["/households/", "/persons/", "/audit/"])
def test_the_web_refuses_a_nul_in_a_search_naming_it(client, world, path):
    client.force_login(world.ada)
    response = client.get(path, {"q": "Kras\x00niqi"})
    assert response.status_code == 400
    assert "q holds a character that cannot be stored" in response.content.decode()


def test_the_web_refuses_a_nul_in_a_form_naming_it(client, world):
    client.force_login(world.ada)
    before = Household.objects.count()
    response = client.post("/households/new/", {"ref": "H-N\x00UL"})
    assert response.status_code == 400
    assert "ref holds a character" in response.content.decode()
    assert Household.objects.count() == before


def test_text_without_nul_passes(client, world, token_for):
    assert ApiClient(token_for(world.ada)).get("/households", q="Krasniqi").status_code == 200
    client.force_login(world.ada)
    assert client.get("/households/", {"q": "Krasniqi"}).status_code == 200


def test_a_backslash_before_u0000_is_text_not_nul(rf):
    """The JSON text "\\\\u0000" is a backslash and five characters, which any database stores."""
    body = json.dumps({"notes": "C:\\u0000", "members": [{"given_name": "A\x00"}]})
    assert field_with_nul(rf.post("/api/v1/households", body, content_type="application/json")) == "members[0].given_name"
    body = json.dumps({"notes": "C:\\u0000"})
    assert "\\\\u0000" in body
    assert field_with_nul(rf.post("/api/v1/households", body, content_type="application/json")) is None


@pytest.mark.parametrize("path", ["/programmes/RRK%00", "/programmes/RRK%00/results", "/programmes/RRK%00/export/csv"])
def test_a_nul_in_an_api_path_names_no_record(world, token_for, path):
    response = ApiClient(token_for(world.ada)).get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("path", ["/programmes/RRK%00/", "/households/H-KL-1%00/"])
def test_a_nul_in_a_page_path_names_no_record(world, client, path):
    client.force_login(world.ada)
    response = client.get(path)
    assert response.status_code == 404
    assert b"No such record." in response.content
