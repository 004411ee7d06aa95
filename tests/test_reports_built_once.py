"""One computation of figures builds each set of direct beneficiaries once (reports.reach.built_once):
the figures are those each indicator gives alone, the set is not built again for each figure, and
no temporary table outlives the computation.

The records are those of tests/test_reports_indicators.py: in the first quarter of 2024 houses for
H-KL-1 (3 members) and H-DR-1 (2) and Agim's and Drita's trainings; from April, grants to H-KL-1,
H-DR-1 and H-LP-1 (4), Arben's and Drita's attendance and Dragan's referral.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports import indicators
from reports.actions import set_target
from reports.reach import Basis, built_once, reach
from reports.results import flatten, framework
from tests.test_reports_indicators import D, END, indicator, records  # noqa: F401  (a fixture)

QUARTER = (D(2024, 1, 1), D(2024, 3, 31))
REST = (D(2024, 4, 1), D(2024, 12, 31))


@pytest.fixture
def planned(records):
    """Indicators whose sets differ by the types counted and by period, and two that share theirs
    (persons and households assisted by anything)."""
    w = records
    made = [
        indicator(w, "persons_assisted", code="P1", disaggregations=["sex", "age_group"]),
        indicator(w, "households_assisted", code="H1", disaggregations=["municipality"]),
        indicator(w, "persons_assisted", code="P3", types=["income_generation_grant"], disaggregations=["sex"]),
    ]
    for made_one in made:
        for start, end in (QUARTER, REST):
            set_target(made_one, start, end, 5, acting_user=w.marko)
    return w


def counted_framework(w, user):
    basis = Basis.of(user, w.rrk, include_phases=True, on=END)
    return {f["code"]: f for node in flatten(framework(w.rrk, basis)) for f in node["indicators"]}, basis


def alone(ind, basis):
    """The indicator's figures, each counted by itself outside any computation: the set built
    inline, as a drill-down does."""
    periods = [basis.period(start, end) for start, end in (QUARTER, REST)]
    return {"actual": indicators.value(ind, basis),
            "targets": [indicators.value(ind, period) for period in periods],
            "disaggregations": {by: indicators.breakdown(ind, basis, by) for by in ind.disaggregations}}


def test_each_indicator_and_period_gets_its_own_figures(planned):
    w = planned
    figures, basis = counted_framework(w, w.mira)
    got = {code: (f["actual"], [t["actual"] for t in f["targets"]]) for code, f in figures.items()}
    # Everyone reached: 5 in the first quarter (two houses), 10 after (three grants, Dragan's
    # referral); the grants alone reach the three families' 9 members, none in the first quarter.
    assert got == {"P1": (10, [5, 10]), "H1": (4, [2, 4]), "P3": (9, [0, 9])}
    for ind in w.output.indicators.all():
        mine = alone(ind, basis)
        assert figures[ind.code]["actual"] == mine["actual"], ind.code
        assert [t["actual"] for t in figures[ind.code]["targets"]] == mine["targets"], ind.code
        assert figures[ind.code]["disaggregations"] == mine["disaggregations"], ind.code


def test_a_caseworker_and_an_m_and_e_officer_each_count_their_own_set_in_one_computation(planned):
    w = planned
    p1 = w.output.indicators.get(code="P1")
    whole = Basis.of(w.mira, w.rrk, include_phases=True, on=END)
    scoped = Basis.of(w.klara, w.rrk, include_phases=True, on=END)  # Klinë only: H-KL-1
    expected = indicators.value(p1, whole), indicators.value(p1, scoped)
    with built_once() as sets:
        assert (indicators.value(p1, whole), indicators.value(p1, scoped)) == expected == (10, 3)
        assert sets.built == 2


def unions(queries):
    # A set of direct beneficiaries of deliveries is the one UNION these figures make.
    return sum(" UNION " in q["sql"] for q in queries)


def test_a_framework_builds_each_set_once(planned):
    w = planned
    with CaptureQueriesContext(connection) as queries:
        counted_framework(w, w.mira)
    # P1 and H1 share the set of everything over the whole time and each of the two periods; P3 has
    # its three. Built per figure it was 13: P1's 5 (actual, 2 targets, 2 breakdowns), H1's 4, P3's 4.
    assert unions(queries) == 6


def test_reach_by_a_trait_builds_its_set_once(planned):
    w = planned
    basis = Basis.of(w.mira, w.rrk, include_phases=True, on=END)
    with CaptureQueriesContext(connection) as queries:
        figures = reach(basis, by="sex")
    assert (figures["households"], figures["direct"]) == (4, 10)
    assert unions(queries) == 1  # three queries read it: direct by sex, everyone by sex, households


def temporary_tables():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT relname FROM pg_class WHERE relpersistence = 't' AND relkind = 'r'")
        else:
            cursor.execute("SELECT name FROM sqlite_temp_master WHERE type = 'table'")
        return [name for (name,) in cursor.fetchall()]


def test_no_temporary_table_outlives_its_computation(planned, monkeypatch):
    w = planned
    counted_framework(w, w.mira)
    reach(Basis.of(w.klara, w.rrk, include_phases=True, on=END), by="sex")
    assert temporary_tables() == []

    def broken(*args):
        raise RuntimeError("a breakdown failed")

    monkeypatch.setattr(indicators, "breakdown", broken)
    with pytest.raises(RuntimeError):
        counted_framework(w, w.mira)  # its actuals were counted: sets were built
    assert temporary_tables() == []
