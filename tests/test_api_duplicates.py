"""The duplicate review queue and merges over the API: the same scope, roles, reasons and audit rows
as the web pages, with problem documents for what is refused."""

import pytest

from audit.models import AuditEntry
from jobs import runner
from jobs.models import Job
from matching.models import DuplicatePair
from merges.actions import undo_merge
from merges.models import Merge
from registry.models import Person, VulnerabilityCategory
from tests.conftest import PERSONAS, make_user
from tests.test_api_client import ApiClient
from tests.test_matching_review import PAIRS, pair, planted, run_match, sensitive_pair  # noqa: F401 (fixtures)
from tests.test_merges_fixtures import merged_across_scopes

P = DuplicatePair.Status
# Which planted pairs (tests.test_matching_review.PAIRS) each persona sees: both persons in scope.
EXPECTED = {"ada": {"KL", "DR", "X"}, "aida": {"KL", "DR", "X"}, "klara": {"KL"}, "sara": {"KL"},
            "drita": {"DR"}, "petar": set(), "mira": set(), "marko": set(), "otto": set()}


@pytest.fixture
def searched(planted):  # noqa: F811
    run_match(planted.ada)
    return planted


def api(user):
    from accounts.models import ApiToken

    return ApiClient(ApiToken.issue(user))


def refs_of(item):
    return {item["person_a"]["ref"], item["person_b"]["ref"]}


def fields(response):
    assert response["Content-Type"] == "application/problem+json", response.content
    return {e["field"] for e in response.json().get("errors", [])}


# Reading ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lists_only_pairs_whose_two_persons_the_caller_may_see(searched, persona):
    response = api(getattr(searched, persona)).get("/duplicates")
    if persona == "dona":
        assert response.status_code == 403  # donors see aggregates only
        return
    body = response.json()
    shown = {name for name, refs in PAIRS.items() if refs in [refs_of(i) for i in body["items"]]}
    assert shown == EXPECTED[persona]
    assert body["count"] == len(EXPECTED[persona])
    hidden = set().union(*(PAIRS[name] for name in set(PAIRS) - EXPECTED[persona]))
    assert not any(ref in response.content.decode() for ref in hidden)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_opens_a_comparison_only_for_pairs_in_scope(searched, persona):
    client = api(getattr(searched, persona))
    for name in PAIRS:
        status = client.get(f"/duplicates/{pair(name).pk}").status_code
        expected = 403 if persona == "dona" else 200 if name in EXPECTED[persona] else 404
        assert status == expected, name


def test_it_compares_the_two_persons_side_by_side_with_the_evidence(searched):
    body = api(searched.klara).get(f"/duplicates/{pair('KL').pk}").json()
    a, b = body["person_a"], body["person_b"]
    assert {a["given_name"], b["given_name"]} == {"Agim", "Агим"}
    assert {a["household"]["ref"], b["household"]["ref"]} == {"H-KL-1", "H-KL-3"}
    h_kl_1 = a if a["household"]["ref"] == "H-KL-1" else b
    assert h_kl_1["enrolments"] == [{"programme": "RRK-VI", "status": "applied"}]
    assert h_kl_1["household"]["members"] == 3
    evidence = {e["field"]: e["level"] for e in body["evidence"]}
    assert evidence["date_of_birth"] == "same year"
    assert body["band"] == "likely" and body["status"] == "open" and body["same_household"] is False


def test_it_filters_by_status_band_and_score(searched):
    client = api(searched.ada)
    client.post(f"/duplicates/{pair('KL').pk}/not-duplicate", {"reason": "cousins"})
    assert {frozenset(refs_of(i)) for i in client.get("/duplicates", status="not_duplicate").json()["items"]} == {
        frozenset(PAIRS["KL"])}
    assert client.get("/duplicates", status="open").json()["count"] == 2
    assert client.get("/duplicates", band="possible").json()["count"] == 0
    scores = sorted(i["score"] for i in client.get("/duplicates").json()["items"])
    assert client.get("/duplicates", min_score=scores[-1]).json()["count"] == scores.count(scores[-1])
    assert {frozenset(refs_of(i)) for i in client.get("/duplicates", municipality="Dragash").json()["items"]} == {
        frozenset(PAIRS["DR"]), frozenset(PAIRS["X"])}


def test_it_names_each_bad_filter(searched):
    client = api(searched.ada)
    response = client.get("/duplicates", status="closed", band="sure", municipality="Atlantis")
    assert response.status_code == 422 and fields(response) == {"status", "band", "municipality"}
    assert fields(client.get("/duplicates", min_score="high")) == {"min_score"}
    assert fields(client.get("/duplicates", min_score=2)) == {"min_score"}


def test_it_audits_viewing_a_pair_with_a_sensitive_person_and_hides_what_is_not_cleared(sensitive_pair):
    w = sensitive_pair
    path = f"/duplicates/{w.sensitive.pk}"
    survivor = w.sensitive.person_a
    klara = api(w.klara).get(path).json()
    assert klara["person_a"]["vulnerabilities"] == [] and klara["person_a"]["enrolments"] == []
    sara = api(w.sara).get(path).json()
    assert sara["person_a"]["vulnerabilities"] == ["trafficking_survivor"]
    assert [e["programme"] for e in sara["person_a"]["enrolments"]] == ["CT"]
    views = AuditEntry.objects.filter(action="view", model="registry.person", object_id=str(survivor.pk))
    assert {(v.actor.username, v.via, v.sensitive) for v in views} == {("klara", "api", True), ("sara", "api", True)}
    # The other record has nothing sensitive: viewing it is not audited.
    assert not AuditEntry.objects.filter(action="view", object_id=str(w.sensitive.person_b_id)).exists()


# Deciding --------------------------------------------------------------------------------------

def test_it_lets_a_manager_mark_a_pair_not_a_duplicate_with_a_reason_audited(searched):
    target = pair("KL")
    response = api(searched.kujtim).post(f"/duplicates/{target.pk}/not-duplicate", {"reason": "Father and son"})
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["decided_by"]) == ("not_duplicate", "kujtim")
    target.refresh_from_db()
    assert (target.status, target.decided_by, target.reason) == (P.NOT_DUPLICATE, searched.kujtim, "Father and son")
    rows = AuditEntry.objects.filter(model="matching.duplicatepair", object_id=str(target.pk))
    assert {r.household_id for r in rows} == {target.person_a.household_id, target.person_b.household_id}
    assert all((r.actor, r.reason, r.via) == (searched.kujtim, "Father and son", "api") for r in rows)


def test_it_needs_a_reason_for_every_decision(searched):
    client = api(searched.kujtim)
    target = pair("KL")
    for path, body in ((f"/duplicates/{target.pk}/not-duplicate", {}),
                       (f"/duplicates/{target.pk}/merge", {"keep": target.person_a_id, "reason": "  "})):
        response = client.post(path, body)
        assert response.status_code == 422 and fields(response) == {"reason"}, path
    target.refresh_from_db()
    assert target.status == P.OPEN and Person.objects.filter(pk=target.person_b_id).exists()


def test_it_names_keep_and_reason_when_both_are_wrong(searched):
    target = pair("KL")
    other = Person.objects.get(ref="H-KL-1-2")  # in scope, but not one of the pair
    response = api(searched.kujtim).post(f"/duplicates/{target.pk}/merge", {"keep": other.pk})
    assert response.status_code == 422 and fields(response) == {"keep", "reason"}
    response = api(searched.kujtim).post(f"/duplicates/{target.pk}/merge", {"keep": "the first", "reason": "x"})
    assert response.status_code == 422 and fields(response) == {"keep"}
    assert pair("KL").status == P.OPEN


@pytest.mark.parametrize("persona", ["klara", "sara", "aida"])
def test_it_forbids_other_roles_to_decide(searched, persona):
    client = api(getattr(searched, persona))
    target = pair("KL")
    assert client.post(f"/duplicates/{target.pk}/not-duplicate", {"reason": "different"}).status_code == 403
    assert client.post(f"/duplicates/{target.pk}/merge", {"keep": target.person_a_id, "reason": "same"}
                       ).status_code == 403
    assert pair("KL").status == P.OPEN
    assert not AuditEntry.objects.filter(model="matching.duplicatepair").exists()


def test_it_answers_404_to_a_manager_for_a_pair_out_of_scope(searched):
    client = api(searched.kujtim)  # manager in Klinë/Klina; pair X has one person in Dragash
    target = pair("X")
    assert client.get(f"/duplicates/{target.pk}").status_code == 404
    assert client.post(f"/duplicates/{target.pk}/not-duplicate", {"reason": "no"}).status_code == 404
    response = client.post(f"/duplicates/{target.pk}/merge", {"keep": target.person_a_id, "reason": "same"})
    # The same answer as for a pair that does not exist.
    assert response.status_code == 404
    assert response.json() == client.post("/duplicates/999999/merge", {"keep": 1, "reason": "same"}).json()
    assert pair("X").status == P.OPEN


def test_it_refuses_to_decide_a_pair_twice(searched):
    target = pair("KL")
    api(searched.ada).post(f"/duplicates/{target.pk}/not-duplicate", {"reason": "cousins"})
    response = api(searched.kujtim).post(f"/duplicates/{target.pk}/not-duplicate", {"reason": "again"})
    assert response.status_code == 422 and fields(response) == {"status"}
    assert pair("KL").decided_by == searched.ada


# Merging and undoing ---------------------------------------------------------------------------

def test_it_merges_a_pair_lists_the_merge_and_undoes_it(searched):
    client = api(searched.kujtim)
    target = pair("KL")
    keep, drop = Person.objects.get(ref="H-KL-1-1"), Person.objects.get(ref="H-KL-3-1")
    response = client.post(f"/duplicates/{target.pk}/merge",
                           {"keep": keep.pk, "with_households": True, "reason": "same man, same ID"})
    assert response.status_code == 201, response.content
    merge = response.json()
    assert (merge["kept"]["ref"], merge["dropped"]["ref"], merge["household_removed"]) == ("H-KL-1-1", "H-KL-3-1", True)
    assert response["Location"] == f"/api/v1/merges/{merge['id']}"
    assert not Person.objects.filter(pk=drop.pk).exists()
    assert AuditEntry.objects.filter(model="matching.duplicatepair", object_id=str(target.pk),
                                     changes__status=["open", "merged"], via="api").exists()
    assert [m["id"] for m in client.get("/merges").json()["items"]] == [merge["id"]]

    assert fields(client.post(f"/merges/{merge['id']}/undo", {"reason": ""})) == {"reason"}
    undone = client.post(f"/merges/{merge['id']}/undo", {"reason": "two cousins after all"})
    assert undone.status_code == 200, undone.content
    assert (undone.json()["undone_by"], undone.json()["undo_reason"]) == ("kujtim", "two cousins after all")
    assert Person.objects.get(pk=drop.pk).ref == "H-KL-3-1"
    again = client.post(f"/merges/{merge['id']}/undo", {"reason": "again"})
    assert again.status_code == 422 and fields(again) == {"merge"}


def test_it_audits_a_merge_and_its_undo_as_done_through_the_api(searched):
    client = api(searched.kujtim)
    target = pair("KL")
    done = client.post(f"/duplicates/{target.pk}/merge",
                       {"keep": target.person_a_id, "with_households": True, "reason": "same man"}).json()
    merged = AuditEntry.objects.filter(reason=f"merge #{done['id']}")
    assert merged.filter(model="registry.person", action="delete", object_id=str(target.person_b_id)).exists()
    assert set(merged.values_list("via", flat=True)) == {"api"}

    client.post(f"/merges/{done['id']}/undo", {"reason": "two cousins"})
    undone = AuditEntry.objects.filter(reason=f"undo merge #{done['id']}")
    assert undone.filter(model="registry.person", action="create", object_id=str(target.person_b_id)).exists()
    assert set(undone.values_list("via", flat=True)) == {"api"}


def test_it_hides_the_dropped_person_once_merged_back_outside_the_managers_scope(world):
    done, ilir = merged_across_scopes(world)
    client = api(make_user("kujtim", "manager", municipalities=[world.kline]))
    assert client.get(f"/merges/{done.pk}").json()["dropped"]["ref"] == ilir.ref
    undo_merge(done, acting_user=world.ada, reason="two boys after all")
    body = client.get(f"/merges/{done.pk}").json()
    assert body["dropped"] is None and body["undone_by"] == "ada"
    assert api(world.ada).get(f"/merges/{done.pk}").json()["dropped"]["ref"] == ilir.ref


def test_it_shows_and_undoes_merges_only_in_the_managers_scope(searched):
    target = pair("KL")
    done = api(searched.kujtim).post(f"/duplicates/{target.pk}/merge",
                                     {"keep": target.person_a_id, "reason": "same man"}).json()
    dardan = make_user("dardan", "manager", municipalities=[searched.dragash])
    client = api(dardan)
    assert client.get("/merges").json() == {"count": 0, "items": []}
    assert client.get(f"/merges/{done['id']}").status_code == 404
    assert client.post(f"/merges/{done['id']}/undo", {"reason": "not mine"}).status_code == 404
    assert Merge.objects.get(pk=done["id"]).undone_at is None


@pytest.mark.parametrize("persona", ["klara", "aida", "dona", "otto"])
def test_it_forbids_the_merges_to_other_roles(searched, persona):
    target = pair("KL")
    done = api(searched.kujtim).post(f"/duplicates/{target.pk}/merge",
                                     {"keep": target.person_a_id, "reason": "same man"}).json()
    client = api(getattr(searched, persona))
    assert client.get("/merges").status_code == 403
    assert client.post(f"/merges/{done['id']}/undo", {"reason": "x"}).status_code == 403
    assert Merge.objects.get(pk=done["id"]).undone_at is None


def test_it_lets_only_a_cleared_manager_merge_sensitive_records(sensitive_pair):
    w = sensitive_pair
    body = {"keep": w.sensitive.person_a_id, "reason": "same woman"}
    refused = api(w.kujtim).post(f"/duplicates/{w.sensitive.pk}/merge", body)
    assert refused.status_code == 403 and "sensitive" in refused.json()["detail"]
    w.sensitive.refresh_from_db()
    assert w.sensitive.status == P.OPEN and not Merge.objects.exists()

    cleared = make_user("vesa", "manager", municipalities=[w.kline], sensitive=True)
    assert api(cleared).post(f"/duplicates/{w.sensitive.pk}/merge", body).status_code == 201
    survivor = Person.objects.get(pk=w.sensitive.person_a_id)
    assert survivor.vulnerability_records.filter(
        category=VulnerabilityCategory.objects.get(code="trafficking_survivor")).exists()


# Starting the search ---------------------------------------------------------------------------

def test_it_starts_the_search_and_tells_where_to_follow_it(planted):  # noqa: F811
    client = api(planted.kujtim)
    response = client.post("/duplicates/find")
    assert response.status_code == 202, response.content
    job = Job.objects.get()
    assert (job.kind, job.created_by, response.json()["id"]) == ("match", planted.kujtim, job.pk)
    poll = response.json()["poll"]
    assert response["Location"] == poll == f"/api/v1/duplicates/find/{job.pk}"
    # A second request while it is queued gives the same search instead of queueing another.
    assert client.post("/duplicates/find").json()["id"] == job.pk and Job.objects.count() == 1
    # Another manager is told a search is under way, and cannot read someone else's job.
    marko = api(planted.marko)
    assert marko.post("/duplicates/find").status_code == 409
    assert marko.get(poll.removeprefix("/api/v1")).status_code == 404

    runner.run(runner.claim(job.pk))
    done = client.get(poll.removeprefix("/api/v1")).json()
    assert (done["status"], done["progress"], done["result"]["new"]) == ("done", 100, 3)
    # Of the three pairs found, the manager in Klinë/Klina sees the one with both persons in Klinë.
    assert [refs_of(i) for i in client.get("/duplicates", status="open").json()["items"]] == [PAIRS["KL"]]


@pytest.mark.parametrize("persona", ["klara", "aida", "dona", "otto"])
def test_it_lets_no_other_role_start_the_search(planted, persona):  # noqa: F811
    assert api(getattr(planted, persona)).post("/duplicates/find").status_code == 403
    assert not Job.objects.exists()


def test_it_lists_the_routes_in_the_openapi_document(world, token_for):
    paths = ApiClient(token_for(world.ada)).get("/openapi.json").json()["paths"]
    for path, method in [("/api/v1/duplicates", "get"), ("/api/v1/duplicates/{id}", "get"),
                         ("/api/v1/duplicates/{id}/not-duplicate", "post"), ("/api/v1/duplicates/{id}/merge", "post"),
                         ("/api/v1/duplicates/find", "post"), ("/api/v1/duplicates/find/{job_id}", "get"),
                         ("/api/v1/merges", "get"), ("/api/v1/merges/{id}", "get"),
                         ("/api/v1/merges/{id}/undo", "post")]:
        assert method in paths.get(path, {}), path
        assert "duplicates" in paths[path][method]["tags"]
