"""Shared by the merge tests (no tests here): Agim Krasniqi of H-KL-1 registered a second time, in H-KL-3,
with his own records, and the whole registry's rows read back for before/after comparisons."""

import datetime
import json

from django.core import serializers

from activities.models import Activity, Attendance
from assistance.models import AssistanceType, Delivery
from audit.models import AuditEntry
from matching.keys import write_keys
from matching.models import DuplicatePair, MatchKey
from merges.actions import merge_persons, relations
from programmes.models import Enrolment, EnrolmentStatusChange
from registry.actions import write_tokens
from registry.models import Household, HouseholdToken, IdentityDocument, Person, PersonToken, VulnerabilityCategory
from tests.conftest import make_household

DAY = datetime.date(2025, 5, 1)


def add_duplicate(w):
    w.keep = w.h_kline.members.get(given_name="Agim")
    w.h_dup = make_household("H-KL-3", responsible=w.kline, current_municipality=w.kline, members=[
        ("Agim", "Krasniqi", "M", "head", 1970), ("Besa", "Krasniqi", "F", "child", 2005)])
    w.h_dup.phone = "+383 44 111 222"
    w.h_dup.save()
    w.drop = w.h_dup.members.get(given_name="Agim")
    w.besa = w.h_dup.members.get(given_name="Besa")
    w.drop.father_name, w.drop.phone = "Rexhep", "+383 44 123 456"
    w.drop.date_of_birth = datetime.date(1970, 3, 2)
    w.drop.save()

    disability = VulnerabilityCategory.objects.filter(sensitive=False).first()
    other = VulnerabilityCategory.objects.filter(sensitive=False).exclude(pk=disability.pk).first()
    w.keep.vulnerability_records.create(category=disability)
    w.drop.vulnerability_records.create(category=disability, notes="wheelchair")
    w.drop.vulnerability_records.create(category=other)
    w.keep.documents.create(kind="id_card", number="1234567")
    w.drop.documents.create(kind="id_card", number="1234567")
    w.drop.documents.create(kind="passport", number="P998877")
    w.drop.consents.create(purpose="registration", given_on=DAY)

    w.training = Activity.objects.create(type="training", title="Bookkeeping", date=DAY, programme=w.rrk6)
    w.meeting = Activity.objects.create(type="information_meeting", title="Return", date=DAY, programme=w.rrk6)
    Attendance.objects.create(activity=w.training, person=w.keep, attended=False)
    Attendance.objects.create(activity=w.training, person=w.drop, attended=True, certified=True)
    Attendance.objects.create(activity=w.meeting, person=w.drop)

    firewood = AssistanceType.objects.get(code="firewood")
    grant = AssistanceType.objects.get(code="income_generation_grant")
    w.keep_grant = Delivery.objects.create(programme=w.rrk6, household=w.h_kline, person=w.keep, type=grant,
                                           date=DAY, status="delivered")
    w.drop_grant = Delivery.objects.create(programme=w.rrk6, household=w.h_dup, person=w.drop, type=grant,
                                           date=DAY, status="delivered")
    w.dup_firewood = Delivery.objects.create(programme=w.rrk6, household=w.h_dup, type=firewood, date=DAY,
                                             status="delivered")

    w.dup_enrolment = Enrolment.objects.create(household=w.h_dup, programme=w.rrk6, status="assessed")
    EnrolmentStatusChange.objects.create(enrolment=w.dup_enrolment, from_status="applied", to_status="assessed",
                                         actor=w.ada)
    w.pair = DuplicatePair.objects.create(person_a=w.keep, person_b=w.drop, score=0.97, band="likely")
    AuditEntry.objects.create(actor=w.ada, action="update", model="registry.household", object_id=str(w.h_dup.pk),
                              household_id=w.h_dup.pk, changes={"phone": ["", "+383 44 111 222"]})
    for person in Person.objects.all():
        write_tokens(person)
        write_keys(person)
    return w


def merged_across_scopes(world):
    """Arben (H-KL-1, Klinë/Klina) kept, Ilir (H-DR-1, Dragash) merged into him, by an administrator."""
    arben = world.h_kline.members.get(given_name="Arben")
    ilir = world.h_dragash.members.get(given_name="Ilir")
    done = merge_persons(arben, ilir, acting_user=world.ada, reason="one boy registered twice")
    return done, ilir


DERIVED = {PersonToken: ("person_id", "household_id", "token"), MatchKey: ("person_id", "key"),
           HouseholdToken: ("household_id", "token", "responsible_municipality_id", "responsible_organisation_id")}


def registry_state():
    """Every row of every table that points at a person or household, and the persons and
    households themselves, as plain data. Versions and update times are left out: a merge and its
    undo are changes, and they advance both."""
    models = {Person, Household, EnrolmentStatusChange, IdentityDocument} | {m for m, f in relations()}
    state = {}
    for model in models:
        if model in DERIVED:
            # Rebuilt, not moved: their ids change, their content must not.
            state[model._meta.label] = sorted(model.objects.values_list(*DERIVED[model]))
            continue
        rows = json.loads(serializers.serialize("json", model._base_manager.order_by("pk")))
        for row in rows:
            row["fields"].pop("version", None)
            row["fields"].pop("updated_at", None)
        state[model._meta.label] = rows
    return state
