"""Writing results frameworks: atomic, audited, taking the acting user, like every other action.

Managers and administrators shape a framework (results, indicators, targets); M&E officers may
also enter the values of manual indicators, with their evidence.

Once made, a result keeps its level, parent and code, and an indicator its definition: changing
what an indicator counts would silently change every figure reported against its targets, so a
definition is changed by deleting the indicator (possible only while nothing hangs on it) and
making it again.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.scope import may_change_programme
from audit.models import AuditEntry, diff, record, snapshot
from homeward.concurrency import save_versioned
from reports.models import Indicator, ManualValue, Result, Target

A = AuditEntry.Action


def _require_manager(user, programme):
    if not user.can_manage_programmes:
        raise PermissionDenied(_("Only managers and administrators change results frameworks."))
    _require_programme(user, programme)


def _require_programme(user, programme):
    if not may_change_programme(user, programme):
        raise PermissionDenied(_("You change only the frameworks of the programmes you were given and their "
                                 "phases, and of sensitive ones only when cleared for sensitive data."))


def _full_clean(obj):
    """full_clean, with a code the programme already uses reported on the code field rather than
    as a message about the whole record."""
    try:
        obj.full_clean()
    except ValidationError as e:
        errors = e.message_dict
        if isinstance(obj, (Result, Indicator)) and type(obj).objects.filter(
                programme_id=obj.programme_id, code=obj.code).exclude(pk=obj.pk).exists():
            errors.pop("__all__", None)  # the unique constraint's message, said better below
            errors["code"] = [_("This programme already uses the code %(code)s.") % {"code": obj.code}]
        raise ValidationError(errors) from None


def _save_new(obj, user, via, changes=None):
    _full_clean(obj)
    obj.save()
    record(user, A.CREATE, obj, changes=changes or diff({}, snapshot(obj)), via=via)
    return obj


def _prepare_tallies(programme):
    """Once the change is committed, queue the running tallies its figures will read (reports.tallies)."""
    from reports import tallies

    transaction.on_commit(lambda: tallies.prepare(programme))


@transaction.atomic
def create_result(result, *, acting_user, via="web"):
    _require_manager(acting_user, result.programme)
    return _save_new(result, acting_user, via)


@transaction.atomic
def create_indicator(indicator, *, assistance_types=(), acting_user, via="web"):
    """Save an indicator with its definition; every bad column is reported together."""
    if indicator.result_id and not indicator.programme_id:
        indicator.programme_id = indicator.result.programme_id
    _require_manager(acting_user, indicator.programme)
    errors = {}
    try:
        _full_clean(indicator)
    except ValidationError as e:
        errors.update(e.message_dict)
    try:
        indicator.check_assistance_types(list(assistance_types))
    except ValidationError as e:
        errors.update(e.message_dict)
    if not acting_user.sensitive and any(t.sensitive for t in assistance_types):
        errors["assistance_types"] = [_("Only users cleared for sensitive data count medical and psychosocial help.")]
    if errors:
        raise ValidationError(errors)
    indicator.save()
    indicator.assistance_types.set(assistance_types)
    changes = diff({}, snapshot(indicator))
    changes["assistance_types"] = [None, sorted(t.code for t in assistance_types)]
    record(acting_user, A.CREATE, indicator, changes=changes, via=via)
    _prepare_tallies(indicator.programme)
    return indicator


@transaction.atomic
def set_target(indicator, period_start, period_end, value, *, acting_user, via="web"):
    """The target for a period; setting it again changes it."""
    _require_manager(acting_user, indicator.programme)
    target = Target.objects.filter(indicator=indicator, period_start=period_start, period_end=period_end).first()
    if target is None:
        _prepare_tallies(indicator.programme)  # a new period: its first day names new sets
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
    _require_programme(acting_user, indicator.programme)
    return _save_new(ManualValue(indicator=indicator, period_start=period_start, period_end=period_end, value=value,
                                 evidence=evidence, recorded_by=acting_user), acting_user, via)


# What may change once a record exists: its wording, never its place or definition.
RESULT_EDITABLE = ("statement",)
INDICATOR_EDITABLE = ("name", "unit", "baseline", "baseline_date")


def _update(obj, changes, editable, *, expected_version, acting_user, via):
    unknown = set(changes) - set(editable)
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    before = snapshot(obj, editable)
    for field, value in changes.items():
        setattr(obj, field, value)
    _full_clean(obj)
    after = snapshot(obj, editable)
    # The write only matches the version the editor loaded: StaleVersion, and nothing written, if
    # someone saved in between.
    save_versioned(obj, expected_version, list(editable))
    record(acting_user, A.UPDATE, obj, changes=diff(before, after), via=via)
    return obj


@transaction.atomic
def update_result(result, changes, *, expected_version, acting_user, via="web"):
    """Reword a result: `changes` names fields of RESULT_EDITABLE."""
    _require_manager(acting_user, result.programme)
    return _update(result, changes, RESULT_EDITABLE, expected_version=expected_version, acting_user=acting_user,
                   via=via)


@transaction.atomic
def update_indicator(indicator, changes, *, expected_version, acting_user, via="web"):
    """Rename an indicator or correct its unit and baseline: `changes` names fields of INDICATOR_EDITABLE."""
    _require_manager(acting_user, indicator.programme)
    return _update(indicator, changes, INDICATOR_EDITABLE, expected_version=expected_version,
                   acting_user=acting_user, via=via)


@transaction.atomic
def delete_result(result, *, acting_user, via="web"):
    """Only an empty result goes: one with indicators or results under it is refused."""
    _require_manager(acting_user, result.programme)
    if result.children.exists() or result.indicators.exists():
        raise ValidationError(_("%(code)s still has results or indicators under it; delete those first.")
                              % {"code": result.code})
    record(acting_user, A.DELETE, result, changes=diff(snapshot(result), {}), via=via)
    result.delete()


@transaction.atomic
def delete_indicator(indicator, *, acting_user, via="web"):
    """Only an indicator nothing was reported against goes: targets and entered values are the
    programme's commitments and evidence, and a ratio would lose its terms."""
    _require_manager(acting_user, indicator.programme)
    if indicator.targets.exists() or indicator.manual_values.exists():
        raise ValidationError(_("%(code)s has targets or entered values and cannot be deleted.")
                              % {"code": indicator.code})
    if Indicator.objects.filter(Q(numerator=indicator) | Q(denominator=indicator)).exists():
        raise ValidationError(_("%(code)s is a term of a ratio indicator and cannot be deleted.")
                              % {"code": indicator.code})
    changes = diff(snapshot(indicator), {})
    changes["assistance_types"] = [sorted(t.code for t in indicator.assistance_types.all()), None]
    record(acting_user, A.DELETE, indicator, changes=changes, via=via)
    indicator.delete()
