"""Deliveries and the double-assistance guard."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assistance.actions import GuardBlocked, change_delivery_status, record_delivery
from assistance.models import AssistanceType, Delivery, GuardRule
from audit.models import AuditEntry

DAY = datetime.date(2024, 6, 1)


def kind(code):
    return AssistanceType.objects.get(code=code)


def test_the_catalogue_holds_the_contract_codes_and_the_harmonized_package(db):
    codes = set(AssistanceType.objects.values_list("code", flat=True))
    assert {"house_construction", "harmonized_package", "income_generation_grant", "medical_evacuation",
            "cash_grant", "language_course"} <= codes
    items = {i.item.code for i in kind("harmonized_package").items.all()}
    assert items == {"food_package", "nfi_package", "firewood", "furniture"}


def test_it_records_a_delivery_with_its_status_history_and_audit(world):
    delivery, warnings = record_delivery(acting_user=world.klara, programme=world.rrk6, household=world.h_kline,
                                         type=kind("house_construction"), date=DAY, value_eur=25000)
    assert warnings == []
    change_delivery_status(delivery, "delivered", acting_user=world.klara)
    assert list(delivery.changes.values_list("to_status", flat=True)) == ["planned", "delivered"]
    assert AuditEntry.objects.filter(model="assistance.delivery", actor=world.klara).count() == 2


def test_it_blocks_a_second_house_for_the_same_household_in_any_phase(world):
    record_delivery(acting_user=world.klara, programme=world.rrk, household=world.h_kline,
                    type=kind("house_reconstruction"), date=DAY)
    with pytest.raises(GuardBlocked) as blocked:
        record_delivery(acting_user=world.klara, programme=world.rrk6, household=world.h_kline,
                        type=kind("house_construction"), date=DAY, override_reason="caseworkers cannot override")
    assert blocked.value.earlier[0].programme == world.rrk
    assert Delivery.objects.filter(household=world.h_kline).count() == 1


def test_a_manager_may_override_with_a_reason(world):
    record_delivery(acting_user=world.ada, programme=world.rrk, household=world.h_kline,
                    type=kind("house_construction"), date=DAY)
    with pytest.raises(GuardBlocked):
        record_delivery(acting_user=world.marko, programme=world.rrk6, household=world.h_kline,
                        type=kind("house_construction"), date=DAY)
    delivery, _ = record_delivery(acting_user=world.marko, programme=world.rrk6, household=world.h_kline,
                                  type=kind("house_construction"), date=DAY, override_reason="the first house burned")
    assert delivery.override_reason == "the first house burned"
    assert AuditEntry.objects.get(object_id=str(delivery.pk)).reason == "the first house burned"


def test_a_cancelled_house_does_not_count(world):
    first, _ = record_delivery(acting_user=world.klara, programme=world.rrk6, household=world.h_kline,
                               type=kind("house_construction"), date=DAY)
    change_delivery_status(first, "cancelled", reason="family stayed in Serbia", acting_user=world.klara)
    record_delivery(acting_user=world.klara, programme=world.rrk6, household=world.h_kline,
                    type=kind("house_construction"), date=DAY)


def test_it_warns_about_a_second_package(world):
    record_delivery(acting_user=world.klara, programme=world.rrk6, household=world.h_kline,
                    type=kind("harmonized_package"), date=DAY)
    _, warnings = record_delivery(acting_user=world.klara, programme=world.rrk6, household=world.h_kline,
                                  type=kind("food_package"), date=DAY)
    assert len(warnings) == 1 and "harmonized_package" in warnings[0]


def test_the_rule_is_configurable(world):
    GuardRule.objects.filter(category="shelter").update(mode="warn")
    record_delivery(acting_user=world.klara, programme=world.rrk6, household=world.h_kline,
                    type=kind("house_construction"), date=DAY)
    _, warnings = record_delivery(acting_user=world.klara, programme=world.rrk6, household=world.h_kline,
                                  type=kind("house_construction"), date=DAY)
    assert warnings


def test_personal_help_is_guarded_per_person(world):
    agim, drita = world.h_kline.members.get(given_name="Agim"), world.h_kline.members.get(given_name="Drita")
    GuardRule.objects.create(category="training", mode="block")
    record_delivery(acting_user=world.klara, programme=world.rrk6, person=agim, type=kind("vocational_training"),
                    date=DAY)
    record_delivery(acting_user=world.klara, programme=world.rrk6, person=drita, type=kind("vocational_training"),
                    date=DAY)  # another member: not double assistance
    with pytest.raises(GuardBlocked):
        record_delivery(acting_user=world.klara, programme=world.rrk6, person=agim, type=kind("business_training"),
                        date=DAY)


def test_it_names_the_field_when_the_recipient_is_wrong(world):
    agim = world.h_kline.members.get(given_name="Agim")
    with pytest.raises(ValidationError) as error:
        record_delivery(acting_user=world.klara, programme=world.rrk6, person=agim, type=kind("house_construction"),
                        date=DAY)
    assert "household" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        record_delivery(acting_user=world.klara, programme=world.rrk6, household=world.h_kline, person=agim,
                        type=kind("house_construction"), date=DAY)
    assert "household" in error.value.message_dict
    assert not Delivery.objects.exists() and not AuditEntry.objects.exists()


def test_medical_help_needs_a_cleared_user(world):
    survivor = world.h_sensitive.members.get()
    with pytest.raises(ValidationError):
        record_delivery(acting_user=world.klara, programme=world.ct, person=survivor,
                        type=kind("medical_assistance"), date=DAY)
    delivery, _ = record_delivery(acting_user=world.sara, programme=world.ct, person=survivor,
                                  type=kind("medical_assistance"), date=DAY)
    assert not Delivery.objects.visible_to(world.klara).filter(pk=delivery.pk).exists()
    assert Delivery.objects.visible_to(world.sara).filter(pk=delivery.pk).exists()


def test_read_only_roles_record_nothing(world):
    with pytest.raises(PermissionDenied):
        record_delivery(acting_user=world.mira, programme=world.rrk6, household=world.h_kline,
                        type=kind("firewood"), date=DAY)


@pytest.mark.parametrize("quantity", [0, -2, "many"])
def test_it_names_the_quantity_when_it_is_not_above_zero_and_writes_nothing(world, quantity):
    with pytest.raises(ValidationError) as error:
        record_delivery(acting_user=world.klara, programme=world.rrk6, household=world.h_kline,
                        type=kind("food_package"), date=DAY, quantity=quantity)
    assert "quantity" in error.value.message_dict
    assert not Delivery.objects.exists() and not AuditEntry.objects.filter(model="assistance.delivery").exists()
