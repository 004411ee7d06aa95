"""Writing results frameworks: atomic, audited, taking the acting user, like every other action.

Managers and administrators shape a framework (results, indicators, targets); M&E officers may
also enter the values of manual indicators, with their evidence.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Role
from audit.models import AuditEntry, diff, record, snapshot
from reports.models import ManualValue, Target

A = AuditEntry.Action


def _require_manager(user):
    if not user.can_manage_programmes:
        raise PermissionDenied(_("Only managers and administrators change results frameworks."))


def _save_new(obj, user, via, changes=None):
    obj.full_clean()
    obj.save()
    record(user, A.CREATE, obj, changes=changes or diff({}, snapshot(obj)), via=via)
    return obj


@transaction.atomic
def create_result(result, *, acting_user, via="web"):
    _require_manager(acting_user)
    return _save_new(result, acting_user, via)


@transaction.atomic
def create_indicator(indicator, *, assistance_types=(), acting_user, via="web"):
    """Save an indicator with its definition; every bad column is reported together."""
    _require_manager(acting_user)
    if indicator.result_id and not indicator.programme_id:
        indicator.programme_id = indicator.result.programme_id
    errors = {}
    try:
        indicator.full_clean()
    except ValidationError as e:
        errors.update(e.message_dict)
    try:
        indicator.check_assistance_types(list(assistance_types))
    except ValidationError as e:
        errors.update(e.message_dict)
    if errors:
        raise ValidationError(errors)
    indicator.save()
    indicator.assistance_types.set(assistance_types)
    changes = diff({}, snapshot(indicator))
    changes["assistance_types"] = [None, sorted(t.code for t in assistance_types)]
    record(acting_user, A.CREATE, indicator, changes=changes, via=via)
    return indicator


@transaction.atomic
def set_target(indicator, period_start, period_end, value, *, acting_user, via="web"):
    """The target for a period; setting it again changes it."""
    _require_manager(acting_user)
    target = Target.objects.filter(indicator=indicator, period_start=period_start, period_end=period_end).first()
    if target is None:
        return _save_new(Target(indicator=indicator, period_start=period_start, period_end=period_end, value=value),
                         acting_user, via)
    before = snapshot(target, ["value"])
    target.value = value
    target.full_clean()
    target.save(update_fields=["value"])
    record(acting_user, A.UPDATE, target, changes=diff(before, snapshot(target, ["value"])), via=via)
    return target


@transaction.atomic
def record_manual_value(indicator, period_start, period_end, value, evidence, *, acting_user, via="web"):
    if not (acting_user.can_manage_programmes or acting_user.role == Role.ME):
        raise PermissionDenied(_("Only managers, administrators and M&E officers enter indicator values."))
    return _save_new(ManualValue(indicator=indicator, period_start=period_start, period_end=period_end, value=value,
                                 evidence=evidence, recorded_by=acting_user), acting_user, via)
