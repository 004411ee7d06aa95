"""Building a results framework through the API: results, indicators, targets; the errors named
by field; who may build."""

import pytest

from audit.models import AuditEntry
from programmes.models import Programme
from reports.models import Indicator, Result, Target
from tests.test_api_client import ApiClient


def goal_outcome_output(client):
    assert client.post("/programmes/RRK/results", {"level": "goal", "code": "1",
                                                   "statement": "Sustainable return"}).status_code == 201
    client.post("/programmes/RRK/results", {"level": "outcome", "code": "1.1", "parent": "1",
                                            "statement": "Returnees earn a living"})
    return client.post("/programmes/RRK/results", {"level": "output", "code": "1.1.1", "parent": "1.1",
                                                   "statement": "Grants delivered"})


def test_it_builds_a_framework_with_an_indicator_and_a_target(world, token_for):
    client = ApiClient(token_for(world.marko))
    r = goal_outcome_output(client)
    assert r.status_code == 201 and r.json() == {"level": "output", "code": "1.1.1", "statement": "Grants delivered",
                                                 "parent": "1.1", "version": 1}
    r = client.post("/programmes/RRK/indicators", {
        "result": "1.1.1", "code": "G", "name": "Persons with a grant", "unit": "persons",
        "measure": "persons_assisted", "assistance_types": ["income_generation_grant"],
        "disaggregations": ["sex"]})
    assert r.status_code == 201, r.content
    assert r.json()["assistance_types"] == ["income_generation_grant"] and r.json()["result"] == "1.1.1"
    for value in ("100", "120"):
        r = client._send("put", "/programmes/RRK/indicators/G/targets",
                         {"period_start": "2026-01-01", "period_end": "2026-12-31", "value": value})
    assert r.status_code == 200 and r.json()["targets"] == [
        {"period_start": "2026-01-01", "period_end": "2026-12-31", "value": "120.00"}]
    assert Target.objects.get().value == 120
    assert set(AuditEntry.objects.filter(actor=world.marko).values_list("model", "action")) == {
        ("reports.result", "create"), ("reports.indicator", "create"), ("reports.target", "create"),
        ("reports.target", "update")}


def test_it_names_each_bad_field_of_an_indicator_and_saves_nothing(world, token_for):
    client = ApiClient(token_for(world.marko))
    goal_outcome_output(client)
    r = client.post("/programmes/RRK/indicators", {
        "result": "1.1.1", "code": "R", "name": "Share", "unit": "%", "measure": "ratio",
        "disaggregations": ["sex"]})
    assert r.status_code == 422 and r["Content-Type"] == "application/problem+json"
    assert {e["field"] for e in r.json()["errors"]} == {"numerator", "denominator", "disaggregations"}
    r = client.post("/programmes/RRK/indicators", {
        "result": "9", "code": "X", "name": "x", "unit": "n", "measure": "deliveries",
        "assistance_types": ["food_package", "gold_bars"]})
    assert {e["field"] for e in r.json()["errors"]} == {"result", "assistance_types[1]"}
    assert not Indicator.objects.exists()


def test_it_refuses_an_output_under_a_goal(world, token_for):
    client = ApiClient(token_for(world.marko))
    client.post("/programmes/RRK/results", {"level": "goal", "code": "1", "statement": "Sustainable return"})
    r = client.post("/programmes/RRK/results", {"level": "output", "code": "2", "parent": "1", "statement": "x"})
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["parent"]
    assert Result.objects.count() == 1


def test_it_lets_only_managers_build_and_hides_unreadable_programmes(world, token_for):
    body = {"level": "goal", "code": "1", "statement": "x"}
    assert ApiClient(token_for(world.klara)).post("/programmes/RRK/results", body).status_code == 403
    assert ApiClient(token_for(world.mira)).post("/programmes/RRK/results", body).status_code == 403
    assert ApiClient(token_for(world.marko)).post("/programmes/CT/results", body).status_code == 404
    assert ApiClient(token_for(world.marko)).post("/programmes/NOPE/results", body).status_code == 404
    # Marko manages RRK: another team's programme he reads, but does not build.
    Programme.objects.create(code="UKVR", name="UK voluntary return")
    assert ApiClient(token_for(world.marko)).post("/programmes/UKVR/results", body).status_code == 403
    assert not Result.objects.exists()


def test_it_still_answers_the_results_figures_on_the_shared_path(world, token_for):
    client = ApiClient(token_for(world.marko))
    goal_outcome_output(client)
    r = client.get("/programmes/RRK/results")
    assert r.status_code == 200 and r.json()["results"][0]["code"] == "1"
