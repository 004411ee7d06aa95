"""Reach (contract section 5), counted from deliveries and attendance built by hand.

The small world (tests/conftest.py) plus, in `reached`:
- H-KL-1 (Agim M 1970, Drita F 1975, Arben M 2010): Agim has two delivered trainings in RRK-VI;
  Drita attended an activity of RRK-VI-A (a phase of RRK-VI); Arben was registered there but absent.
- H-DR-1 (Nexhmije F 1980, Ilir M 2012): a delivered food package in RRK-VI (household-level).
- H-RS-1 (Dragan M 1965, lives in Serbia, from Klinë): a delivered return package in RRK itself,
  and a planned and a cancelled transport in RRK-VI.
"""

import datetime

import pytest

from activities.actions import add_attendees, create_activity
from activities.models import Activity
from assistance.actions import record_delivery
from assistance.models import AssistanceType
from places.models import Community
from programmes.models import Programme
from registry.models import Household, Person
from reports.reach import Basis, NotVisible, age_cutoff, reach

DAY = datetime.date(2024, 6, 30)


def kind(code):
    return AssistanceType.objects.get(code=code)


def member(household, given):
    return household.members.get(given_name=given)


def deliver(world, programme, code, *, household=None, person=None, date=datetime.date(2024, 5, 1),
            status="delivered", **extra):
    delivery, _warnings = record_delivery(acting_user=world.ada, programme=programme, type=kind(code),
                                          household=household, person=person, date=date, status=status, **extra)
    return delivery


def activity(world, programme, *, attendees=(), date=datetime.date(2024, 5, 20), type="training", female=0, male=0,
             unknown=0):
    return create_activity(Activity(programme=programme, type=type, title=f"{type} {date}", date=date,
                                    municipality=world.kline, participants_female=female, participants_male=male,
                                    participants_sex_unknown=unknown),
                           attendees=[p.pk for p in attendees], acting_user=world.ada)


@pytest.fixture
def reached(world):
    w = world
    w.rrk6a = Programme.objects.create(code="RRK-VI-A", name="RRK VI, Klinë component", parent=w.rrk6)
    agim, drita, arben = (member(w.h_kline, n) for n in ("Agim", "Drita", "Arben"))
    deliver(w, w.rrk6, "vocational_training", person=agim)
    deliver(w, w.rrk6, "business_training", person=agim, date=datetime.date(2024, 6, 1))
    meeting = activity(w, w.rrk6a, attendees=[drita], female=12, male=9)
    add_attendees(meeting, [arben.pk], attended=False, acting_user=w.ada)
    deliver(w, w.rrk6, "food_package", household=w.h_dragash, date=datetime.date(2024, 6, 15))
    deliver(w, w.rrk, "return_package", household=w.h_serbia, date=datetime.date(2024, 3, 1))
    deliver(w, w.rrk6, "transport", household=w.h_serbia, status="planned")
    deliver(w, w.rrk6, "cash_grant", household=w.h_serbia, status="cancelled")
    return w


def figures(user, programme, *, include_phases=False, on=DAY, by=None, since=None):
    return reach(Basis.of(user, programme, include_phases=include_phases, on=on, since=since), by=by)


def totals(result):
    return result["households"], result["direct"], result["indirect"]


def rows(result):
    return {r["key"]: (r["households"], r["direct"], r["indirect"]) for r in result["rows"]}


def test_it_counts_a_person_with_two_deliveries_once(reached):
    # Agim (two trainings) and the Hoxha household (a package: both members) are direct;
    # Drita and Arben are indirect through Agim; Drita's attendance is in a phase, not counted here.
    assert totals(figures(reached.ada, reached.rrk6)) == (2, 3, 2)


def test_it_counts_attendees_of_phases_at_any_depth_when_asked(reached):
    # RRK-VI-A is a phase of RRK-VI: Drita becomes direct; Arben was absent and stays indirect.
    assert totals(figures(reached.ada, reached.rrk6, include_phases=True)) == (2, 4, 1)
    # From RRK, every phase: Dragan's return package in RRK itself adds one household.
    assert totals(figures(reached.ada, reached.rrk, include_phases=True)) == (3, 5, 1)
    # RRK alone: only Dragan.
    assert totals(figures(reached.ada, reached.rrk)) == (1, 1, 0)


def test_it_ignores_planned_and_cancelled_assistance(reached):
    # H-RS-1 has only a planned and a cancelled delivery in RRK-VI.
    result = figures(reached.ada, reached.rrk6, by="municipality")
    assert "M18" in rows(result) and rows(result)["M18"] == (1, 1, 2)


def test_it_counts_nothing_delivered_after_the_report_date(reached):
    # On 20 May the food package (15 June) and the second training (1 June) are still to come.
    assert totals(figures(reached.ada, reached.rrk6, on=datetime.date(2024, 5, 20))) == (1, 1, 2)
    # Before 1 May nothing of RRK-VI had been delivered.
    assert totals(figures(reached.ada, reached.rrk6, on=datetime.date(2024, 4, 30))) == (0, 0, 0)
    # Since 10 May: only the second training (Agim) and the food package.
    assert totals(figures(reached.ada, reached.rrk6, since=datetime.date(2024, 5, 10))) == (2, 3, 2)
    assert totals(figures(reached.ada, reached.rrk6, since=datetime.date(2024, 6, 10))) == (1, 2, 0)


def test_it_breaks_reach_down_by_sex(reached):
    result = figures(reached.ada, reached.rrk, include_phases=True, by="sex")
    # F: Drita (direct), Nexhmije (direct); M: Agim, Ilir, Dragan direct, Arben indirect.
    assert rows(result) == {"F": (2, 2, 0), "M": (3, 3, 1)}


def test_it_places_families_where_they_live_in_kosovo_else_where_they_come_from(reached):
    result = figures(reached.ada, reached.rrk, include_phases=True, by="municipality")
    # Dragan lives in Serbia and comes from Klinë (M18); the Hoxhas live in Dragash (M24).
    assert rows(result) == {"M18": (2, 3, 1), "M24": (1, 2, 0)}


def test_it_breaks_reach_down_by_community_and_status(reached):
    Person.objects.filter(given_name="Ilir").update(community=None, displacement_status="returnee")
    result = figures(reached.ada, reached.rrk, include_phases=True, by="community")
    assert rows(result) == {"ROM": (3, 4, 1), "unknown": (1, 1, 0)}
    result = figures(reached.ada, reached.rrk, include_phases=True, by="displacement_status")
    assert rows(result) == {"idp": (3, 4, 1), "returnee": (1, 1, 0)}
    assert [r["key"] for r in figures(reached.ada, reached.rrk, include_phases=True, by="community")["rows"]] == [
        "ROM", "unknown"]


@pytest.fixture
def ages(world):
    """A household whose members sit on the age-group boundaries on 30 June 2024."""
    household = Household.objects.create(ref="H-AGE", current_country=world.h_kline.current_country,
                                         current_municipality=world.lipjan, responsible_municipality=world.lipjan)
    people = [
        ("Era", datetime.date(2019, 7, 1), None),    # 4 on 30 June 2024, 5 on 1 July
        ("Lum", datetime.date(2019, 6, 30), None),   # 5 that very day
        ("Ana", datetime.date(2006, 7, 1), None),    # 17
        ("Bes", datetime.date(1964, 6, 30), None),   # 60 that very day
        ("Gent", datetime.date(1964, 7, 1), None),   # 59
        ("Vesa", None, 2020),                        # year only: 2024 - 2020 = 4
        ("Zana", None, 1964),                        # year only: 60
        ("Noli", None, None),                        # nothing known
    ]
    for i, (name, born, year) in enumerate(people):
        Person.objects.create(household=household, ref=f"H-AGE-{i}", relationship="head" if i == 0 else "child",
                              given_name=name, family_name="Gashi", sex="F", date_of_birth=born,
                              birth_year=year or (born.year if born else None), displacement_status="returnee",
                              community=Community.objects.get(code="ALB"))
    deliver(world, world.rrk6, "food_package", household=household)
    return household


def test_it_puts_people_in_age_groups_by_their_age_on_the_report_date(ages, world):
    result = figures(world.ada, world.rrk6, by="age_group")
    assert [r["key"] for r in result["rows"]] == ["0-4", "5-17", "18-59", "60+", "unknown"]
    assert rows(result) == {"0-4": (1, 2, 0), "5-17": (1, 2, 0), "18-59": (1, 1, 0), "60+": (1, 2, 0),
                            "unknown": (1, 1, 0)}
    # A day later Era turns 5, Ana 18 and Gent 60; Vesa, known by year only, is still 4.
    later = rows(figures(world.ada, world.rrk6, by="age_group", on=datetime.date(2024, 7, 1)))
    assert later == {"0-4": (1, 1, 0), "5-17": (1, 2, 0), "18-59": (1, 1, 0), "60+": (1, 3, 0),
                     "unknown": (1, 1, 0)}


def test_it_takes_the_28th_for_a_29_february_report_date():
    assert age_cutoff(datetime.date(2028, 2, 29), 5) == datetime.date(2023, 2, 28)
    assert age_cutoff(datetime.date(2028, 2, 29), 4) == datetime.date(2024, 2, 29)


def test_it_reports_anonymous_participants_and_catchment_apart(reached):
    from activities.actions import create_project, transition_project
    from activities.models import CommunityProject

    project = create_project(CommunityProject(type="road", title="Road to Dollc", programme=reached.rrk6,
                                              municipality=reached.kline, catchment_population=420),
                             acting_user=reached.ada)
    create_project(CommunityProject(type="school", title="School roof", programme=reached.rrk6,
                                    catchment_population=900), acting_user=reached.ada)  # not completed
    transition_project(project, "in_progress", acting_user=reached.ada)
    transition_project(project, "completed", on=datetime.date(2024, 6, 1), acting_user=reached.ada)
    result = figures(reached.ada, reached.rrk6, include_phases=True)
    assert result["participants"] == {"female": 12, "male": 9, "unknown": 0, "total": 21}
    assert (result["community_projects_completed"], result["catchment_population"]) == (1, 420)
    assert totals(result) == (2, 4, 1)  # neither is added to reach
    assert figures(reached.ada, reached.rrk6)["participants"]["total"] == 0  # the activity is in a phase


def test_it_counts_only_the_households_a_caseworker_may_see(reached):
    # Klara sees Klinë's households: the Krasniqis (Agim, Drita direct; Arben indirect).
    assert totals(figures(reached.klara, reached.rrk, include_phases=True)) == (1, 2, 1)
    # Petar (Božur) sees only Dragan's household.
    assert totals(figures(reached.petar, reached.rrk, include_phases=True)) == (1, 1, 0)
    assert totals(figures(reached.otto, reached.rrk, include_phases=True)) == (0, 0, 0)
    # M&E and donors answer for the whole programme.
    assert totals(figures(reached.mira, reached.rrk, include_phases=True)) == (3, 5, 1)
    assert totals(figures(reached.dona, reached.rrk, include_phases=True)) == (3, 5, 1)


def test_it_hides_a_sensitive_programme_from_users_not_cleared(reached):
    survivor = reached.h_sensitive.members.get()
    record_delivery(acting_user=reached.sara, programme=reached.ct, type=kind("legal_assistance"), person=survivor,
                    date=datetime.date(2024, 5, 1), status="delivered")
    for user in (reached.klara, reached.ada, reached.mira, reached.dona):
        with pytest.raises(NotVisible):
            Basis.of(user, reached.ct)
    assert totals(figures(reached.sara, reached.ct)) == (1, 1, 0)


def test_it_leaves_a_sensitive_phase_out_for_users_not_cleared(reached):
    hidden = Programme.objects.create(code="RRK-CT", name="Trafficking survivors", parent=reached.rrk,
                                      sensitive=True)
    survivor = reached.h_sensitive.members.get()
    record_delivery(acting_user=reached.sara, programme=hidden, type=kind("legal_assistance"), person=survivor,
                    date=datetime.date(2024, 5, 1), status="delivered")
    assert totals(figures(reached.klara, reached.rrk, include_phases=True)) == (1, 2, 1)
    assert totals(figures(reached.sara, reached.rrk, include_phases=True)) == (2, 3, 1)


def test_a_donor_reads_only_programmes_in_scope_or_funded(reached):
    other = Programme.objects.create(code="OTHER", name="Another donor's programme")
    with pytest.raises(NotVisible):
        Basis.of(reached.dona, other)
    Basis.of(reached.dona, reached.rrk6)  # a phase of her programme
    from tests.conftest import make_user

    eu_officer = make_user("eva", "donor", organisations=[reached.eu])
    Basis.of(eu_officer, reached.rrk6)  # the EU funds RRK
    with pytest.raises(NotVisible):
        Basis.of(eu_officer, other)


def test_it_stops_counting_a_delivery_once_it_is_cancelled(reached):
    from assistance.actions import change_delivery_status
    from assistance.models import Delivery

    package = Delivery.objects.get(household=reached.h_dragash, type__code="food_package")
    change_delivery_status(package, "cancelled", reason="Recorded for the wrong family", acting_user=reached.ada)
    # Only Agim (direct) and his family (indirect) are left in RRK-VI.
    assert totals(figures(reached.ada, reached.rrk6)) == (1, 1, 2)
