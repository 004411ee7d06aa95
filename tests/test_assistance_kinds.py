"""Kinds of assistance with their own detail and history: houses, grants, training, placements,
referrals, medical help."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assistance.kinds import (
    add_follow_up, add_milestone, change_referral_status, house_progress, record_assistance, save_detail,
)
from assistance.models import (
    KINDS, AssistanceType, Delivery, HouseDetail, HouseMilestone, IncomeGrantDetail, JobPlacementDetail,
    MedicalDetail, ReferralDetail, TrainingDetail,
)
from audit.models import AuditEntry

DAY = datetime.date(2024, 6, 1)


def kind(code):
    return AssistanceType.objects.get(code=code)


def member(household, given):
    return household.members.get(given_name=given)


def house(world, household=None, user=None, programme=None, **detail):
    detail = {"municipality": "Klina", "site": "Dollc, parcel 12", "contractor": "Ndërtimi SH.P.K.",
              "cost_eur": "24500.00", **detail}
    delivery, _ = record_assistance(acting_user=user or world.klara, programme=programme or world.rrk6,
                                    household=household or world.h_kline, type=kind("house_construction"),
                                    date=DAY, value_eur=24500, detail=detail)
    return delivery.housedetail


def test_every_kind_is_a_detail_of_a_catalogue_type(db):
    assert set(KINDS) <= set(AssistanceType.objects.values_list("code", flat=True))
    for model in KINDS.values():
        assert model._meta.get_field("delivery").one_to_one
        assert model.WIRE


def test_it_records_a_house_with_its_detail_and_audit(world):
    detail = house(world)
    assert detail.municipality == world.kline and detail.site == "Dollc, parcel 12"
    assert str(detail.cost_eur) == "24500.00"
    entry = AuditEntry.objects.get(model="assistance.housedetail", action="create")
    assert entry.actor == world.klara and entry.household_id == world.h_kline.pk
    assert entry.changes["site"] == [None, "Dollc, parcel 12"]


def test_a_rejected_detail_leaves_nothing_behind(world):
    with pytest.raises(ValidationError) as error:
        house(world, municipality="Atlantis", cost_eur="-5")
    assert set(error.value.message_dict) == {"detail.municipality", "detail.cost_eur"}
    assert not Delivery.objects.exists() and not HouseDetail.objects.exists()
    assert not AuditEntry.objects.exists()


def test_it_names_an_unknown_or_missing_detail_field(world):
    with pytest.raises(ValidationError) as error:
        house(world, site="", colour="blue")
    assert {"detail.site", "detail.colour"} <= set(error.value.message_dict)


def test_a_type_without_a_kind_takes_no_detail(world):
    with pytest.raises(ValidationError) as error:
        record_assistance(acting_user=world.klara, programme=world.rrk6, household=world.h_kline,
                          type=kind("firewood"), date=DAY, detail={"site": "x"})
    assert "detail" in error.value.message_dict
    assert not Delivery.objects.exists()


def test_milestones_are_rows_in_the_fixed_order(world):
    detail = house(world)
    add_milestone(detail, "assessment", DAY, acting_user=world.klara)
    add_milestone(detail, "design", DAY + datetime.timedelta(days=10), acting_user=world.klara)
    with pytest.raises(ValidationError) as error:
        add_milestone(detail, "completed", DAY + datetime.timedelta(days=20), acting_user=world.klara)
    assert "milestone" in error.value.message_dict
    with pytest.raises(ValidationError):
        add_milestone(detail, "assessment", DAY + datetime.timedelta(days=20), acting_user=world.klara)
    with pytest.raises(ValidationError) as error:
        add_milestone(detail, "permits", DAY, acting_user=world.klara)  # before the design
    assert "date" in error.value.message_dict
    assert list(detail.milestones.values_list("milestone", flat=True)) == ["assessment", "design"]
    assert AuditEntry.objects.filter(model="assistance.housedetail", action="transition").count() == 2


def test_a_house_goes_through_every_milestone_and_no_further(world):
    detail = house(world)
    order = ["assessment", "design", "permits", "tender", "construction_started", "completed", "handed_over",
             "family_moved_in"]
    for i, step in enumerate(order):
        add_milestone(detail, step, DAY + datetime.timedelta(days=i), acting_user=world.klara)
    with pytest.raises(ValidationError):
        add_milestone(detail, "family_moved_in", DAY + datetime.timedelta(days=30), acting_user=world.klara)
    assert HouseMilestone.objects.filter(house=detail).count() == 8


def test_the_progress_list_shows_each_house_with_its_latest_milestone(world):
    first = house(world)
    second = house(world, household=world.h_dragash, user=world.drita, municipality="Dragash", site="Brod")
    add_milestone(first, "assessment", DAY, acting_user=world.klara)
    add_milestone(first, "design", DAY + datetime.timedelta(days=3), acting_user=world.klara)
    rows = {h.delivery.household.ref: (h.latest_milestone, h.latest_date)
            for h in house_progress(world.rrk, user=world.ada)}
    assert rows == {"H-KL-1": ("design", DAY + datetime.timedelta(days=3)), "H-DR-1": (None, None)}
    assert second.pk in {h.pk for h in house_progress(world.rrk6, user=world.drita)}
    assert [h.delivery.household.ref for h in house_progress(world.rrk, user=world.klara)] == ["H-KL-1"]
    assert not house_progress(world.rrk, user=world.dona).exists()


def grant(world, **detail):
    detail = {"business_plan": "A small bakery in Klinë", "sector": "production",
              "equipment": [{"item": "Oven", "quantity": 1, "value_eur": "2400"},
                            {"item": "Mixer", "quantity": 2, "value_eur": "300.50"}], **detail}
    delivery, _ = record_assistance(acting_user=world.klara, programme=world.rrk6, household=world.h_kline,
                                    type=kind("income_generation_grant"), date=DAY, value_eur=3000, detail=detail)
    return delivery.incomegrantdetail


def test_a_grant_keeps_its_equipment_and_the_business_status_at_each_follow_up(world):
    detail = grant(world)
    assert [(e.item, e.quantity, str(e.value_eur)) for e in detail.equipment.all()] == [
        ("Oven", 1, "2400.00"), ("Mixer", 2, "300.50")]
    add_follow_up(detail, "operating", DAY + datetime.timedelta(days=90), acting_user=world.klara)
    add_follow_up(detail, "changed", DAY + datetime.timedelta(days=180), note="now a café", acting_user=world.klara)
    assert list(detail.follow_ups.values_list("status", flat=True)) == ["operating", "changed"]
    with pytest.raises(ValidationError) as error:
        add_follow_up(detail, "thriving", DAY, acting_user=world.klara)
    assert "status" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        add_follow_up(detail, "closed", DAY - datetime.timedelta(days=1), acting_user=world.klara)
    assert "date" in error.value.message_dict


def test_a_grant_refuses_a_bad_sector_and_a_bad_equipment_line(world):
    with pytest.raises(ValidationError) as error:
        grant(world, sector="mining", equipment=[{"item": "Saw", "value_eur": "-1"}])
    assert {"detail.sector", "detail.equipment[0].value_eur"} <= set(error.value.message_dict)
    assert not IncomeGrantDetail.objects.exists() and not Delivery.objects.exists()


def test_training_checks_its_dates_and_certificate(world):
    agim = member(world.h_kline, "Agim")
    delivery, _ = record_assistance(
        acting_user=world.klara, programme=world.rrk6, person=agim, type=kind("vocational_training"), date=DAY,
        detail={"course": "Welding", "provider": "VTC Prizren", "start_date": "2024-06-01",
                "end_date": "2024-08-30", "hours": 240, "completed": True, "certificate": True})
    assert delivery.trainingdetail.hours == 240 and delivery.trainingdetail.certificate
    with pytest.raises(ValidationError) as error:
        record_assistance(acting_user=world.klara, programme=world.rrk6, person=member(world.h_kline, "Drita"),
                          type=kind("business_training"), date=DAY,
                          detail={"course": "Bookkeeping", "start_date": "2024-06-01", "end_date": "2024-05-01",
                                  "certificate": True, "hours": "many"})
    assert {"detail.end_date", "detail.hours"} <= set(error.value.message_dict)
    assert TrainingDetail.objects.count() == 1


def test_a_job_placement_needs_the_monthly_subsidy_when_it_has_months(world):
    agim = member(world.h_kline, "Agim")
    with pytest.raises(ValidationError) as error:
        record_assistance(acting_user=world.klara, programme=world.rrk6, person=agim, type=kind("job_placement"),
                          date=DAY, detail={"employer": "Auto Servis Klina", "start_date": "2024-07-01",
                                            "subsidy_months": 6})
    assert "detail.monthly_amount_eur" in error.value.message_dict
    delivery, _ = record_assistance(
        acting_user=world.klara, programme=world.rrk6, person=agim, type=kind("job_placement"), date=DAY,
        detail={"employer": "Auto Servis Klina", "start_date": "2024-07-01", "subsidy_months": 6,
                "monthly_amount_eur": "250"})
    assert JobPlacementDetail.objects.get(delivery=delivery).start_date == datetime.date(2024, 7, 1)


def referral(world, **detail):
    detail = {"to": "Centre for Social Work Klinë", "reason": "disability allowance", "consent": True, **detail}
    delivery, _ = record_assistance(acting_user=world.klara, programme=world.rrk6,
                                    person=member(world.h_kline, "Drita"), type=kind("referral"), date=DAY,
                                    detail=detail)
    return delivery.referraldetail


def test_a_referral_needs_consent(world):
    with pytest.raises(ValidationError) as error:
        referral(world, consent=False)
    assert "detail.consent" in error.value.message_dict
    assert not ReferralDetail.objects.exists()


def test_a_referral_goes_sent_then_accepted_or_declined_then_completed(world):
    detail = referral(world)
    with pytest.raises(ValidationError):
        change_referral_status(detail, "completed", DAY, acting_user=world.klara)
    change_referral_status(detail, "accepted", DAY, acting_user=world.klara)
    change_referral_status(detail, "completed", DAY, outcome="allowance granted", acting_user=world.klara)
    detail.refresh_from_db()
    assert (detail.status, detail.outcome) == ("completed", "allowance granted")
    assert list(detail.changes.values_list("to_status", flat=True)) == ["sent", "accepted", "completed"]
    with pytest.raises(ValidationError):
        change_referral_status(detail, "declined", DAY, acting_user=world.klara)


def test_a_declined_referral_is_final(world):
    detail = referral(world)
    change_referral_status(detail, "declined", DAY, acting_user=world.klara)
    with pytest.raises(ValidationError):
        change_referral_status(detail, "accepted", DAY, acting_user=world.klara)


def test_an_evacuation_goes_abroad_and_is_audited_as_sensitive(world):
    survivor = world.h_sensitive.members.get()
    with pytest.raises(ValidationError) as error:
        record_assistance(acting_user=world.sara, programme=world.ct, person=survivor,
                          type=kind("medical_evacuation"), date=DAY, detail={"facility": "UCCK Prishtinë"})
    assert "detail.destination_country" in error.value.message_dict
    delivery, _ = record_assistance(acting_user=world.sara, programme=world.ct, person=survivor,
                                    type=kind("medical_evacuation"), date=DAY,
                                    detail={"facility": "Acıbadem Istanbul", "destination_country": "tr"})
    assert MedicalDetail.objects.get(delivery=delivery).destination_country.code == "TR"
    assert AuditEntry.objects.get(model="assistance.medicaldetail").sensitive
    assert not Delivery.objects.visible_to(world.klara).filter(pk=delivery.pk).exists()


def test_the_detail_can_be_added_later_and_changed(world):
    delivery, _ = record_assistance(acting_user=world.klara, programme=world.rrk6, household=world.h_kline,
                                    type=kind("house_reconstruction"), date=DAY)
    save_detail(delivery, {"municipality": "M18", "site": "Zajm"}, acting_user=world.klara)
    save_detail(delivery, {"contractor": "Ndërtimi"}, acting_user=world.klara)
    detail = HouseDetail.objects.get(delivery=delivery)
    assert (detail.site, detail.contractor) == ("Zajm", "Ndërtimi")
    assert AuditEntry.objects.get(model="assistance.housedetail", action="update").changes == {
        "contractor": ["", "Ndërtimi"]}


def test_read_only_roles_add_no_history(world):
    detail = house(world)
    with pytest.raises(PermissionDenied):
        add_milestone(detail, "assessment", DAY, acting_user=world.mira)
    assert not detail.milestones.exists()
