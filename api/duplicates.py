"""/duplicates and /merges: the review queue of duplicate candidates, decisions and merges.

The same rules as the web pages (matching.views, merges.views), through the same functions:
- A pair is read through DuplicatePair.objects.visible_to(user), so both persons must be in the
  caller's scope; a pair with one person outside is a 404 and never counted in a list.
- Decisions go through matching.review (mark_not_duplicate, merge_pair) and undo through
  merges.actions.undo_merge: they check the role (403), the reason (422) and, for a merge touching
  sensitive records, the caller's clearance (403); they write the audit rows.
- A merge is listed when the person kept is in the caller's scope, as on the merges page.
- Opening a comparison writes the view audit row for a person with sensitive records, as the page does.
"""

from django.db.models import Q
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

import jobs
from api.common import Page, caller, paged, require, scoped_get
from api.problems import Invalid, problem
from jobs.models import Job
from matching import review
from matching.models import DuplicatePair
from matching.score import LIKELY, POSSIBLE
from merges.actions import undo_merge
from merges.models import Merge, shown_to
from places.models import Municipality
from registry.actions import record_view
from registry.models import Person

router = Router(tags=["duplicates"])

STATUSES = tuple(DuplicatePair.Status.values)
BANDS = ("likely", "possible")
MATCH_JOB = "match"  # the job kind of matching.review.run_match (jobs.kinds)


# Shapes ------------------------------------------------------------------------------------------

class PersonBrief(Schema):
    id: int
    ref: str
    household: int
    given_name: str
    family_name: str
    date_of_birth: str | None


class PairOut(Schema):
    id: int
    status: str = Field(description="open, not_duplicate or merged")
    score: float = Field(description=f"0..1 when the search found the pair; {LIKELY} and over is likely, "
                                     f"{POSSIBLE} and over possible")
    band: str = Field(description="likely or possible")
    found_at: str
    person_a: PersonBrief
    person_b: PersonBrief
    decided_by: str | None = Field(description="username of the manager who decided")
    decided_at: str | None
    reason: str


class PairPage(Schema):
    count: int
    items: list[PairOut]


class HouseholdFacts(Schema):
    id: int
    ref: str
    members: int
    origin_municipality: str | None
    current_country: str
    current_municipality: str | None


class EnrolmentOut(Schema):
    programme: str
    status: str


class PersonFacts(Schema):
    id: int
    ref: str
    version: int
    given_name: str
    family_name: str
    father_name: str
    sex: str
    date_of_birth: str | None
    displacement_status: str
    phone: str
    household: HouseholdFacts
    enrolments: list[EnrolmentOut]
    vulnerabilities: list[str]
    person_deliveries: int = Field(description="assistance recorded for the person")
    household_deliveries: int = Field(description="assistance recorded for the household as a whole")


class Evidence(Schema):
    field: str = Field(description="given, family, father, date_of_birth, sex or origin")
    level: str = Field(description="how far the two values agree")
    bits: float = Field(description="weight of evidence; negative when the values disagree")


class ComparisonOut(Schema):
    id: int
    status: str
    score: float = Field(description="the two persons compared as they are now")
    band: str | None
    found_score: float = Field(description="the score when the search found the pair")
    found_at: str
    decided_by: str | None
    decided_at: str | None
    reason: str
    same_household: bool
    person_a: PersonFacts
    person_b: PersonFacts
    evidence: list[Evidence]


class ReasonIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(None, description="why; required")


class MergeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    keep: int | None = Field(None, description="id of the person to keep: person_a or person_b of the pair")
    with_households: bool = Field(False, description="merge the two households too")
    reason: str | None = Field(None, description="why; required")


class MergedPerson(Schema):
    id: int
    ref: str | None
    given_name: str | None
    family_name: str | None


class MergeOut(Schema):
    id: int
    created_at: str
    created_by: str
    reason: str
    with_households: bool
    household_removed: bool
    kept: MergedPerson | None
    dropped: MergedPerson | None = Field(
        description="the person merged away, as it was; null once the merge is undone and that person "
                    "is outside your scope")
    undone_at: str | None
    undone_by: str | None
    undo_reason: str


class MergePage(Schema):
    count: int
    items: list[MergeOut]


class JobOut(Schema):
    id: int
    kind: str
    status: str = Field(description="queued, running, done, failed or cancelled")
    progress: int = Field(description="percent")
    message: str
    result: dict = Field(description="when done: pairs, new, updated, reopened, removed, already_decided")
    error: str
    created_at: str
    started_at: str | None
    finished_at: str | None
    poll: str = Field(description="where to read the job's progress")


# Reading -----------------------------------------------------------------------------------------

def _time(value):
    return value.isoformat() if value else None


def _username(user):
    return user.username if user is not None else None


def pairs_for(user):
    # Donors see aggregates only; for them the queue does not exist (the web answers 404).
    require(user.sees_personal_data, _("Your role does not see personal data."))
    return DuplicatePair.objects.visible_to(user).select_related("person_a", "person_b", "decided_by")


def merges_for(user):
    """Merges whose kept person is in the caller's scope (Merge.objects.visible_to), as merges.views
    lists them; only for managers and administrators."""
    require(user.can_decide_selection, _("Only managers and administrators can merge or unmerge persons."))
    return Merge.objects.visible_to(user).select_related("created_by", "undone_by")


def _brief(p):
    return {"id": p.pk, "ref": p.ref, "household": p.household_id, "given_name": p.given_name,
            "family_name": p.family_name, "date_of_birth": p.birth_display() or None}


def pair_json(pair):
    return {
        "id": pair.pk, "status": pair.status, "score": pair.score, "band": pair.band, "found_at": _time(pair.found_at),
        "person_a": _brief(pair.person_a), "person_b": _brief(pair.person_b),
        "decided_by": _username(pair.decided_by), "decided_at": _time(pair.decided_at), "reason": pair.reason,
    }


def _code(place):
    return place.code if place is not None else None


def _facts(user, person):
    """One side of the comparison: matching.review.person_facts, as JSON."""
    facts = review.person_facts(user, person)
    household = facts["household"]
    return {
        "id": person.pk, "ref": person.ref, "version": person.version, "given_name": person.given_name,
        "family_name": person.family_name, "father_name": person.father_name, "sex": person.sex,
        "date_of_birth": person.birth_display() or None, "displacement_status": person.displacement_status,
        "phone": person.phone,
        "household": {"id": household.pk, "ref": household.ref, "members": facts["members"],
                      "origin_municipality": _code(household.origin_municipality),
                      "current_country": household.current_country.code,
                      "current_municipality": _code(household.current_municipality)},
        "enrolments": [{"programme": e.programme.code, "status": e.status} for e in facts["enrolments"]],
        "vulnerabilities": [v.category.code for v in facts["vulnerabilities"]],
        "person_deliveries": facts["person_deliveries"],
        "household_deliveries": facts["household_deliveries"],
    }


def _merged_person(fields, pk):
    return {"id": pk, "ref": fields.get("ref"), "given_name": fields.get("given_name"),
            "family_name": fields.get("family_name")}


def merge_json(merge, kept, dropped):
    """One row of merges.models.shown_to: `kept` the kept Person (in scope) or None, `dropped` the
    dropped person's fields from the merge record, or None when they are not to be shown."""
    return {
        "id": merge.pk, "created_at": _time(merge.created_at), "created_by": _username(merge.created_by),
        "reason": merge.reason, "with_households": merge.with_households, "household_removed": merge.household_removed,
        "kept": _merged_person({"ref": kept.ref, "given_name": kept.given_name, "family_name": kept.family_name},
                               kept.pk) if kept else None,
        "dropped": _merged_person(dropped, merge.drop_person_id) if dropped is not None else None,
        "undone_at": _time(merge.undone_at), "undone_by": _username(merge.undone_by),
        "undo_reason": merge.undo_reason,
    }


def _merges_json(user, merges):
    return [merge_json(*row) for row in shown_to(user, list(merges))]


def _poll_url(job):
    # The web's /jobs/<id>/status.json wants a browser session; API clients poll here.
    return reverse("api:find_status", kwargs={"job_id": job.pk})


def job_json(job):
    return {
        "id": job.pk, "kind": job.kind, "status": job.status, "progress": job.progress, "message": job.message,
        "result": job.result or {}, "error": job.error, "created_at": _time(job.created_at),
        "started_at": _time(job.started_at), "finished_at": _time(job.finished_at), "poll": _poll_url(job),
    }


# Routes: pairs -------------------------------------------------------------------------------------

@router.get("/duplicates", response=PairPage)
def list_pairs(request, page: Query[Page], status: str = "", band: str = "", min_score: float | None = None,
               municipality: str = ""):
    """Pairs of persons the search found alike, best first; only pairs whose two persons you may see.
    `status`: open, not_duplicate or merged (every status when omitted). `band`: likely or possible.
    `min_score`: 0..1. `municipality`: either person's household lives or is handled there."""
    user = caller(request)
    pairs = pairs_for(user).order_by("-score", "pk")
    errors = []
    if status and status not in STATUSES:
        errors.append(("status", _("Use one of: %(v)s.") % {"v": ", ".join(STATUSES)}))
    if band and band not in BANDS:
        errors.append(("band", _("Use one of: %(v)s.") % {"v": ", ".join(BANDS)}))
    if min_score is not None and not 0 <= min_score <= 1:
        errors.append(("min_score", _("Give a number from 0 to 1.")))
    place = None
    if municipality.strip():
        place = Municipality.objects.lookup(municipality)
        if place is None:
            errors.append(("municipality", _("Unknown municipality %(m)s.") % {"m": municipality}))
    if errors:
        raise Invalid(errors)
    if status:
        pairs = pairs.filter(status=status)
    if band:
        pairs = pairs.filter(band=band)
    if min_score is not None:
        pairs = pairs.filter(score__gte=min_score)
    if place is not None:
        in_place = Q()
        for side in ("person_a__household__", "person_b__household__"):
            in_place |= Q(**{f"{side}current_municipality": place}) | Q(**{f"{side}responsible_municipality": place})
        pairs = pairs.filter(in_place)
    return paged(pairs, page, pair_json)


@router.get("/duplicates/{int:id}", response=ComparisonOut)
def get_pair(request, id: int):
    """The two persons side by side, with the evidence for each field, as the comparison page shows them."""
    user = caller(request)
    pair = scoped_get(pairs_for(user).select_related(
        "person_a__household__origin_municipality", "person_a__household__current_country",
        "person_a__household__current_municipality", "person_b__household__origin_municipality",
        "person_b__household__current_country", "person_b__household__current_municipality"), pk=id)
    for person in (pair.person_a, pair.person_b):
        record_view(user, person, via="api")
    comparison = review.comparison(pair)
    return {
        "id": pair.pk, "status": pair.status, "score": comparison.score, "band": comparison.band,
        "found_score": pair.score, "found_at": _time(pair.found_at), "decided_by": _username(pair.decided_by),
        "decided_at": _time(pair.decided_at), "reason": pair.reason,
        "same_household": pair.person_a.household_id == pair.person_b.household_id,
        "person_a": _facts(user, pair.person_a), "person_b": _facts(user, pair.person_b),
        "evidence": [{"field": f, "level": level, "bits": round(bits, 2)} for f, level, bits in comparison.fields],
    }


@router.post("/duplicates/{int:id}/not-duplicate", response=PairOut)
def not_duplicate(request, id: int, payload: ReasonIn):
    """Close an open pair as two different persons; it is never reopened by a later search."""
    user = caller(request)
    pair = scoped_get(pairs_for(user), pk=id)
    pair = review.mark_not_duplicate(pair, acting_user=user, reason=payload.reason, via="api")
    return pair_json(scoped_get(pairs_for(user), pk=pair.pk))


@router.post("/duplicates/{int:id}/merge", response={201: MergeOut})
def merge(request, id: int, payload: MergeIn, response: HttpResponse):
    """Merge the pair's two persons into `keep`, and with `with_households` their households too.
    The pair is closed and the other person removed; `POST /merges/{id}/undo` puts everything back."""
    user = caller(request)
    pair = scoped_get(pairs_for(user), pk=id)
    # The role first, as matching.review does: a caseworker learns nothing from a 422 about `keep`.
    require(user.can_decide_selection, _("Only managers and administrators decide on duplicates."))
    keep = {pair.person_a_id: pair.person_a, pair.person_b_id: pair.person_b}.get(payload.keep)
    if keep is None:
        errors = [("keep", _("Choose one of the two persons to keep."))]
        if not (payload.reason or "").strip():
            errors.append(("reason", _("Give a reason for the decision.")))
        raise Invalid(errors)
    try:
        _pair, done = review.merge_pair(pair, keep=keep, acting_user=user, with_households=payload.with_households,
                                        reason=payload.reason, via="api")
    except Person.DoesNotExist:
        # merges.actions' own scope check; the transaction rolled the decision back.
        raise Http404 from None
    response["Location"] = reverse("api:get_merge", kwargs={"id": done.pk})
    return Status(201, _merges_json(user, [scoped_get(merges_for(user), pk=done.pk)])[0])


@router.post("/duplicates/find", response={202: JobOut})
def find(request, response: HttpResponse):
    """Start the search for duplicates over the whole registry in the background (the "match" job),
    or give the search already under way. Poll the job at `poll` until its status is done."""
    user = caller(request)
    require(user.can_decide_selection, _("Only managers and administrators start the search for duplicates."))
    # One search at a time: two would race to store the same pairs, and the second adds nothing.
    running = Job.objects.filter(kind=MATCH_JOB, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).first()
    if running is not None and not Job.objects.visible_to(user).filter(pk=running.pk).exists():
        return problem(409, _("A search for duplicates started by someone else is under way."))
    job = running or jobs.enqueue(MATCH_JOB, {}, user)
    response["Location"] = _poll_url(job)
    return Status(202, job_json(job))


@router.get("/duplicates/find/{int:job_id}", response=JobOut)
def find_status(request, job_id: int):
    """A search for duplicates: its status, progress and, when done, what it found. Only the person
    who started it, administrators and auditors see a job."""
    user = caller(request)
    return job_json(scoped_get(Job.objects.visible_to(user).filter(kind=MATCH_JOB), pk=job_id))


# Routes: merges ------------------------------------------------------------------------------------

@router.get("/merges", response=MergePage)
def list_merges(request, page: Query[Page]):
    """The merges of persons in your scope (the person kept), newest first; managers and administrators."""
    user = caller(request)
    result = paged(merges_for(user), page, lambda m: m)
    result["items"] = _merges_json(user, result["items"])
    return result


@router.get("/merges/{int:id}", response=MergeOut)
def get_merge(request, id: int):
    user = caller(request)
    return _merges_json(user, [scoped_get(merges_for(user), pk=id)])[0]


@router.post("/merges/{int:id}/undo", response=MergeOut)
def undo(request, id: int, payload: ReasonIn):
    """Put back what the merge changed: the removed person (same id) and household, every moved
    record, the kept person's values. Refused (422, field `merge`) when later work would be lost."""
    user = caller(request)
    done = scoped_get(merges_for(user), pk=id)
    try:
        undo_merge(done, acting_user=user, reason=payload.reason, via="api")
    except (Merge.DoesNotExist, Person.DoesNotExist):
        raise Http404 from None
    return _merges_json(user, [scoped_get(merges_for(user), pk=id)])[0]
