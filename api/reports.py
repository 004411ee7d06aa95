"""/reports/reach (contract section 4) and /programmes/{code}/results: figures, never records.

Choices made here (the contract leaves them open):
- `date` (optional, default today) is the report date: deliveries and activities after it are not
  counted yet, and ages are ages on it. `since` (optional) starts the period.
- An unknown programme or a bad `by` is 422 naming the field; a programme the caller may not read
  (a sensitive programme for a user not cleared, a programme a donor does not fund) is 404.
- Donors get small cells suppressed (reports.suppression); rows carry `suppressed`.
- /programmes/{code}/results counts the programme and all its phases. An indicator's records
  (`.../results/{indicator}/records`) are the records behind its figure that the caller may see:
  of persons, households and deliveries a donor sees none and a caseworker those of their
  households; activities, projects and manual values are programme-level records.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from accounts.models import Role
from api.common import Page, caller, scoped_get
from api.problems import Invalid
from programmes.models import Programme
from reports.drilldown import drilldown, record_drilldown_view
from reports.models import DIMENSIONS, Indicator
from reports.reach import Basis, NotVisible, reach
from reports.results import framework
from reports.suppression import suppress

router = Router(tags=["reports"])


class ReachRow(Schema):
    key: str
    households: int | None
    direct: int | None
    indirect: int | None
    suppressed: bool = False


class Participants(Schema):
    female: int
    male: int
    unknown: int
    total: int


class ReachOut(Schema):
    programme: str
    include_phases: bool
    date: datetime.date
    since: datetime.date | None
    by: str | None
    households: int | None
    direct: int | None
    indirect: int | None
    rows: list[ReachRow]
    suppressed: bool
    participants: Participants
    community_projects_completed: int
    catchment_population: int
    as_of: datetime.datetime | None = Field(None, description="when the figures were counted, for a large registry "
                                                              "whose figures are kept (else null: counted now)")
    refreshing: bool = Field(False, description="records changed since as_of; the figures are being counted again")


def basis_for(user, programme, **kwargs):
    try:
        return Basis.of(user, programme, **kwargs)
    except NotVisible:
        raise Http404(_("No such record, or not one you may see."))


@router.get("/reports/reach", response=ReachOut)
def get_reach(request, programme: str, include_phases: bool = False, by: str | None = None,
              date: datetime.date | None = None, since: datetime.date | None = None):
    """Households, direct and indirect beneficiaries (contract section 5), optionally by one of
    municipality, sex, community, displacement_status, age_group. Anonymous participants and
    catchment population are their own figures."""
    user = caller(request)
    errors = []
    found = Programme.objects.filter(code__iexact=programme.strip()).first()
    if found is None:
        errors.append(("programme", _("Unknown programme %(c)s.") % {"c": programme}))
    by = (by or "").strip() or None
    if by is not None and by not in DIMENSIONS:
        errors.append(("by", _("One of: %(d)s.") % {"d": ", ".join(DIMENSIONS)}))
    on = date or datetime.date.today()
    if since and since > on:
        errors.append(("since", _("After the report date.")))
    if errors:
        raise Invalid(errors)
    basis = basis_for(user, found, include_phases=include_phases, on=on, since=since)
    figures = reach(basis, by=by)
    figures.update(as_of=basis.as_of, refreshing=basis.refreshing)
    figures["suppressed"] = False
    if user.role == Role.DONOR:
        suppress(figures)
    return {"programme": found.code, "include_phases": include_phases, "date": on, "since": since, "by": by,
            **figures}


class TargetOut(Schema):
    period_start: datetime.date
    period_end: datetime.date
    target: Decimal
    actual: Decimal | None
    suppressed: bool = False


class CellOut(Schema):
    key: str
    value: int | None
    suppressed: bool = False


class IndicatorOut(Schema):
    code: str
    name: str
    unit: str
    measure: str
    baseline: Decimal | None
    baseline_date: datetime.date | None
    actual: Decimal | None
    suppressed: bool = False
    targets: list[TargetOut]
    disaggregations: dict[str, list[CellOut]]


class ResultOut(Schema):
    level: str
    code: str
    statement: str
    indicators: list[IndicatorOut]
    children: list["ResultOut"]


class ResultsOut(Schema):
    programme: str
    date: datetime.date
    results: list[ResultOut]
    as_of: datetime.datetime | None = None
    refreshing: bool = False


def readable_programme(user, code, on=None):
    """The programme named in the path, or 404 (unknown, or not one the caller may read), and the
    basis of its figures: the programme and all its phases, up to `on` (default today)."""
    programme = scoped_get(Programme.objects.all(), code=code)
    return programme, basis_for(user, programme, include_phases=True, on=on)


@router.get("/programmes/{code}/results", response=ResultsOut)
def get_results(request, code: str, date: datetime.date | None = None):
    """The results framework (goal, outcomes, outputs) with each indicator's baseline, targets per
    period and actuals, counted over the programme and all its phases up to `date` (default today)."""
    programme, basis = readable_programme(caller(request), code, on=date)
    results = framework(programme, basis)
    return {"programme": programme.code, "date": basis.on, "results": results, "as_of": basis.as_of,
            "refreshing": basis.refreshing}


class RecordPage(Schema):
    count: int
    items: list[dict[str, Any]]
    as_of: datetime.datetime | None = Field(None, description="when the count was counted, for a kept count")
    refreshing: bool = Field(False, description="records changed since as_of; the count is being counted again")


def record_json(obj):
    """Enough of each record to find it in the registry: ids and refs, no names."""
    kind = obj._meta.model_name
    fields = {
        "person": lambda p: {"id": p.pk, "ref": p.ref, "household": p.household_id},
        "household": lambda h: {"id": h.pk, "ref": h.ref},
        "delivery": lambda d: {"id": d.pk, "household": d.household_id, "person": d.person_id,
                               "type": d.type.code, "date": d.date.isoformat()},
        "activity": lambda a: {"id": a.pk, "title": a.title, "date": a.date.isoformat()},
        "communityproject": lambda p: {"id": p.pk, "title": p.title,
                                       "completed_on": p.completed_on.isoformat() if p.completed_on else None},
        "manualvalue": lambda v: {"id": v.pk, "period_start": v.period_start.isoformat(),
                                  "period_end": v.period_end.isoformat(), "value": str(v.value),
                                  "evidence": v.evidence},
    }
    if kind in fields:
        return {"kind": kind, **fields[kind](obj)}
    # The detail of a delivery (a house, a grant, a referral): named by its delivery.
    return {"kind": kind, "delivery": obj.delivery_id, "household": obj.delivery.household_id}


@router.get("/programmes/{code}/results/{indicator}/records", response=RecordPage)
def get_indicator_records(request, code: str, indicator: str, page: Query[Page],
                          period_start: datetime.date | None = None, period_end: datetime.date | None = None,
                          date: datetime.date | None = None):
    """The records behind an indicator's figure (for the period, when given, up to `date`, default
    today) that the caller may see, in id order. Opening those of a sensitive programme is
    audited, as on the web page. `count` is the number of them; with a large registry it is the
    kept figure's when the caller sees every record (`as_of` says when it was counted)."""
    user = caller(request)
    programme, full = readable_programme(user, code, on=date)
    found = scoped_get(Indicator.objects.select_related("numerator"), programme=programme, code=indicator)
    if period_start and period_end and period_end < period_start:
        raise Invalid([("period_end", _("The end date is before the start date."))])
    basis = full.period(period_start, period_end or full.on)
    drill = drilldown(programme, found, full, basis)
    rows = drill.rows
    if any(f.name == "delivery" for f in rows.model._meta.concrete_fields):
        rows = rows.select_related("delivery__type")
    elif rows.model._meta.model_name == "delivery":
        rows = rows.select_related("type", "person", "household")
    result = {"count": drill.shown, "items": list(drill.page(rows, page.offset, page.offset + page.limit)),
              "as_of": basis.as_of, "refreshing": basis.refreshing}
    changes = {name: [None, value.isoformat()] for name, value in
               (("period_start", period_start), ("period_end", period_end)) if value}
    record_drilldown_view(user, programme, basis, found, result["items"], via="api", changes=changes)
    result["items"] = [record_json(obj) for obj in result["items"]]
    if user.role == Role.DONOR:
        # Evidence is free text (minutes, reports) that may name people: donors get the values.
        for item in result["items"]:
            item.pop("evidence", None)
    return result
