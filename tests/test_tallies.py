"""Reach read from running tallies (reports.tallies) must be the reach counted from the records:
for any report date, every trait, both clearances, and after any write once the changed households
are recounted."""

import datetime
import random
from unittest import mock

import pytest
from django.db import connection

from activities.models import Activity, Attendance
from assistance.models import AssistanceType, Delivery
from places.models import Community, Country, Municipality
from registry.models import Household, Person
from reports import tallies
from reports.models import DIMENSIONS, ChangedHousehold, Tally
from reports.reach import Basis, count_reach
from tests.conftest import make_user, some

DATES = [datetime.date(2019, 6, 1), datetime.date(2022, 2, 28), datetime.date(2024, 2, 29),
         datetime.date(2025, 12, 31), datetime.date(2026, 6, 30), datetime.date(2031, 1, 1)]


def _day(rng, first=datetime.date(2018, 1, 1), days=3000):
    return first + datetime.timedelta(days=rng.randrange(days))


def _birth(rng):
    roll = rng.random()
    if roll < 0.1:
        return {}  # neither: the "unknown" age group
    if roll < 0.3:
        return {"birth_year": rng.randrange(1940, 2025)}
    if roll < 0.35:
        return {"date_of_birth": datetime.date(rng.choice([2000, 2004, 2016, 2020]), 2, 29)}
    return {"date_of_birth": datetime.date(1940, 1, 1) + datetime.timedelta(days=rng.randrange(31000))}


def _person(rng, household, n):
    return Person.objects.create(
        household=household, ref=f"{household.ref}-{n}", relationship="head" if n == 1 else "child",
        given_name=f"G{n}", family_name="F", sex=rng.choice("MF"),
        displacement_status=rng.choice(["idp", "returnee", "refugee"]),
        community=rng.choice(list(Community.objects.all()) + [None]), **_birth(rng))


def _fill(world, rng):
    places = list(Municipality.objects.all()[:6]) + [None]
    kosovo, serbia = Country.objects.get(code="XK"), Country.objects.get(code="RS")
    households = []
    for i in range(30):
        current = rng.choice(places)
        household = Household.objects.create(
            ref=f"T-{i}", current_country=kosovo if current else serbia, current_municipality=current,
            origin_municipality=rng.choice(places), responsible_municipality=world.kline)
        for n in range(1, rng.randrange(1, 6) + 1):
            _person(rng, household, n)
        households.append(household)
    for _ in range(80):
        _deliver(world, rng, rng.choice(households))
    for _ in range(4):
        activity = Activity.objects.create(type="training", title="Course", date=_day(rng),
                                           programme=rng.choice([world.rrk, world.rrk6, world.ct]))
        for person in rng.sample(list(Person.objects.filter(household__in=households)), 6):
            Attendance.objects.create(activity=activity, person=person, attended=rng.random() < 0.8)
    if connection.vendor == "postgresql":
        # As autovacuum would: without statistics of the filled tables, PostgreSQL planned the
        # records' counts for empty ones, and a count of a few hundred persons took up to a second.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return households


def _deliver(world, rng, household):
    kind = rng.choice(list(AssistanceType.objects.all()))
    person = rng.choice(list(household.members.order_by("pk")) or [None]) if kind.recipient == "person" else None
    if kind.recipient == "person" and person is None:
        return
    Delivery.objects.create(programme=rng.choice([world.rrk, world.rrk6, world.rrk6, world.ct]), household=household,
                            person=person, type=kind, status=rng.choice(["delivered", "delivered", "planned"]),
                            date=_day(rng))


def _records(basis, by):
    with mock.patch("reports.tallies.ready_set", return_value=None):
        return count_reach(basis, by)


def _check(users, programme):
    for user in users:
        for on in DATES:
            basis = Basis.of(user, programme, include_phases=True, on=on)
            assert tallies.ready_set(basis) is not None
            for by in (None, *DIMENSIONS):
                assert count_reach(basis, by) == _records(basis, by), (user.username, on, by)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_tallies_give_the_reach_the_records_give(world, seed):
    rng = random.Random(seed)
    households = _fill(world, rng)
    cleared = make_user("ida", "admin", sensitive=True)
    users = [world.mira, cleared]
    for user in users:
        basis = Basis.of(user, world.rrk, include_phases=True)
        tallies.build(basis.programmes, user.sensitive)
    _check(users, world.rrk)

    # Writes of every kind the marks follow, then the same comparison.
    for _ in range(10):
        _deliver(world, rng, rng.choice(households))
    for d in some(rng, Delivery.objects, 10):
        d.status = "delivered" if d.status != "delivered" else "cancelled"
        d.date = _day(rng)
        d.save()
    Delivery.objects.filter(pk__in=[o.pk for o in some(rng, Delivery.objects, 5)]).delete()
    movers = some(rng, Person.objects.filter(household__in=households).exclude(deliveries__isnull=False), 5)
    for person in movers:
        person.household = rng.choice(households)
        person.sex = rng.choice("MF")
        person.save()
    for person in some(rng, Person.objects.filter(household__in=households), 5):
        person.date_of_birth, person.birth_year = None, rng.choice([None, 1990])
        person.community = None
        person.save()
    for household in rng.sample(households, 3):
        household.current_municipality = rng.choice(list(Municipality.objects.all()[:6]))
        household.save()
    for activity in Activity.objects.all():
        activity.date = _day(rng)
        activity.save()
    Attendance.objects.filter(pk__in=[o.pk for o in some(rng, Attendance.objects, 3)]).delete()
    assert ChangedHousehold.objects.exists()
    _check(users, world.rrk)
    assert not ChangedHousehold.objects.exists()


def test_age_groups_turn_on_birthdays_as_the_records_count_them(world):
    """29 February: five on 1 March in other years, on 29 February in leap years; a birth year only:
    on 1 January."""
    household = Household.objects.create(ref="T-AGE", current_country=Country.objects.get(code="XK"),
                                         responsible_municipality=world.kline)
    for n, birth in enumerate([{"date_of_birth": datetime.date(2019, 2, 28)}, {"date_of_birth": datetime.date(2020, 2, 29)},
                               {"date_of_birth": datetime.date(2016, 2, 29)}, {"birth_year": 2020}, {}], start=1):
        Person.objects.create(household=household, ref=f"T-AGE-{n}", relationship="head" if n == 1 else "child",
                              given_name="A", family_name="B", sex="F", displacement_status="idp", **birth)
    kind = AssistanceType.objects.filter(recipient="household", sensitive=False).first()
    Delivery.objects.create(programme=world.rrk, household=household, type=kind, status="delivered",
                            date=datetime.date(2020, 3, 1))
    tallies.build({world.rrk.pk}, False)
    for on in [datetime.date(2024, 2, 27), datetime.date(2024, 2, 28), datetime.date(2024, 2, 29),
               datetime.date(2024, 3, 1), datetime.date(2024, 12, 31), datetime.date(2025, 1, 1),
               datetime.date(2025, 2, 28), datetime.date(2025, 3, 1)]:
        basis = Basis.of(world.mira, world.rrk, on=on)
        assert count_reach(basis, "age_group") == _records(basis, "age_group"), on


def test_a_drain_takes_each_change_once_and_appends(world):
    kind = AssistanceType.objects.filter(recipient="household", sensitive=False).first()
    Delivery.objects.create(programme=world.rrk, household=world.h_kline, type=kind, status="delivered",
                            date=datetime.date(2024, 1, 1))
    tally_set = tallies.build({world.rrk.pk}, False)
    tallies.drain()  # the world's own writes, marked before the build: recounted to the same figures
    rows = Tally.objects.filter(tally_set=tally_set).count()
    assert tallies.drain() == 0
    Delivery.objects.create(programme=world.rrk, household=world.h_dragash, type=kind, status="delivered",
                            date=datetime.date(2024, 2, 1))
    assert tallies.drain() == 1
    assert tallies.drain() == 0
    assert Tally.objects.filter(tally_set=tally_set).count() > rows
    basis = Basis.of(world.mira, world.rrk, on=datetime.date(2024, 6, 30))
    assert count_reach(basis)["households"] == 2 == _records(basis, None)["households"]


def test_figures_of_other_programmes_and_of_caseworkers_are_counted_from_the_records(world):
    tallies.build({world.rrk.pk}, False)
    with_phases = Basis.of(world.mira, world.rrk, include_phases=True)
    assert tallies.ready_set(with_phases) is None  # another set of programmes
    assert tallies.ready_set(Basis.of(world.klara, world.rrk)) is None  # a scoped viewer
    assert tallies.ready_set(Basis.of(make_user("ida", "admin", sensitive=True), world.rrk)) is None  # cleared
    assert tallies.ready_set(Basis.of(world.mira, world.rrk)) is not None


def test_a_build_counts_what_changed_while_it_ran(world, monkeypatch):
    """Households counted early in a build and changed later in it are recounted before the set is
    ready; households changed meanwhile in a set already built keep their marks till then."""
    kind = AssistanceType.objects.filter(recipient="household", sensitive=False).first()
    Delivery.objects.create(programme=world.rrk, household=world.h_kline, type=kind, status="delivered",
                            date=datetime.date(2024, 1, 1))
    other = tallies.build({world.rrk6.pk}, False)
    monkeypatch.setattr(tallies, "SPAN", 1)  # a transaction a household
    written = []

    def progress(percent, message):
        if not written:  # after the first span: a household counted already, and one not yet
            written.append(Delivery.objects.create(programme=world.rrk, household=world.h_kline, type=kind,
                                                   status="delivered", date=datetime.date(2023, 5, 1)))
            Delivery.objects.create(programme=world.rrk, household=world.h_dragash, type=kind, status="delivered",
                                    date=datetime.date(2023, 6, 1))
            assert tallies.drain() >= 2  # the built set recounts them; the marks stay for the one building
            assert ChangedHousehold.objects.filter(household_id=world.h_kline.pk).exists()

    tallies.build({world.rrk.pk}, False, report_progress=progress)
    assert written
    tallies.drain()
    assert not ChangedHousehold.objects.exists()  # no set building: marks cleared once recounted
    assert tallies.ready_set(Basis.of(world.mira, world.rrk6)) == other
    for on in (datetime.date(2023, 5, 31), datetime.date(2023, 12, 31), datetime.date(2024, 6, 30)):
        basis = Basis.of(world.mira, world.rrk, on=on)
        for by in (None, "sex", "age_group"):
            assert count_reach(basis, by) == _records(basis, by), (on, by)
            phase = Basis.of(world.mira, world.rrk6, on=on)
            assert count_reach(phase, by) == _records(phase, by), (on, by)


def test_a_large_registry_queues_the_build_and_reads_the_tallies_after_it(world, settings):
    from jobs.models import Job
    from jobs.runner import run_next

    settings.HOMEWARD_TALLY_PERSONS = 1  # every registry is large
    kind = AssistanceType.objects.filter(recipient="household", sensitive=False).first()
    Delivery.objects.create(programme=world.rrk, household=world.h_kline, type=kind, status="delivered",
                            date=datetime.date(2024, 1, 1))
    basis = Basis.of(world.mira, world.rrk, on=datetime.date(2024, 6, 30))
    assert tallies.ready_set(basis) is None  # counted from the records meanwhile
    assert tallies.ready_set(basis) is None
    assert Job.objects.filter(kind="tallies", status=Job.Status.QUEUED).count() == 1  # queued once
    run_next()
    assert Job.objects.get(kind="tallies").status == Job.Status.DONE
    assert tallies.ready_set(basis) is not None
    assert count_reach(basis, "municipality") == _records(basis, "municipality")


def test_a_build_ends_with_one_row_a_figure_trait_value_and_day(world, monkeypatch):
    rng = random.Random(4)
    _fill(world, rng)
    monkeypatch.setattr(tallies, "SPAN", 3)  # many spans, each adding its own rows for the same days
    tally_set = tallies.build({world.rrk.pk, world.rrk6.pk}, False)
    keys = list(Tally.objects.filter(tally_set=tally_set).values_list("figure", "trait", "value", "at"))
    assert len(keys) == len(set(keys))
    assert not Tally.objects.filter(tally_set=tally_set, delta=0).exists()
    _check([world.mira], world.rrk)


def _records_value(indicator, basis, by=None):
    from reports import indicators

    with mock.patch("reports.tallies.ready_set", return_value=None):
        return indicators.breakdown(indicator, basis, by) if by else indicators.value(indicator, basis)


def _train(world, rng, households):
    """Trainings (completed or not, with a certificate or not) and certificates at activities."""
    from assistance.models import TrainingDetail

    kinds = list(AssistanceType.objects.filter(code__in=["vocational_training", "business_training"]))
    people = list(Person.objects.filter(household__in=households))
    for person in rng.sample(people, min(25, len(people))):
        delivery = Delivery.objects.create(
            programme=rng.choice([world.rrk, world.rrk6, world.ct]), household=person.household, person=person,
            type=rng.choice(kinds), status=rng.choice(["delivered", "delivered", "planned"]), date=_day(rng))
        TrainingDetail.objects.create(delivery=delivery, course="Welding", completed=rng.random() < 0.7,
                                      certificate=rng.random() < 0.5)
    Attendance.objects.filter(pk__in=[o.pk for o in some(rng, Attendance.objects, 8)]).update(certified=True)


def _rewrite(world, rng, households):
    """Writes of every kind that changes these indicators, through models and in bulk."""
    from assistance.models import TrainingDetail

    for _ in range(8):
        _deliver(world, rng, rng.choice(households))
    for detail in some(rng, TrainingDetail.objects, 6):
        detail.completed, detail.certificate = not detail.completed, rng.random() < 0.5
        detail.save()
    TrainingDetail.objects.filter(pk__in=[o.pk for o in some(rng, TrainingDetail.objects, 2)]).delete()
    Attendance.objects.filter(pk__in=[o.pk for o in some(rng, Attendance.objects, 5)]).update(certified=True)
    Attendance.objects.filter(pk__in=[o.pk for o in some(rng, Attendance.objects, 3)]).update(certified=False)
    for d in some(rng, Delivery.objects, 8):
        d.status = "delivered" if d.status != "delivered" else "cancelled"
        d.date = _day(rng)
        d.save()
    for person in some(rng, Person.objects.filter(household__in=households), 4):
        person.sex = rng.choice("MF")
        person.save()


@pytest.mark.parametrize("seed", [5, 6])
def test_tallies_give_the_indicators_the_records_give(world, seed):
    """Persons and households assisted, of chosen types of help and activity, and persons trained
    and certified, in total and for a target period (a set from the period's first day on), with
    their breakdowns; again after writes."""
    from reports import indicators
    from reports.models import Indicator, Measure, Result

    rng = random.Random(seed)
    households = _fill(world, rng)
    _train(world, rng, households)
    goal = Result.objects.create(programme=world.rrk, level="goal", code="1", statement="Return")
    kinds = list(AssistanceType.objects.filter(sensitive=False))
    trainings = list(AssistanceType.objects.filter(code__in=["vocational_training", "business_training"]))
    made = []
    for i, (measure, chosen, activities) in enumerate([
            (Measure.PERSONS_ASSISTED, [], []), (Measure.PERSONS_ASSISTED, rng.sample(kinds, 3), []),
            (Measure.HOUSEHOLDS_ASSISTED, rng.sample(kinds, 2), []), (Measure.PERSONS_ASSISTED, [], ["training"]),
            (Measure.HOUSEHOLDS_ASSISTED, rng.sample(kinds, 1), ["training"]),
            (Measure.PERSONS_TRAINED, [], []), (Measure.PERSONS_TRAINED, trainings[:1], ["training"]),
            (Measure.PERSONS_CERTIFIED, [], []), (Measure.PERSONS_CERTIFIED, trainings[1:], ["training"])]):
        indicator = Indicator.objects.create(
            programme=world.rrk, result=goal, code=f"I{i}", name="Assisted", unit="persons", measure=measure,
            activity_types=activities,
            disaggregations=["municipality"] if measure == Measure.HOUSEHOLDS_ASSISTED else list(DIMENSIONS))
        indicator.assistance_types.set(chosen)
        made.append(indicator)
    periods = [(datetime.date(2021, 1, 1), datetime.date(2021, 12, 31)), (datetime.date(2024, 1, 1), datetime.date(2025, 6, 30))]
    for indicator in made:
        parts = tallies.parts_of(indicator)
        for since in (None, *(start for start, _end in periods)):
            tallies.build(Basis.of(world.mira, world.rrk, include_phases=True).programmes, False, parts, since)
    for round_ in range(2):
        if round_:
            _rewrite(world, rng, households)
            assert ChangedHousehold.objects.exists()
        for on in DATES:
            whole = Basis.of(world.mira, world.rrk, include_phases=True, on=on)
            for basis in (whole, *(whole.period(start, end) for start, end in periods)):
                for indicator in made:
                    assert tallies.ready_set(basis, tallies.parts_of(indicator)) is not None
                    assert indicators.value(indicator, basis) == _records_value(indicator, basis), (on, indicator.code)
                    for by in indicator.disaggregations:
                        assert indicators.breakdown(indicator, basis, by) == _records_value(indicator, basis, by), (
                            on, indicator.code, by)


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_while_a_drain_recounts_is_not_lost(world, monkeypatch):
    """A delivery written to a household while a drain is recounting it (its mark already taken)
    is counted by the next drain: on PostgreSQL the writer found the mark still there and added
    none, and the drain then deleted it, before drains took their marks first."""
    import threading

    kind = AssistanceType.objects.filter(recipient="household", sensitive=False).first()
    Delivery.objects.create(programme=world.rrk, household=world.h_kline, type=kind, status="delivered",
                            date=datetime.date(2024, 1, 1))
    tallies.build({world.rrk.pk}, False)
    tallies.drain()
    Delivery.objects.create(programme=world.rrk, household=world.h_kline, type=kind, status="delivered",
                            date=datetime.date(2023, 1, 1))  # marks the household the drain recounts
    recounted, written, failures = threading.Event(), threading.Event(), []
    recount = tallies._recount

    def slow_recount(tally_set, households):
        appended = recount(tally_set, households)
        recounted.set()
        written.wait(timeout=1.5)  # the writer commits meanwhile, unless it has to wait for the drain
        return appended

    def writer():
        try:
            recounted.wait(timeout=10)
            Delivery.objects.create(programme=world.rrk, household=world.h_kline, type=kind, status="delivered",
                                    date=datetime.date(2022, 6, 1))
        except Exception as e:  # noqa: BLE001 - reported below, a thread must not die silently
            failures.append(repr(e))
        finally:
            written.set()
            connection.close()

    monkeypatch.setattr(tallies, "_recount", slow_recount)
    thread = threading.Thread(target=writer)
    thread.start()
    tallies.drain()
    thread.join()
    monkeypatch.undo()
    assert failures == []
    basis = Basis.of(world.mira, world.rrk, on=datetime.date(2022, 12, 31))
    assert count_reach(basis)["households"] == 1 == _records(basis, None)["households"]


def test_a_type_of_help_made_sensitive_sends_the_sets_not_cleared_for_it_back_to_be_built(world):
    """Sets of viewers not cleared were counted without sensitive help: when a type's sensitivity
    changes, by any path, they are not read until built again; figures come from the records."""
    kind = AssistanceType.objects.filter(recipient="household", sensitive=False).first()
    Delivery.objects.create(programme=world.rrk, household=world.h_kline, type=kind, status="delivered",
                            date=datetime.date(2024, 1, 1))
    cleared = make_user("ida", "admin", sensitive=True)
    plain = tallies.build({world.rrk.pk}, False)
    tallies.build({world.rrk.pk}, True)
    basis = Basis.of(world.mira, world.rrk, on=datetime.date(2024, 6, 30))
    before = count_reach(basis)
    AssistanceType.objects.filter(pk=kind.pk).update(sensitive=True)
    assert tallies.ready_set(basis) is None
    assert tallies.ready_set(Basis.of(cleared, world.rrk, on=datetime.date(2024, 6, 30))) is not None
    assert count_reach(basis) == _records(basis, None) != before  # the household is no longer counted
    # Not to be read again, the stale set is deleted by the next drain, its facts with it.
    from reports.models import ReachFact, TallySet

    Delivery.objects.create(programme=world.rrk, household=world.h_dragash, type=kind, status="delivered",
                            date=datetime.date(2024, 2, 1))
    tallies.drain()
    assert not TallySet.objects.filter(pk=plain.pk).exists()
    assert not ReachFact.objects.filter(tally_set_id=plain.pk).exists()
    tallies.build({world.rrk.pk}, False)
    assert tallies.ready_set(basis) is not None
    assert count_reach(basis) == _records(basis, None)


def test_a_build_during_which_a_type_of_help_changed_sensitivity_ends_not_ready(world, monkeypatch):
    monkeypatch.setattr(tallies, "SPAN", 1)
    kind = AssistanceType.objects.filter(recipient="household", sensitive=False).first()
    Delivery.objects.create(programme=world.rrk, household=world.h_kline, type=kind, status="delivered",
                            date=datetime.date(2024, 1, 1))

    def progress(percent, message):
        AssistanceType.objects.filter(pk=kind.pk).update(sensitive=True)

    tally_set = tallies.build({world.rrk.pk}, False, report_progress=progress)
    assert not tally_set.ready
    assert tallies.ready_set(Basis.of(world.mira, world.rrk)) is None


def test_marks_are_kept_for_a_build_only_while_it_is_alive(world):
    """A build that died (its worker killed) stops keeping the marks of changed households: drains
    clear them again, and its set stays unread until built again."""
    from django.utils import timezone

    from reports.models import TallySet

    kind = AssistanceType.objects.filter(recipient="household", sensitive=False).first()
    tallies.build({world.rrk.pk}, False)
    dead = TallySet.objects.create(**tallies.key_of({world.rrk6.pk}, False), building_at=timezone.now())
    Delivery.objects.create(programme=world.rrk, household=world.h_kline, type=kind, status="delivered",
                            date=datetime.date(2024, 1, 1))
    tallies.drain()
    assert ChangedHousehold.objects.exists()  # kept for the build that is running
    TallySet.objects.filter(pk=dead.pk).update(building_at=timezone.now() - tallies.BUILD_ALIVE)
    assert tallies.drain() >= 1
    assert not ChangedHousehold.objects.exists()
    assert not TallySet.objects.filter(pk=dead.pk).exists()  # built afresh when asked for
    assert tallies.ready_set(Basis.of(world.mira, world.rrk6)) is None
    basis = Basis.of(world.mira, world.rrk, on=datetime.date(2024, 6, 30))
    assert count_reach(basis) == _records(basis, None)


def test_a_drain_compacts_a_set_once_its_appended_rows_outgrow_it(world, monkeypatch):
    """Drains append rows; reads sum them all. Past a threshold a drain compacts the set to one row
    a figure, trait, value and day, with the same figures."""
    from reports.models import TallySet

    rng = random.Random(7)
    households = _fill(world, rng)
    tally_set = tallies.build({world.rrk.pk, world.rrk6.pk}, False)
    tallies.drain()
    built = TallySet.objects.get(pk=tally_set.pk)
    assert built.rows == Tally.objects.filter(tally_set=tally_set).count() and built.appended == 0
    monkeypatch.setattr(tallies, "COMPACT_AFTER", 10 ** 9)
    for _ in range(5):
        _deliver(world, rng, rng.choice(households))
    for person in some(rng, Person.objects.filter(household__in=households), 6):
        person.sex = "F" if person.sex == "M" else "M"
        person.save()
    tallies.drain()
    grown = TallySet.objects.get(pk=tally_set.pk)
    assert grown.appended > 0
    assert Tally.objects.filter(tally_set=tally_set).count() == grown.rows + grown.appended
    monkeypatch.setattr(tallies, "COMPACT_AFTER", 1)  # the set's own size decides: half its rows
    for _ in range(100):
        for person in some(rng, Person.objects.filter(household__in=households), 6):
            person.sex = "F" if person.sex == "M" else "M"
            person.save()
        tallies.drain()
        compacted = TallySet.objects.get(pk=tally_set.pk)
        if compacted.appended == 0:
            break
        assert compacted.appended <= compacted.rows // 2
    keys = list(Tally.objects.filter(tally_set=tally_set).values_list("figure", "trait", "value", "at"))
    assert compacted.appended == 0 and compacted.rows == len(keys) == len(set(keys))
    _check([world.mira], world.rrk)


def test_the_command_builds_a_programmes_sets_and_names_an_unknown_programme(world):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from reports.models import Indicator, Measure, Result, Target, TallySet

    goal = Result.objects.create(programme=world.rrk, level="goal", code="1", statement="Return")
    trained = Indicator.objects.create(programme=world.rrk, result=goal, code="T1", name="Trained", unit="persons",
                                       measure=Measure.PERSONS_TRAINED)
    Target.objects.create(indicator=trained, period_start=datetime.date(2025, 1, 1),
                          period_end=datetime.date(2025, 12, 31), value=10)
    out = StringIO()
    call_command("tallies", "build", world.rrk.code, stdout=out)
    basis = Basis.of(world.mira, world.rrk, include_phases=True, on=datetime.date(2025, 6, 30))
    assert tallies.ready_set(basis) is not None  # reach's
    assert tallies.ready_set(basis, tallies.parts_of(trained)) is not None
    assert tallies.ready_set(basis.period(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)),
                             tallies.parts_of(trained)) is not None
    assert TallySet.objects.count() == 3
    again = StringIO()
    call_command("tallies", "build", world.rrk.code, stdout=again)
    assert again.getvalue().count("built already") == 3
    with pytest.raises(CommandError, match="programme: no programme has the code 'NOPE'"):
        call_command("tallies", "build", "NOPE")


def test_a_new_indicator_or_target_of_a_large_registry_queues_the_builds_of_its_sets(world, settings,
                                                                                    django_capture_on_commit_callbacks):
    """The report reads tallies the first time it is asked for: its sets are queued once the
    indicator or target is saved. A sensitive programme's sets are those of viewers cleared for it."""
    from jobs.models import Job
    from jobs.runner import run_next
    from reports import actions
    from reports.models import Indicator, Measure, Result

    settings.HOMEWARD_TALLY_PERSONS = 1  # every registry is large
    for programme, user in ((world.rrk, world.marko), (world.ct, make_user("ivo", "admin", sensitive=True))):
        goal = Result.objects.create(programme=programme, level="goal", code="1", statement="Return")
        queued = Job.objects.filter(kind="tallies").count()
        with django_capture_on_commit_callbacks(execute=True):
            indicator = actions.create_indicator(
                Indicator(programme=programme, result=goal, code="P1", name="Persons", unit="persons",
                          measure=Measure.PERSONS_ASSISTED), acting_user=user)
        assert Job.objects.filter(kind="tallies").count() == queued + 1  # reach's set, which is P1's too
        with django_capture_on_commit_callbacks(execute=True):
            actions.set_target(indicator, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31), 10, acting_user=user)
        assert Job.objects.filter(kind="tallies").count() == queued + 2  # and P1's set from 2025 on
    while run_next():
        pass
    for programme, user in ((world.rrk, world.mira), (world.ct, make_user("ina", "me", sensitive=True))):
        basis = Basis.of(user, programme, include_phases=True, on=datetime.date(2025, 6, 30))
        assert tallies.ready_set(basis) is not None
        assert tallies.ready_set(basis.period(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))) is not None


def test_the_command_asks_for_clearance_to_build_a_sensitive_programmes_sets(world):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="CT is sensitive"):
        call_command("tallies", "build", world.ct.code)
    call_command("tallies", "build", world.ct.code, "--sensitive")
    assert tallies.ready_set(Basis.of(make_user("ina", "me", sensitive=True), world.ct, include_phases=True))


def test_the_check_finds_the_figures_equal_and_names_those_that_are_not(world):
    from io import StringIO

    from django.core.management import CommandError, call_command
    from django.db.models import F

    from reports.models import DeliveryTally, Indicator, Measure, Result, Target

    rng = random.Random(8)
    _fill(world, rng)
    goal = Result.objects.create(programme=world.rrk, level="goal", code="1", statement="Return")
    persons = Indicator.objects.create(programme=world.rrk, result=goal, code="P1", name="Persons", unit="persons",
                                       measure=Measure.PERSONS_ASSISTED, disaggregations=["sex", "age_group"])
    Target.objects.create(indicator=persons, period_start=datetime.date(2022, 1, 1),
                          period_end=datetime.date(2022, 12, 31), value=10)
    Indicator.objects.create(programme=world.rrk, result=goal, code="D1", name="Deliveries", unit="deliveries",
                             measure=Measure.DELIVERIES)
    call_command("tallies", "build", world.rrk.code, stdout=StringIO())
    out = StringIO()
    # skip_checks=False: run as the command line runs it, Django's system checks first.
    call_command("tallies", "check", world.rrk.code, "--date", "2026-06-30", stdout=out, skip_checks=False)
    assert "Every figure of RRK's report equals the records'" in out.getvalue()

    # A tally row and a delivery tally put wrong by hand: each figure that reads them is named.
    reach_set = tallies.ready_set(Basis.of(world.mira, world.rrk, include_phases=True))
    wrong = Tally.objects.filter(tally_set=reach_set, figure="direct", trait="sex", at__lte="2026-06-30")
    Tally.objects.filter(pk=wrong.values("pk")[:1]).update(delta=F("delta") + 1)
    DeliveryTally.objects.filter(pk=DeliveryTally.objects.filter(programme_id=world.rrk.pk, at__lte="2026-06-30")
                                 .values("pk")[:1]).update(n=F("n") + 1)
    out = StringIO()
    with pytest.raises(CommandError, match="figures of RRK differ from the records"):
        call_command("tallies", "check", world.rrk.code, "--date", "2026-06-30", stdout=out)
    named = {line.split(":")[0] for line in out.getvalue().splitlines()}
    assert {"reach by sex", "P1 by sex", "D1"} <= named
    assert "reach" not in named and "reach by community" not in named


def test_a_set_nobody_reads_any_more_is_deleted(world, settings):
    """A set unread for UNREAD (its programme gained a phase, its indicator changed) stops costing
    every drain, and its copies of persons' traits go with it; asked for again, it is counted from
    the records and built again."""
    from django.utils import timezone

    from jobs.models import Job
    from reports.models import ReachFact, TallySet

    kind = AssistanceType.objects.filter(recipient="household", sensitive=False).first()
    Delivery.objects.create(programme=world.rrk6, household=world.h_dragash, type=kind, status="delivered",
                            date=datetime.date(2024, 2, 1))
    read, unread = tallies.build({world.rrk.pk}, False), tallies.build({world.rrk6.pk}, False)
    TallySet.objects.filter(pk=unread.pk).update(read_on=timezone.localdate() - tallies.UNREAD - datetime.timedelta(days=1))
    assert ReachFact.objects.filter(tally_set=unread).exists()
    Delivery.objects.create(programme=world.rrk6, household=world.h_kline, type=kind, status="delivered",
                            date=datetime.date(2024, 3, 1))
    basis = Basis.of(world.mira, world.rrk, on=datetime.date(2024, 6, 30))
    assert tallies.ready_set(basis) == read  # drains: the set read recounted, the other deleted
    assert not TallySet.objects.filter(pk=unread.pk).exists()
    assert not ReachFact.objects.filter(tally_set_id=unread.pk).exists()
    settings.HOMEWARD_TALLY_PERSONS = 1
    phase = Basis.of(world.mira, world.rrk6, on=datetime.date(2024, 6, 30))
    assert tallies.ready_set(phase) is None and count_reach(phase) == _records(phase, None)
    assert Job.objects.filter(kind="tallies", status=Job.Status.QUEUED).exists()
