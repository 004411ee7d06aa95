"""Audit rows: written for every change to personal data, with the actor, and never changed."""

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AppendOnly, AuditEntry
from places.models import Country
from registry import actions
from registry.models import Household, Person


def new_household(world, ref="H-NEW"):
    household = Household(ref=ref, current_country=Country.objects.get(code="XK"), current_municipality=world.kline)
    members = [Person(given_name="Besnik", family_name="Gashi", sex="M", relationship="head",
                      displacement_status="returnee", birth_year=1980),
               Person(given_name="Vjosa", family_name="Gashi", sex="F", relationship="spouse",
                      displacement_status="returnee", birth_year=1984)]
    return actions.create_household(acting_user=world.klara, household=household, members=members)


def test_it_records_who_created_each_record(world):
    household = new_household(world)
    rows = AuditEntry.objects.filter(household_id=household.pk, action="create")
    assert {r.model for r in rows} == {"registry.household", "registry.person"}
    assert rows.count() == 3
    assert all(r.actor == world.klara for r in rows)
    person_row = rows.filter(model="registry.person").first()
    assert person_row.changes["family_name"] == [None, "Gashi"]


def test_it_records_fields_before_and_after_an_update(world):
    person = world.h_kline.members.get(given_name="Arben")
    actions.update_person(person, {"given_name": "Arbër"}, expected_version=person.version, acting_user=world.klara)
    row = AuditEntry.objects.get(model="registry.person", object_id=str(person.pk), action="update")
    assert row.changes == {"given_name": ["Arben", "Arbër"]}
    assert row.actor == world.klara


def test_it_keeps_what_a_deleted_household_held(world):
    household = new_household(world)
    pk = household.pk
    actions.delete_household(household, expected_version=household.version, acting_user=world.klara)
    rows = AuditEntry.objects.filter(household_id=pk, action="delete")
    assert rows.count() == 3
    assert rows.get(model="registry.household").changes["ref"] == ["H-NEW", None]


def test_it_records_views_of_sensitive_records(world):
    survivor = world.h_sensitive.members.get()
    actions.record_view(world.sara, survivor)
    row = AuditEntry.objects.get(action="view")
    assert (row.actor, row.object_id, row.sensitive) == (world.sara, str(survivor.pk), True)


def test_it_does_not_record_views_of_ordinary_records(world):
    actions.record_view(world.klara, world.h_kline)
    assert not AuditEntry.objects.filter(action="view").exists()


def test_it_refuses_to_change_or_delete_audit_rows(world):
    row = new_household(world) and AuditEntry.objects.first()
    row.reason = "tampered"
    with pytest.raises(AppendOnly):
        row.save()
    with pytest.raises(AppendOnly):
        row.delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.all().update(reason="tampered")
    with pytest.raises(AppendOnly):
        AuditEntry.objects.all().delete()


def test_the_database_refuses_to_update_audit_rows(world):
    new_household(world)
    table = AuditEntry._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET reason = 'tampered'")
    assert not AuditEntry.objects.filter(reason="tampered").exists()


def test_a_rejected_registration_leaves_no_audit_rows(world):
    household = Household(ref="H-BAD", current_country=Country.objects.get(code="XK"), current_municipality=world.kline)
    members = [Person(given_name="Besnik", family_name="Gashi", sex="M", relationship="child",
                      displacement_status="returnee")]
    with pytest.raises(Exception):
        actions.create_household(acting_user=world.klara, household=household, members=members)
    assert not Household.objects.filter(ref="H-BAD").exists()
    assert not AuditEntry.objects.exists()
