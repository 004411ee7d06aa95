"""`homeward demo` gives each seed programme the assistance, activities and projects of its kind,
drawn on the demo households; a second run adds nothing."""

import pytest
from django.core.management import call_command
from django.db.models import Count

from activities.models import Activity, Attendance, CommunityProject, ProjectStatusChange
from assistance.actions import earlier_assistance
from assistance.models import (
    BusinessFollowUp, Delivery, DeliveryStatusChange, EquipmentLine, HouseDetail, HouseMilestone, IncomeGrantDetail,
    MILESTONE_ORDER, ReferralStatusChange,
)
from audit.models import AuditEntry
from programmes.models import EnrolmentStatusChange


def counts():
    return {model.__name__: model.objects.count() for model in (
        Delivery, DeliveryStatusChange, HouseDetail, HouseMilestone, IncomeGrantDetail, EquipmentLine,
        BusinessFollowUp, ReferralStatusChange, Activity, Attendance, CommunityProject, ProjectStatusChange,
        EnrolmentStatusChange, AuditEntry)}


def types_of(code):
    return set(Delivery.objects.filter(programme__code=code).values_list("type__code", flat=True))


@pytest.mark.django_db
def test_each_seed_programme_has_assistance_of_its_kinds(demo):
    assert {"house_construction", "harmonized_package"} <= types_of("RRK-VI")
    assert {"house_reconstruction", "income_generation_grant", "return_package", "transport"} <= types_of(
        "EAR-RAE-KLINA")
    assert {"income_generation_grant", "vocational_training", "job_placement"} <= types_of("UK-VARRP")
    assert {"vocational_training", "job_placement"} <= types_of("KPC-PILOT")
    assert {"psychosocial_support", "referral"} <= types_of("CT-IGS")
    assert types_of("SMP") & {"medical_assistance", "medical_evacuation"}
    assert {"return_package", "transport"} <= types_of("SR-ODRZIVI")


@pytest.mark.django_db
def test_the_klina_programme_rebuilt_30_houses_and_gave_30_grants(demo):
    houses = HouseDetail.objects.filter(delivery__programme__code="EAR-RAE-KLINA")
    assert houses.values("delivery__household").distinct().count() == 30
    assert set(houses.values_list("municipality__code", flat=True)) == {"M18"}
    # Every family has moved in: the last milestone, reached through every one before it.
    for house in houses.prefetch_related("milestones"):
        assert [m.milestone for m in house.milestones.all()] == list(MILESTONE_ORDER)
    sectors = dict(IncomeGrantDetail.objects.filter(delivery__programme__code="EAR-RAE-KLINA")
                   .values_list("sector").annotate(n=Count("pk")))
    assert sectors == {"production": 10, "service": 20}
    assert EquipmentLine.objects.filter(grant__delivery__programme__code="EAR-RAE-KLINA").exists()
    assert BusinessFollowUp.objects.filter(grant__delivery__programme__code="EAR-RAE-KLINA").exists()


@pytest.mark.django_db
def test_rrk6_houses_are_under_way_or_finished(demo):
    houses = list(HouseDetail.objects.filter(delivery__programme__code="RRK-VI").select_related("delivery"))
    assert houses
    finished = [h for h in houses if h.delivery.status == "delivered"]
    under_way = [h for h in houses if h.delivery.status == "planned"]
    assert finished and under_way
    assert all(h.latest_milestone().milestone == "family_moved_in" for h in finished)
    assert all(h.latest_milestone().milestone != "family_moved_in" for h in under_way)


@pytest.mark.django_db
def test_no_household_got_two_houses(demo):
    for delivery in Delivery.objects.filter(type__category="shelter").select_related("type"):
        assert earlier_assistance(delivery.household_id, delivery.type).count() == 1, delivery.household.ref


@pytest.mark.django_db
def test_sensitive_help_is_in_sensitive_programmes_or_of_sensitive_types(demo):
    psychosocial = Delivery.objects.filter(type__code="psychosocial_support")
    assert psychosocial.exists() and all(d.programme.sensitive for d in psychosocial.select_related("programme"))
    assert ReferralStatusChange.objects.filter(referral__delivery__programme__code="CT-IGS",
                                               to_status="accepted").exists()
    from accounts.models import User

    klina = User.objects.get(username="klina")
    assert not Delivery.objects.visible_to(klina).filter(programme__code__in=["CT-IGS", "SMP"]).exists()
    assert Delivery.objects.visible_to(klina).filter(programme__code="EAR-RAE-KLINA").exists()


@pytest.mark.django_db
def test_activities_and_community_projects_are_loaded(demo):
    migdia = set(Activity.objects.filter(programme__code="MIGDIA").values_list("type", flat=True))
    assert {"conference", "study_visit", "b2b_meeting"} <= migdia
    serbia = set(Activity.objects.filter(programme__code="SR-ODRZIVI").values_list("type", flat=True))
    assert {"go_and_see_visit", "information_meeting"} <= serbia
    for activity in Activity.objects.all():
        assert activity.participants_by_sex() > 0
        assert activity.participants_by_kind() in (0, activity.participants_by_sex())
    projects = set(CommunityProject.objects.filter(programme__code="SR-ODRZIVI").values_list("type", flat=True))
    assert {"road", "water_supply"} <= projects
    schools = CommunityProject.objects.filter(programme__code="KPC-TF", type="school")
    assert (schools.filter(status="completed").count(), schools.filter(status="cancelled").count()) == (4, 1)


@pytest.mark.django_db
def test_it_adds_no_assistance_on_a_second_run(demo, capsys):
    before = counts()
    call_command("demo")
    assert counts() == before
    assert "nothing added" in capsys.readouterr().out
