"""Each kind of indicator computed from records built by hand, with its drill-down.

`records` (below) adds to the small world (tests/conftest.py) and H-LP-1 (Lipjan, 4 members):
- houses: H-KL-1 built in RRK-VI (24,500 EUR), handed over 10 Sep 2024; H-DR-1 rebuilt in RRK
  itself (18,000 EUR), completed but not handed over; H-LP-1's house (30,000 EUR) only planned.
- grants: H-KL-1 (production), visited 1 Oct 2024 operating and 1 Mar 2025 closed; H-DR-1
  (service), visited 5 Oct 2024 operating; H-LP-1, never visited.
- trainings: Agim completed with a certificate; Drita completed without; Nexhmije's is planned.
- activities of RRK-VI: a training (Arben attended and certified, Ilir absent; 3 women and 2 men
  anonymous) and an information meeting (Drita attended; 10 women, 5 men, 1 unknown).
- referrals: Dragan's completed on 1 Aug 2024; Nexhmije's only accepted.
- community projects: a road completed 1 Jul 2024 (420 people), a school completed 1 Feb 2025
  (900), a clinic in progress (300).
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from activities.actions import add_attendees, create_project, transition_project
from activities.models import CommunityProject
from assistance.kinds import add_follow_up, add_milestone, change_referral_status, record_assistance
from assistance.models import MILESTONE_ORDER, Milestone
from places.models import Community
from registry.models import Household, Person
from reports import indicators
from reports.actions import create_indicator, create_result, record_manual_value, set_target
from reports.models import Indicator, ManualValue, Result
from reports.reach import Basis
from tests.test_reports_reach import activity, kind, member

D = datetime.date
END = D(2025, 6, 30)


def assist(world, code, *, household=None, person=None, programme=None, date=D(2024, 3, 1), status="delivered",
           value_eur=None, detail=None):
    delivery, _warnings = record_assistance(acting_user=world.ada, programme=programme or world.rrk6,
                                            type=kind(code), household=household, person=person, date=date,
                                            status=status, value_eur=value_eur, detail=detail)
    return delivery


def walk_house(world, house, until, day):
    for milestone in MILESTONE_ORDER[:MILESTONE_ORDER.index(until) + 1]:
        add_milestone(house, milestone, day, acting_user=world.ada)


def project(world, type, catchment, completed_on=None):
    p = create_project(CommunityProject(type=type, title=type, programme=world.rrk6, catchment_population=catchment),
                       acting_user=world.ada)
    transition_project(p, "in_progress", acting_user=world.ada)
    if completed_on:
        transition_project(p, "completed", on=completed_on, acting_user=world.ada)
    return p


@pytest.fixture
def records(world):
    w = world
    w.h_lipjan = Household.objects.create(ref="H-LP-1", current_country=w.h_kline.current_country,
                                          current_municipality=w.lipjan, responsible_municipality=w.lipjan)
    for i, (name, sex) in enumerate([("Besa", "F"), ("Kushtrim", "M"), ("Liridona", "F"), ("Mentor", "M")]):
        Person.objects.create(household=w.h_lipjan, ref=f"H-LP-1-{i}", relationship="head" if i == 0 else "child",
                              given_name=name, family_name="Morina", sex=sex, birth_year=1980 + 10 * i,
                              displacement_status="returnee", community=Community.objects.get(code="ALB"))
    house = {"municipality": "Klina", "site": "Dollc"}
    kline_house = assist(w, "house_construction", household=w.h_kline, value_eur=24500, detail=house)
    walk_house(w, kline_house.housedetail, Milestone.HANDED_OVER, D(2024, 9, 10))
    dragash_house = assist(w, "house_reconstruction", household=w.h_dragash, programme=w.rrk, value_eur=18000,
                           detail={**house, "municipality": "Dragash"})
    walk_house(w, dragash_house.housedetail, Milestone.COMPLETED, D(2024, 9, 1))
    planned_house = assist(w, "house_construction", household=w.h_lipjan, status="planned", value_eur=30000,
                           detail={**house, "municipality": "Lipjan"})
    walk_house(w, planned_house.housedetail, Milestone.HANDED_OVER, D(2024, 9, 10))  # yet never delivered

    grant = {"business_plan": "Carpentry workshop", "sector": "production"}
    kline_grant = assist(w, "income_generation_grant", household=w.h_kline, date=D(2024, 4, 1), detail=grant)
    add_follow_up(kline_grant.incomegrantdetail, "operating", D(2024, 10, 1), acting_user=w.ada)
    add_follow_up(kline_grant.incomegrantdetail, "closed", D(2025, 3, 1), acting_user=w.ada)
    dragash_grant = assist(w, "income_generation_grant", household=w.h_dragash, date=D(2024, 4, 1),
                           detail={**grant, "sector": "service"})
    add_follow_up(dragash_grant.incomegrantdetail, "operating", D(2024, 10, 5), acting_user=w.ada)
    assist(w, "income_generation_grant", household=w.h_lipjan, date=D(2024, 4, 1), detail=grant)

    agim, drita, arben = (member(w.h_kline, n) for n in ("Agim", "Drita", "Arben"))
    nexhmije, ilir = member(w.h_dragash, "Nexhmije"), member(w.h_dragash, "Ilir")
    assist(w, "vocational_training", person=agim, detail={"course": "Welding", "completed": True, "certificate": True})
    assist(w, "business_training", person=drita, detail={"course": "Bookkeeping", "completed": True})
    assist(w, "language_course", person=nexhmije, status="planned", detail={"course": "German", "completed": True})

    training = activity(w, w.rrk6, attendees=[], date=D(2024, 5, 20), female=3, male=2)
    add_attendees(training, [arben.pk], certified=True, acting_user=w.ada)
    add_attendees(training, [ilir.pk], attended=False, acting_user=w.ada)
    activity(w, w.rrk6, attendees=[drita], date=D(2024, 6, 3), type="information_meeting", female=10, male=5,
             unknown=1)

    dragan = w.h_serbia.members.get()
    referral = {"to": "Centre for Social Work", "reason": "Pension papers", "consent": True}
    sent = assist(w, "referral", person=dragan, date=D(2024, 7, 1), detail=referral).referraldetail
    change_referral_status(sent, "accepted", D(2024, 7, 10), acting_user=w.ada)
    change_referral_status(sent, "completed", D(2024, 8, 1), acting_user=w.ada)
    other = assist(w, "referral", person=nexhmije, date=D(2024, 7, 1), detail=referral).referraldetail
    change_referral_status(other, "accepted", D(2024, 7, 10), acting_user=w.ada)

    project(w, "road", 420, D(2024, 7, 1))
    project(w, "school", 900, D(2025, 2, 1))
    project(w, "clinic", 300)
    w.output = create_result(Result(programme=w.rrk, level="goal", code="1", statement="Sustainable return"),
                             acting_user=w.marko)
    return w


def indicator(world, measure, *, types=(), code=None, unit="n", **fields):
    return create_indicator(Indicator(result=world.output, code=code or measure, name=measure, unit=unit,
                                      measure=measure, **fields),
                            assistance_types=[kind(t) for t in types], acting_user=world.marko)


def figure(world, ind, user=None, since=None, on=END):
    return indicators.value(ind, Basis.of(user or world.ada, world.rrk, include_phases=True, on=on, since=since))


def drill(world, ind, user):
    return indicators.records(ind, Basis.of(user, world.rrk, include_phases=True, on=END))


def test_it_counts_houses_handed_over_of_delivered_assistance_only(records):
    houses = indicator(records, "houses_handed_over")
    assert figure(records, houses) == 1  # Klinë's; Dragash's is not handed over, Lipjan's not delivered
    assert figure(records, houses, on=D(2024, 9, 9)) == 0
    assert [h.delivery.household for h in drill(records, houses, records.klara)] == [records.h_kline]
    assert not drill(records, houses, records.drita).exists()


def test_it_counts_deliveries_and_sums_their_value(records):
    houses = ["house_construction", "house_reconstruction"]
    assert figure(records, indicator(records, "deliveries", types=houses)) == 2
    assert figure(records, indicator(records, "value_eur", code="V", types=houses)) == Decimal("42500")
    assert figure(records, indicator(records, "quantity", code="Q", types=houses)) == Decimal("2")


def test_it_counts_households_and_persons_with_assistance_of_given_types(records):
    grants = indicator(records, "households_assisted", types=["income_generation_grant"],
                       disaggregations=["municipality"])
    assert figure(records, grants) == 3
    basis = Basis.of(records.ada, records.rrk, include_phases=True, on=END)
    assert indicators.breakdown(grants, basis, "municipality") == [
        {"key": "M04", "value": 1}, {"key": "M18", "value": 1}, {"key": "M24", "value": 1}]
    assert figure(records, grants, records.klara) == 1 and figure(records, grants, records.drita) == 1
    people = indicator(records, "persons_assisted", code="P", types=["income_generation_grant"])
    assert figure(records, people) == 3 + 2 + 4  # every member of the three families


def test_it_counts_people_trained_and_certified(records):
    trained = indicator(records, "persons_trained", disaggregations=["sex"])
    # Agim and Drita completed their trainings; Arben attended the training activity. Ilir was
    # absent; Nexhmije's course is only planned; Drita's information meeting is not a training.
    assert figure(records, trained) == 3
    basis = Basis.of(records.ada, records.rrk, include_phases=True, on=END)
    assert indicators.breakdown(trained, basis, "sex") == [{"key": "F", "value": 1}, {"key": "M", "value": 2}]
    certified = indicator(records, "persons_certified")
    assert figure(records, certified) == 2  # Agim's certificate, Arben's certified attendance
    assert {p.given_name for p in drill(records, certified, records.klara)} == {"Agim", "Arben"}
    assert not drill(records, certified, records.drita).exists()


def test_it_counts_activities_and_their_participants(records):
    assert figure(records, indicator(records, "activities")) == 2
    assert figure(records, indicator(records, "activities", code="A-T", activity_types=["training"])) == 1
    # Arben and Drita attended (Ilir did not), plus 3 + 2 + 10 + 5 + 1 anonymous participants.
    assert figure(records, indicator(records, "activity_participants")) == 2 + 21
    assert figure(records, indicator(records, "activity_participants", code="AP-T", activity_types=["training"])) == 6


def test_it_counts_referrals_completed(records):
    completed = indicator(records, "referrals_completed")
    assert figure(records, completed) == 1
    assert figure(records, completed, on=D(2024, 7, 31)) == 0
    assert [r.delivery.person.given_name for r in drill(records, completed, records.petar)] == ["Dragan"]


def test_it_counts_community_projects_and_their_catchment(records):
    projects = indicator(records, "projects_completed")
    assert figure(records, projects) == 2
    assert figure(records, projects, on=D(2024, 12, 31)) == 1
    assert figure(records, indicator(records, "projects_completed", code="S", project_types=["school"])) == 1
    assert figure(records, indicator(records, "catchment_population")) == 420 + 900


def test_it_computes_the_share_of_businesses_operating_at_follow_up(records):
    visited = indicator(records, "businesses_followed_up")
    operating = indicator(records, "businesses_operating")
    share = indicator(records, "ratio", code="R", unit="%", numerator=operating, denominator=visited)
    # End of 2024: both visited businesses operate. Mid-2025: Klinë's closed in March.
    assert (figure(records, visited, on=D(2024, 12, 31)), figure(records, operating, on=D(2024, 12, 31))) == (2, 2)
    assert figure(records, share, on=D(2024, 12, 31)) == Decimal("100.0")
    assert figure(records, share) == Decimal("50.0")
    assert figure(records, share, on=D(2024, 9, 30)) is None  # nobody visited yet: no share


def test_it_sums_manual_values_with_their_evidence(records):
    plans = indicator(records, "manual", unit="plans")
    record_manual_value(plans, D(2024, 1, 1), D(2024, 6, 30), 2, "Minutes of Klinë and Dragash assemblies",
                        acting_user=records.mira)
    record_manual_value(plans, D(2024, 7, 1), D(2024, 12, 31), 1, "Lipjan action plan", acting_user=records.marko)
    assert figure(records, plans) == 3
    assert figure(records, plans, since=D(2024, 7, 1)) == 1
    with pytest.raises(PermissionDenied):
        record_manual_value(plans, D(2025, 1, 1), D(2025, 6, 30), 1, "x", acting_user=records.klara)
    with pytest.raises(ValidationError) as error:
        record_manual_value(plans, D(2025, 1, 1), D(2025, 6, 30), 1, " ", acting_user=records.mira)
    assert set(error.value.message_dict) == {"evidence"}
    counted = indicator(records, "activities")
    with pytest.raises(ValidationError) as error:
        record_manual_value(counted, D(2025, 1, 1), D(2025, 6, 30), 1, "x", acting_user=records.mira)
    assert set(error.value.message_dict) == {"indicator"}
    assert ManualValue.objects.count() == 2


def test_it_gives_each_target_period_its_own_actual(records):
    from reports.results import framework

    houses = indicator(records, "houses_handed_over", baseline=0)
    set_target(houses, D(2024, 1, 1), D(2024, 6, 30), 1, acting_user=records.marko)
    set_target(houses, D(2024, 7, 1), D(2024, 12, 31), 2, acting_user=records.marko)
    set_target(houses, D(2024, 7, 1), D(2024, 12, 31), 3, acting_user=records.marko)  # changed, not added
    goal = framework(records.rrk, Basis.of(records.mira, records.rrk, include_phases=True, on=END))[0]
    figures = goal["indicators"][0]
    assert figures["actual"] == 1
    assert [(t["period_end"], t["target"], t["actual"]) for t in figures["targets"]] == [
        (D(2024, 6, 30), 1, 0), (D(2024, 12, 31), 3, 1)]


def test_it_refuses_definitions_that_do_not_fit_the_measure(records):
    cases = [
        (dict(measure="deliveries", activity_types=["training"]), (), {"activity_types"}),
        (dict(measure="activities", activity_types=["party"]), (), {"activity_types"}),
        (dict(measure="activities"), ("food_package",), {"assistance_types"}),
        (dict(measure="activities", disaggregations=["sex"]), (), {"disaggregations"}),
        (dict(measure="persons_assisted", disaggregations=["religion"]), (), {"disaggregations"}),
        (dict(measure="households_assisted", disaggregations=["sex"]), (), {"disaggregations"}),
        (dict(measure="ratio"), (), {"numerator", "denominator"}),
        (dict(measure="counting_sheep"), (), {"measure"}),
        (dict(measure="projects_completed", project_types=["school", "school"]), (), {"project_types"}),
    ]
    for fields, types, errors in cases:
        with pytest.raises(ValidationError) as error:
            indicator(records, code="BAD", types=types, **fields)
        assert set(error.value.message_dict) == errors, fields
    assert not Indicator.objects.exists()


def test_it_keeps_the_framework_in_shape(records):
    goal = records.output
    with pytest.raises(ValidationError) as error:
        create_result(Result(programme=records.rrk, level="output", code="1.1", parent=goal, statement="x"),
                      acting_user=records.marko)
    assert set(error.value.message_dict) == {"parent"}
    with pytest.raises(ValidationError):
        create_result(Result(programme=records.rrk, level="outcome", code="1.2", statement="x"),
                      acting_user=records.marko)
    with pytest.raises(ValidationError):
        create_result(Result(programme=records.rrk6, level="outcome", code="1.3", parent=goal, statement="x"),
                      acting_user=records.marko)
    with pytest.raises(PermissionDenied):
        create_result(Result(programme=records.rrk, level="goal", code="2", statement="x"), acting_user=records.klara)
    create_result(Result(programme=records.rrk, level="outcome", code="1.1", parent=goal, statement="Income"),
                  acting_user=records.marko)
