"""Writes to activities, attendance and community projects: atomic, audited, taking the acting user.

Activities and projects are programme-level records; attendance names a person, so each attendance
row written or removed is its own audit row carrying the person's household, like any other change
to personal data.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import (
    PROJECT_TRANSITIONS, Activity, Attendance, CommunityProject, ProjectStatus, ProjectStatusChange,
)
from audit.models import AuditEntry, diff, entry, record, record_many, snapshot
from homeward.concurrency import save_versioned
from registry.models import Person

A = AuditEntry.Action
ACTIVITY_FIELDS = [
    "type", "title", "date", "end_date", "programme", "organiser", "municipality", "venue", "country", "sector",
    "participants_female", "participants_male", "participants_sex_unknown", "participants_official",
    "participants_community", "participants_business", "participants_other", "notes",
]
PROJECT_FIELDS = ["type", "title", "programme", "municipality", "settlement", "cost_eur", "completed_on",
                  "catchment_population", "notes"]


def _require_editor(user):
    if not user.can_edit_registry:
        raise PermissionDenied(_("Your role cannot record activities or projects."))


def _model_errors(obj):
    try:
        obj.full_clean()
    except ValidationError as e:
        return dict(e.message_dict)
    return {}


def _raise(errors):
    if errors:
        raise ValidationError(errors)


def _attendees(activity, person_ids, acting_user, field="attendees"):
    """(persons in the order given, errors). A person the user cannot see is reported exactly like
    one that does not exist, so the error reveals nothing."""
    errors = {}
    if activity.programme.sensitive and not acting_user.sensitive and person_ids:
        errors[field] = [_("Only users cleared for sensitive data record attendance in this programme.")]
        return [], errors
    visible = Person.objects.visible_to(acting_user).in_bulk([i for i in person_ids if isinstance(i, int)])
    persons, seen = [], set()
    for i, pk in enumerate(person_ids):
        person = visible.get(pk) if isinstance(pk, int) else None
        if person is None:
            errors[f"{field}[{i}]"] = [_("Unknown person %(id)s.") % {"id": pk}]
        elif pk in seen:
            errors[f"{field}[{i}]"] = [_("This person is listed twice.")]
        else:
            seen.add(pk)
            persons.append(person)
    return persons, errors


def _write_attendance(activity, entries, acting_user, via):
    """Create or update one Attendance per (person, attended, certified); unchanged rows are left
    alone and write no audit row. Returns (created, updated, unchanged)."""
    existing = {a.person_id: a for a in activity.attendances.filter(person__in=[p for p, _a, _c in entries])}
    created = updated = unchanged = 0
    audit = []
    for person, attended, certified in entries:
        row = existing.get(person.pk)
        if row is None:
            row = Attendance.objects.create(activity=activity, person=person, attended=attended, certified=certified)
            audit.append(entry(acting_user, A.CREATE, row, household_id=person.household_id,
                               sensitive=activity.programme.sensitive, via=via,
                               changes={"activity": [None, activity.pk], "person": [None, person.pk],
                                        "attended": [None, attended], "certified": [None, certified]}))
            created += 1
            continue
        before = {"attended": row.attended, "certified": row.certified}
        after = {"attended": attended, "certified": certified}
        if before == after:
            unchanged += 1
            continue
        row.attended, row.certified = attended, certified
        row.save(update_fields=["attended", "certified"])
        audit.append(entry(acting_user, A.UPDATE, row, household_id=person.household_id,
                           sensitive=activity.programme.sensitive, changes=diff(before, after), via=via))
        updated += 1
    record_many(audit)
    return created, updated, unchanged


@transaction.atomic
def create_activity(activity, *, attendees=(), acting_user, via="web"):
    """Save a new activity with its registered attendees (person ids). All or nothing: every bad
    field and every unknown attendee is reported together."""
    _require_editor(acting_user)
    errors = _model_errors(activity)
    persons, attendee_errors = _attendees(activity, list(attendees), acting_user) if activity.programme_id \
        else ([], {})
    _raise({**errors, **attendee_errors})
    activity.save()
    record(acting_user, A.CREATE, activity, changes=diff({}, snapshot(activity)), via=via)
    _write_attendance(activity, [(p, True, False) for p in persons], acting_user, via)
    return activity


@transaction.atomic
def update_activity(activity, changes, *, expected_version, acting_user, via="web"):
    _require_editor(acting_user)
    before = snapshot(activity, ACTIVITY_FIELDS)
    for field, value in changes.items():
        setattr(activity, field, value)
    _raise(_model_errors(activity))
    after = snapshot(activity, ACTIVITY_FIELDS)
    save_versioned(activity, expected_version, ACTIVITY_FIELDS)
    record(acting_user, A.UPDATE, activity, changes=diff(before, after), via=via)
    return activity


@transaction.atomic
def add_attendees(activity, person_ids, *, attended=True, certified=False, acting_user, via="web"):
    """Register persons (ids the acting user can see) as attendees, or update their attendance."""
    _require_editor(acting_user)
    persons, errors = _attendees(activity, list(person_ids), acting_user)
    _raise(errors)
    return _write_attendance(activity, [(p, attended, certified) for p in persons], acting_user, via)


@transaction.atomic
def set_attendance(activity, entries, *, acting_user, via="web"):
    """entries: (person, attended, certified) for persons already checked to be visible (the importer)."""
    _require_editor(acting_user)
    persons, errors = _attendees(activity, [p.pk for p, _a, _c in entries], acting_user)
    _raise(errors)
    return _write_attendance(activity, entries, acting_user, via)


@transaction.atomic
def remove_attendees(activity, person_ids, *, acting_user, via="web"):
    _require_editor(acting_user)
    persons, errors = _attendees(activity, list(person_ids), acting_user)
    rows = {a.person_id: a for a in activity.attendances.filter(person__in=persons)}
    for i, pk in enumerate(person_ids):
        if f"attendees[{i}]" not in errors and pk not in rows and "attendees" not in errors:
            errors[f"attendees[{i}]"] = [_("This person is not an attendee of the activity.")]
    _raise(errors)
    audit = []
    for person in persons:
        row = rows[person.pk]
        audit.append(entry(acting_user, A.DELETE, row, household_id=person.household_id,
                           sensitive=activity.programme.sensitive, via=via,
                           changes={"activity": [activity.pk, None], "person": [person.pk, None]}))
        row.delete()
    record_many(audit)
    return len(audit)


# Community projects -------------------------------------------------------------------------

@transaction.atomic
def create_project(project, *, acting_user, via="web"):
    _require_editor(acting_user)
    project.status = ProjectStatus.PLANNED
    project.completed_on = None
    _raise(_model_errors(project))
    project.save()
    ProjectStatusChange.objects.create(project=project, from_status="", to_status=project.status, actor=acting_user)
    record(acting_user, A.CREATE, project, changes=diff({}, snapshot(project)), via=via)
    return project


@transaction.atomic
def update_project(project, changes, *, expected_version, acting_user, via="web"):
    """Change a project's fields; its status only changes through transition_project."""
    _require_editor(acting_user)
    if "status" in changes:
        raise ValidationError({"status": _("Change the status with a transition.")})
    before = snapshot(project, PROJECT_FIELDS)
    for field, value in changes.items():
        setattr(project, field, value)
    _raise(_model_errors(project))
    after = snapshot(project, PROJECT_FIELDS)
    save_versioned(project, expected_version, PROJECT_FIELDS)
    record(acting_user, A.UPDATE, project, changes=diff(before, after), via=via)
    return project


@transaction.atomic
def transition_project(project, to_status, *, on=None, reason="", expected_version=None, acting_user, via="web"):
    """Move a project to `to_status` if allowed; `on` is the completion date (default today)."""
    _require_editor(acting_user)
    current = ProjectStatus(project.status)
    try:
        target = ProjectStatus(to_status)
    except ValueError:
        raise ValidationError({"status": _("Unknown status %(s)s.") % {"s": to_status}})
    if target not in PROJECT_TRANSITIONS[current]:
        raise ValidationError({"status": _("A project cannot go from %(a)s to %(b)s.") % {
            "a": current.label, "b": target.label}})
    if target == ProjectStatus.CANCELLED and not reason.strip():
        raise ValidationError({"reason": _("Give a reason for cancelling.")})
    version = project.version if expected_version is None else expected_version
    changes = {"status": [current.value, target.value]}
    project.status = target
    if target == ProjectStatus.COMPLETED:
        project.completed_on = on or timezone.localdate()
        changes["completed_on"] = [None, project.completed_on.isoformat()]
    save_versioned(project, version, ["status", "completed_on"])
    ProjectStatusChange.objects.create(project=project, from_status=current, to_status=target, actor=acting_user,
                                       reason=reason)
    record(acting_user, A.TRANSITION, project, changes=changes, reason=reason, via=via)
    return project
