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
    # A set of direct beneficiaries of deliveries is the one UNION these figures make (the data
    # stamp of kept figures is a UNION ALL).
    return sum(" UNION " in q["sql"] and " UNION ALL " not in q["sql"] for q in queries)


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


def test_one_request_builds_each_set_once_for_all_its_figures(planned):
    # What the middleware gives a request: reach, reach by traits and the framework one after
    # another, each its own computation, over the sets built by the first.
    w = planned
    basis = Basis.of(w.mira, w.rrk, include_phases=True, on=END)
    with CaptureQueriesContext(connection) as queries, built_once() as sets:
        reach(basis)
        reach(basis, by="sex")
        reach(basis, by="municipality")
        counted_framework(w, w.mira)
    # The framework's six sets, reach's among them: built alone it was 6 + 3 (one per reach figure).
    # One more table: everyone in the households of reach's direct beneficiaries, read by each trait.
    assert unions(queries) == 6
    assert sets.built == 7


def test_the_results_page_builds_no_set_twice(planned, client):
    from collections import Counter

    w = planned
    client.force_login(w.mira)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/programmes/{w.rrk.code}/results/?by=sex&date={END}")
    assert response.status_code == 200
    builds = Counter(q["sql"].split(" (id) ", 1)[1] for q in queries if q["sql"].startswith("INSERT INTO")
                     and "homeward_direct_" in q["sql"])
    assert builds and max(builds.values()) == 1
    assert temporary_tables() == []


def test_figures_kept_under_a_newer_stamp_are_not_counted_from_an_older_set(planned):
    from registry.models import Household, Person
    from reports.cache import count, stamp
    from tests.test_reports_indicators import assist

    w = planned
    basis = Basis.of(w.mira, w.rrk, include_phases=True, on=END)
    with built_once():
        before = count("reach", basis, (None,), at=stamp())
        newcomer = Person.objects.create(
            household=Household.objects.create(ref="H-LP-2", current_country=w.h_lipjan.current_country,
                                               current_municipality=w.lipjan, responsible_municipality=w.lipjan),
            ref="H-LP-2-0", relationship="head", given_name="Vjosa", family_name="Gashi", sex="F", birth_year=1990,
            displacement_status="returnee")
        assist(w, "business_training", person=newcomer, date=D(2024, 5, 1),
               detail={"course": "Bookkeeping", "completed": True})
        kept = count("reach", basis, (None,), at=stamp())
        shown = count("reach", basis, (None,))
    assert kept["direct"] == before["direct"] + 1
    assert shown["direct"] == kept["direct"]  # shown, not kept: the newest set of the request serves


def test_a_question_asked_again_in_a_computation_is_answered_once(planned):
    # A ratio's terms are indicators of their own; "persons assisted" by sex asks what reach by sex
    # asks of the same persons. Inside one computation each is counted once, with the same figures.
    w = planned
    trained = indicator(w, "persons_trained", code="T")
    certified = indicator(w, "persons_certified", code="C")
    share = indicator(w, "ratio", code="R", unit="%", numerator=certified, denominator=trained)
    p1 = w.output.indicators.get(code="P1")
    basis = Basis.of(w.mira, w.rrk, include_phases=True, on=END)
    expected = (indicators.value(share, basis), indicators.value(trained, basis), indicators.value(certified, basis),
                indicators.breakdown(p1, basis, "sex"), reach(basis, by="sex"))
    with built_once():
        assert indicators.value(share, basis) == expected[0]
        with CaptureQueriesContext(connection) as again:
            assert (indicators.value(trained, basis), indicators.value(certified, basis)) == expected[1:3]
        # Only the indicators' types are read again (to know which question they ask).
        assert not [q for q in again.captured_queries if "registry_person" in q["sql"]]
        assert reach(basis, by="sex") == expected[4]
        with CaptureQueriesContext(connection) as again:
            assert indicators.breakdown(p1, basis, "sex") == expected[3]
        assert not [q for q in again.captured_queries if "GROUP BY" in q["sql"]]
        # Everyone in the reached households was grouped by every trait at once: reach by another
        # trait groups only its direct beneficiaries (persons and households) by it.
        expected_by_community = reach(basis, by="community")
    with built_once():
        reach(basis, by="sex")
        with CaptureQueriesContext(connection) as again:
            assert reach(basis, by="community") == expected_by_community
        assert len([q for q in again.captured_queries if "GROUP BY" in q["sql"]]) == 1


def test_an_answer_kept_under_an_older_stamp_is_not_given_for_a_newer_one(planned):
    from reports.cache import count, stamp
    from tests.test_reports_indicators import assist

    w = planned
    deliveries = indicator(w, "deliveries", code="D")
    basis = Basis.of(w.mira, w.rrk, include_phases=True, on=END)
    with built_once():
        before = count("framework", basis, (w.rrk.pk, False), at=stamp())
        assist(w, "business_training", person=w.h_lipjan.members.first(), date=D(2024, 5, 1),
               detail={"course": "Bookkeeping", "completed": True})
        kept = count("framework", basis, (w.rrk.pk, False), at=stamp())
        shown = count("framework", basis, (w.rrk.pk, False))

    def actual(figures):
        return next(f["actual"] for node in flatten(figures) for f in node["indicators"] if f["code"] == deliveries.code)

    assert actual(kept) == actual(before) + 1
    assert actual(shown) == actual(kept)
