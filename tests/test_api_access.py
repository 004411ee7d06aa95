"""Every persona against every API route that returns or changes personal data: exactly the
households in conftest.VISIBLE, and anything else is a 404 just like a record that does not exist."""

import pytest

from registry.models import Household, Person
from tests.conftest import PERSONAS, VISIBLE
from tests.test_api_client import ApiClient

ALL = ["H-KL-1", "H-DR-1", "H-RS-1", "H-KL-2"]
EDITORS = {"ada", "klara", "sara", "drita", "petar", "marko", "otto"}
FAMILY = {"H-KL-1": "Krasniqi", "H-DR-1": "Hoxha", "H-RS-1": "Petrović", "H-KL-2": "Berisha"}


def client(world, token_for, name):
    return ApiClient(token_for(getattr(world, name)))


def household(ref):
    return Household.objects.get(ref=ref)


def nowhere():
    return {"status": 404, "type": "about:blank", "title": "Not Found"}


@pytest.mark.parametrize("name", PERSONAS)
def test_it_lists_exactly_the_visible_households(world, token_for, name):
    body = client(world, token_for, name).get("/households").json()
    assert {h["ref"] for h in body["items"]} == VISIBLE[name]
    assert body["count"] == len(VISIBLE[name])


@pytest.mark.parametrize("name", PERSONAS)
def test_it_searches_only_within_the_visible_households(world, token_for, name):
    api = client(world, token_for, name)
    for ref in ALL:
        for q in (FAMILY[ref], ref):
            body = api.get("/households", q=q).json()
            assert {h["ref"] for h in body["items"]} == {ref} & VISIBLE[name], (q, body)
            assert body["count"] == len({ref} & VISIBLE[name])


@pytest.mark.parametrize("name", PERSONAS)
def test_it_filters_only_within_the_visible_households(world, token_for, name):
    api = client(world, token_for, name)
    by_place = api.get("/households", municipality="Klina").json()
    assert {h["ref"] for h in by_place["items"]} == {"H-KL-1", "H-KL-2", "H-RS-1"} & VISIBLE[name]
    by_programme = api.get("/households", programme="RRK").json()
    assert {h["ref"] for h in by_programme["items"]} == {"H-KL-1"} & VISIBLE[name]


@pytest.mark.parametrize("name", PERSONAS)
def test_it_shows_a_household_only_in_scope(world, token_for, name):
    api = client(world, token_for, name)
    missing = api.get("/households/999999")
    assert missing.status_code == 404
    for ref in ALL:
        response = api.get(f"/households/{household(ref).pk}")
        if ref in VISIBLE[name]:
            assert response.status_code == 200
            assert response.json()["ref"] == ref
        else:
            assert response.status_code == 404
            assert response.json() == missing.json()  # the same answer as for no record at all


@pytest.mark.parametrize("name", PERSONAS)
def test_it_shows_a_person_only_in_scope(world, token_for, name):
    api = client(world, token_for, name)
    for person in Person.objects.select_related("household"):
        response = api.get(f"/persons/{person.pk}")
        if person.household.ref in VISIBLE[name]:
            assert response.status_code == 200
            assert response.json()["ref"] == person.ref
        else:
            assert response.status_code == 404
            assert response.json()["status"] == 404


@pytest.mark.parametrize("name", PERSONAS)
def test_it_lets_only_editors_in_scope_change_a_household(world, token_for, name):
    api = client(world, token_for, name)
    for ref in ALL:
        h = household(ref)
        response = api.patch(f"/households/{h.pk}", {"phone": "+383 44 123 456"}, if_match=f'"{h.version}"')
        changed = household(ref).phone == "+383 44 123 456"
        if ref not in VISIBLE[name]:
            assert (response.status_code, changed) == (404, False)
        elif name in EDITORS:
            assert (response.status_code, changed) == (200, True)
        else:
            assert (response.status_code, changed) == (403, False)


@pytest.mark.parametrize("name", PERSONAS)
def test_it_lets_only_editors_in_scope_change_a_person(world, token_for, name):
    api = client(world, token_for, name)
    for ref in ALL:
        person = household(ref).members.order_by("pk").first()
        response = api.patch(f"/persons/{person.pk}", {"father_name": "Ramadan"}, if_match=str(person.version))
        changed = Person.objects.get(pk=person.pk).father_name == "Ramadan"
        if ref not in VISIBLE[name]:
            assert (response.status_code, changed) == (404, False)
        elif name in EDITORS:
            assert (response.status_code, changed) == (200, True)
        else:
            assert (response.status_code, changed) == (403, False)


@pytest.mark.parametrize("name", PERSONAS)
def test_it_lets_only_editors_in_scope_delete_a_household(world, token_for, name):
    api = client(world, token_for, name)
    for ref in ALL:
        h = household(ref)
        response = api.delete(f"/households/{h.pk}", if_match=f'"{h.version}"')
        gone = not Household.objects.filter(ref=ref).exists()
        if ref not in VISIBLE[name]:
            assert (response.status_code, gone) == (404, False)
        elif name in EDITORS:
            assert (response.status_code, gone) == (204, True)
        else:
            assert (response.status_code, gone) == (403, False)


@pytest.mark.parametrize("name", PERSONAS)
def test_it_lets_every_persona_list_programmes(world, token_for, name):
    body = client(world, token_for, name).get("/programmes").json()
    assert {"RRK", "RRK-VI", "CT"} <= {p["code"] for p in body["items"]}
