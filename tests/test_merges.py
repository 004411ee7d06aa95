"""Merging two records of one person: everything of the dropped record reaches the kept one."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from activities.models import Attendance
from assistance.models import Delivery
from audit.models import AuditEntry
from homeward.concurrency import StaleVersion
from matching.models import DuplicatePair
from merges.actions import HANDLERS, audit_trail, merge_persons, person_audit_trail, relations
from merges.models import Merge
from programmes.models import Enrolment
from registry.models import Household, Person
from reports.reach import Basis, reach
from tests.conftest import PERSONAS, VISIBLE
from tests.test_merges_fixtures import add_duplicate, merged_across_scopes


@pytest.fixture
def dup(world):
    return add_duplicate(world)


def merged(w, user=None, with_households=True):
    return merge_persons(w.keep, w.drop, acting_user=user or w.marko, with_households=with_households,
                         reason="Same man: same father, same ID card")


def test_it_knows_how_to_merge_every_table_that_points_at_a_person_or_household():
    missing = sorted(f"{m._meta.label_lower}.{f.name}" for m, f in relations()
                     if (m._meta.label_lower, f.name) not in HANDLERS)
    assert missing == [], "merges.actions.HANDLERS must say how a merge moves these"


def test_it_moves_deliveries_to_the_kept_person_and_household(dup):
    merged(dup)
    assert set(Delivery.objects.filter(person=dup.keep)) == {dup.keep_grant, dup.drop_grant}
    assert Delivery.objects.get(pk=dup.drop_grant.pk).household == dup.h_kline
    assert Delivery.objects.get(pk=dup.dup_firewood.pk).household == dup.h_kline


def test_it_deletes_the_dropped_person_and_the_emptied_household(dup):
    merge = merged(dup)
    assert not Person.objects.filter(pk=dup.drop.pk).exists()
    assert not Household.objects.filter(pk=dup.h_dup.pk).exists()
    assert merge.household_removed
    assert Person.objects.get(pk=dup.besa.pk).household == dup.h_kline


def test_it_keeps_one_head_when_a_household_joins(dup):
    # In H-KL-3 Besa is the head and the duplicate Agim her father, listed as "parent".
    Person.objects.filter(pk=dup.drop.pk).update(relationship="parent")
    Person.objects.filter(pk=dup.besa.pk).update(relationship="head")
    dup.drop.refresh_from_db()
    merged(dup)
    assert dup.h_kline.members.filter(relationship="head").get().given_name == "Agim"
    assert Person.objects.get(pk=dup.besa.pk).relationship == "other"


def test_it_merges_enrolments_in_one_programme_at_the_further_status_with_both_histories(dup):
    merged(dup)
    enrolment = Enrolment.objects.get(household=dup.h_kline, programme=dup.rrk6)
    assert enrolment.status == "assessed"  # H-KL-3 was assessed, H-KL-1 only applied
    assert [(c.from_status, c.to_status) for c in enrolment.changes.all()] == [("applied", "assessed")]


def test_it_unites_vulnerabilities_and_documents_without_duplicates(dup):
    merged(dup)
    keep = Person.objects.get(pk=dup.keep.pk)
    assert keep.vulnerability_records.count() == 2
    assert keep.vulnerability_records.get(notes="wheelchair")  # blank notes of keep's record filled
    assert sorted(keep.documents.values_list("number", flat=True)) == ["1234567", "P998877"]
    assert keep.consents.count() == 1


def test_it_keeps_one_attendance_per_activity_present_if_either_was(dup):
    merged(dup)
    training = Attendance.objects.get(activity=dup.training)
    assert training.person_id == dup.keep.pk and training.attended and training.certified
    assert Attendance.objects.get(activity=dup.meeting).person_id == dup.keep.pk


def test_it_keeps_keeps_values_fills_its_blanks_and_loses_nothing_of_drop(dup):
    dup.keep.phone = "+383 49 000 000"
    Person.objects.filter(pk=dup.keep.pk).update(phone=dup.keep.phone)
    merge = merged(dup)
    keep = Person.objects.get(pk=dup.keep.pk)
    assert keep.phone == "+383 49 000 000"  # keep's value wins
    assert keep.father_name == "Rexhep" and str(keep.date_of_birth) == "1970-03-02"  # blanks filled
    assert merge.differences["phone"] == ["+383 49 000 000", "+383 44 123 456"]
    dropped = next(r for r in merge.removed if r["model"] == "registry.person")
    assert dropped["pk"] == dup.drop.pk and dropped["fields"]["ref"] == "H-KL-3-1"
    assert dropped["fields"]["phone"] == "+383 44 123 456"
    household = next(r for r in merge.removed if r["model"] == "registry.household")
    assert household["fields"]["ref"] == "H-KL-3"


def test_it_finds_the_kept_person_by_the_dropped_persons_name_afterwards(dup):
    merged(dup)
    assert list(Person.objects.search("Rexhep")) == [dup.keep]


def test_it_counts_the_merged_person_once_as_a_direct_beneficiary(dup):
    before = reach(Basis.of(dup.ada, dup.rrk6))
    merged(dup, with_households=False)
    after = reach(Basis.of(dup.ada, dup.rrk6))
    # Agim twice (his grants) and Besa (H-KL-3's firewood); then Agim once and Besa.
    assert (before["direct"], after["direct"]) == (3, 2)
    assert Delivery.objects.filter(person=dup.keep, status="delivered").count() == 2


def test_it_shows_the_dropped_households_audit_rows_in_the_kept_households_trail(dup):
    old = AuditEntry.objects.get(household_id=dup.h_dup.pk, action="update", actor=dup.ada)
    merge = merged(dup)
    trail = audit_trail(dup.h_kline)
    assert old in trail
    assert trail.filter(reason=f"merge #{merge.pk}", action="delete", model="registry.person").exists()
    assert person_audit_trail(dup.keep).filter(object_id=str(dup.drop.pk)).exists()


def test_it_audits_every_change_with_the_merge_number(dup):
    merge = merged(dup)
    rows = AuditEntry.objects.filter(reason=f"merge #{merge.pk}")
    moved = rows.filter(model="assistance.delivery", object_id=str(dup.drop_grant.pk)).get()
    assert moved.action == "update" and moved.changes["person_id"] == [dup.drop.pk, dup.keep.pk]
    assert moved.household_id == dup.h_kline.pk and moved.actor == dup.marko
    assert rows.filter(action="delete", model="registry.household", object_id=str(dup.h_dup.pk)).exists()


def test_it_closes_the_pair_of_the_two_records(dup):
    merge = merged(dup)
    assert not DuplicatePair.objects.filter(pk=dup.pair.pk).exists()
    assert any(r["model"] == "matching.duplicatepair" for r in merge.removed)


def test_it_leaves_the_other_household_alone_unless_asked(dup):
    merged(dup, with_households=False)
    assert Person.objects.get(pk=dup.besa.pk).household == dup.h_dup
    assert Delivery.objects.get(pk=dup.dup_firewood.pk).household == dup.h_dup
    assert Enrolment.objects.filter(household=dup.h_dup).exists()


@pytest.mark.parametrize("persona", ["klara", "sara", "drita", "petar", "mira", "dona", "aida", "otto"])
def test_it_lets_only_managers_and_admins_merge(dup, persona):
    with pytest.raises(PermissionDenied):
        merged(dup, user=getattr(dup, persona))
    assert Person.objects.filter(pk=dup.drop.pk).exists()


def test_it_answers_as_if_missing_for_a_person_outside_the_managers_scope(dup):
    outside = dup.h_dragash.members.first()
    with pytest.raises(Person.DoesNotExist):
        merge_persons(dup.keep, outside, acting_user=dup.marko, reason="same")
    assert Person.objects.filter(pk=outside.pk).exists()


def test_it_lets_an_admin_merge_across_municipalities(dup):
    outside = dup.h_dragash.members.get(given_name="Ilir")
    merge_persons(dup.keep, outside, acting_user=dup.ada, reason="same")
    assert not Person.objects.filter(pk=outside.pk).exists()


def test_it_requires_a_reason_and_two_different_persons(dup):
    with pytest.raises(ValidationError) as error:
        merge_persons(dup.keep, dup.drop, acting_user=dup.ada, reason="  ")
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        merge_persons(dup.keep, dup.keep, acting_user=dup.ada, reason="same")
    assert "drop" in error.value.message_dict


def test_it_refuses_a_stale_copy_of_a_person(dup):
    Person.objects.filter(pk=dup.drop.pk).update(version=dup.drop.version + 1)
    with pytest.raises(StaleVersion):
        merged(dup)
    assert Person.objects.filter(pk=dup.drop.pk).exists()


def test_it_marks_the_audit_rows_sensitive_when_the_merge_touches_sensitive_data(dup):
    survivor = dup.h_sensitive.members.get()
    drita = dup.h_kline.members.get(given_name="Drita")
    dup.ada.sensitive = True  # only users cleared for sensitive data merge a trafficking survivor
    dup.ada.save()
    merge = merge_persons(survivor, drita, acting_user=dup.ada, reason="same woman")
    rows = AuditEntry.objects.filter(reason=f"merge #{merge.pk}")
    assert rows.exists() and not rows.filter(sensitive=False).exists()


def test_it_is_what_the_review_queue_calls_to_merge_a_pair(dup):
    from matching.review import merge_pair

    pair, merge = merge_pair(dup.pair, keep=dup.keep, acting_user=dup.marko, reason="same man")
    assert merge.drop_person_id == dup.drop.pk and not Person.objects.filter(pk=dup.drop.pk).exists()
    closed = next(r for r in merge.removed if r["model"] == "matching.duplicatepair")
    assert closed["fields"]["status"] == "merged"  # kept in the merge, back on undo


def test_a_manager_not_cleared_for_sensitive_data_cannot_merge_a_trafficking_survivor(dup):
    from registry.models import VulnerabilityCategory

    dup.drop.vulnerability_records.create(category=VulnerabilityCategory.objects.get(code="trafficking_survivor"))
    assert not dup.marko.sensitive
    with pytest.raises(PermissionDenied):
        merged(dup, user=dup.marko)
    assert Person.objects.filter(pk=dup.drop.pk).exists()
    dup.marko.sensitive = True
    dup.marko.save()
    merged(dup, user=dup.marko)
    assert not Person.objects.filter(pk=dup.drop.pk).exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_a_merge_to_whoever_may_see_the_kept_person(world, persona):
    done, _ilir = merged_across_scopes(world)  # Arben of H-KL-1 kept, Ilir of H-DR-1 dropped
    shown = list(Merge.objects.visible_to(getattr(world, persona)))
    assert shown == ([done] if "H-KL-1" in VISIBLE[persona] else [])
