"""POST /api/v1/persons/match: duplicates of a person before registering them, inside the caller's scope."""

import json

import pytest

from audit.models import AuditEntry
from matching import candidates
from matching.keys import rebuild_keys
from registry.models import Household, Person
from tests.conftest import PERSONAS, VISIBLE
from tests.test_api_client import ApiClient

OUTSIDE = candidates.OUTSIDE_SCOPE_REASON


@pytest.fixture
def indexed(world):
    rebuild_keys()
    return world


def query(person):
    return {"given_name": person.given_name, "family_name": person.family_name, "sex": person.sex,
            "date_of_birth": person.birth_display()}


def match(user_token, body):
    return ApiClient(user_token).post("/persons/match", body)


def test_it_finds_a_person_registered_in_another_script(indexed, token_for):
    response = match(token_for(indexed.klara), {"given_name": "Агим", "family_name": "Краснићи", "sex": "M",
                                                "date_of_birth": "1970", "origin_municipality": "Клина"})
    assert response.status_code == 200, response.content
    body = response.json()
    agim = Person.objects.get(ref="H-KL-1-1")
    assert body["candidates"][0] == {"id": agim.pk, "ref": "H-KL-1-1", "score": body["candidates"][0]["score"],
                                     "band": "likely"}
    assert body["candidates"][0]["score"] >= 0.9
    assert body["outside_scope_likely"] is False and body["notice"] is None


def test_it_lists_candidates_best_first_and_leaves_out_unlikely_people(indexed, token_for):
    body = match(token_for(indexed.ada), {"given_name": "Agim", "family_name": "Krasnici", "sex": "M"}).json()
    scores = [c["score"] for c in body["candidates"]]
    assert scores == sorted(scores, reverse=True)
    refs = [c["ref"] for c in body["candidates"]]
    assert refs[0] == "H-KL-1-1"
    assert "H-KL-1-2" not in refs  # Drita Krasniqi, his wife, shares only the family name


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "dona"])
def test_it_never_shows_a_candidate_outside_the_callers_scope(indexed, token_for, persona):
    token = token_for(getattr(indexed, persona))
    seen = set()
    for person in Person.objects.all():
        body = match(token, query(person)).json()
        seen |= {c["ref"] for c in body["candidates"]}
        assert all(str(c["id"]) not in json.dumps(body["notice"]) for c in body["candidates"])
    visible = set(Person.objects.filter(household__ref__in=VISIBLE[persona]).values_list("ref", flat=True))
    # Everyone in scope is found by their own details; nobody out of scope ever appears.
    assert seen == visible


def test_it_tells_a_caseworker_only_that_a_likely_match_exists_elsewhere(indexed, token_for):
    agim = Person.objects.get(ref="H-KL-1-1")
    response = match(token_for(indexed.drita), {"given_name": "Agim", "family_name": "Krasniqi", "sex": "M",
                                                "date_of_birth": "1970"})
    body = response.json()
    assert body["candidates"] == []
    assert body["outside_scope_likely"] is True
    assert "data protection officer" in body["notice"]
    text = response.content.decode()
    for secret in (agim.ref, str(agim.pk), "H-KL-1", "Klin"):
        assert secret not in text
    row = AuditEntry.objects.get(actor=indexed.drita, reason=OUTSIDE)
    assert (row.model, row.object_id, row.action) == ("registry.person", str(agim.pk), "view")


def test_it_never_confirms_that_a_person_with_sensitive_data_is_registered(indexed, token_for):
    body = match(token_for(indexed.drita), {"given_name": "Mimoza", "family_name": "Berisha", "sex": "F",
                                            "date_of_birth": "1995"}).json()
    assert body == {"candidates": [], "outside_scope_likely": False, "notice": None}
    # The probe is still on record, marked sensitive.
    assert AuditEntry.objects.get(actor=indexed.drita, reason=OUTSIDE).sensitive


def test_it_stops_flagging_for_a_caller_who_keeps_probing(indexed, token_for, monkeypatch):
    monkeypatch.setattr(candidates, "OUTSIDE_SCOPE_DAILY_LIMIT", 3)
    token = token_for(indexed.drita)
    body = {"given_name": "Agim", "family_name": "Krasniqi", "sex": "M", "date_of_birth": "1970"}
    flags = [match(token, body).json()["outside_scope_likely"] for _ in range(5)]
    assert flags == [True, True, True, False, False]
    assert AuditEntry.objects.filter(actor=indexed.drita, reason=OUTSIDE).count() == 5


def test_it_flags_nothing_for_a_role_that_does_not_register(indexed, token_for):
    body = match(token_for(indexed.mira), {"given_name": "Dragan", "family_name": "Петровић", "sex": "M",
                                           "date_of_birth": "1965"}).json()
    assert body["candidates"] == [] and body["outside_scope_likely"] is False


def test_it_refuses_a_donor(indexed, token_for):
    response = match(token_for(indexed.dona), {"given_name": "Agim", "family_name": "Krasniqi"})
    assert response.status_code == 403


def test_a_shared_household_phone_is_no_evidence(indexed, token_for):
    Household.objects.filter(ref="H-KL-1").update(phone="+383 44 123 456")
    rebuild_keys()
    token = token_for(indexed.ada)
    stranger = {"given_name": "Zana", "family_name": "Gashi", "sex": "F", "date_of_birth": "1990"}
    assert match(token, {**stranger, "phone": "044 123 456"}).json()["candidates"] == []
    agim = {"given_name": "Agim", "family_name": "Krasniqi", "sex": "M"}
    with_phone = match(token, {**agim, "phone": "044123456"}).json()["candidates"]
    without = match(token, agim).json()["candidates"]
    assert with_phone == without


@pytest.mark.parametrize("body, field", [
    ({"family_name": "Krasniqi"}, "given_name"),
    ({"given_name": "Agim", "family_name": " "}, "family_name"),
    ({"given_name": "Agim", "family_name": "--"}, "family_name"),
    ({"given_name": "Agim", "family_name": "Krasniqi", "date_of_birth": "2/5/1970"}, "date_of_birth"),
    ({"given_name": "Agim", "family_name": "Krasniqi", "sex": "X"}, "sex"),
    ({"given_name": "Agim", "family_name": "Krasniqi", "origin_municipality": "Atlantis"}, "origin_municipality"),
    ({"given_name": "Agim", "family_name": "Krasniqi", "nickname": "Gimi"}, "nickname"),
])
def test_it_names_the_bad_field(indexed, token_for, body, field):
    response = match(token_for(indexed.klara), body)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json()["errors"]]


def test_it_refuses_a_caller_without_credentials(indexed):
    response = ApiClient().post("/persons/match", {"given_name": "Agim", "family_name": "Krasniqi"})
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_a_check_takes_a_handful_of_queries(indexed, django_assert_max_num_queries):
    errors = []
    q = candidates.parse_query({"given_name": "Agim", "family_name": "Krasniqi", "date_of_birth": "1970",
                                "phone": "044 123 456", "id_number": "123"}, errors)
    with django_assert_max_num_queries(6):
        result = candidates.check(indexed.klara, q)
    assert [c.person.ref for c in result.candidates][:1] == ["H-KL-1-1"]


def test_a_changed_person_is_found_by_the_new_name_once_their_keys_are_written(indexed, token_for):
    from matching.keys import write_keys

    agim = Person.objects.get(ref="H-KL-1-1")
    agim.family_name = "Berisha"
    agim.save()
    write_keys(agim)
    token = token_for(indexed.klara)
    by_new = match(token, {"given_name": "Agim", "family_name": "Beriša", "date_of_birth": "1970"}).json()
    by_old = match(token, {"given_name": "Agim", "family_name": "Krasniqi", "date_of_birth": "1970"}).json()
    assert [c["ref"] for c in by_new["candidates"]] == ["H-KL-1-1"]
    assert "H-KL-1-1" not in [c["ref"] for c in by_old["candidates"]]
