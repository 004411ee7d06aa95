"""Who sees an activity's attendees: every persona sees the activity and its counts, and only the
attendees whose households are in their scope (tests.conftest.VISIBLE); a donor never sees a name."""

import pytest

from activities.actions import create_activity
from activities.models import Activity
from audit.models import AuditEntry
from registry.models import Person
from tests.conftest import PERSONAS, VISIBLE
from tests.test_api_client import ApiClient


@pytest.fixture
def everyone_came(world):
    """A training in RRK-VI attended by every registered person (7 in 4 households)."""
    activity = Activity(programme=world.rrk6, type="training", title="Graphic design", date="2024-05-06",
                        municipality=world.kline, participants_female=3, participants_male=2)
    return create_activity(activity, attendees=list(Person.objects.values_list("pk", flat=True)),
                           acting_user=world.ada)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_each_persona_only_the_attendees_in_their_scope(world, token_for, everyone_came, persona):
    api = ApiClient(token_for(getattr(world, persona)))
    response = api.get(f"/activities/{everyone_came.pk}")
    assert response.status_code == 200
    body = response.json()
    households = {Person.objects.get(pk=a["person"]).household.ref for a in body["attendees"]}
    assert households == VISIBLE[persona]
    assert body["attendees_count"] == 7
    assert body["participants"]["female"] == 3 and body["participants_total"] == 5

    listed = api.get("/activities").json()
    assert listed["count"] == 1
    assert {Person.objects.get(pk=a["person"]).household.ref for a in listed["items"][0]["attendees"]} \
        == VISIBLE[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lists_attendees_of_a_sensitive_programme_only_for_cleared_users(world, token_for, persona):
    survivor = world.h_sensitive.members.get()
    activity = create_activity(
        Activity(programme=world.ct, type="workshop", title="Peer support group", date="2024-06-01"),
        attendees=[survivor.pk], acting_user=world.sara)
    user = getattr(world, persona)
    response = ApiClient(token_for(user)).get(f"/activities/{activity.pk}")
    if not user.sensitive:  # the activity of a sensitive programme itself is hidden from them
        assert response.status_code == 404
        assert not AuditEntry.objects.filter(action="view", model="activities.activity", actor=user).exists()
        return
    body = response.json()
    expected = [survivor.pk] if "H-KL-2" in VISIBLE[persona] else []
    assert [a["person"] for a in body["attendees"]] == expected
    assert body["attendees_count"] == 1
    viewed = AuditEntry.objects.filter(action="view", model="activities.activity", actor=user, sensitive=True)
    assert viewed.exists() == bool(expected)


def test_it_never_shows_a_donor_a_name(world, token_for, everyone_came):
    response = ApiClient(token_for(world.dona)).get(f"/activities/{everyone_came.pk}")
    for name in Person.objects.values_list("family_name", flat=True):
        assert name not in response.content.decode()


def test_it_shows_activities_and_projects_to_no_one_without_a_login(world, everyone_came):
    assert ApiClient().get("/activities").status_code == 401
    assert Activity.objects.visible_to(None).count() == 0


def test_activities_and_projects_of_a_sensitive_programme_are_seen_only_by_users_cleared_for_it(world):
    import datetime

    from activities.models import Activity, CommunityProject

    workshop = Activity.objects.create(type="workshop", title="Safe housing workshop", date=datetime.date(2026, 5, 4),
                                       programme=world.ct, municipality=world.kline)
    shelter = CommunityProject.objects.create(type="community_event", title="Shelter open day", programme=world.ct)
    for user in (world.klara, world.ada, world.marko, world.dona):
        assert not Activity.objects.visible_to(user).filter(pk=workshop.pk).exists(), user.username
        assert not CommunityProject.objects.visible_to(user).filter(pk=shelter.pk).exists(), user.username
    assert Activity.objects.visible_to(world.sara).filter(pk=workshop.pk).exists()
    assert CommunityProject.objects.visible_to(world.sara).filter(pk=shelter.pk).exists()
