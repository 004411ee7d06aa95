"""Recording assistance: atomic, audited, guarded against double assistance."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from assistance.models import (
    DELIVERY_TRANSITIONS, Delivery, DeliveryStatus, DeliveryStatusChange, GuardRule, PackageItem, Recipient,
)
from audit.models import AuditEntry, diff, record, snapshot
from homeward.concurrency import save_versioned
from registry.models import Household

A = AuditEntry.Action


class GuardBlocked(ValidationError):
    """A second delivery of a blocked category, without a manager's override."""

    def __init__(self, message, earlier):
        super().__init__({"type": [message]})
        self.earlier = earlier


def earlier_assistance(household_id, type, person_id=None):
    """Planned or delivered assistance of the same category to the same recipient, across every
    programme and phase: the household for household help, the person for personal help."""
    qs = Delivery.objects.exclude(status=DeliveryStatus.CANCELLED).filter(type__category=type.category)
    if type.recipient == Recipient.PERSON and person_id is not None:
        return qs.filter(person_id=person_id)
    return qs.filter(household_id=household_id)


def check_guard(household_id, type, person_id=None):
    """(mode, earlier deliveries): mode is None when no rule applies or nothing came before."""
    rule = GuardRule.objects.filter(category=type.category).first()
    if rule is None:
        return None, []
    earlier = list(earlier_assistance(household_id, type, person_id).select_related("programme", "type")[:5])
    return (rule.mode if earlier else None), earlier


@transaction.atomic
def record_delivery(*, acting_user, programme, type, household=None, person=None, date, status="planned",
                    quantity=1, value_eur=None, partner=None, notes="", override_reason="", via="web"):
    """Record one delivery. Returns (delivery, warnings). Raises ValidationError naming the field,
    GuardBlocked when a blocked category was already given, PermissionDenied for read-only roles."""
    if not acting_user.can_edit_registry:
        raise PermissionDenied(_("Your role cannot record assistance."))
    if (household is None) == (person is None):
        raise ValidationError({"household": _("Give exactly one of household and person.")})
    if type.recipient == Recipient.HOUSEHOLD and household is None:
        raise ValidationError({"household": _("%(t)s goes to a household.") % {"t": type}})
    if type.recipient == Recipient.PERSON and person is None:
        raise ValidationError({"person": _("%(t)s goes to a person.") % {"t": type}})
    if (type.sensitive or programme.sensitive) and not acting_user.sensitive:
        raise ValidationError({"type": _("Only users cleared for sensitive data record this assistance.")})
    if status not in DeliveryStatus.values:
        raise ValidationError({"status": _("One of: %(s)s.") % {"s": ", ".join(DeliveryStatus.values)}})
    household_id = household.pk if household is not None else person.household_id
    # Lock the household so two caseworkers cannot both give it a house at the same moment
    # (SQLite serialises writers anyway; this is for PostgreSQL).
    Household.objects.select_for_update().filter(pk=household_id).first()
    # A delivery recorded as already cancelled (kept for the record) gives nothing: not guarded.
    mode, earlier = (None, []) if status == DeliveryStatus.CANCELLED else check_guard(
        household_id, type, person.pk if person else None)
    warnings = []
    if mode == GuardRule.Mode.BLOCK:
        if not (override_reason.strip() and acting_user.can_decide_selection):
            raise GuardBlocked(
                _("This household already has %(what)s (%(where)s); only a manager can record another, "
                  "with a reason.") % {"what": type.get_category_display().lower(),
                                       "where": ", ".join(f"{d.programme.code} {d.date}" for d in earlier)},
                earlier)
    elif mode == GuardRule.Mode.WARN:
        warnings.append(_("Already given in this category: %(where)s.") % {
            "where": ", ".join(f"{d.type.code} {d.programme.code} {d.date}" for d in earlier)})
    delivery = Delivery(programme=programme, household_id=household_id, person=person, type=type, status=status,
                        date=date, quantity=quantity, value_eur=value_eur, partner=partner, notes=notes,
                        override_reason=override_reason.strip() if mode else "")
    if household is not None:
        delivery.household = household  # already read: the audit row's description needs no query
    try:
        quantity_ok = Decimal(str(quantity)) > 0
    except (InvalidOperation, TypeError, ValueError):
        quantity_ok = False
    if not quantity_ok:
        raise ValidationError({"quantity": _("The quantity must be a number above zero.")})
    # The related records were read and checked above; re-reading each to validate the foreign
    # keys would cost a query apiece on the path every caseworker's save takes.
    delivery.full_clean(exclude=["programme", "household", "person", "type", "partner"], validate_constraints=False)
    delivery.save()
    DeliveryStatusChange.objects.create(delivery=delivery, from_status="", to_status=status, actor=acting_user,
                                        reason=delivery.override_reason)
    record(acting_user, A.CREATE, delivery, changes=diff({}, snapshot(delivery)), household_id=household_id,
           sensitive=type.sensitive or programme.sensitive, reason=delivery.override_reason, via=via)
    return delivery, warnings


@transaction.atomic
def change_delivery_status(delivery, to_status, *, reason="", expected_version=None, acting_user, via="web"):
    if not acting_user.can_edit_registry:
        raise PermissionDenied(_("Your role cannot change deliveries."))
    current = DeliveryStatus(delivery.status)
    if to_status not in DELIVERY_TRANSITIONS[current]:
        raise ValidationError({"status": _("A delivery cannot go from %(a)s to %(b)s.") % {
            "a": current.label, "b": to_status}})
    if to_status == DeliveryStatus.CANCELLED and not reason.strip():
        raise ValidationError({"reason": _("Say why the delivery is cancelled.")})
    before = snapshot(delivery, ["status"])
    delivery.status = to_status
    save_versioned(delivery, delivery.version if expected_version is None else expected_version, ["status"])
    DeliveryStatusChange.objects.create(delivery=delivery, from_status=current, to_status=to_status,
                                        actor=acting_user, reason=reason)
    record(acting_user, A.TRANSITION, delivery, changes=diff(before, {"status": to_status}),
           household_id=delivery.household_id, sensitive=delivery.type.sensitive, reason=reason, via=via)
    return delivery


@transaction.atomic
def add_assistance_type(kind, *, items=(), acting_user, via="web"):
    """Extend the catalogue with a type (and, for a package, what it holds: [(item type, quantity)]).
    Only administrators: every programme's figures count by these codes."""
    if acting_user.role != "admin":
        raise PermissionDenied(_("Only administrators extend the catalogue."))
    kind.full_clean()
    if items and kind.category != "package":
        raise ValidationError({"items": _("Only a package lists items.")})
    kind.save()
    for item, quantity in items:
        PackageItem.objects.create(package=kind, item=item, quantity=quantity)
    record(acting_user, A.CREATE, kind, changes=diff({}, snapshot(kind)) | (
        {"items": [None, [f"{item.code} {quantity}" for item, quantity in items]]} if items else {}), via=via)
    return kind


@transaction.atomic
def set_guard_rules(modes, *, acting_user, via="web"):
    """Set the double-assistance rule of each category: {category: "warn" | "block" | ""}, "" for
    none. Administrators only; each change is audited."""
    if acting_user.role != "admin":
        raise PermissionDenied(_("Only administrators change the double-assistance rules."))
    current = {r.category: r for r in GuardRule.objects.all()}
    for category, mode in modes.items():
        if mode not in ("", *GuardRule.Mode.values):
            raise ValidationError({category: _("Choose warn, block or nothing.")})
        rule = current.get(category)
        before = rule.mode if rule else ""
        if before == mode:
            continue
        if not mode:
            record(acting_user, A.DELETE, rule, changes={"mode": [before, None]}, via=via)
            rule.delete()
        elif rule is None:
            rule = GuardRule.objects.create(category=category, mode=mode)
            record(acting_user, A.CREATE, rule, changes={"category": [None, category], "mode": [None, mode]}, via=via)
        else:
            rule.mode = mode
            rule.save(update_fields=["mode"])
            record(acting_user, A.UPDATE, rule, changes={"mode": [before, mode]}, via=via)
