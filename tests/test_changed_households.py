"""The database marks each household whose records change what the figures count (migration
reports 0004, docs/kept-figures.md): by any path, in the write's own transaction, and only when a
column the figures read changed."""

import datetime

import pytest
from django.db import transaction

from activities.models import Activity, Attendance
from assistance.models import AssistanceType, Delivery
from places.models import Community, Municipality
from registry.models import Household, Person
from reports.models import ChangedHousehold

DAY = datetime.date(2025, 3, 1)


def marked():
    households = set(ChangedHousehold.objects.values_list("household_id", flat=True))
    ChangedHousehold.objects.all().delete()
    return households


@pytest.fixture
def clean(world):
    marked()
    return world


def delivery(world, household, person=None, **values):
    kind = AssistanceType.objects.filter(recipient="person" if person else "household").first()
    return Delivery.objects.create(programme=world.rrk6, household=household, person=person, type=kind,
                                   status="delivered", date=DAY, **values)


def test_a_delivery_marks_its_household_when_added_changed_moved_and_removed(clean):
    w = clean
    d = delivery(w, w.h_kline)
    assert marked() == {w.h_kline.pk}
    d.status = "cancelled"
    d.save()
    assert marked() == {w.h_kline.pk}
    d.notes = "a note the figures do not read"
    d.save()
    assert marked() == set()
    Delivery.objects.filter(pk=d.pk).update(household=w.h_dragash)  # a bulk write, no save()
    assert marked() == {w.h_kline.pk, w.h_dragash.pk}
    d.delete()
    assert marked() == {w.h_dragash.pk}


def test_attendance_marks_the_attendees_household(clean):
    w = clean
    activity = Activity.objects.create(type="training", title="Welding", date=DAY, programme=w.rrk6)
    agim = w.h_kline.members.get(given_name="Agim")
    nexhmije = w.h_dragash.members.get(given_name="Nexhmije")
    attendance = Attendance.objects.create(activity=activity, person=agim)
    assert marked() == {w.h_kline.pk}
    attendance.attended = False
    attendance.save()
    assert marked() == {w.h_kline.pk}
    Attendance.objects.create(activity=activity, person=nexhmije)
    marked()
    activity.date = DAY + datetime.timedelta(days=1)
    activity.save()
    assert marked() == {w.h_kline.pk, w.h_dragash.pk}
    activity.venue = "Klinë"
    activity.save()
    assert marked() == set()
    attendance.delete()
    assert marked() == {w.h_kline.pk}


def test_a_person_marks_their_household_when_added_changed_moved_and_removed(clean):
    w = clean
    person = Person.objects.create(household=w.h_kline, ref="P-NEW", relationship="child", given_name="Era",
                                   family_name="Krasniqi", sex="F", birth_year=2015)
    assert marked() == {w.h_kline.pk}
    for field, value in (("sex", "M"), ("community", Community.objects.get(code="ALB")),
                         ("displacement_status", "returnee"), ("date_of_birth", datetime.date(2015, 2, 3)),
                         ("birth_year", 2016)):
        setattr(person, field, value)
        person.save()
        assert marked() == {w.h_kline.pk}, field
    person.phone = "044 000 000"
    person.save()
    assert marked() == set()
    person.household = w.h_dragash
    person.save()
    assert marked() == {w.h_kline.pk, w.h_dragash.pk}
    person.delete()
    assert marked() == {w.h_dragash.pk}


def test_a_household_marks_itself_when_its_place_changes(clean):
    w = clean
    household = Household.objects.get(pk=w.h_kline.pk)
    household.current_municipality = Municipality.objects.get(code="M04")
    household.save()
    assert marked() == {w.h_kline.pk}
    household.origin_municipality = Municipality.objects.get(code="M18")
    household.save()
    assert marked() == {w.h_kline.pk}
    household.phone = "049 111 222"
    household.save()
    assert marked() == set()


def test_a_mark_is_undone_with_its_write(clean):
    w = clean
    with pytest.raises(RuntimeError), transaction.atomic():
        delivery(w, w.h_kline)
        raise RuntimeError("the write fails after the delivery")
    assert marked() == set()
    assert not Delivery.objects.exists()


def test_marking_twice_keeps_one_mark(clean):
    w = clean
    delivery(w, w.h_kline)
    delivery(w, w.h_kline)
    assert ChangedHousehold.objects.count() == 1
