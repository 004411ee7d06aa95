"""/assistance-types and /assistance: the catalogue, and deliveries with their detail and evidence.

Every read starts from Delivery.objects.visible_to(user): deliveries follow their household's
scope, and medical help and sensitive programmes are seen only by users cleared for sensitive data.
A delivery outside the scope is a 404 on every route.

Choices made here (the contract leaves them open):
- POST naming a household or person the caller cannot see answers 422 with the field
  (`household` or `person`) and the same message as for an id that does not exist, so the reply
  never tells whether the record exists.
- A second delivery the double-assistance guard blocks answers 409 Conflict, a problem document
  with `errors: [{"field": "type", ...}]`: the input is well formed, it conflicts with what the
  household already received. A manager may send `override_reason` to record it anyway. Guard
  warnings (a second package) do not stop the delivery; they come back in the reply's `warnings`.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict, Field

from api.common import Page, caller, etag, expected_version, paged, require, scoped_get
from api.problems import Invalid, problem
from assistance import kinds
from assistance.actions import GuardBlocked, change_delivery_status
from assistance.evidence import add_evidence, evidence_visible_to
from assistance.models import (
    KINDS, AssistanceType, Delivery, DeliveryStatus, DeliveryStatusChange, Evidence, HouseDetail, IncomeGrantDetail,
    PackageItem, ReferralDetail,
)
from assistance.views import open_evidence
from audit.models import AuditEntry, record
from programmes.models import Organisation, Programme
from registry.models import Household, Person

router = Router(tags=["assistance"])


# Catalogue -------------------------------------------------------------------------------------

class PackageItemOut(Schema):
    code: str
    quantity: Decimal


class AssistanceTypeOut(Schema):
    code: str
    name: str
    category: str
    unit: str
    recipient: str
    sensitive: bool
    detail: str | None = Field(description="the kind of detail a delivery of this type records, if any")
    items: list[PackageItemOut]


class AssistanceTypePage(Schema):
    count: int
    items: list[AssistanceTypeOut]


def type_json(t):
    kind = KINDS.get(t.code)
    return {
        "code": t.code,
        "name": t.name_en,
        "category": t.category,
        "unit": t.unit,
        "recipient": t.recipient,
        "sensitive": t.sensitive,
        "detail": kind._meta.model_name.removesuffix("detail") if kind else None,
        "items": [{"code": i.item.code, "quantity": i.quantity} for i in t.items.all()],
    }


@router.get("/assistance-types", response=AssistanceTypePage)
def list_types(request, page: Query[Page]):
    """The catalogue: every assistance type with its category, unit, recipient (household or
    person) and, for packages, the items in them. Open to every role."""
    types = AssistanceType.objects.prefetch_related(
        Prefetch("items", queryset=PackageItem.objects.select_related("item").order_by("item__code")))
    return paged(types, page, type_json)


# Deliveries ------------------------------------------------------------------------------------

class StatusChangeOut(Schema):
    from_status: str | None
    to_status: str
    at: datetime.datetime
    reason: str


class EvidenceOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    uploaded_at: datetime.datetime
    url: str


class DeliveryOut(Schema):
    id: int
    version: int
    programme: str
    household: int
    person: int | None
    type: str
    category: str
    status: str
    date: datetime.date
    quantity: Decimal
    value_eur: Decimal | None
    partner: str | None
    notes: str
    override_reason: str
    detail: dict[str, Any] | None
    history: list[StatusChangeOut]
    evidence: list[EvidenceOut]


class DeliveryCreated(DeliveryOut):
    warnings: list[str]


class DeliveryPage(Schema):
    count: int
    items: list[DeliveryOut]


class DeliveryIn(Schema):
    model_config = ConfigDict(extra="forbid")

    programme: str = Field(description="programme or phase code")
    household: int | None = Field(None, description="household id, for household assistance")
    person: int | None = Field(None, description="person id, for personal assistance")
    type: str = Field(description="assistance type code")
    status: str = Field("planned", description="planned, delivered or cancelled")
    date: datetime.date
    quantity: Decimal = Decimal(1)
    value_eur: Decimal | None = None
    partner: str | None = Field(None, description="delivering organisation, by name or short name")
    notes: str = ""
    override_reason: str = Field("", description="a manager's reason to record a blocked second delivery")
    detail: dict[str, Any] | None = Field(None, description="the fields of the type's kind (see /assistance-types)")


class DeliveryPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    status: str | None = Field(None, description="delivered or cancelled")
    reason: str = Field("", description="why; required to cancel")
    detail: dict[str, Any] | None = Field(None, description="fields of the kind's detail to change")


class MilestoneIn(Schema):
    model_config = ConfigDict(extra="forbid")

    milestone: str = Field(description="assessment, design, permits, tender, construction_started, completed, "
                                        "handed_over, family_moved_in; only the next one")
    date: datetime.date
    note: str = ""


class FollowUpIn(Schema):
    model_config = ConfigDict(extra="forbid")

    status: str = Field(description="operating, closed or changed")
    date: datetime.date
    note: str = ""


class ReferralStatusIn(Schema):
    model_config = ConfigDict(extra="forbid")

    status: str = Field(description="accepted or declined after sent; completed after accepted")
    date: datetime.date
    outcome: str = ""


DETAIL_RELATIONS = sorted({model._meta.model_name for model in KINDS.values()})


def deliveries_for(user):
    return Delivery.objects.visible_to(user).select_related(
        "programme", "type", "partner", *DETAIL_RELATIONS, "housedetail__municipality",
        "medicaldetail__destination_country",
    ).prefetch_related(
        Prefetch("changes", queryset=DeliveryStatusChange.objects.order_by("at", "pk")),
        Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "pk")),
        "housedetail__milestones", "incomegrantdetail__equipment", "incomegrantdetail__follow_ups",
        "referraldetail__changes",
    )


def _value(v):
    return str(v) if isinstance(v, Decimal) else v


def detail_json(delivery):
    """The kind's fields by their wire names, with its history rows."""
    model = KINDS.get(delivery.type.code)
    detail = getattr(delivery, model._meta.model_name, None) if model else None
    if detail is None:
        return None
    out = {}
    for name in model.WIRE:
        if name == "equipment":
            out[name] = [{"item": e.item, "quantity": e.quantity, "value_eur": str(e.value_eur)}
                         for e in detail.equipment.all()]
        elif name == "municipality":
            out[name] = detail.municipality.code
        elif name == "destination_country":
            out[name] = detail.destination_country.code if detail.destination_country_id else None
        else:
            out[name] = _value(getattr(detail, name))
    # The history of the kinds that have one.
    if hasattr(detail, "milestones"):
        out["milestones"] = [{"milestone": m.milestone, "date": m.date, "note": m.note}
                             for m in detail.milestones.all()]
    if hasattr(detail, "follow_ups"):
        out["follow_ups"] = [{"status": f.status, "date": f.date, "note": f.note} for f in detail.follow_ups.all()]
    if hasattr(detail, "changes"):
        out["status"] = detail.status
        out["history"] = [{"from_status": c.from_status or None, "to_status": c.to_status, "date": c.date}
                          for c in detail.changes.all()]
    return out


def delivery_json(d):
    return {
        "id": d.pk,
        "version": d.version,
        "programme": d.programme.code,
        "household": d.household_id,
        "person": d.person_id,
        "type": d.type.code,
        "category": d.type.category,
        "status": d.status,
        "date": d.date,
        "quantity": d.quantity,
        "value_eur": d.value_eur,
        "partner": str(d.partner) if d.partner_id else None,
        "notes": d.notes,
        "override_reason": d.override_reason,
        "detail": detail_json(d),
        "history": [{"from_status": c.from_status or None, "to_status": c.to_status, "at": c.at, "reason": c.reason}
                    for c in d.changes.all()],
        "evidence": [evidence_json(e) for e in d.evidence.all()],
    }


def evidence_json(e):
    return {"id": e.pk, "name": e.original_name, "content_type": e.content_type, "size": e.size,
            "uploaded_at": e.uploaded_at, "url": f"/api/v1/assistance/{e.delivery_id}/evidence/{e.pk}"}


def _record_view(user, delivery):
    if delivery.type.sensitive or delivery.programme.sensitive:
        record(user, AuditEntry.Action.VIEW, delivery, household_id=delivery.household_id, sensitive=True,
               via="api")


def _programme(code, field="programme"):
    found = Programme.objects.filter(code__iexact=(code or "").strip()).first()
    if found is None:
        raise Invalid([(field, _("Unknown programme %(c)s.") % {"c": code})])
    return found


def _type(code, field="type"):
    found = AssistanceType.objects.filter(code=(code or "").strip()).first()
    if found is None:
        raise Invalid([(field, _("Unknown assistance type %(c)s.") % {"c": code})])
    return found


def _status(value, field="status"):
    if value not in DeliveryStatus.values:
        raise Invalid([(field, _("One of: %(s)s.") % {"s": ", ".join(DeliveryStatus.values)})])
    return value


@router.get("/assistance", response=DeliveryPage)
def list_assistance(request, page: Query[Page], programme: str = "", household: int | None = None,
                    person: int | None = None, type: str = "", status: str = ""):
    """Deliveries the caller may see, newest first. `programme` includes its phases; `household`
    includes help to its members."""
    user = caller(request)
    deliveries = deliveries_for(user)
    if programme.strip():
        deliveries = deliveries.filter(programme__in=Programme.objects.with_phases(_programme(programme)))
    if household is not None:
        deliveries = deliveries.for_household(household)
    if person is not None:
        deliveries = deliveries.filter(person_id=person)
    if type.strip():
        deliveries = deliveries.filter(type=_type(type))
    if status.strip():
        deliveries = deliveries.filter(status=_status(status.strip()))
    result = paged(deliveries, page, lambda d: d)
    for d in result["items"]:
        _record_view(user, d)
    result["items"] = [delivery_json(d) for d in result["items"]]
    return result


@router.post("/assistance", response={201: DeliveryCreated, 409: dict})
def post_assistance(request, payload: DeliveryIn, response: HttpResponse):
    """Record a delivery to exactly one of `household` and `person`, as the type's recipient
    says, with the `detail` of its kind when it has one. All or nothing."""
    user = caller(request)
    require(user.can_edit_registry, _("Your role cannot record assistance."))
    errors = []
    programme = Programme.objects.filter(code__iexact=payload.programme.strip()).first()
    if programme is None:
        errors.append(("programme", _("Unknown programme %(c)s.") % {"c": payload.programme}))
    kind = AssistanceType.objects.filter(code=payload.type.strip()).first()
    if kind is None:
        errors.append(("type", _("Unknown assistance type %(c)s.") % {"c": payload.type}))
    if payload.status not in DeliveryStatus.values:
        errors.append(("status", _("One of: %(s)s.") % {"s": ", ".join(DeliveryStatus.values)}))
    household = person = None
    # Out of scope and absent get the same words: the reply must not tell which it is.
    if payload.household is not None:
        household = Household.objects.visible_to(user).filter(pk=payload.household).first()
        if household is None:
            errors.append(("household", _("Unknown household %(id)s.") % {"id": payload.household}))
    if payload.person is not None:
        person = Person.objects.visible_to(user).filter(pk=payload.person).first()
        if person is None:
            errors.append(("person", _("Unknown person %(id)s.") % {"id": payload.person}))
    partner = None
    if payload.partner and payload.partner.strip():
        text = payload.partner.strip()
        partner = Organisation.objects.filter(Q(name__iexact=text) | Q(short_name__iexact=text)).first()
        if partner is None:
            errors.append(("partner", _("Unknown organisation %(n)s.") % {"n": payload.partner}))
    if errors:
        raise Invalid(errors)
    try:
        delivery, warnings = kinds.record_assistance(
            acting_user=user, programme=programme, type=kind, household=household, person=person,
            status=payload.status, date=payload.date, quantity=payload.quantity, value_eur=payload.value_eur,
            partner=partner, notes=payload.notes, override_reason=payload.override_reason,
            detail=payload.detail, via="api")
    except GuardBlocked as blocked:
        return problem(409, blocked.message_dict["type"][0],
                       errors=[("type", m) for m in blocked.message_dict["type"]])
    response["Location"] = f"{request.path.rstrip('/')}/{delivery.pk}"
    response["ETag"] = etag(delivery.version)
    return Status(201, {**delivery_json(scoped_get(deliveries_for(user), pk=delivery.pk)), "warnings": warnings})


@router.get("/assistance/{int:id}", response=DeliveryOut)
def get_assistance(request, id: int, response: HttpResponse):
    user = caller(request)
    delivery = scoped_get(deliveries_for(user), pk=id)
    _record_view(user, delivery)
    response["ETag"] = etag(delivery.version)
    return delivery_json(delivery)


@router.patch("/assistance/{int:id}", response=DeliveryOut)
def patch_assistance(request, id: int, payload: DeliveryPatch, response: HttpResponse):
    """Change the status (planned → delivered or cancelled; delivered → cancelled; a reason is
    needed to cancel) and/or the kind's detail. Needs `If-Match: "<version>"`."""
    user = caller(request)
    delivery = scoped_get(deliveries_for(user), pk=id)
    require(user.can_edit_registry, _("Your role cannot change deliveries."))
    version = expected_version(request, delivery)
    with transaction.atomic():
        if payload.status is not None:
            change_delivery_status(delivery, _status(payload.status), reason=payload.reason,
                                   expected_version=version, acting_user=user, via="api")
        if payload.detail is not None:
            kinds.save_detail(delivery, payload.detail, acting_user=user, via="api")
    delivery = scoped_get(deliveries_for(user), pk=id)
    response["ETag"] = etag(delivery.version)
    return delivery_json(delivery)


def _detail_of(user, id, model):
    """The detail of a delivery in scope, when the delivery is of that kind; otherwise 404."""
    delivery = scoped_get(deliveries_for(user), pk=id)
    require(user.can_edit_registry, _("Your role cannot change deliveries."))
    detail = model.objects.filter(delivery=delivery).first()
    if detail is None:
        raise Invalid([("detail", _("Record the %(kind)s detail of this delivery first.") % {
            "kind": model._meta.verbose_name})])
    return delivery, detail


@router.post("/assistance/{int:id}/milestones", response={201: DeliveryOut})
def post_milestone(request, id: int, payload: MilestoneIn):
    """The next milestone of a house, in the fixed order."""
    user = caller(request)
    _delivery, house = _detail_of(user, id, HouseDetail)
    kinds.add_milestone(house, payload.milestone, payload.date, note=payload.note, acting_user=user, via="api")
    return Status(201, delivery_json(scoped_get(deliveries_for(user), pk=id)))


@router.post("/assistance/{int:id}/follow-ups", response={201: DeliveryOut})
def post_follow_up(request, id: int, payload: FollowUpIn):
    """How an income-generation grant's business stands at a follow-up visit."""
    user = caller(request)
    _delivery, grant = _detail_of(user, id, IncomeGrantDetail)
    kinds.add_follow_up(grant, payload.status, payload.date, note=payload.note, acting_user=user, via="api")
    return Status(201, delivery_json(scoped_get(deliveries_for(user), pk=id)))


@router.post("/assistance/{int:id}/referral-status", response={201: DeliveryOut})
def post_referral_status(request, id: int, payload: ReferralStatusIn):
    """The next status of a referral: sent → accepted or declined; accepted → completed."""
    user = caller(request)
    _delivery, referral = _detail_of(user, id, ReferralDetail)
    kinds.change_referral_status(referral, payload.status, payload.date, outcome=payload.outcome, acting_user=user,
                                 via="api")
    return Status(201, delivery_json(scoped_get(deliveries_for(user), pk=id)))


# Evidence --------------------------------------------------------------------------------------

@router.get("/assistance/{int:id}/evidence", response=list[EvidenceOut])
def list_evidence(request, id: int):
    user = caller(request)
    delivery = scoped_get(deliveries_for(user), pk=id)
    return [evidence_json(e) for e in delivery.evidence.all()]


@router.post("/assistance/{int:id}/evidence", response={201: EvidenceOut})
def post_evidence(request, id: int, file: File[UploadedFile]):
    """Attach a file (multipart form field `file`): PDF, JPEG, PNG, XLSX or DOCX, at most 10 MB;
    the content must match the name."""
    user = caller(request)
    delivery = scoped_get(deliveries_for(user), pk=id)
    require(user.can_edit_registry, _("Your role cannot add evidence."))
    evidence = add_evidence(delivery, file, acting_user=user, via="api")
    return Status(201, evidence_json(evidence))


@router.get("/assistance/{int:id}/evidence/{int:evidence_id}")
def get_evidence(request, id: int, evidence_id: int):
    """The file itself, only for a delivery in the caller's scope."""
    user = caller(request)
    if not evidence_visible_to(user).filter(pk=evidence_id, delivery_id=id).exists():
        raise Http404()
    return open_evidence(user, evidence_id, via="api")
