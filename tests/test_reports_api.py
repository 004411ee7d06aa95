"""/reports/reach (contract section 4) and /programmes/{code}/results over HTTP."""

import datetime

import pytest

from reports.actions import create_indicator, create_result, set_target
from reports.models import Indicator, Result
from tests.test_api_client import ApiClient
from tests.test_reports_reach import kind, reached  # noqa: F401 (the fixture)


@pytest.fixture
def as_user(token_for):
    return lambda user: ApiClient(token_for(user))


def reach(client, **params):
    return client.get("/reports/reach", **{"date": "2024-06-30", **params})


def test_it_answers_reach_in_the_contract_shape(reached, as_user):
    response = reach(as_user(reached.ada), programme="RRK", include_phases="true", by="sex")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["households"], body["direct"], body["indirect"]) == (3, 5, 1)
    assert [{k: r[k] for k in ("key", "households", "direct", "indirect")} for r in body["rows"]] == [
        {"key": "F", "households": 2, "direct": 2, "indirect": 0},
        {"key": "M", "households": 3, "direct": 3, "indirect": 1},
    ]
    assert body["participants"]["total"] == 21  # the anonymous participants, apart


def test_it_counts_the_programme_alone_unless_phases_are_asked_for(reached, as_user):
    client = as_user(reached.ada)
    body = reach(client, programme="RRK").json()
    assert (body["households"], body["direct"], body["indirect"], body["rows"]) == (1, 1, 0, [])
    body = reach(client, programme="RRK", include_phases="false").json()
    assert body["direct"] == 1


def test_it_names_the_bad_field(reached, as_user):
    client = as_user(reached.ada)
    for params, fields in (({"programme": "NOPE"}, {"programme"}),
                           ({"programme": "RRK", "by": "religion"}, {"by"}),
                           ({"programme": "NOPE", "by": "religion"}, {"programme", "by"}),
                           ({"programme": "RRK", "date": "30.06.2024"}, {"date"}),
                           ({"programme": "RRK", "include_phases": "perhaps"}, {"include_phases"}),
                           ({}, {"programme"})):
        response = client.get("/reports/reach", **params)
        assert response.status_code == 422, (params, response.content)
        assert response["Content-Type"] == "application/problem+json"
        assert {e["field"] for e in response.json()["errors"]} == fields, params


def test_it_answers_404_for_a_programme_the_caller_may_not_read(reached, as_user):
    assert reach(as_user(reached.klara), programme="CT").status_code == 404
    assert reach(as_user(reached.sara), programme="CT").status_code == 200
    from programmes.models import Programme

    Programme.objects.create(code="OTHER", name="Not funded by Dona's donor")
    assert reach(as_user(reached.dona), programme="OTHER").status_code == 404
    assert reach(as_user(reached.dona), programme="RRK").status_code == 200


def test_it_suppresses_small_cells_for_donors_only(reached, as_user):
    body = reach(as_user(reached.dona), programme="RRK", include_phases="true", by="municipality").json()
    # Three households in all: every figure of so small a programme is hidden from a donor.
    assert body["suppressed"] and body["households"] is None
    assert all(r["suppressed"] and r["direct"] is None for r in body["rows"])
    body = reach(as_user(reached.mira), programme="RRK", include_phases="true", by="municipality").json()
    assert not body["suppressed"] and body["direct"] == 5


def test_it_counts_what_a_caseworker_may_see(reached, as_user):
    body = reach(as_user(reached.klara), programme="RRK", include_phases="true").json()
    assert (body["households"], body["direct"], body["indirect"]) == (1, 2, 1)


@pytest.fixture
def framework(reached):
    w = reached
    goal = create_result(Result(programme=w.rrk, level="goal", code="1", statement="Sustainable return"),
                         acting_user=w.marko)
    outcome = create_result(Result(programme=w.rrk, level="outcome", code="1.1", parent=goal,
                                   statement="Returnees have an income"), acting_user=w.marko)
    output = create_result(Result(programme=w.rrk, level="output", code="1.1.1", parent=outcome,
                                  statement="Returnees trained"), acting_user=w.marko)
    trained = create_indicator(Indicator(result=output, code="T1", name="Persons trained", unit="persons",
                                         measure="persons_assisted", disaggregations=["sex"]),
                               assistance_types=[kind("vocational_training"), kind("business_training")],
                               acting_user=w.marko)
    set_target(trained, datetime.date(2024, 1, 1), datetime.date(2024, 5, 31), 2, acting_user=w.marko)
    set_target(trained, datetime.date(2024, 6, 1), datetime.date(2024, 12, 31), 3, acting_user=w.marko)
    return w


def test_it_shows_the_framework_with_actuals_against_targets(framework, as_user):
    response = as_user(framework.mira).get("/programmes/RRK/results", date="2024-06-30")
    assert response.status_code == 200, response.content
    goal = response.json()["results"][0]
    assert (goal["level"], goal["code"]) == ("goal", "1")
    output = goal["children"][0]["children"][0]
    assert (output["level"], output["code"]) == ("output", "1.1.1")
    indicator = output["indicators"][0]
    # Agim had two trainings (1 May, 1 June): one person in all, one in each period.
    assert float(indicator["actual"]) == 1
    assert [(t["period_start"], float(t["target"]), float(t["actual"])) for t in indicator["targets"]] == [
        ("2024-01-01", 2, 1), ("2024-06-01", 3, 1)]
    assert indicator["disaggregations"]["sex"] == [{"key": "M", "value": 1, "suppressed": False}]


def test_it_suppresses_small_breakdowns_for_donors(framework, as_user):
    body = as_user(framework.dona).get("/programmes/RRK/results", date="2024-06-30").json()
    indicator = body["results"][0]["children"][0]["children"][0]["indicators"][0]
    # One person trained: a donor sees neither the total nor its breakdown, as reach hides it.
    assert indicator["actual"] is None and indicator["suppressed"] is True
    assert indicator["disaggregations"]["sex"] == [{"key": "M", "value": None, "suppressed": True}]
    body = as_user(framework.mira).get("/programmes/RRK/results", date="2024-06-30").json()
    indicator = body["results"][0]["children"][0]["children"][0]["indicators"][0]
    assert float(indicator["actual"]) == 1 and indicator["suppressed"] is False


def test_it_lists_the_records_behind_a_figure_within_scope(framework, as_user):
    agim = framework.h_kline.members.get(given_name="Agim")
    response = as_user(framework.klara).get("/programmes/RRK/results/T1/records")
    assert response.status_code == 200, response.content
    assert response.json() == {"count": 1, "items": [
        {"kind": "person", "id": agim.pk, "ref": agim.ref, "household": framework.h_kline.pk}],
        "as_of": None, "refreshing": False}  # counted now: a small registry keeps no figures
    assert as_user(framework.drita).get("/programmes/RRK/results/T1/records").json()["count"] == 0
    assert as_user(framework.dona).get("/programmes/RRK/results/T1/records").json()["count"] == 0
    assert as_user(framework.klara).get("/programmes/RRK/results/T1/records",
                                        period_start="2024-01-01", period_end="2024-04-30").json()["count"] == 0


def test_it_answers_404_for_unknown_or_unreadable_programmes_and_indicators(framework, as_user):
    client = as_user(framework.ada)
    assert client.get("/programmes/NOPE/results").status_code == 404
    assert client.get("/programmes/CT/results").status_code == 404
    assert client.get("/programmes/RRK/results/NOPE/records").status_code == 404
    assert as_user(framework.sara).get("/programmes/CT/results").json()["results"] == []


def test_it_describes_the_report_routes_in_the_openapi_document(world):
    paths = ApiClient().get("/openapi.json").json()["paths"]
    assert {"/api/v1/reports/reach", "/api/v1/programmes/{code}/results",
            "/api/v1/programmes/{code}/results/{indicator}/records"} <= set(paths)
