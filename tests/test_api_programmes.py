"""Programmes and their phases through the API, and the OpenAPI document."""

from django.test import Client

from audit.models import AuditEntry
from programmes.models import Programme
from tests.conftest import make_user
from tests.test_api_client import ApiClient


def phase(**overrides):
    body = {"code": "RRK-VII", "name": "RRK seventh phase", "donors": ["EU"], "start_date": "2026-01-01",
            "end_date": "2027-12-31", "parent": "RRK", "budget_eur": "2500000.00", "sdg_goals": [1, 10]}
    body.update(overrides)
    return body


def test_it_creates_a_phase_of_a_programme(world, token_for):
    response = ApiClient(token_for(world.marko)).post("/programmes", phase())
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["code"], body["parent"], body["donors"], body["version"]) == ("RRK-VII", "RRK", ["European Union"], 1)
    assert Programme.objects.get(code="RRK-VII").parent == world.rrk
    rrk = ApiClient(token_for(world.marko)).get("/programmes/RRK").json()
    assert rrk["phases"] == ["RRK-VI", "RRK-VII"]
    assert AuditEntry.objects.get(model="programmes.programme", action="create").actor == world.marko


def test_it_names_unknown_donors_and_bad_dates(world, token_for):
    body = phase(donors=["EU", "Atlantis Fund"], start_date="2026-02-30", parent="NOPE")
    response = ApiClient(token_for(world.marko)).post("/programmes", body)
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"start_date"}
    body = phase(donors=["EU", "Atlantis Fund"], parent="NOPE")
    response = ApiClient(token_for(world.marko)).post("/programmes", body)
    assert {e["field"] for e in response.json()["errors"]} == {"donors[1]", "parent"}
    body = phase(end_date="2025-01-01", sdg_goals=[18])
    response = ApiClient(token_for(world.marko)).post("/programmes", body)
    assert {e["field"] for e in response.json()["errors"]} == {"end_date", "sdg_goals"}
    assert not Programme.objects.filter(code="RRK-VII").exists()


def test_it_lets_only_managers_create_programmes(world, token_for):
    for user in (world.klara, world.dona, world.mira):
        assert ApiClient(token_for(user)).post("/programmes", phase()).status_code == 403
    assert not Programme.objects.filter(code="RRK-VII").exists()


def test_it_changes_a_programme_and_its_donors(world, token_for):
    api = ApiClient(token_for(world.marko))
    response = api.patch("/programmes/RRK-VI", {"donors": ["European Union"], "end_date": "2026-03-31"},
                         if_match='"1"')
    assert response.status_code == 200, response.content
    assert (response.json()["donors"], response.json()["end_date"]) == (["European Union"], "2026-03-31")
    assert response["ETag"] == '"2"'
    entry = AuditEntry.objects.get(model="programmes.programme", action="update")
    assert entry.changes["end_date"] == [None, "2026-03-31"] and entry.actor == world.marko


def test_it_answers_404_for_an_unknown_programme(world, token_for):
    response = ApiClient(token_for(world.dona)).get("/programmes/NOPE")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_it_serves_the_openapi_document(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "Homeward"
    for path in ("/api/v1/programmes", "/api/v1/programmes/{code}", "/api/v1/households",
                 "/api/v1/households/{id}", "/api/v1/persons/{id}"):
        assert path in document["paths"], path
    assert set(document["paths"]["/api/v1/households/{id}"]) == {"get", "patch", "delete"}


def test_a_phase_of_a_sensitive_programme_must_be_sensitive_too(world, token_for):
    client = ApiClient(token_for(make_user("sam", "admin", sensitive=True)))
    response = client.post("/programmes", phase(code="CT-II", parent="CT", donors=[]))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["sensitive"]
    assert not Programme.objects.filter(code="CT-II").exists()


def test_flagging_a_programme_sensitive_flags_its_phases_and_hides_their_enrolments(world, token_for):
    Programme.objects.create(code="RRK-VI-A", name="RRK VI, first call", parent=world.rrk6)

    def enrolments(user):
        household = ApiClient(token_for(user)).get(f"/households/{world.h_kline.pk}").json()
        return [e["programme"] for e in household["enrolments"]]

    assert enrolments(world.klara) == ["RRK-VI"]
    response = ApiClient(token_for(world.ada)).patch("/programmes/RRK", {"sensitive": True}, if_match='"1"')
    assert response.status_code == 200, response.content
    flagged = set(Programme.objects.filter(sensitive=True).values_list("code", flat=True))
    assert flagged == {"CT", "RRK", "RRK-VI", "RRK-VI-A"}
    # Klara (not cleared) still sees the household, no longer its enrolment in the phase; Sara (cleared) does.
    assert enrolments(world.klara) == []
    assert enrolments(world.sara) == ["RRK-VI"]
    phases = AuditEntry.objects.filter(model="programmes.programme", object_id__in=[
        str(world.rrk6.pk), str(Programme.objects.get(code="RRK-VI-A").pk)])
    assert [(e.actor, e.changes) for e in phases] == [(world.ada, {"sensitive": [False, True]})] * 2


def test_a_migration_flags_the_phases_an_earlier_flagging_left_behind(world):
    import importlib

    from django.apps import apps

    Programme.objects.filter(pk=world.rrk.pk).update(sensitive=True)  # as flagging RRK did before
    migration = importlib.import_module("programmes.migrations.0004_phases_of_sensitive_programmes")
    migration.flag_phases(apps, None)
    world.rrk6.refresh_from_db()
    assert world.rrk6.sensitive and world.rrk6.version == 2
    entry = AuditEntry.objects.get(model="programmes.programme", object_id=str(world.rrk6.pk))
    assert (entry.via, entry.changes) == ("migration", {"sensitive": [False, True]})


def test_a_manager_changes_only_the_programmes_given_and_their_phases(world, token_for):
    # Marko manages RRK (with its phases); UKVR is another team's, CT is sensitive and he is not cleared.
    ukvr = Programme.objects.create(code="UKVR", name="UK voluntary return")
    api = ApiClient(token_for(world.marko))
    assert api.patch("/programmes/RRK-VI", {"end_date": "2026-03-31"}, if_match='"1"').status_code == 200
    for code in ("UKVR", "CT"):
        response = api.patch(f"/programmes/{code}", {"end_date": "2026-03-31", "sensitive": False}, if_match='"1"')
        assert response.status_code == 403, code
    assert (Programme.objects.get(code="CT").sensitive, Programme.objects.get(code="UKVR").end_date) == (True, None)
    # No phase under another team's programme, no programme at the top level, no moving a phase out.
    assert api.post("/programmes", phase(code="UKVR-II", parent="UKVR", donors=[])).status_code == 403
    assert api.post("/programmes", phase(code="NEW", parent=None, donors=[])).status_code == 403
    assert api.patch("/programmes/RRK-VI", {"parent": "UKVR"}, if_match='"2"').status_code == 403
    assert not Programme.objects.filter(code__in=["UKVR-II", "NEW"]).exists()
    assert Programme.objects.get(code="RRK-VI").parent == world.rrk
    # A manager given no programme changes any programme they may read, and adds top-level ones.
    lead = make_user("lena", "manager")
    assert ApiClient(token_for(lead)).patch("/programmes/UKVR", {"end_date": "2026-03-31"},
                                            if_match=f'"{ukvr.version}"').status_code == 200
    assert ApiClient(token_for(lead)).post("/programmes", phase(code="NEW", parent=None, donors=[])).status_code == 201
