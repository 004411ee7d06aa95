"""Writes to programmes and enrolments: atomic, audited, taking the acting user."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import may_change_programme
from audit.models import AuditEntry, diff, record, snapshot
from homeward.concurrency import save_versioned
from programmes.models import (
    MANAGER_ONLY, REASON_REQUIRED, TRANSITIONS, Enrolment, EnrolmentStatus, EnrolmentStatusChange, Organisation,
    Programme,
)

A = AuditEntry.Action
ORGANISATION_FIELDS = ["name", "short_name", "kind", "country"]
PROGRAMME_FIELDS = ["code", "name", "description", "parent", "start_date", "end_date", "budget_eur", "sdg_goals",
                    "sensitive"]


def _require_manager(user):
    if not user.can_manage_programmes:
        raise PermissionDenied(_("Only managers and administrators change programmes."))


def _require_programme(user, programme):
    """`programme` None: a programme at the top level."""
    if not may_change_programme(user, programme):
        raise PermissionDenied(_("You change only the programmes you were given and their phases, and sensitive "
                                 "ones only when cleared for sensitive data."))


def _clean(obj, exclude=None):
    obj.full_clean(exclude=exclude)


@transaction.atomic
def create_programme(programme, *, donors=(), acting_user, via="web"):
    _require_manager(acting_user)
    _require_programme(acting_user, programme.parent)
    _clean(programme)
    programme.save()
    if donors:
        programme.donors.set(donors)
    record(acting_user, A.CREATE, programme, changes=diff({}, snapshot(programme)), via=via)
    return programme


@transaction.atomic
def update_programme(programme, changes, *, donors=None, expected_version, acting_user, via="web"):
    _require_manager(acting_user)
    _require_programme(acting_user, programme)
    before = snapshot(programme, PROGRAMME_FIELDS)
    for field, value in changes.items():
        setattr(programme, field, value)
    if programme.parent_id != before["parent"]:  # moved under another programme: that one must be theirs too
        _require_programme(acting_user, programme.parent)
    _clean(programme)
    after = snapshot(programme, PROGRAMME_FIELDS)
    save_versioned(programme, expected_version, PROGRAMME_FIELDS)
    changes = diff(before, after)
    if donors is not None:
        old = sorted(str(d) for d in programme.donors.all())
        programme.donors.set(donors)
        new = sorted(str(d) for d in donors)
        if old != new:
            changes["donors"] = [old, new]
    record(acting_user, A.UPDATE, programme, changes=changes, via=via)
    if programme.sensitive:
        _flag_phases_sensitive(programme, acting_user, via)
    return programme


def _flag_phases_sensitive(programme, acting_user, via):
    """A phase of a sensitive programme is sensitive too. Scoping reads each programme's own flag,
    so flagging a programme leaves no phase behind whose enrolments users not cleared would see."""
    phases = Programme.objects.phase_ids([programme]) - {programme.pk}
    for phase in Programme.objects.filter(pk__in=phases, sensitive=False).order_by("pk"):
        phase.sensitive = True
        save_versioned(phase, phase.version, ["sensitive"])
        record(acting_user, A.UPDATE, phase, changes={"sensitive": [False, True]}, via=via)


@transaction.atomic
def enrol(household, programme, *, acting_user, via="web"):
    if not acting_user.can_edit_registry:
        raise PermissionDenied(_("Your role cannot enrol households."))
    if programme.sensitive and not acting_user.sensitive:
        raise ValidationError({"programme": _("Only users cleared for sensitive data enrol in this programme.")})
    if Enrolment.objects.filter(household=household, programme=programme).exists():
        raise ValidationError({"programme": _("The household is already enrolled in this programme.")})
    enrolment = Enrolment.objects.create(household=household, programme=programme)
    EnrolmentStatusChange.objects.create(
        enrolment=enrolment, from_status="", to_status=EnrolmentStatus.APPLIED, actor=acting_user
    )
    record(acting_user, A.CREATE, enrolment, changes={"programme": [None, programme.code], "status": [None, "applied"]},
           household_id=household.pk, sensitive=programme.sensitive, via=via)
    return enrolment


@transaction.atomic
def transition(enrolment, to_status, *, reason="", expected_version=None, acting_user, via="web"):
    """Move an enrolment to `to_status` if the transition is allowed; one status-change row each."""
    if not acting_user.can_edit_registry:
        raise PermissionDenied(_("Your role cannot change enrolments."))
    current = EnrolmentStatus(enrolment.status)
    try:
        target = EnrolmentStatus(to_status)
    except ValueError:
        raise ValidationError({"status": _("Unknown status %(s)s.") % {"s": to_status}})
    if target not in TRANSITIONS[current]:
        raise ValidationError({"status": _("An enrolment cannot go from %(a)s to %(b)s.") % {
            "a": current.label, "b": target.label}})
    if target in MANAGER_ONLY and not acting_user.can_decide_selection:
        raise PermissionDenied(_("Only a programme manager selects, waitlists or rejects."))
    if target in REASON_REQUIRED and not reason.strip():
        raise ValidationError({"reason": _("Give a reason for this decision.")})
    version = enrolment.version if expected_version is None else expected_version
    enrolment.status = target
    enrolment.status_changed_at = timezone.now()
    save_versioned(enrolment, version, ["status", "status_changed_at"])
    EnrolmentStatusChange.objects.create(
        enrolment=enrolment, from_status=current, to_status=target, actor=acting_user, reason=reason
    )
    record(acting_user, A.TRANSITION, enrolment, changes={"status": [current.value, target.value]},
           household_id=enrolment.household_id, sensitive=enrolment.programme.sensitive, reason=reason, via=via)
    return enrolment


@transaction.atomic
def create_organisation(organisation, *, acting_user, via="web"):
    _require_manager(acting_user)
    _clean(organisation)
    organisation.save()
    record(acting_user, A.CREATE, organisation, changes=diff({}, snapshot(organisation, ORGANISATION_FIELDS)), via=via)
    return organisation


@transaction.atomic
def update_organisation(organisation, changes, *, expected_version, acting_user, via="web"):
    _require_manager(acting_user)
    before = snapshot(organisation, ORGANISATION_FIELDS)
    for field, value in changes.items():
        setattr(organisation, field, value)
    _clean(organisation)
    save_versioned(organisation, expected_version, ORGANISATION_FIELDS)
    record(acting_user, A.UPDATE, organisation, changes=diff(before, snapshot(organisation, ORGANISATION_FIELDS)),
           via=via)
    return organisation
