"""/activities and /community-projects: programme-level records every role may read.

An activity's attendee list names persons, so it is read through Attendance.objects.visible_to(user):
each caller sees only the attendees in their scope (a donor none), while the attendee counts are
numbers everyone sees. Every write goes through activities.actions.
"""

import datetime
import tempfile
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status, UploadedFile
from pydantic import ConfigDict, Field

from activities import actions
from activities.importer import import_attendance
from activities.models import (
    Activity, ActivityType, Attendance, CommunityProject, ProjectType, Sector,
)
from api.common import Page, caller, etag, expected_version, paged, require, scoped_get
from api.problems import Invalid
from audit.models import AuditEntry, record
from places.models import Country, Municipality
from programmes.models import Organisation, Programme

router = Router(tags=["activities"])
TYPES = {c for c, _label in ActivityType.choices}
SECTORS = {c for c, _label in Sector.choices}
PROJECT_TYPES = {c for c, _label in ProjectType.choices}
# participants.<wire key> → model field
PARTICIPANTS = {
    "female": "participants_female", "male": "participants_male", "unknown": "participants_sex_unknown",
    "official": "participants_official", "community_member": "participants_community",
    "business": "participants_business", "other": "participants_other",
}
WIRE = {model: f"participants.{wire}" for wire, model in PARTICIPANTS.items()}


# Schemas ---------------------------------------------------------------------------------------

class Participants(Schema):
    """Anonymous participants (not registered persons): by sex, and optionally by kind. When kinds are
    given they add up to the same total as the counts by sex."""

    model_config = ConfigDict(extra="forbid")

    female: int = Field(0, ge=0)
    male: int = Field(0, ge=0)
    unknown: int = Field(0, ge=0, description="other or unknown sex")
    official: int = Field(0, ge=0)
    community_member: int = Field(0, ge=0)
    business: int = Field(0, ge=0, description="business representatives")
    other: int = Field(0, ge=0, description="participants of another kind")


class ActivityFields(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    end_date: datetime.date | None = None
    municipality: str | None = Field(None, description="code (M18) or any name in any script")
    venue: str | None = None
    country: str | None = Field(None, description="ISO 3166 alpha-2 for activities abroad (study visits)")
    organiser: str | None = Field(None, description="organisation name or short name")
    sector: str | None = Field(None, description=", ".join(sorted(SECTORS)))
    notes: str | None = None


class ActivityIn(ActivityFields):
    programme: str
    type: str = Field(description=", ".join(sorted(TYPES)))
    date: datetime.date
    title: str
    attendees: list[int] = Field([], description="ids of registered persons who attended")
    participants: Participants = Field(default_factory=Participants)


class ActivityPatch(ActivityFields):
    """Only the fields sent are changed; `participants` keys not sent keep their counts."""

    programme: str | None = None
    type: str | None = None
    date: datetime.date | None = None
    participants: dict[str, int] | None = None


class AttendeesIn(Schema):
    model_config = ConfigDict(extra="forbid")

    attendees: list[int]
    attended: bool = True
    certified: bool = False


class AttendeesOut(Schema):
    model_config = ConfigDict(extra="forbid")

    attendees: list[int]


class AttendeeOut(Schema):
    person: int
    ref: str
    given_name: str
    family_name: str
    sex: str
    household: int
    attended: bool
    certified: bool


class ActivityOut(Schema):
    id: int
    version: int
    programme: str
    type: str
    title: str
    date: datetime.date
    end_date: datetime.date | None
    municipality: str | None
    venue: str
    country: str | None
    organiser: str | None
    sector: str
    participants: dict[str, int]
    participants_total: int
    attendees_count: int
    attended_count: int
    certified_count: int
    attendees: list[AttendeeOut]
    notes: str


class ActivityPage(Schema):
    count: int
    items: list[ActivityOut]


class ImportOut(Schema):
    created: int
    updated: int
    unchanged: int


class ProjectFields(Schema):
    model_config = ConfigDict(extra="forbid")

    municipality: str | None = Field(None, description="code (M18) or any name in any script")
    settlement: str | None = None
    cost_eur: Decimal | None = Field(None, ge=0)
    catchment_population: int | None = Field(None, ge=0)
    completed_on: datetime.date | None = None
    notes: str | None = None


class ProjectIn(ProjectFields):
    programme: str
    type: str = Field(description=", ".join(sorted(PROJECT_TYPES)))
    title: str


class ProjectPatch(ProjectFields):
    programme: str | None = None
    type: str | None = None
    title: str | None = None


class TransitionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    status: str = Field(description="in_progress, completed or cancelled")
    date: datetime.date | None = Field(None, description="completion date; today when not given")
    reason: str = ""


class StatusChangeOut(Schema):
    from_status: str
    to_status: str
    at: datetime.datetime
    actor: str
    reason: str


class ProjectOut(Schema):
    id: int
    version: int
    programme: str
    type: str
    title: str
    municipality: str | None
    settlement: str
    cost_eur: Decimal | None
    status: str
    allowed_next: list[str]
    completed_on: datetime.date | None
    catchment_population: int | None
    notes: str
    history: list[StatusChangeOut]


class ProjectPage(Schema):
    count: int
    items: list[ProjectOut]


# Reading ---------------------------------------------------------------------------------------

def activities_for(user):
    return Activity.objects.visible_to(user).select_related(
        "programme", "municipality", "country", "organiser",
    ).annotate(
        attendees_count=Count("attendances"),
        attended_count=Count("attendances", filter=Q(attendances__attended=True)),
        certified_count=Count("attendances", filter=Q(attendances__certified=True)),
    ).order_by("-date", "-pk").prefetch_related(Prefetch(  # Meta.ordering does not apply to an aggregate
        "attendances", queryset=Attendance.objects.visible_to(user).select_related("person"),
        to_attr="visible_attendances",
    ))


def _code(obj):
    return obj.code if obj is not None else None


def activity_json(a):
    return {
        "id": a.pk,
        "version": a.version,
        "programme": a.programme.code,
        "type": a.type,
        "title": a.title,
        "date": a.date,
        "end_date": a.end_date,
        "municipality": _code(a.municipality),
        "venue": a.venue,
        "country": _code(a.country),
        "organiser": a.organiser.name if a.organiser_id else None,
        "sector": a.sector,
        "participants": {wire: getattr(a, field) for wire, field in PARTICIPANTS.items()},
        "participants_total": a.participants_by_sex(),
        "attendees_count": a.attendees_count,
        "attended_count": a.attended_count,
        "certified_count": a.certified_count,
        "attendees": [{
            "person": at.person_id, "ref": at.person.ref, "given_name": at.person.given_name,
            "family_name": at.person.family_name, "sex": at.person.sex, "household": at.person.household_id,
            "attended": at.attended, "certified": at.certified,
        } for at in a.visible_attendances],
        "notes": a.notes,
    }


def _audit_sensitive_views(user, activities):
    # Attendance of a counter-trafficking or medical activity reveals a person's situation: seeing
    # it is audited, as viewing any sensitive record is.
    for a in activities:
        if a.programme.sensitive and a.visible_attendances:
            record(user, AuditEntry.Action.VIEW, a, sensitive=True, via="api",
                   changes={"attendees": [at.person_id for at in a.visible_attendances]})


def projects_for(user):
    return CommunityProject.objects.visible_to(user).select_related("programme", "municipality").prefetch_related(
        "changes__actor")


def project_json(p):
    return {
        "id": p.pk,
        "version": p.version,
        "programme": p.programme.code,
        "type": p.type,
        "title": p.title,
        "municipality": _code(p.municipality),
        "settlement": p.settlement,
        "cost_eur": p.cost_eur,
        "status": p.status,
        "allowed_next": p.allowed_next(),
        "completed_on": p.completed_on,
        "catchment_population": p.catchment_population,
        "notes": p.notes,
        "history": [{"from_status": c.from_status, "to_status": c.to_status, "at": c.at, "actor": c.actor.username,
                     "reason": c.reason} for c in p.changes.all()],
    }


# Parsing ---------------------------------------------------------------------------------------

def _text(value):
    return "" if value is None else str(value).strip()


def _programme(code, errors):
    programme = Programme.objects.filter(code__iexact=_text(code)).first()
    if programme is None:
        errors.append(("programme", _("Unknown programme %(c)s.") % {"c": code}))
    return programme


def _choice(field, value, allowed, errors, *, blank=False):
    value = _text(value).lower()
    if (value or not blank) and value not in allowed:
        errors.append((field, _("Use one of: %(v)s.") % {"v": ", ".join(sorted(allowed))}))
    return value


def _municipality(value, errors):
    if not _text(value):
        return None
    place = Municipality.objects.lookup(value)
    if place is None:
        errors.append(("municipality", _("Unknown municipality %(m)s.") % {"m": value}))
    return place


def parse_activity(data, errors):
    """Model values for the wire fields present in `data` (a dict of what the client sent)."""
    values = {}
    for field in ("title", "venue", "notes"):
        if field in data:
            values[field] = _text(data[field])
    for field in ("date", "end_date"):
        if field in data:
            values[field] = data[field]
    if "programme" in data:
        values["programme"] = _programme(data["programme"], errors)
    if "type" in data:
        values["type"] = _choice("type", data["type"], TYPES, errors)
    if "sector" in data:
        values["sector"] = _choice("sector", data["sector"], SECTORS, errors, blank=True)
    if "municipality" in data:
        values["municipality"] = _municipality(data["municipality"], errors)
    if "country" in data:
        code = _text(data["country"]).upper()
        values["country"] = Country.objects.filter(code=code).first() if code else None
        if code and values["country"] is None:
            errors.append(("country", _("Unknown country %(c)s; use ISO 3166 alpha-2.") % {"c": data["country"]}))
    if "organiser" in data:
        name = _text(data["organiser"])
        values["organiser"] = Organisation.objects.filter(
            Q(name__iexact=name) | Q(short_name__iexact=name)).first() if name else None
        if name and values["organiser"] is None:
            errors.append(("organiser", _("Unknown organisation %(o)s.") % {"o": name}))
    for wire, count in (data.get("participants") or {}).items():
        if wire not in PARTICIPANTS:
            errors.append((f"participants.{wire}", _("Use one of: %(v)s.") % {"v": ", ".join(PARTICIPANTS)}))
        elif not isinstance(count, int) or count < 0:
            errors.append((f"participants.{wire}", _("A count is a whole number, 0 or more.")))
        else:
            values[PARTICIPANTS[wire]] = count
    return values


def parse_project(data, errors):
    values = {}
    for field in ("title", "settlement", "notes"):
        if field in data:
            values[field] = _text(data[field])
    for field in ("cost_eur", "catchment_population", "completed_on"):
        if field in data:
            values[field] = data[field]
    if "programme" in data:
        values["programme"] = _programme(data["programme"], errors)
    if "type" in data:
        values["type"] = _choice("type", data["type"], PROJECT_TYPES, errors)
    if "municipality" in data:
        values["municipality"] = _municipality(data["municipality"], errors)
    return values


def _wire(call, *args, **kwargs):
    """Run an action, naming model fields in its errors as the client wrote them."""
    try:
        return call(*args, **kwargs)
    except ValidationError as e:
        if not hasattr(e, "error_dict"):
            raise
        raise Invalid([(WIRE.get(field, field), message) for field, messages in e.message_dict.items()
                       for message in messages])


# Activities ------------------------------------------------------------------------------------

@router.get("/activities", response=ActivityPage)
def list_activities(request, page: Query[Page], programme: str = "", type: str = "", municipality: str = ""):
    """Every activity; `programme` includes its phases. Attendees are listed only when in your scope."""
    user = caller(request)
    activities = activities_for(user)
    errors = []
    if programme.strip():
        root = _programme(programme, errors)
        if root is not None:
            activities = activities.filter(programme__in=Programme.objects.with_phases(root))
    if type.strip():
        activities = activities.filter(type=_choice("type", type, TYPES, errors))
    if municipality.strip():
        activities = activities.filter(municipality=_municipality(municipality, errors))
    if errors:
        raise Invalid(errors)
    result = paged(activities, page, lambda a: a)
    _audit_sensitive_views(user, result["items"])
    result["items"] = [activity_json(a) for a in result["items"]]
    return result


@router.post("/activities", response={201: ActivityOut})
def post_activity(request, payload: ActivityIn, response: HttpResponse):
    """Record an activity with its registered attendees and anonymous participant counts. All or nothing."""
    user = caller(request)
    require(user.can_edit_registry, _("Your role cannot record activities."))
    data = payload.model_dump()
    data["participants"] = payload.participants.model_dump()
    errors = []
    values = parse_activity(data, errors)
    if errors:
        raise Invalid(errors)
    activity = _wire(actions.create_activity, Activity(**values), attendees=payload.attendees, acting_user=user,
                     via="api")
    response["Location"] = f"{request.path.rstrip('/')}/{activity.pk}"
    activity = scoped_get(activities_for(user), pk=activity.pk)
    response["ETag"] = etag(activity.version)
    return Status(201, activity_json(activity))


@router.get("/activities/{int:id}", response=ActivityOut)
def get_activity(request, id: int, response: HttpResponse):
    user = caller(request)
    activity = scoped_get(activities_for(user), pk=id)
    _audit_sensitive_views(user, [activity])
    response["ETag"] = etag(activity.version)
    return activity_json(activity)


@router.patch("/activities/{int:id}", response=ActivityOut)
def patch_activity(request, id: int, payload: ActivityPatch, response: HttpResponse):
    """Change the fields sent. Needs `If-Match: "<version>"`. Attendees change through /attendees."""
    user = caller(request)
    activity = scoped_get(activities_for(user), pk=id)
    require(user.can_edit_registry, _("Your role cannot change activities."))
    version = expected_version(request, activity)
    errors = []
    values = parse_activity(payload.model_dump(exclude_unset=True), errors)
    if errors:
        raise Invalid(errors)
    _wire(actions.update_activity, activity, values, expected_version=version, acting_user=user, via="api")
    activity = scoped_get(activities_for(user), pk=id)
    response["ETag"] = etag(activity.version)
    return activity_json(activity)


@router.post("/activities/{int:id}/attendees", response=ActivityOut)
def post_attendees(request, id: int, payload: AttendeesIn):
    """Register persons as attendees, or change their `attended` / `certified` marks."""
    user = caller(request)
    activity = scoped_get(activities_for(user), pk=id)
    require(user.can_edit_registry, _("Your role cannot record attendance."))
    _wire(actions.add_attendees, activity, payload.attendees, attended=payload.attended, certified=payload.certified,
          acting_user=user, via="api")
    return activity_json(scoped_get(activities_for(user), pk=id))


@router.post("/activities/{int:id}/attendees/remove", response=ActivityOut)
def remove_attendees(request, id: int, payload: AttendeesOut):
    """Take persons off the attendee list (registered by mistake)."""
    user = caller(request)
    activity = scoped_get(activities_for(user), pk=id)
    require(user.can_edit_registry, _("Your role cannot record attendance."))
    _wire(actions.remove_attendees, activity, payload.attendees, acting_user=user, via="api")
    return activity_json(scoped_get(activities_for(user), pk=id))


@router.post("/activities/{int:id}/attendance-file", response=ImportOut)
def upload_attendance(request, id: int, file: File[UploadedFile]):
    """An attendance list as CSV UTF-8 or XLSX: columns `person_ref`, `attended`, `certified`.
    All or nothing: a file with any bad row writes nothing and every bad row is reported."""
    user = caller(request)
    activity = scoped_get(activities_for(user), pk=id)
    require(user.can_edit_registry, _("Your role cannot record attendance."))
    suffix = Path(file.name or "").suffix.lower()
    with tempfile.NamedTemporaryFile(suffix=suffix) as copy:
        for chunk in file.chunks():
            copy.write(chunk)
        copy.flush()
        result = import_attendance(activity, copy.name, user, via="api")
    if not result.ok:
        # The importer names the temporary copy; the client knows the file by its own name.
        raise Invalid([("file", p.replace(Path(copy.name).name, file.name or "file")) for p in result.problems])
    return {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}


# Community and infrastructure projects ----------------------------------------------------------

@router.get("/community-projects", response=ProjectPage)
def list_projects(request, page: Query[Page], programme: str = "", type: str = "", status: str = "",
                  municipality: str = ""):
    user = caller(request)
    projects = projects_for(user)
    errors = []
    if programme.strip():
        root = _programme(programme, errors)
        if root is not None:
            projects = projects.filter(programme__in=Programme.objects.with_phases(root))
    if type.strip():
        projects = projects.filter(type=_choice("type", type, PROJECT_TYPES, errors))
    if status.strip():
        projects = projects.filter(status=status.strip())
    if municipality.strip():
        projects = projects.filter(municipality=_municipality(municipality, errors))
    if errors:
        raise Invalid(errors)
    return paged(projects, page, project_json)


@router.post("/community-projects", response={201: ProjectOut})
def post_project(request, payload: ProjectIn, response: HttpResponse):
    """A new project starts as `planned`; its status then changes through /transition."""
    user = caller(request)
    require(user.can_edit_registry, _("Your role cannot record projects."))
    data = payload.model_dump()
    if data.pop("completed_on") is not None:
        raise Invalid([("completed_on", _("A new project is planned; it is completed with a transition."))])
    errors = []
    values = parse_project(data, errors)
    if errors:
        raise Invalid(errors)
    project = _wire(actions.create_project, CommunityProject(**values), acting_user=user, via="api")
    response["Location"] = f"{request.path.rstrip('/')}/{project.pk}"
    response["ETag"] = etag(project.version)
    return Status(201, project_json(scoped_get(projects_for(user), pk=project.pk)))


@router.get("/community-projects/{int:id}", response=ProjectOut)
def get_project(request, id: int, response: HttpResponse):
    project = scoped_get(projects_for(caller(request)), pk=id)
    response["ETag"] = etag(project.version)
    return project_json(project)


@router.patch("/community-projects/{int:id}", response=ProjectOut)
def patch_project(request, id: int, payload: ProjectPatch, response: HttpResponse):
    """Change the fields sent (not the status). Needs `If-Match: "<version>"`."""
    user = caller(request)
    project = scoped_get(projects_for(user), pk=id)
    require(user.can_edit_registry, _("Your role cannot change projects."))
    version = expected_version(request, project)
    errors = []
    values = parse_project(payload.model_dump(exclude_unset=True), errors)
    if errors:
        raise Invalid(errors)
    _wire(actions.update_project, project, values, expected_version=version, acting_user=user, via="api")
    project = scoped_get(projects_for(user), pk=id)
    response["ETag"] = etag(project.version)
    return project_json(project)


@router.post("/community-projects/{int:id}/transition", response=ProjectOut)
def transition_project(request, id: int, payload: TransitionIn, response: HttpResponse):
    """planned → in_progress → completed, or cancelled (with a reason). Needs `If-Match: "<version>"`."""
    user = caller(request)
    project = scoped_get(projects_for(user), pk=id)
    require(user.can_edit_registry, _("Your role cannot change projects."))
    version = expected_version(request, project)
    _wire(actions.transition_project, project, payload.status, on=payload.date, reason=payload.reason,
          expected_version=version, acting_user=user, via="api")
    project = scoped_get(projects_for(user), pk=id)
    response["ETag"] = etag(project.version)
    return project_json(project)
