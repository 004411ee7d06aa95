"""The scoping function: each persona sees exactly the households the access table gives them."""

import pytest

from programmes.models import Enrolment
from registry.models import Household, Person, PersonVulnerability
from tests.conftest import PERSONAS, VISIBLE


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_each_persona_exactly_their_households(world, persona):
    user = getattr(world, persona)
    refs = set(Household.objects.visible_to(user).values_list("ref", flat=True))
    assert refs == VISIBLE[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_scopes_persons_like_their_households(world, persona):
    user = getattr(world, persona)
    refs = set(Person.objects.visible_to(user).values_list("household__ref", flat=True))
    assert refs == VISIBLE[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_scopes_search_too(world, persona):
    user = getattr(world, persona)
    found = set(Household.objects.visible_to(user).search("Krasniqi").values_list("ref", flat=True))
    assert found == VISIBLE[persona] & {"H-KL-1"}


def test_it_hides_sensitive_enrolments_from_users_not_cleared(world):
    assert not Enrolment.objects.visible_to(world.klara).filter(programme=world.ct).exists()
    assert Enrolment.objects.visible_to(world.sara).filter(programme=world.ct).exists()


def test_it_hides_sensitive_vulnerabilities_from_users_not_cleared(world):
    survivor = world.h_sensitive.members.get()
    assert not PersonVulnerability.objects.visible_to(world.klara).filter(person=survivor).exists()
    assert PersonVulnerability.objects.visible_to(world.sara).filter(person=survivor).exists()


def test_it_covers_phases_for_programme_scoped_users(world):
    # mira is scoped to the RRK umbrella; the household is enrolled in its phase RRK VI.
    assert Household.objects.visible_to(world.mira).filter(pk=world.h_kline.pk).exists()


def test_it_narrows_when_a_user_has_several_dimensions(world):
    world.klara.programmes.set([world.rrk])
    refs = set(Household.objects.visible_to(world.klara).values_list("ref", flat=True))
    assert refs == {"H-KL-1"}  # in Klinë AND in RRK


def test_it_shows_nothing_to_a_deactivated_user(world):
    world.klara.is_active = False
    world.klara.save()
    assert not Household.objects.visible_to(world.klara).exists()


def test_a_change_of_scope_applies_at_once_to_the_same_user_object(world):
    assert set(Household.objects.visible_to(world.klara).values_list("ref", flat=True)) == {"H-KL-1", "H-KL-2"}
    world.klara.municipalities.add(world.dragash)
    assert "H-DR-1" in set(Household.objects.visible_to(world.klara).values_list("ref", flat=True))
    world.klara.municipalities.clear()
    assert not Household.objects.visible_to(world.klara).exists()
