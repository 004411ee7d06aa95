"""The activity actions themselves: who may write, and what they refuse."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from activities.actions import add_attendees, create_activity, remove_attendees
from activities.models import Activity, Attendance


def training(world, programme=None):
    return Activity(programme=programme or world.rrk6, type="training", title="Carpentry", date="2024-05-06")


def test_it_names_each_attendee_the_user_cannot_see(world):
    mine, theirs = world.h_kline.members.first(), world.h_dragash.members.first()
    with pytest.raises(ValidationError) as refused:
        create_activity(training(world), attendees=[mine.pk, theirs.pk], acting_user=world.klara)
    assert list(refused.value.message_dict) == ["attendees[1]"]
    assert not Activity.objects.exists()


def test_it_refuses_roles_that_cannot_edit(world):
    activity = create_activity(training(world), acting_user=world.marko)
    for user in (world.dona, world.mira, world.aida):
        with pytest.raises(PermissionDenied):
            create_activity(training(world), acting_user=user)
        with pytest.raises(PermissionDenied):
            add_attendees(activity, [], acting_user=user)
    assert Activity.objects.count() == 1


def test_it_records_attendance_at_a_sensitive_programme_only_by_cleared_users(world):
    survivor = world.h_sensitive.members.get()
    with pytest.raises(ValidationError) as refused:
        create_activity(training(world, world.ct), attendees=[survivor.pk], acting_user=world.klara)
    assert list(refused.value.message_dict) == ["attendees"]
    activity = create_activity(training(world, world.ct), attendees=[survivor.pk], acting_user=world.sara)
    assert activity.attendees.get() == survivor


def test_it_lists_a_person_once_and_removes_only_attendees(world):
    head, spouse = world.h_kline.members.all()[:2]
    activity = create_activity(training(world), acting_user=world.klara)
    with pytest.raises(ValidationError) as twice:
        add_attendees(activity, [head.pk, head.pk], acting_user=world.klara)
    assert list(twice.value.message_dict) == ["attendees[1]"]
    add_attendees(activity, [head.pk], acting_user=world.klara)
    with pytest.raises(ValidationError) as absent:
        remove_attendees(activity, [head.pk, spouse.pk], acting_user=world.klara)
    assert list(absent.value.message_dict) == ["attendees[1]"]
    assert Attendance.objects.filter(activity=activity).count() == 1
