"""Recording the detail of a kind of assistance (a house, a grant, a training, a placement, a
referral, medical help) and its history rows. Every function is atomic, audited and takes the
acting user, like assistance.actions; bad input raises ValidationError naming the field as the
client wrote it (`detail.site`, `detail.equipment[0].value_eur`)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from assistance.actions import record_delivery
from assistance.models import (
    KINDS, MILESTONE_ORDER, REFERRAL_TRANSITIONS, BusinessFollowUp, BusinessStatus, Delivery, DeliveryStatus,
    EquipmentLine, HouseDetail, HouseMilestone, IncomeGrantDetail, Milestone, ReferralDetail, ReferralStatus,
    ReferralStatusChange,
)
from audit.models import AuditEntry, diff, record, snapshot
from places.models import Country, Municipality
from programmes.models import Programme

A = AuditEntry.Action


def _country(text):
    return Country.objects.filter(code=(text or "").strip().upper()).first()


# Wire values that name another record: the wire name → a look-up returning the record or None.
LOOKUPS = {
    "municipality": Municipality.objects.lookup,
    "destination_country": _country,
}


def _sensitive(delivery):
    return delivery.type.sensitive or delivery.programme.sensitive


def _may_edit(user):
    if not user.can_edit_registry:
        raise PermissionDenied(_("Your role cannot record assistance."))


def _errors_with_prefix(error, prefix):
    return {f"{prefix}{field}": messages for field, messages in error.message_dict.items()}


def _set_fields(detail, data, errors):
    """Copy the wire values onto the model; the model's full_clean() then turns text into dates
    and numbers and reports what is wrong, field by field."""
    model = type(detail)
    for name, value in data.items():
        if name not in model.WIRE:
            errors[f"detail.{name}"] = [_("Unknown field for %(kind)s.") % {"kind": model._meta.verbose_name}]
        elif name in LOOKUPS:
            found = LOOKUPS[name](str(value)) if value not in (None, "") else None
            if value not in (None, "") and found is None:
                errors[f"detail.{name}"] = [_("Unknown: %(v)s.") % {"v": value}]
            elif found is not None or model._meta.get_field(name).null:
                setattr(detail, name, found)
        elif name != "equipment":
            setattr(detail, model._meta.get_field(name).attname, value)


def _equipment_lines(data, errors):
    lines = []
    raw = data.get("equipment") or []
    if not isinstance(raw, list):
        errors["detail.equipment"] = [_("A list of {item, quantity, value_eur}.")]
        return lines
    for i, row in enumerate(raw):
        if not isinstance(row, dict) or set(row) - {"item", "quantity", "value_eur"}:
            errors[f"detail.equipment[{i}]"] = [_("Give item, quantity and value_eur.")]
            continue
        line = EquipmentLine(item=row.get("item") or "", quantity=row.get("quantity") or 1,
                             value_eur=row.get("value_eur"))
        try:
            line.full_clean(exclude=["grant"])
        except ValidationError as e:
            errors.update(_errors_with_prefix(e, f"detail.equipment[{i}]."))
        lines.append(line)
    return lines


@transaction.atomic
def save_detail(delivery, data, *, acting_user, via="web"):
    """Create or change the detail of `delivery` from wire values (a dict)."""
    _may_edit(acting_user)
    model = KINDS.get(delivery.type.code)
    if model is None:
        raise ValidationError({"detail": _("%(t)s has no detail to record.") % {"t": delivery.type}})
    if not isinstance(data, dict):
        raise ValidationError({"detail": _("An object with the fields of the kind.")})
    detail = model.objects.filter(delivery=delivery).first()
    before = snapshot(detail) if detail else {}
    if detail is None:
        detail = model(delivery=delivery)
    errors = {}
    _set_fields(detail, data, errors)
    lines = _equipment_lines(data, errors) if "equipment" in data else None
    already_wrong = [f.removeprefix("detail.") for f in errors]
    try:
        detail.full_clean(exclude=["delivery", *already_wrong])
    except ValidationError as e:
        errors.update(_errors_with_prefix(e, "detail."))
    if errors:
        raise ValidationError(errors)
    detail.save()
    changes = diff(before, snapshot(detail))
    if model is ReferralDetail and not before:
        # The first row of a referral's history: it was sent.
        ReferralStatusChange.objects.create(referral=detail, from_status="", to_status=ReferralStatus.SENT,
                                            date=delivery.date, actor=acting_user)
    if lines is not None:
        detail.equipment.all().delete()
        for line in lines:
            line.grant = detail
        EquipmentLine.objects.bulk_create(lines)
        changes["equipment"] = [None, [[ln.item, ln.quantity, str(ln.value_eur)] for ln in lines]]
    record(acting_user, A.UPDATE if before else A.CREATE, detail, changes=changes,
           household_id=delivery.household_id, sensitive=_sensitive(delivery), via=via)
    return detail


@transaction.atomic
def record_assistance(*, acting_user, detail=None, via="web", **fields):
    """record_delivery and, when given, the detail of its kind, in one transaction: when either is
    refused nothing is left behind. Returns (delivery, warnings)."""
    delivery, warnings = record_delivery(acting_user=acting_user, via=via, **fields)
    if detail:
        save_detail(delivery, detail, acting_user=acting_user, via=via)
    return delivery, warnings


# House milestones ------------------------------------------------------------------------------

@transaction.atomic
def add_milestone(house, milestone, date, *, acting_user, note="", via="web"):
    """The next milestone of a house: only the one after the latest, on or after its date."""
    _may_edit(acting_user)
    house = HouseDetail.objects.select_for_update().select_related("delivery__type", "delivery__programme").get(
        pk=house.pk)
    if milestone not in Milestone.values:
        raise ValidationError({"milestone": _("Unknown milestone %(m)s.") % {"m": milestone}})
    latest = house.latest_milestone()
    if latest and latest.milestone == MILESTONE_ORDER[-1]:
        raise ValidationError({"milestone": _("The family has already moved in; no milestone comes after.")})
    expected = MILESTONE_ORDER[MILESTONE_ORDER.index(latest.milestone) + 1] if latest else MILESTONE_ORDER[0]
    if milestone != expected:
        raise ValidationError({"milestone": _("The next milestone is %(m)s.") % {"m": expected.label}})
    if date is None:
        raise ValidationError({"date": _("This field is required.")})
    if latest and date < latest.date:
        raise ValidationError({"date": _("Before the previous milestone (%(d)s).") % {"d": latest.date}})
    row = HouseMilestone.objects.create(house=house, milestone=milestone, date=date, note=note,
                                        recorded_by=acting_user)
    record(acting_user, A.TRANSITION, house,
           changes={"milestone": [latest.milestone if latest else None, milestone], "date": [None, str(date)]},
           household_id=house.delivery.household_id, sensitive=_sensitive(house.delivery), via=via)
    return row


def house_progress(programme, *, user, include_phases=True):
    """Each house of the programme (and its phases) that the user may see, not cancelled, with its
    latest milestone and that milestone's date (None before the first)."""
    programmes = Programme.objects.with_phases(programme) if include_phases else [programme]
    latest = HouseMilestone.objects.filter(house=OuterRef("pk")).order_by("-pk")
    return (HouseDetail.objects
            .filter(delivery__in=Delivery.objects.visible_to(user), delivery__programme__in=programmes)
            .exclude(delivery__status=DeliveryStatus.CANCELLED)
            .select_related("delivery__household", "delivery__programme", "municipality")
            .annotate(latest_milestone=Subquery(latest.values("milestone")[:1]),
                      latest_date=Subquery(latest.values("date")[:1]))
            .order_by("delivery__household__ref", "pk"))


# Business follow-ups ---------------------------------------------------------------------------

@transaction.atomic
def add_follow_up(grant, status, date, *, acting_user, note="", via="web"):
    """How the business stands at a follow-up visit: operating, closed, or changed activity."""
    _may_edit(acting_user)
    grant = IncomeGrantDetail.objects.select_related("delivery__type", "delivery__programme").get(pk=grant.pk)
    if status not in BusinessStatus.values:
        raise ValidationError({"status": _("One of: %(s)s.") % {"s": ", ".join(BusinessStatus.values)}})
    if date is None:
        raise ValidationError({"date": _("This field is required.")})
    if date < grant.delivery.date:
        raise ValidationError({"date": _("Before the grant was given (%(d)s).") % {"d": grant.delivery.date}})
    row = BusinessFollowUp.objects.create(grant=grant, status=status, date=date, note=note, recorded_by=acting_user)
    record(acting_user, A.TRANSITION, grant, changes={"business_status": [None, status], "date": [None, str(date)]},
           household_id=grant.delivery.household_id, sensitive=_sensitive(grant.delivery), via=via)
    return row


# Referral status -------------------------------------------------------------------------------

@transaction.atomic
def change_referral_status(referral, to_status, date, *, acting_user, outcome="", via="web"):
    """sent → accepted or declined; accepted → completed (REFERRAL_TRANSITIONS)."""
    _may_edit(acting_user)
    referral = type(referral).objects.select_for_update().select_related(
        "delivery__type", "delivery__programme").get(pk=referral.pk)
    current = ReferralStatus(referral.status)
    if to_status not in REFERRAL_TRANSITIONS[current]:
        raise ValidationError({"status": _("A referral cannot go from %(a)s to %(b)s.") % {
            "a": current.label, "b": to_status}})
    if date is None:
        raise ValidationError({"date": _("This field is required.")})
    before = snapshot(referral, ["status", "outcome"])
    referral.status = to_status
    if outcome:
        referral.outcome = outcome
    referral.save(update_fields=["status", "outcome"])
    ReferralStatusChange.objects.create(referral=referral, from_status=current, to_status=to_status, date=date,
                                        actor=acting_user)
    record(acting_user, A.TRANSITION, referral, changes=diff(before, snapshot(referral, ["status", "outcome"])),
           household_id=referral.delivery.household_id, sensitive=_sensitive(referral.delivery), via=via)
    return referral

