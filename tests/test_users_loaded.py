"""A request's user is read with the user's scope in one query (accounts.scope.active_user): it
must be the same user, with the same scope, as the ORM reads, and a change must apply at once."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from accounts.models import ApiToken, User
from accounts.scope import active_user, scope_ids
from tests.conftest import PERSONAS


def read_apart(user):
    """The user and their scope as the ORM reads them."""
    fresh = User.objects.get(pk=user.pk)
    return fresh, tuple(sorted(ids) for ids in scope_ids(fresh))


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_token_and_a_key_read_the_user_and_scope_the_orm_reads(world, persona):
    user = getattr(world, persona)
    expected, expected_scope = read_apart(user)
    for found in (active_user("pk", user.pk), ApiToken.objects.user_for(ApiToken.issue(user))):
        assert {f.attname: getattr(found, f.attname) for f in User._meta.concrete_fields} == {
            f.attname: getattr(expected, f.attname) for f in User._meta.concrete_fields}
        assert tuple(sorted(ids) for ids in found._scope_ids) == expected_scope


def test_it_reads_every_dimension_of_a_scope(world):
    world.klara.municipalities.add(world.dragash)
    world.klara.organisations.set([world.bozur, world.iom])
    world.klara.programmes.set([world.rrk6])
    found = active_user("pk", world.klara.pk)
    assert tuple(sorted(ids) for ids in found._scope_ids) == (
        sorted([world.kline.pk, world.dragash.pk]), sorted([world.bozur.pk, world.iom.pk]), [world.rrk6.pk])
    assert found.last_login is None and found.date_joined == User.objects.get(pk=world.klara.pk).date_joined


def test_it_finds_no_one_for_an_unknown_key_or_token(world):
    assert active_user("pk", 10**9) is None
    assert ApiToken.objects.user_for("hw_unknown") is None


def test_a_session_sees_a_change_of_scope_on_its_next_request(world):
    browser = Client()
    browser.force_login(world.klara)
    assert "H-DR-1" not in browser.get("/households/").text
    world.klara.municipalities.add(world.dragash)
    assert "H-DR-1" in browser.get("/households/").text
    world.klara.municipalities.clear()
    page = browser.get("/households/").text
    assert "H-KL-1" not in page and "H-DR-1" not in page


def test_a_deactivated_users_session_ends(world):
    browser = Client()
    browser.force_login(world.klara)
    assert browser.get("/households/").status_code == 200
    User.objects.filter(pk=world.klara.pk).update(is_active=False)
    response = browser.get("/households/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_session_is_read_until_it_expires(world):
    browser = Client()
    browser.force_login(world.klara)
    key = browser.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + datetime.timedelta(seconds=5))
    assert browser.get("/households/").status_code == 200
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - datetime.timedelta(milliseconds=1))
    response = browser.get("/households/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
