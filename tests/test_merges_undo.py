"""Undoing a merge puts the registry back as it was, or refuses and says why."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assistance.models import Delivery
from audit.models import AuditEntry
from merges.actions import merge_persons, undo_merge
from merges.models import Merge
from registry.actions import update_person
from registry.models import Household, Person
from tests.test_merges_fixtures import add_duplicate, registry_state


@pytest.fixture
def dup(world):
    return add_duplicate(world)


def merged(w, with_households=True):
    return merge_persons(w.keep, w.drop, acting_user=w.marko, with_households=with_households, reason="same man")


@pytest.mark.parametrize("with_households", [True, False])
def test_it_restores_every_row_exactly(dup, with_households):
    before = registry_state()
    merge = merged(dup, with_households)
    assert registry_state() != before
    undo_merge(merge, acting_user=dup.marko, reason="two brothers, not one man")
    after = registry_state()
    for table in before:
        assert after[table] == before[table], table


def test_it_gives_the_dropped_person_back_its_id_and_values(dup):
    undo_merge(merged(dup), acting_user=dup.ada, reason="wrong")
    drop = Person.objects.get(pk=dup.drop.pk)
    assert (drop.ref, drop.father_name, drop.phone, drop.household_id) == (
        "H-KL-3-1", "Rexhep", "+383 44 123 456", dup.h_dup.pk)
    keep = Person.objects.get(pk=dup.keep.pk)
    assert (keep.father_name, keep.phone, keep.date_of_birth) == ("", "", None)
    assert list(Person.objects.search("Rexhep")) == [drop]
    assert Household.objects.get(pk=dup.h_dup.pk).phone == "+383 44 111 222"


def test_it_marks_the_merge_undone_and_audits_it(dup):
    merge = undo_merge(merged(dup), acting_user=dup.ada, reason="wrong")
    merge.refresh_from_db()
    assert merge.undone_by == dup.ada and merge.undone_at and merge.undo_reason == "wrong"
    rows = AuditEntry.objects.filter(reason=f"undo merge #{merge.pk}")
    assert rows.filter(action="create", model="registry.person", object_id=str(dup.drop.pk)).exists()
    assert rows.filter(action="update", model="assistance.delivery", object_id=str(dup.drop_grant.pk)).exists()


def test_it_refuses_to_undo_twice(dup):
    merge = merged(dup)
    undo_merge(merge, acting_user=dup.ada, reason="wrong")
    with pytest.raises(ValidationError) as error:
        undo_merge(merge, acting_user=dup.ada, reason="again")
    assert "merge" in error.value.message_dict


def test_it_refuses_when_a_moved_delivery_was_moved_again(dup):
    merge = merged(dup)
    Delivery.objects.filter(pk=dup.drop_grant.pk).update(person=dup.h_kline.members.get(given_name="Arben"))
    with pytest.raises(ValidationError) as error:
        undo_merge(merge, acting_user=dup.ada, reason="wrong")
    assert any("assistance.delivery" in m and "person_id" in m for m in error.value.message_dict["merge"])
    assert not Person.objects.filter(pk=dup.drop.pk).exists()  # nothing written


def test_it_refuses_when_a_value_filled_by_the_merge_was_edited_since(dup):
    merge = merged(dup)
    keep = Person.objects.get(pk=dup.keep.pk)
    update_person(keep, {"phone": "+383 45 999 999"}, expected_version=keep.version, acting_user=dup.ada)
    with pytest.raises(ValidationError) as error:
        undo_merge(merge, acting_user=dup.ada, reason="wrong")
    assert any("phone" in m for m in error.value.message_dict["merge"])


def test_it_refuses_when_a_later_merge_involved_the_same_person(dup):
    first = merged(dup)
    arben = dup.h_kline.members.get(given_name="Arben")
    second = merge_persons(dup.keep, arben, acting_user=dup.ada, reason="same")
    with pytest.raises(ValidationError) as error:
        undo_merge(first, acting_user=dup.ada, reason="wrong")
    assert f"#{second.pk}" in error.value.message_dict["merge"][0]
    undo_merge(second, acting_user=dup.ada, reason="wrong")
    undo_merge(first, acting_user=dup.ada, reason="wrong")
    assert Person.objects.filter(pk__in=[dup.drop.pk, arben.pk]).count() == 2


def test_it_refuses_when_the_dropped_reference_was_reused(dup):
    merge = merged(dup, with_households=False)
    Person.objects.create(household=dup.h_kline, ref="H-KL-3-1", relationship="other", given_name="New",
                          family_name="Person", sex="F", displacement_status="idp")
    with pytest.raises(ValidationError) as error:
        undo_merge(merge, acting_user=dup.ada, reason="wrong")
    assert any("H-KL-3-1" in m for m in error.value.message_dict["merge"])


@pytest.mark.parametrize("persona", ["klara", "sara", "drita", "petar", "mira", "dona", "aida", "otto"])
def test_it_lets_only_managers_and_admins_undo(dup, persona):
    merge = merged(dup)
    with pytest.raises(PermissionDenied):
        undo_merge(merge, acting_user=getattr(dup, persona), reason="wrong")
    assert Merge.objects.get(pk=merge.pk).undone_at is None


def test_it_answers_as_if_missing_to_a_manager_who_cannot_see_the_kept_person(dup):
    ilir = dup.h_dragash.members.get(given_name="Ilir")
    nexhmije = dup.h_dragash.members.get(given_name="Nexhmije")
    merge = merge_persons(nexhmije, ilir, acting_user=dup.ada, reason="same")
    with pytest.raises(Merge.DoesNotExist):
        undo_merge(merge, acting_user=dup.marko, reason="wrong")


def test_it_requires_a_reason(dup):
    with pytest.raises(ValidationError) as error:
        undo_merge(merged(dup), acting_user=dup.ada, reason="")
    assert "reason" in error.value.message_dict


def test_it_refuses_when_a_member_who_joined_received_assistance_in_the_new_household(dup):
    from assistance.models import AssistanceType

    merge = merged(dup)
    later = Delivery.objects.create(programme=dup.rrk6, household=dup.h_kline, person=dup.besa, date="2025-06-01",
                                    type=AssistanceType.objects.get(code="vocational_training"))
    with pytest.raises(ValidationError) as error:
        undo_merge(merge, acting_user=dup.ada, reason="wrong")
    assert any(f"assistance.delivery {later.pk}" in m for m in error.value.message_dict["merge"])


def test_it_gives_back_the_times_of_the_removed_rows_to_the_microsecond(dup):
    # Django's JSON encoder cuts times to the millisecond; the removed rows are kept with theirs whole.
    household, person = Household.objects.get(pk=dup.h_dup.pk), Person.objects.get(pk=dup.drop.pk)
    undo_merge(merged(dup), acting_user=dup.ada, reason="wrong")
    assert Household.objects.get(pk=household.pk).created_at == household.created_at
    assert Person.objects.get(pk=person.pk).created_at == person.created_at
