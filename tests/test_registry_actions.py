"""Registering and editing households: validation names the field, and nothing is half-written."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from places.models import Country
from registry import actions
from registry.models import Household, Person


def person(given, family="Morina", relationship="head", **extra):
    return Person(given_name=given, family_name=family, sex=extra.pop("sex", "F"), relationship=relationship,
                  displacement_status="idp", **extra)


def household(world, **extra):
    return Household(current_country=Country.objects.get(code="XK"), current_municipality=world.kline, **extra)


def test_it_registers_a_household_with_references_and_a_responsible_office(world):
    h = actions.create_household(acting_user=world.klara, household=household(world),
                                 members=[person("Fatmire"), person("Luan", relationship="child", sex="M")])
    assert h.ref.startswith("H-") and h.responsible_municipality == world.kline
    assert [m.ref[:2] for m in h.members.all()] == ["P-", "P-"]
    assert Household.objects.visible_to(world.klara).search("fatmire morina").get() == h


def test_it_names_the_member_and_field_that_is_wrong(world):
    members = [person("Fatmire"), person("Luan", relationship="child", sex="X")]
    with pytest.raises(ValidationError) as error:
        actions.create_household(acting_user=world.klara, household=household(world), members=members)
    assert "members[1].sex" in error.value.message_dict
    assert not Person.objects.filter(given_name="Fatmire").exists()


def test_it_needs_exactly_one_head(world):
    with pytest.raises(ValidationError) as error:
        actions.create_household(acting_user=world.klara, household=household(world),
                                 members=[person("A"), person("B")])
    assert "members" in error.value.message_dict


def test_it_refuses_to_register_a_household_outside_the_users_scope(world):
    h = household(world, responsible_municipality=world.dragash)
    with pytest.raises(ValidationError) as error:
        actions.create_household(acting_user=world.klara, household=h, members=[person("Fatmire")])
    assert "responsible_municipality" in error.value.message_dict
    assert not Person.objects.filter(given_name="Fatmire").exists()


def test_it_refuses_registry_writes_from_read_only_roles(world):
    for user in (world.mira, world.dona, world.aida):
        with pytest.raises(PermissionDenied):
            actions.create_household(acting_user=user, household=household(world), members=[person("Fatmire")])


def test_it_accepts_a_birth_year_alone_and_checks_dates(world):
    h = actions.create_household(acting_user=world.klara, household=household(world),
                                 members=[person("Fatmire", birth_year=1961)])
    member = h.members.get()
    assert (member.date_of_birth, member.birth_year, member.birth_display()) == (None, 1961, "1961")
    import datetime

    with pytest.raises(ValidationError) as error:
        actions.update_person(member, {"date_of_birth": datetime.date(2999, 1, 1)},
                              expected_version=member.version, acting_user=world.klara)
    assert "date_of_birth" in error.value.message_dict


def test_renaming_a_person_updates_search(world):
    member = world.h_kline.members.get(given_name="Arben")
    actions.update_person(member, {"given_name": "Ардит"}, expected_version=member.version, acting_user=world.klara)
    assert Household.objects.search("ardit krasniqi").get() == world.h_kline
    assert not Household.objects.search("arben").exists()


def test_a_municipality_only_goes_with_kosovo(world):
    h = Household(current_country=Country.objects.get(code="RS"), current_municipality=world.kline)
    with pytest.raises(ValidationError) as error:
        actions.create_household(acting_user=world.ada, household=h, members=[person("Fatmire")])
    assert "current_municipality" in error.value.message_dict


def test_sensitive_vulnerabilities_survive_an_edit_by_someone_not_cleared(world):
    from registry.models import VulnerabilityCategory

    survivor = world.h_sensitive.members.get()
    disability = VulnerabilityCategory.objects.get(code="female_headed")
    actions.set_vulnerabilities(survivor, [disability], acting_user=world.klara)
    codes = set(survivor.vulnerability_records.values_list("category__code", flat=True))
    assert codes == {"trafficking_survivor", "female_headed"}


def test_it_refuses_edits_to_households_outside_the_users_scope(world):
    member = world.h_dragash.members.first()
    with pytest.raises(PermissionDenied):
        actions.update_person(member, {"given_name": "X"}, expected_version=member.version, acting_user=world.klara)
    with pytest.raises(PermissionDenied):
        actions.delete_household(world.h_dragash, expected_version=1, acting_user=world.klara)
    assert Person.objects.get(pk=member.pk).given_name == "Nexhmije"
