"""Registering, finding, reading and changing households and persons through the API."""

from audit.models import AuditEntry
from registry.models import Household, IdentityDocument, Person
from tests.test_api_client import ApiClient


def new_household(**overrides):
    body = {
        "ref": "H-API-1",
        "programme": "RRK-VI",
        "origin_municipality": "Klinë",
        "current_country": "XK",
        "current_municipality": "Klina",
        "accommodation": "rented",
        "members": [
            {"ref": "P-API-1", "relationship": "head", "given_name": "Agron", "family_name": "Krasniqi",
             "sex": "M", "date_of_birth": "1971-05-02", "community": "ALB", "displacement_status": "returnee",
             "id_number": "1234567890"},
            {"ref": "P-API-2", "relationship": "spouse", "given_name": "Vjollca", "family_name": "Krasniqi",
             "sex": "F", "date_of_birth": 1974, "displacement_status": "returnee"},
        ],
    }
    body.update(overrides)
    return body


def test_it_registers_a_household_with_its_members(world, token_for):
    response = ApiClient(token_for(world.klara)).post("/households", new_household())
    assert response.status_code == 201, response.content
    body = response.json()
    household = Household.objects.get(pk=body["id"])
    assert body["version"] == household.version
    assert [m["ref"] for m in body["members"]] == ["P-API-1", "P-API-2"]
    assert all(Person.objects.filter(pk=m["id"], household=household).exists() for m in body["members"])
    assert body["members"][1]["date_of_birth"] == "1974"
    assert body["origin_municipality"] == "M18" and body["responsible_municipality"] == "M18"
    assert body["enrolments"] == [{"programme": "RRK-VI", "status": "applied"}]
    assert response["Location"].endswith(f"/api/v1/households/{household.pk}")
    document = IdentityDocument.objects.get(person__ref="P-API-1")
    assert (document.kind, document.number) == ("personal_number", "1234567890")


def test_it_finds_a_registered_household_by_name_in_any_script(world, token_for):
    api = ApiClient(token_for(world.klara))
    api.post("/households", new_household())
    for q in ("Krasnici", "Краснићи", "Krasnići", "agron krasniqi", "H-API-1"):
        refs = {h["ref"] for h in api.get("/households", q=q).json()["items"]}
        assert "H-API-1" in refs, q
    assert api.get("/households", q="Berisha").json()["count"] == 1


def test_it_filters_by_municipality_name_and_by_programme_with_its_phases(world, token_for):
    api = ApiClient(token_for(world.ada))
    assert {h["ref"] for h in api.get("/households", municipality="Dragash").json()["items"]} == {"H-DR-1"}
    assert {h["ref"] for h in api.get("/households", municipality="Драгаш").json()["items"]} == {"H-DR-1"}
    assert {h["ref"] for h in api.get("/households", programme="RRK").json()["items"]} == {"H-KL-1"}
    assert {h["ref"] for h in api.get("/households", programme="RRK-VI").json()["items"]} == {"H-KL-1"}


def test_it_pages_lists(world, token_for):
    api = ApiClient(token_for(world.ada))
    first = api.get("/households", limit=3).json()
    rest = api.get("/households", limit=3, offset=3).json()
    assert first["count"] == rest["count"] == 4
    assert len(first["items"]) == 3 and len(rest["items"]) == 1
    assert {h["ref"] for h in first["items"] + rest["items"]} == {"H-KL-1", "H-DR-1", "H-RS-1", "H-KL-2"}


def test_it_writes_audit_rows_with_the_actor_for_create_update_and_delete(world, token_for):
    api = ApiClient(token_for(world.klara))
    body = api.post("/households", new_household()).json()
    created = AuditEntry.objects.filter(action="create", model="registry.household", object_id=str(body["id"]))
    assert created.get().actor == world.klara and created.get().via == "api"
    assert AuditEntry.objects.filter(action="create", model="registry.identitydocument", actor=world.klara).exists()

    patched = api.patch(f"/households/{body['id']}", {"accommodation": "private"}, if_match=f'"{body["version"]}"')
    assert patched.status_code == 200
    update = AuditEntry.objects.get(action="update", model="registry.household", object_id=str(body["id"]))
    assert update.actor == world.klara and update.changes["accommodation"] == ["rented", "private"]

    person = body["members"][0]
    api.patch(f"/persons/{person['id']}", {"given_name": "Agim"}, if_match=str(person["version"]))
    update = AuditEntry.objects.get(action="update", model="registry.person", object_id=str(person["id"]))
    assert update.actor == world.klara and update.changes["given_name"] == ["Agron", "Agim"]

    deleted = api.delete(f"/households/{body['id']}", if_match=f'"{patched.json()["version"]}"')
    assert deleted.status_code == 204
    assert not Household.objects.filter(pk=body["id"]).exists()
    assert AuditEntry.objects.get(action="delete", model="registry.household", object_id=str(body["id"])).actor \
        == world.klara


def test_it_changes_a_person_with_year_only_birth_and_keeps_the_rest(world, token_for):
    person = world.h_kline.members.get(given_name="Arben")
    api = ApiClient(token_for(world.klara))
    response = api.patch(f"/persons/{person.pk}", {"date_of_birth": "2009", "sex": "m"}, if_match=f'"{person.version}"')
    assert response.status_code == 200, response.content
    person.refresh_from_db()
    assert (person.birth_year, person.date_of_birth, person.sex, person.given_name) == (2009, None, "M", "Arben")
    assert response.json()["version"] == person.version == 2
    assert response["ETag"] == '"2"'


def test_it_changes_where_a_household_lives(world, token_for):
    api = ApiClient(token_for(world.ada))
    h = world.h_serbia
    response = api.patch(f"/households/{h.pk}", {"current_country": "XK", "current_municipality": "Klinë"},
                         if_match=f'"{h.version}"')
    assert response.status_code == 200, response.content
    h.refresh_from_db()
    assert (h.current_country.code, h.current_municipality.code) == ("XK", "M18")


def test_it_hides_a_sensitive_vulnerability_from_klara_but_shows_it_to_sara(world, token_for):
    person = world.h_sensitive.members.get()
    as_klara = ApiClient(token_for(world.klara)).get(f"/persons/{person.pk}").json()
    assert as_klara["vulnerabilities"] == []
    as_sara = ApiClient(token_for(world.sara)).get(f"/persons/{person.pk}").json()
    assert as_sara["vulnerabilities"] == ["trafficking_survivor"]
    household = ApiClient(token_for(world.klara)).get(f"/households/{world.h_sensitive.pk}").json()
    assert household["enrolments"] == []  # the counter-trafficking enrolment is sensitive too
    assert household["members"][0]["vulnerabilities"] == []


def test_it_audits_viewing_sensitive_data(world, token_for):
    person = world.h_sensitive.members.get()
    ApiClient(token_for(world.sara)).get(f"/persons/{person.pk}")
    view = AuditEntry.objects.get(action="view", actor=world.sara)
    assert (view.model, view.object_id, view.sensitive, view.via) == ("registry.person", str(person.pk), True, "api")
    ApiClient(token_for(world.sara)).get("/households", q="Berisha")
    assert AuditEntry.objects.filter(action="view", actor=world.sara, model="registry.household").exists()


def test_it_does_not_audit_viewing_ordinary_data(world, token_for):
    ApiClient(token_for(world.klara)).get(f"/households/{world.h_kline.pk}")
    assert not AuditEntry.objects.filter(action="view").exists()


def test_it_refuses_registration_by_roles_that_cannot_edit(world, token_for):
    for user in (world.mira, world.dona, world.aida):
        response = ApiClient(token_for(user)).post("/households", new_household())
        assert response.status_code == 403
    assert not Household.objects.filter(ref="H-API-1").exists()


def test_it_refuses_a_household_outside_the_callers_scope(world, token_for):
    body = new_household(origin_municipality="Dragash", current_municipality="Dragash",
                         responsible_municipality="Dragash")
    response = ApiClient(token_for(world.klara)).post("/households", body)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["responsible_municipality"]
    assert not Household.objects.filter(ref="H-API-1").exists()
    assert not Person.objects.filter(ref="P-API-1").exists()
