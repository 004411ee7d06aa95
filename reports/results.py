"""A programme's results framework with actuals against targets, as one nested structure that the
API, the dashboard and the exports all read."""

from django.db.models import Prefetch

from accounts.models import Role
from reports import indicators
from reports.models import Indicator, Result
from reports.suppression import small, suppress


# Measures that count persons or households: a donor sees their small values suppressed, as in reach.
COUNTS_PEOPLE = {"persons_assisted", "households_assisted", "persons_trained", "persons_certified"}


def published(indicator, value, basis):
    """A donor's copy of a figure: a count of 1 to 4 persons or households (or a ratio of such
    counts) is withheld, or the indicator's total would give away what reach suppresses."""
    if basis.user.role != Role.DONOR or value is None:
        return value, False
    if indicator.measure == "ratio":
        terms = (indicator.numerator, indicator.denominator)
        if any(t.measure in COUNTS_PEOPLE and small(indicators.value(t, basis)) for t in terms):
            return None, True
        return value, False
    if indicator.measure in COUNTS_PEOPLE and small(value):
        return None, True
    return value, False


def indicator_figures(indicator, basis):
    targets = []
    for t in indicator.targets.all():
        period = basis.period(t.period_start, t.period_end)
        actual, hidden = published(indicator, indicators.value(indicator, period), period)
        targets.append({"period_start": t.period_start, "period_end": t.period_end, "target": t.value,
                        "actual": actual, "suppressed": hidden})
    actual, hidden = published(indicator, indicators.value(indicator, basis), basis)
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
        "actual": actual,
        "suppressed": hidden,
        "targets": targets,
        "disaggregations": breakdowns,
    }


def framework(programme, basis):
    """count_framework's figures, kept for a large registry until a record changes (reports.cache)."""
    from reports.cache import cached

    donor = basis.user.role == Role.DONOR  # a donor's copy has its small cells suppressed
    return cached("framework", basis, (programme.pk, donor))


def count_framework(programme, basis):
    """[goal {level, code, statement, indicators, children: [outcome {..., children: [output]}]}].

    Counted through reports.cache.count, the whole framework is one computation: a set of direct
    beneficiaries that several indicators, periods and breakdowns count is built once for all of
    them (reports.reach.built_once)."""
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


def flatten(nodes):
    """Every result node of a framework (count_framework's structure), depth first."""
    for node in nodes:
        yield node
        yield from flatten(node["children"])
