"""/households and /persons: personal data.

Every read starts from Household.objects.visible_to(user) or Person.objects.visible_to(user), so a
record outside the caller's scope is a 404 on every route, and lists, counts and searches never
include it. Every write goes through registry.actions.
"""

from typing import Annotated

from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import BeforeValidator, ConfigDict, Field

from api.common import Page, caller, etag, expected_version, require, schema_reply, scoped_get
from api.problems import Invalid
from homeward.paging import Keys
from places.models import Community, Country, Municipality, code_of
from programmes.models import Enrolment, Organisation, Programme
from registry import actions, search
from registry.models import Household, Person, PersonVulnerability
from registry.parsing import Lookups, new_household, parse_household_place, parse_person

router = Router(tags=["registry"])
ACCOMMODATIONS = {c for c, _label in Household.Accommodation.choices}


def _as_text(value):
    # Registry files and spreadsheets send phone numbers and birth years as numbers; so may clients.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    return value


Text = Annotated[str | None, BeforeValidator(_as_text)]


class PersonFields(Schema):
    model_config = ConfigDict(extra="forbid")

    ref: Text = Field(None, description="the person's external reference; generated when empty")
    relationship: Text = Field(None, description="head, spouse, child, parent, sibling, grandchild, other")
    given_name: Text = None
    family_name: Text = None
    father_name: Text = None
    sex: Text = Field(None, description="F or M")
    date_of_birth: Text = Field(None, description="YYYY-MM-DD, or YYYY when only the year is known")
    community: Text = Field(None, description="community code")
    displacement_status: Text = Field(
        None, description="idp, refugee, returnee, avrr, repatriated, asylum_seeker, foreigner, host")
    phone: Text = None
    id_number: Text = Field(None, description="personal number; kept as an identity document")


class HouseholdFields(Schema):
    model_config = ConfigDict(extra="forbid")

    ref: Text = Field(None, description="the household's external reference; generated when empty")
    origin_municipality: Text = Field(None, description="code (M18) or any name in any script")
    origin_place: Text = None
    current_country: Text = Field(None, description="ISO 3166 alpha-2, XK for Kosovo")
    current_municipality: Text = Field(None, description="only when current_country is XK")
    current_place: Text = None
    accommodation: Text = Field(
        None, description="private, collective_centre, informal_settlement, host_family, rented")
    responsible_municipality: Text = None
    responsible_organisation: Text = Field(None, description="organisation name or short name")
    phone: Text = None


class HouseholdIn(HouseholdFields):
    programme: Text = Field(None, description="code of a programme to enrol the household in")
    members: list[PersonFields]


class PersonOut(Schema):
    id: int
    ref: str
    household: int
    relationship: str
    given_name: str
    family_name: str
    father_name: str
    sex: str
    date_of_birth: str | None
    community: str | None
    displacement_status: str
    phone: str
    vulnerabilities: list[str]
    version: int


class EnrolmentOut(Schema):
    programme: str
    status: str


class HouseholdOut(Schema):
    id: int
    ref: str
    version: int
    origin_municipality: str | None
    origin_place: str
    current_country: str
    current_municipality: str | None
    current_place: str
    accommodation: str | None
    responsible_municipality: str | None
    responsible_organisation: str | None
    phone: str
    members: list[PersonOut]
    enrolments: list[EnrolmentOut]


class HouseholdPage(Schema):
    count: int
    items: list[HouseholdOut]


# Reading ---------------------------------------------------------------------------------------

def _vulnerabilities(user):
    return Prefetch(
        "vulnerability_records",
        queryset=PersonVulnerability.objects.visible_to(user).select_related("category").order_by("category__code"),
        to_attr="visible_vulnerabilities",
    )


def persons_for(user):
    return Person.objects.visible_to(user).select_related("community").prefetch_related(_vulnerabilities(user))


def households_for(user):
    return Household.objects.visible_to(user).select_related(
        "origin_municipality", "current_country", "current_municipality", "responsible_municipality",
        "responsible_organisation",
    ).prefetch_related(
        Prefetch("members", queryset=Person.objects.select_related("community").prefetch_related(
            _vulnerabilities(user))),
        Prefetch("enrolments", queryset=Enrolment.objects.visible_to(user).select_related("programme"),
                 to_attr="visible_enrolments"),
    )


def _code(place):
    return place.code if place is not None else None


def person_json(p):
    return {
        "id": p.pk,
        "ref": p.ref,
        "household": p.household_id,
        "relationship": p.relationship,
        "given_name": p.given_name,
        "family_name": p.family_name,
        "father_name": p.father_name,
        "sex": p.sex,
        "date_of_birth": p.birth_display() or None,
        "community": _code(p.community),
        "displacement_status": p.displacement_status,
        "phone": p.phone,
        "vulnerabilities": [v.category.code for v in p.visible_vulnerabilities],
        "version": p.version,
    }


def household_json(h):
    return {
        "id": h.pk,
        "ref": h.ref,
        "version": h.version,
        "origin_municipality": _code(h.origin_municipality),
        "origin_place": h.origin_place,
        "current_country": h.current_country.code,
        "current_municipality": _code(h.current_municipality),
        "current_place": h.current_place,
        "accommodation": h.accommodation or None,
        "responsible_municipality": _code(h.responsible_municipality),
        "responsible_organisation": h.responsible_organisation.name if h.responsible_organisation_id else None,
        "phone": h.phone,
        "members": [person_json(m) for m in h.members.all()],
        "enrolments": [{"programme": e.programme.code, "status": e.status} for e in h.visible_enrolments],
    }


# A page of a list: the same JSON as household_json, read as plain values in three queries (the
# households with their members, the members' vulnerabilities, the enrolments). Model instances
# and prefetching cost more than the SQL of a search.

PAGE_HOUSEHOLD = ("id", "ref", "version", "origin_municipality_id", "origin_place", "current_country_id",
                  "current_municipality_id", "current_place", "accommodation", "responsible_municipality_id",
                  "responsible_organisation__name", "phone")
PAGE_PERSON = ("id", "ref", "relationship", "given_name", "family_name", "father_name", "sex", "date_of_birth",
               "birth_year", "community_id", "displacement_status", "phone", "version")


def _birth(date_of_birth, birth_year):
    """Person.birth_display() or None, from the two columns."""
    if date_of_birth:
        return date_of_birth.isoformat()
    return str(birth_year) if birth_year else None


def _member_json(p, household_id):
    """person_json's fields from PAGE_PERSON's values; vulnerabilities added by the caller."""
    return {
        "id": p["id"],
        "ref": p["ref"],
        "household": household_id,
        "relationship": p["relationship"],
        "given_name": p["given_name"],
        "family_name": p["family_name"],
        "father_name": p["father_name"],
        "sex": p["sex"],
        "date_of_birth": _birth(p["date_of_birth"], p["birth_year"]),
        "community": code_of(Community, p["community_id"]),
        "displacement_status": p["displacement_status"],
        "phone": p["phone"],
        "vulnerabilities": [],
        "version": p["version"],
    }


def households_page_json(user, households, keys):
    """The households of `keys` (a page of `households`) as household_json gives them, and the
    households among them that show the user sensitive data (to be audited). Only the page's keys
    are read, with their members (registry.search.with_members), in the list's order."""
    if not keys:
        return [], []
    rows = search.with_members(keys, PAGE_HOUSEHOLD, PAGE_PERSON, households.query.order_by)
    by_person = {}
    for h in rows:
        h["members"] = [_member_json(p, h["id"]) for p in h["members"]]
        by_person.update((member["id"], member) for member in h["members"])
    keys = [h["id"] for h in rows]
    shown_sensitive = set()
    if by_person:
        for person_id, code, sensitive in search.vulnerabilities(user, keys):
            by_person[person_id]["vulnerabilities"].append(code)
            if sensitive:
                shown_sensitive.add(by_person[person_id]["household"])
    enrolments = {key: [] for key in keys}
    for household_id, code, sensitive, status in search.enrolments(user, keys):
        enrolments[household_id].append({"programme": code, "status": status})
        if sensitive:
            shown_sensitive.add(household_id)
    items = [{
        "id": h["id"],
        "ref": h["ref"],
        "version": h["version"],
        "origin_municipality": code_of(Municipality, h["origin_municipality_id"]),
        "origin_place": h["origin_place"],
        "current_country": code_of(Country, h["current_country_id"]),
        "current_municipality": code_of(Municipality, h["current_municipality_id"]),
        "current_place": h["current_place"],
        "accommodation": h["accommodation"] or None,
        "responsible_municipality": code_of(Municipality, h["responsible_municipality_id"]),
        "responsible_organisation": h["responsible_organisation__name"],
        "phone": h["phone"],
        "members": h["members"],
        "enrolments": enrolments[h["id"]],
    } for h in rows]
    # The audit row needs only the household's key and name (its ref).
    sensitive = [Household(id=h["id"], ref=h["ref"]) for h in rows if h["id"] in shown_sensitive]
    return items, sensitive


# Parsing ---------------------------------------------------------------------------------------

def _text(value):
    return "" if value is None else str(value).strip()


def parse_household_rest(data, lookups, errors):
    """The household values registry.parsing does not cover: accommodation, responsibility, free text."""
    values = {f: _text(data.get(f)) for f in ("origin_place", "current_place", "phone")}
    accommodation = _text(data.get("accommodation")).lower()
    if accommodation and accommodation not in ACCOMMODATIONS:
        errors.append(("accommodation", _("Use one of: %(v)s.") % {"v": ", ".join(sorted(ACCOMMODATIONS))}))
    values["accommodation"] = accommodation
    name = _text(data.get("responsible_municipality"))
    values["responsible_municipality"] = lookups.municipality(name) if name else None
    if name and values["responsible_municipality"] is None:
        errors.append(("responsible_municipality", _("Unknown municipality %(m)s.") % {"m": name}))
    name = _text(data.get("responsible_organisation"))
    values["responsible_organisation"] = None
    if name:
        values["responsible_organisation"] = Organisation.objects.filter(
            Q(name__iexact=name) | Q(short_name__iexact=name)).first()
        if values["responsible_organisation"] is None:
            errors.append(("responsible_organisation", _("Unknown organisation %(o)s.") % {"o": name}))
    return values


def household_wire(h):
    """The household as a client would send it, so a PATCH can be parsed like a whole record."""
    return {
        "ref": h.ref,
        "origin_municipality": _code(h.origin_municipality),
        "origin_place": h.origin_place,
        "current_country": h.current_country.code,
        "current_municipality": _code(h.current_municipality),
        "current_place": h.current_place,
        "accommodation": h.accommodation,
        "responsible_municipality": _code(h.responsible_municipality),
        "responsible_organisation": h.responsible_organisation.name if h.responsible_organisation_id else None,
        "phone": h.phone,
    }


def person_wire(p):
    json = person_json(p)
    return {k: json[k] for k in PersonFields.model_fields if k in json}


# The model fields each wire field of a person sets.
PERSON_MODEL_FIELDS = {"date_of_birth": ["date_of_birth", "birth_year"]}


# Routes ----------------------------------------------------------------------------------------

@router.get("/households", response=HouseholdPage)
def list_households(request, page: Query[Page], q: str = "", municipality: str = "", programme: str = ""):
    """`q`: any member's name in any script, with or without diacritics, or the household's ref.
    `municipality`: origin, current or responsible municipality, by code or any name.
    `programme`: enrolled in the programme (by code) or any of its phases."""
    user = caller(request)
    households = Household.objects.visible_to(user)
    # A search alone is read from the search index of households, which carries their scope and
    # order (registry.search); with other filters, the households are searched and filtered.
    searched_only = bool(q.strip()) and not (municipality.strip() or programme.strip())
    if q.strip() and not searched_only:
        households = households.search(q)
    if municipality.strip():
        place = Municipality.objects.lookup(municipality)
        if place is None:
            raise Invalid([("municipality", _("Unknown municipality %(m)s.") % {"m": municipality})])
        households = households.filter(
            Q(origin_municipality=place) | Q(current_municipality=place) | Q(responsible_municipality=place))
    if programme.strip():
        root = Programme.objects.filter(code__iexact=programme.strip()).first()
        if root is None:
            raise Invalid([("programme", _("Unknown programme %(c)s.") % {"c": programme})])
        # Through the caller's visible enrolments, so the filter cannot reveal a sensitive one.
        enrolled = Enrolment.objects.visible_to(user).filter(programme__in=Programme.objects.with_phases(root))
        households = households.filter(pk__in=enrolled.values("household_id"))
    # The page and the count from one query (homeward.paging).
    if searched_only:
        keys = search.household_keys(user, q, page.offset, page.offset + page.limit)
    else:
        keys = Keys(households, page.offset, page.offset + page.limit)
    items, sensitive = households_page_json(user, households, keys[page.offset:page.offset + page.limit])
    actions.record_views(user, sensitive, via="api")
    return schema_reply(request, {"count": keys.count(), "items": items})


@router.post("/households", response={201: HouseholdOut})
def post_household(request, payload: HouseholdIn, response: HttpResponse):
    """Register a household with its members, optionally enrolled in `programme`. All or nothing."""
    user = caller(request)
    require(user.can_edit_registry, _("Your role cannot change the registry."))
    data = payload.model_dump()
    lookups = Lookups()
    errors = []
    place = parse_household_place(data, lookups, errors)
    rest = parse_household_rest(data, lookups, errors)
    programme = None
    if _text(data["programme"]):
        programme = Programme.objects.filter(code__iexact=_text(data["programme"])).first()
        if programme is None:
            errors.append(("programme", _("Unknown programme %(c)s.") % {"c": data["programme"]}))
    if not data["members"]:
        errors.append(("members", _("A household has at least one member.")))
    members = [parse_person(m, lookups, errors, prefix=f"members[{i}].") for i, m in enumerate(data["members"])]
    if errors:
        raise Invalid(errors)
    household = new_household({**place, **rest}, ref=_text(data["ref"]))
    with transaction.atomic():
        actions.create_household(acting_user=user, household=household, members=members, programme=programme,
                                 via="api")
        for person in members:
            if person.id_number:
                actions.set_personal_number(person, person.id_number, acting_user=user, via="api")
    response["Location"] = f"{request.path.rstrip('/')}/{household.pk}"
    return Status(201, household_json(scoped_get(households_for(user), pk=household.pk)))


@router.get("/households/{int:id}", response=HouseholdOut)
def get_household(request, id: int, response: HttpResponse):
    user = caller(request)
    household = scoped_get(households_for(user), pk=id)
    actions.record_view(user, household, via="api")
    response["ETag"] = etag(household.version)
    return household_json(household)


@router.patch("/households/{int:id}", response=HouseholdOut)
def patch_household(request, id: int, payload: HouseholdFields, response: HttpResponse):
    """Change the fields sent. Needs `If-Match: "<version>"`."""
    user = caller(request)
    household = scoped_get(households_for(user), pk=id)
    require(user.can_edit_registry, _("Your role cannot change the registry."))
    version = expected_version(request, household)
    sent = payload.model_dump(exclude_unset=True)
    merged = {**household_wire(household), **sent}
    errors = []
    lookups = Lookups()
    values = {**parse_household_place(merged, lookups, errors), **parse_household_rest(merged, lookups, errors)}
    values["ref"] = _text(merged.get("ref"))
    if errors:
        raise Invalid(errors)
    changes = {field: values[field] for field in sent}
    actions.update_household(household, changes, expected_version=version, acting_user=user, via="api")
    household = scoped_get(households_for(user), pk=id)
    response["ETag"] = etag(household.version)
    return household_json(household)


@router.delete("/households/{int:id}", response={204: None})
def delete_household(request, id: int):
    """Delete the household and its members. Needs `If-Match: "<version>"`."""
    user = caller(request)
    household = scoped_get(Household.objects.visible_to(user), pk=id)
    require(user.can_edit_registry, _("Your role cannot change the registry."))
    version = expected_version(request, household)
    actions.delete_household(household, expected_version=version, acting_user=user, via="api")
    return Status(204, None)


@router.get("/persons/{int:id}", response=PersonOut)
def get_person(request, id: int, response: HttpResponse):
    user = caller(request)
    person = scoped_get(persons_for(user), pk=id)
    actions.record_view(user, person, via="api")
    response["ETag"] = etag(person.version)
    return person_json(person)


@router.patch("/persons/{int:id}", response=PersonOut)
def patch_person(request, id: int, payload: PersonFields, response: HttpResponse):
    """Change the fields sent. Needs `If-Match: "<version>"`."""
    user = caller(request)
    person = scoped_get(persons_for(user), pk=id)
    require(user.can_edit_registry, _("Your role cannot change the registry."))
    version = expected_version(request, person)
    sent = payload.model_dump(exclude_unset=True)
    id_number = sent.pop("id_number", None)
    errors = []
    parsed = parse_person({**person_wire(person), **sent}, Lookups(), errors)
    if errors:
        raise Invalid(errors)
    changes = {}
    for wire in sent:
        for field in PERSON_MODEL_FIELDS.get(wire, [wire]):
            changes[field] = getattr(parsed, field)
    with transaction.atomic():
        actions.update_person(person, changes, expected_version=version, acting_user=user, via="api")
        if "id_number" in payload.model_fields_set:
            actions.set_personal_number(person, _text(id_number), acting_user=user, via="api")
    person = scoped_get(persons_for(user), pk=id)
    response["ETag"] = etag(person.version)
    return person_json(person)
