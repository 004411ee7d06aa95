"""/programmes: the programme tree. Programmes are not personal data: every user may list them,
donors included; only managers and administrators create or change them."""

import datetime
from decimal import Decimal

from django.db.models import Q
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from api.common import Page, caller, etag, expected_version, paged, require, scoped_get
from api.problems import Invalid
from programmes.actions import create_programme, update_programme
from programmes.models import Organisation, Programme

router = Router(tags=["programmes"])


class ProgrammeOut(Schema):
    code: str
    name: str
    description: str
    donors: list[str]
    start_date: datetime.date | None
    end_date: datetime.date | None
    parent: str | None
    phases: list[str]
    budget_eur: Decimal | None
    sdg_goals: list[int]
    sensitive: bool
    version: int


class ProgrammePage(Schema):
    count: int
    items: list[ProgrammeOut]


class ProgrammeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    code: str
    name: str
    donors: list[str] = Field([], description="organisation names or short names")
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    parent: str | None = Field(None, description="code of the programme this is a phase of")
    description: str = ""
    budget_eur: Decimal | None = None
    sdg_goals: list[int] = Field([], description="Sustainable Development Goal numbers, 1 to 17")
    sensitive: bool = Field(False, description="enrolments are shown only to users cleared for sensitive data")


class ProgrammePatch(Schema):
    """Only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid")

    code: str | None = None
    name: str | None = None
    donors: list[str] | None = None
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    parent: str | None = None
    description: str | None = None
    budget_eur: Decimal | None = None
    sdg_goals: list[int] | None = None
    sensitive: bool | None = None


def programmes():
    return Programme.objects.select_related("parent").prefetch_related("donors", "phases")


def programme_json(p):
    return {
        "code": p.code,
        "name": p.name,
        "description": p.description,
        "donors": [d.name for d in p.donors.all()],
        "start_date": p.start_date,
        "end_date": p.end_date,
        "parent": p.parent.code if p.parent_id else None,
        "phases": sorted(phase.code for phase in p.phases.all()),
        "budget_eur": p.budget_eur,
        "sdg_goals": p.sdg_goals,
        "sensitive": p.sensitive,
        "version": p.version,
    }


def resolve_donors(names, errors):
    donors = []
    for i, name in enumerate(names):
        text = (name or "").strip()
        found = Organisation.objects.filter(Q(name__iexact=text) | Q(short_name__iexact=text)).first() if text else None
        if found is None:
            errors.append((f"donors[{i}]", _("Unknown organisation %(n)s.") % {"n": name}))
        else:
            donors.append(found)
    return donors


def resolve_parent(code, errors):
    if not code:
        return None
    parent = Programme.objects.filter(code=code.strip()).first()
    if parent is None:
        errors.append(("parent", _("Unknown programme %(c)s.") % {"c": code}))
    return parent


@router.get("/programmes", response=ProgrammePage)
def list_programmes(request, page: Query[Page]):
    """Every programme and phase, by code. Open to every role."""
    return paged(programmes(), page, programme_json)


@router.post("/programmes", response={201: ProgrammeOut})
def post_programme(request, payload: ProgrammeIn):
    user = caller(request)
    require(user.can_manage_programmes, _("Only managers and administrators create programmes."))
    errors = []
    donors = resolve_donors(payload.donors, errors)
    parent = resolve_parent(payload.parent, errors)
    if errors:
        raise Invalid(errors)
    data = payload.model_dump(exclude={"donors", "parent"})
    programme = create_programme(Programme(parent=parent, **data), donors=donors, acting_user=user, via="api")
    return Status(201, programme_json(scoped_get(programmes(), pk=programme.pk)))


@router.get("/programmes/{code}", response=ProgrammeOut)
def get_programme(request, code: str, response: HttpResponse):
    programme = scoped_get(programmes(), code=code)
    response["ETag"] = etag(programme.version)
    return programme_json(programme)


@router.patch("/programmes/{code}", response=ProgrammeOut)
def patch_programme(request, code: str, payload: ProgrammePatch, response: HttpResponse):
    """Needs `If-Match: "<version>"`."""
    user = caller(request)
    programme = scoped_get(programmes(), code=code)
    require(user.can_manage_programmes, _("Only managers and administrators change programmes."))
    version = expected_version(request, programme)
    changes = payload.model_dump(exclude_unset=True)
    errors = []
    donors = resolve_donors(changes.pop("donors") or [], errors) if "donors" in changes else None
    if "parent" in changes:
        changes["parent"] = resolve_parent(changes["parent"], errors)
    if errors:
        raise Invalid(errors)
    update_programme(programme, changes, donors=donors, expected_version=version, acting_user=user, via="api")
    programme = scoped_get(programmes(), pk=programme.pk)
    response["ETag"] = etag(programme.version)
    return programme_json(programme)
