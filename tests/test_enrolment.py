"""Enrolment: the status history is kept as rows, and only allowed transitions happen."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEntry
from programmes.actions import enrol, transition
from programmes.models import Enrolment, Programme


def walk(enrolment, statuses, user, reason="decided at the selection committee"):
    for status in statuses:
        enrolment = transition(enrolment, status, reason=reason, acting_user=user)
    return enrolment


def test_it_keeps_every_status_change_with_actor_and_reason(world):
    enrolment = enrol(world.h_dragash, world.rrk6, acting_user=world.drita)
    walk(enrolment, ["assessed", "eligible"], world.drita)
    walk(enrolment, ["selected", "assisted", "monitored", "closed"], world.marko)
    history = list(enrolment.changes.values_list("from_status", "to_status"))
    assert history == [("", "applied"), ("applied", "assessed"), ("assessed", "eligible"),
                       ("eligible", "selected"), ("selected", "assisted"), ("assisted", "monitored"),
                       ("monitored", "closed")]
    assert enrolment.changes.get(to_status="selected").actor == world.marko
    assert AuditEntry.objects.filter(action="transition", household_id=world.h_dragash.pk).count() == 6


def test_it_refuses_a_transition_that_skips_a_step(world):
    enrolment = enrol(world.h_dragash, world.rrk6, acting_user=world.drita)
    with pytest.raises(ValidationError) as error:
        transition(enrolment, "assisted", acting_user=world.ada)
    assert "status" in error.value.message_dict
    assert Enrolment.objects.get(pk=enrolment.pk).status == "applied"
    assert enrolment.changes.count() == 1


def test_it_leaves_selection_to_managers(world):
    enrolment = walk(enrol(world.h_dragash, world.rrk6, acting_user=world.drita), ["assessed", "eligible"],
                     world.drita)
    with pytest.raises(PermissionDenied):
        transition(enrolment, "selected", acting_user=world.drita)
    assert Enrolment.objects.get(pk=enrolment.pk).status == "eligible"


def test_it_asks_for_a_reason_when_rejecting(world):
    enrolment = walk(enrol(world.h_dragash, world.rrk6, acting_user=world.drita), ["assessed"], world.drita)
    with pytest.raises(ValidationError) as error:
        transition(enrolment, "ineligible", reason=" ", acting_user=world.drita)
    assert "reason" in error.value.message_dict


def test_it_enrols_a_household_only_once_per_programme(world):
    with pytest.raises(ValidationError) as error:
        enrol(world.h_kline, world.rrk6, acting_user=world.klara)
    assert "programme" in error.value.message_dict


def test_it_keeps_sensitive_programmes_to_cleared_users(world):
    with pytest.raises(ValidationError):
        enrol(world.h_kline, world.ct, acting_user=world.klara)
    assert enrol(world.h_kline, world.ct, acting_user=world.sara).status == "applied"


def test_a_programme_cannot_be_its_own_phase(world):
    world.rrk.parent = world.rrk6
    with pytest.raises(ValidationError) as error:
        world.rrk.full_clean()
    assert "parent" in error.value.message_dict


def test_phases_are_found_at_any_depth(world):
    rrk6a = Programme.objects.create(code="RRK-VI-A", name="RRK VI lot A", parent=world.rrk6)
    codes = set(Programme.objects.with_phases(world.rrk).values_list("code", flat=True))
    assert codes == {"RRK", "RRK-VI", "RRK-VI-A"}
    assert rrk6a.pk in Programme.objects.phase_ids([world.rrk])
