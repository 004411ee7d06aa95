"""Versions on the wire: GET sends an ETag; PATCH and DELETE need If-Match and never overwrite a newer
version."""

import pytest

from audit.models import AuditEntry
from programmes.models import Programme
from registry.models import Household, Person
from tests.test_api_client import ApiClient


@pytest.fixture
def api(world, token_for):
    return ApiClient(token_for(world.ada))


def test_it_sends_the_version_as_etag(world, api):
    for path, version in ((f"/households/{world.h_kline.pk}", world.h_kline.version),
                          (f"/persons/{world.h_kline.members.first().pk}", 1), ("/programmes/RRK", world.rrk.version)):
        response = api.get(path)
        assert response["ETag"] == f'"{version}"'
        assert response.json()["version"] == version


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_it_needs_if_match_and_writes_nothing_without_it(world, api, method):
    h = world.h_kline
    response = api.patch(f"/households/{h.pk}", {"phone": "1"}) if method == "patch" \
        else api.delete(f"/households/{h.pk}")
    assert response.status_code == 428
    assert response["Content-Type"] == "application/problem+json"
    h.refresh_from_db()
    assert (h.phone, h.version) == ("", 1)
    assert not AuditEntry.objects.filter(model="registry.household").exists()


def test_it_refuses_a_stale_household_change_and_keeps_the_newer_one(world, api):
    h = world.h_kline
    first = api.patch(f"/households/{h.pk}", {"phone": "first"}, if_match='"1"')
    assert first.status_code == 200 and first["ETag"] == '"2"'
    second = api.patch(f"/households/{h.pk}", {"phone": "second"}, if_match='"1"')
    assert second.status_code == 412
    assert second["ETag"] == '"2"'
    h.refresh_from_db()
    assert (h.phone, h.version) == ("first", 2)
    assert AuditEntry.objects.filter(model="registry.household", action="update").count() == 1


def test_it_refuses_a_stale_delete(world, api):
    h = world.h_kline
    api.patch(f"/households/{h.pk}", {"phone": "first"}, if_match="1")
    assert api.delete(f"/households/{h.pk}", if_match='"1"').status_code == 412
    assert Household.objects.filter(pk=h.pk).exists()


def test_it_refuses_a_stale_person_change(world, api):
    person = world.h_kline.members.first()
    assert api.patch(f"/persons/{person.pk}", {"phone": "a"}, if_match="1").status_code == 200
    assert api.patch(f"/persons/{person.pk}", {"phone": "b"}, if_match="1").status_code == 412
    assert Person.objects.get(pk=person.pk).phone == "a"


def test_it_refuses_a_stale_programme_change(world, token_for):
    api = ApiClient(token_for(world.marko))
    assert api.patch("/programmes/RRK", {"name": "A"}, if_match='"1"').status_code == 200
    assert api.patch("/programmes/RRK", {"name": "B"}, if_match='"1"').status_code == 412
    assert api.patch("/programmes/RRK", {"name": "C"}).status_code == 428
    assert Programme.objects.get(code="RRK").name == "A"


def test_it_refuses_a_garbled_if_match(world, api):
    assert api.patch(f"/households/{world.h_kline.pk}", {"phone": "x"}, if_match="yesterday").status_code == 412
