"""Building a programme's results framework through the API: results, indicators and targets.
Reading it with figures is GET /programmes/{code}/results (api.reports).

Choices made here (the contract leaves them open):
- Results and indicators are named by their code within the programme, as in the logframe:
  `parent`, `result`, `numerator`, `denominator` and the `{indicator}` of a path are codes.
- A programme the caller may not read is 404; a role that may read but not build is 403.
- PUT .../targets sets the target of one period: sending the same period again changes it.
- POST /programmes/{code}/results shares its path with api.reports' GET. ninja gives each router
  its own view of a path, so this router answers that GET too (by api.reports' function, left
  out of the schema) and must be mounted before api.reports.router.
"""

import datetime
from decimal import Decimal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from api import reports as report_routes
from api.common import caller, require, scoped_get
from api.problems import Invalid
from assistance.models import AssistanceType
from programmes.models import Programme
from reports import actions
from reports.models import Indicator, Result
from reports.reach import may_read

router = Router(tags=["reports"])


class ResultIn(Schema):
    model_config = ConfigDict(extra="forbid")

    level: str = Field(description="goal, outcome or output")
    code: str = Field(description='as the logframe numbers it: "1", "1.2", "1.2.3"')
    statement: str
    parent: str | None = Field(None, description="code of the result this hangs under; none for a goal")


class ResultOut(Schema):
    level: str
    code: str
    statement: str
    parent: str | None
    version: int


class IndicatorIn(Schema):
    model_config = ConfigDict(extra="forbid")

    result: str = Field(description="code of the result the indicator measures")
    code: str
    name: str
    unit: str
    measure: str = Field(description="what it counts: one of reports.models.Measure")
    assistance_types: list[str] = Field([], description="catalogue codes; none: all types")
    activity_types: list[str] = Field([], description="activity type codes; none: all types")
    project_types: list[str] = Field([], description="community project type codes; none: all types")
    numerator: str | None = Field(None, description="for a ratio: code of the indicator divided")
    denominator: str | None = Field(None, description="for a ratio: code of the indicator it is divided by")
    disaggregations: list[str] = Field([], description="dimensions the figure is broken down by")
    baseline: Decimal | None = None
    baseline_date: datetime.date | None = None


class IndicatorOut(Schema):
    result: str
    code: str
    name: str
    unit: str
    measure: str
    assistance_types: list[str]
    activity_types: list[str]
    project_types: list[str]
    numerator: str | None
    denominator: str | None
    disaggregations: list[str]
    baseline: Decimal | None
    baseline_date: datetime.date | None
    version: int


class TargetIn(Schema):
    model_config = ConfigDict(extra="forbid")

    period_start: datetime.date
    period_end: datetime.date
    value: Decimal


class TargetOut(Schema):
    period_start: datetime.date
    period_end: datetime.date
    value: Decimal


class TargetsOut(Schema):
    indicator: str
    targets: list[TargetOut]


def _managed(request, code):
    user = caller(request)
    programme = scoped_get(Programme.objects.all(), code=code)
    if not may_read(user, programme):
        raise Http404
    require(user.can_manage_programmes, _("Only managers and administrators change results frameworks."))
    return user, programme


def _by_code(model, programme, code, field, errors):
    if not code:
        return None
    found = model.objects.filter(programme=programme, code=code).first()
    if found is None:
        errors.append((field, _("Unknown code %(c)s in this programme.") % {"c": code}))
    return found


def result_json(r):
    return {"level": r.level, "code": r.code, "statement": r.statement,
            "parent": r.parent.code if r.parent_id else None, "version": r.version}


def indicator_json(i):
    return {
        "result": i.result.code, "code": i.code, "name": i.name, "unit": i.unit, "measure": i.measure,
        "assistance_types": sorted(t.code for t in i.assistance_types.all()),
        "activity_types": i.activity_types, "project_types": i.project_types,
        "numerator": i.numerator.code if i.numerator_id else None,
        "denominator": i.denominator.code if i.denominator_id else None,
        "disaggregations": i.disaggregations, "baseline": i.baseline, "baseline_date": i.baseline_date,
        "version": i.version,
    }


# The GET of this path is api.reports'; see the module docstring.
router.add_api_operation("/programmes/{code}/results", ["GET"], report_routes.get_results,
                         response=report_routes.ResultsOut, include_in_schema=False)


@router.post("/programmes/{code}/results", response={201: ResultOut})
def post_result(request, code: str, payload: ResultIn):
    """Add a goal, an outcome under a goal or an output under an outcome."""
    user, programme = _managed(request, code)
    errors = []
    parent = _by_code(Result, programme, payload.parent, "parent", errors)
    if errors:
        raise Invalid(errors)
    result = actions.create_result(Result(programme=programme, parent=parent, level=payload.level, code=payload.code,
                                          statement=payload.statement), acting_user=user, via="api")
    return Status(201, result_json(result))


@router.post("/programmes/{code}/indicators", response={201: IndicatorOut})
def post_indicator(request, code: str, payload: IndicatorIn):
    """Add an indicator to a result, with its definition; every bad field is named at once."""
    user, programme = _managed(request, code)
    errors = []
    result = _by_code(Result, programme, payload.result, "result", errors)
    numerator = _by_code(Indicator, programme, payload.numerator, "numerator", errors)
    denominator = _by_code(Indicator, programme, payload.denominator, "denominator", errors)
    types = []
    for i, type_code in enumerate(payload.assistance_types):
        found = AssistanceType.objects.filter(code=type_code).first()
        if found is None:
            errors.append((f"assistance_types[{i}]", _("Unknown assistance type %(c)s.") % {"c": type_code}))
        types.append(found)
    if errors:
        raise Invalid(errors)
    data = payload.model_dump(exclude={"result", "numerator", "denominator", "assistance_types"})
    indicator = actions.create_indicator(
        Indicator(programme=programme, result=result, numerator=numerator, denominator=denominator, **data),
        assistance_types=types, acting_user=user, via="api")
    return Status(201, indicator_json(indicator))


@router.put("/programmes/{code}/indicators/{indicator}/targets", response=TargetsOut)
def put_target(request, code: str, indicator: str, payload: TargetIn):
    """Set the target of one period; the same period again changes it. Replies with every target."""
    user, programme = _managed(request, code)
    found = scoped_get(Indicator.objects.filter(programme=programme), code=indicator)
    actions.set_target(found, payload.period_start, payload.period_end, payload.value, acting_user=user, via="api")
    return {"indicator": found.code, "targets": list(found.targets.values("period_start", "period_end", "value"))}
