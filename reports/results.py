"""A programme's results framework with actuals against targets, as one nested structure that the
API, the dashboard and the exports all read."""

from django.db.models import Prefetch

from accounts.models import Role
from reports import indicators
from reports.models import Indicator, Result
from reports.suppression import suppress


def indicator_figures(indicator, basis):
    targets = [{"period_start": t.period_start, "period_end": t.period_end, "target": t.value,
                "actual": indicators.value(indicator, basis.period(t.period_start, t.period_end))}
               for t in indicator.targets.all()]
    breakdowns = {}
    for by in indicator.disaggregations:
        cells = {"value": None, "rows": indicators.breakdown(indicator, basis, by)}
        if basis.user.role == Role.DONOR:
            suppress(cells, figures=("value",), totals=False)
        breakdowns[by] = cells["rows"]
    return {
        "code": indicator.code,
        "name": indicator.name,
        "unit": indicator.unit,
        "measure": indicator.measure,
        "baseline": indicator.baseline,
        "baseline_date": indicator.baseline_date,
        "actual": indicators.value(indicator, basis),
        "targets": targets,
        "disaggregations": breakdowns,
    }


def framework(programme, basis):
    """count_framework's figures, kept for a large registry until a record changes (reports.cache)."""
    from reports.cache import cached

    donor = basis.user.role == Role.DONOR  # a donor's copy has its small cells suppressed
    return cached("framework", basis, (programme.pk, donor))


def count_framework(programme, basis):
    """[goal {level, code, statement, indicators, children: [outcome {..., children: [output]}]}]."""
    chosen = (Indicator.objects.select_related("numerator", "denominator")
              .prefetch_related("assistance_types", "targets"))
    results = list(Result.objects.filter(programme=programme).prefetch_related(Prefetch("indicators", chosen)))
    children = {}
    for result in results:
        children.setdefault(result.parent_id, []).append(result)

    def node(result):
        return {
            "level": result.level,
            "code": result.code,
            "statement": result.statement,
            "indicators": [indicator_figures(i, basis) for i in result.indicators.all()],
            "children": [node(child) for child in children.get(result.pk, [])],
        }

    return [node(goal) for goal in children.get(None, [])]
