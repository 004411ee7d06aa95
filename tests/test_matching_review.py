"""The duplicate review queue: the "match" job stores the pairs it finds, a pair is shown only to
users who may see both persons, and managers decide each pair (not a duplicate, or merge) with a
reason, audited."""


import pytest
from django.test import Client
from django.urls import reverse

import jobs
from audit.models import AuditEntry
from jobs import runner
from jobs.models import Job
from matching import review
from matching.models import DuplicatePair
from registry.models import Person
from tests.conftest import PERSONAS, make_household, make_user

P = DuplicatePair.Status


@pytest.fixture
def planted(world):
    """Three persons registered a second time: one within Klinë/Klina, one within Dragash, and one
    whose two records are in Klinë and Dragash (no caseworker sees both)."""
    make_household("H-KL-3", responsible=world.kline, current_municipality=world.kline,
                   members=[("Агим", "Краснићи", "M", "head", 1970)])
    make_household("H-DR-2", responsible=world.dragash, current_municipality=world.dragash,
                   members=[("Nedžmije", "Hodža", "F", "head", 1980)])
    make_household("H-KL-4", responsible=world.kline, current_municipality=world.kline,
                   members=[("Ilir", "Hoxha", "M", "head", 2012)])
    world.kujtim = make_user("kujtim", "manager", municipalities=[world.kline])
    return world


PAIRS = {"KL": {"H-KL-1-1", "H-KL-3-1"}, "DR": {"H-DR-1-1", "H-DR-2-1"}, "X": {"H-DR-1-2", "H-KL-4-1"}}


def run_match(user, **parameters):
    job = runner.run(runner.claim(jobs.enqueue("match", parameters, user).pk))
    assert job.status == Job.Status.DONE, job.error
    return job


def refs(pair):
    return {pair.person_a.ref, pair.person_b.ref}


def pair(name):
    return next(p for p in DuplicatePair.objects.all() if refs(p) == PAIRS[name])


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_it_stores_the_planted_pairs_once_each_lower_id_first(planted):
    job = run_match(planted.ada)
    stored = list(DuplicatePair.objects.all())
    assert sorted(map(sorted, map(refs, stored))) == sorted(map(sorted, PAIRS.values()))
    assert all(p.person_a_id < p.person_b_id and p.status == P.OPEN and p.band == "likely" for p in stored)
    assert job.result["new"] == 3 and job.result["pairs"] == 3


def test_it_neither_duplicates_a_pair_nor_reopens_one_marked_not_a_duplicate(planted):
    run_match(planted.ada)
    review.mark_not_duplicate(pair("KL"), acting_user=planted.ada, reason="Two cousins, checked by phone")
    job = run_match(planted.ada)
    assert DuplicatePair.objects.count() == 3
    assert pair("KL").status == P.NOT_DUPLICATE and pair("KL").reason == "Two cousins, checked by phone"
    assert (job.result["new"], job.result["already_decided"]) == (0, 1)


def test_it_drops_an_open_pair_the_search_no_longer_finds(planted):
    run_match(planted.ada)
    Person.objects.filter(ref="H-KL-3-1").update(given_name="Бујар", birth_year=1990)
    from matching.keys import rebuild_keys

    rebuild_keys()
    job = run_match(planted.ada)
    assert job.result["removed"] == 1
    assert sorted(map(sorted, map(refs, DuplicatePair.objects.all()))) == sorted([sorted(PAIRS["DR"]),
                                                                                sorted(PAIRS["X"])])


def test_it_reports_a_bad_threshold_as_the_job_error(planted):
    job = runner.run(runner.claim(jobs.enqueue("match", {"threshold": "high"}, planted.ada).pk))
    assert job.status == Job.Status.FAILED and "threshold" in job.error


# Who sees which pairs --------------------------------------------------------------------------

EXPECTED = {"ada": {"KL", "DR", "X"}, "aida": {"KL", "DR", "X"}, "klara": {"KL"}, "sara": {"KL"},
            "drita": {"DR"}, "petar": set(), "mira": set(), "marko": set(), "otto": set()}


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lists_only_pairs_whose_two_persons_the_user_may_see(planted, persona):
    run_match(planted.ada)
    response = client_for(getattr(planted, persona)).get(reverse("review:pairs"))
    if persona == "dona":
        assert response.status_code == 404
        return
    html = response.content.decode()
    shown = {name for name, pair_refs in PAIRS.items() if all(ref in html for ref in pair_refs)}
    assert shown == EXPECTED[persona]
    # Not even one side of a pair out of scope shows.
    hidden = set().union(*(PAIRS[name] for name in set(PAIRS) - EXPECTED[persona]))
    assert not any(ref in html for ref in hidden)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_opens_a_comparison_only_for_pairs_in_scope(planted, persona):
    run_match(planted.ada)
    client = client_for(getattr(planted, persona))
    for name in PAIRS:
        status = client.get(reverse("review:pair", args=[pair(name).pk])).status_code
        assert status == (200 if name in EXPECTED.get(persona, set()) else 404), name


def test_it_compares_the_two_persons_side_by_side_with_the_evidence(planted):
    run_match(planted.ada)
    html = client_for(planted.klara).get(reverse("review:pair", args=[pair("KL").pk])).content.decode()
    assert "Agim" in html and "Агим" in html and "H-KL-1" in html and "H-KL-3" in html
    assert "RRK-VI" in html  # H-KL-1's enrolment
    evidence = html.split("Why they look alike")[1]
    assert "<td>Date or year of birth</td><td>same year</td>" in evidence
    assert "Not a duplicate" not in html  # a caseworker views, a manager decides


def test_it_filters_by_band_and_municipality(planted):
    run_match(planted.ada)
    client = client_for(planted.ada)
    kline = client.get(reverse("review:pairs"), {"municipality": "Klina"}).content.decode()
    assert "H-KL-3-1" in kline and "H-DR-1-2" in kline and "H-DR-2-1" not in kline
    dragash = client.get(reverse("review:pairs"), {"municipality": "Dragash", "band": "likely"}).content.decode()
    assert "H-DR-2-1" in dragash and "H-KL-3-1" not in dragash
    assert "H-KL-3-1" not in client.get(reverse("review:pairs"), {"band": "possible"}).content.decode()
    unknown = client.get(reverse("review:pairs"), {"municipality": "Atlantis"})
    assert unknown.status_code == 200 and "Unknown municipality Atlantis" in unknown.content.decode()


# Decisions --------------------------------------------------------------------------------------

def test_it_lets_a_manager_mark_a_pair_not_a_duplicate_with_a_reason_audited(planted):
    run_match(planted.ada)
    target = pair("KL")
    response = client_for(planted.kujtim).post(reverse("review:not_duplicate", args=[target.pk]),
                                               {"reason": "Father and son, met both"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.status, target.decided_by, target.reason) == (P.NOT_DUPLICATE, planted.kujtim,
                                                                 "Father and son, met both")
    rows = AuditEntry.objects.filter(model="matching.duplicatepair", object_id=str(target.pk))
    assert {r.household_id for r in rows} == {target.person_a.household_id, target.person_b.household_id}
    assert all(r.actor == planted.kujtim and r.reason == "Father and son, met both" for r in rows)
    assert "H-KL-3-1" not in client_for(planted.kujtim).get(reverse("review:pairs")).content.decode()


def test_it_needs_a_reason(planted):
    run_match(planted.ada)
    target = pair("KL")
    response = client_for(planted.kujtim).post(reverse("review:not_duplicate", args=[target.pk]), {"reason": " "},
                                               follow=True)
    assert "Give a reason for the decision." in response.content.decode()
    target.refresh_from_db()
    assert target.status == P.OPEN


@pytest.mark.parametrize("persona", ["klara", "sara", "aida"])
def test_it_lets_only_managers_and_administrators_decide(planted, persona):
    run_match(planted.ada)
    target = pair("KL")
    client = client_for(getattr(planted, persona))
    client.post(reverse("review:not_duplicate", args=[target.pk]), {"reason": "looks different"})
    client.post(reverse("review:merge", args=[target.pk]), {"reason": "same", "keep": target.person_a_id})
    target.refresh_from_db()
    assert target.status == P.OPEN
    assert not AuditEntry.objects.filter(model="matching.duplicatepair").exists()


def test_it_answers_404_to_a_manager_deciding_a_pair_out_of_scope(planted):
    run_match(planted.ada)
    response = client_for(planted.kujtim).post(reverse("review:not_duplicate", args=[pair("X").pk]),
                                               {"reason": "not them"})
    assert response.status_code == 404
    assert pair("X").status == P.OPEN


def test_it_decides_a_pair_once(planted):
    run_match(planted.ada)
    review.mark_not_duplicate(pair("KL"), acting_user=planted.ada, reason="cousins")
    with pytest.raises(review.ValidationError) as error:
        review.mark_not_duplicate(pair("KL"), acting_user=planted.kujtim, reason="again")
    assert "status" in error.value.message_dict
    assert pair("KL").decided_by == planted.ada


def test_it_merges_through_the_merge_action_and_closes_the_pair(planted, monkeypatch):
    run_match(planted.ada)
    calls = []

    def merge_persons(keep, drop, *, acting_user, with_households=False, reason, via):
        calls.append((keep.ref, drop.ref, acting_user.username, with_households, reason, via))

    monkeypatch.setattr(review.merges, "merge_persons", merge_persons)
    target = pair("KL")
    keep = Person.objects.get(ref="H-KL-1-1")
    response = client_for(planted.kujtim).post(reverse("review:merge", args=[target.pk]),
                                               {"reason": "same man, same ID", "keep": keep.pk, "with_households": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("web:person", args=[keep.pk])
    assert calls == [("H-KL-1-1", "H-KL-3-1", "kujtim", True, "same man, same ID", "web")]
    target.refresh_from_db()
    assert (target.status, target.decided_by) == (P.MERGED, planted.kujtim)
    assert AuditEntry.objects.filter(model="matching.duplicatepair", object_id=str(target.pk),
                                     reason="same man, same ID").exists()


@pytest.fixture
def sensitive_pair(planted):
    """Mimoza Berisha (a trafficking survivor, H-KL-2) registered a second time in Klinë/Klina."""
    again = make_household("H-KL-5", responsible=planted.kline, current_municipality=planted.kline,
                           members=[("Mimoza", "Berisha", "F", "head", 1995)])
    first = planted.h_sensitive.members.get()
    planted.sensitive = DuplicatePair.objects.create(person_a=first, person_b=again.members.get(), score=0.97,
                                                     band="likely")
    return planted


def test_it_tells_a_manager_not_cleared_for_sensitive_data_why_the_merge_is_refused(sensitive_pair):
    w = sensitive_pair
    response = client_for(w.kujtim).post(reverse("review:merge", args=[w.sensitive.pk]),
                                         {"reason": "same woman", "keep": w.sensitive.person_a_id}, follow=True)
    html = response.content.decode()
    assert "Only users cleared for sensitive data merge persons with sensitive records." in html
    assert "Only managers and administrators decide on duplicates." not in html  # kujtim is a manager
    w.sensitive.refresh_from_db()
    assert w.sensitive.status == P.OPEN and Person.objects.filter(pk=w.sensitive.person_b_id).exists()


def test_it_refuses_to_keep_a_person_outside_the_pair(planted, monkeypatch):
    run_match(planted.ada)
    monkeypatch.setattr(review.merges, "merge_persons", lambda *a, **k: pytest.fail("merged"))
    target = pair("KL")
    other = Person.objects.get(ref="H-KL-1-2")
    response = client_for(planted.kujtim).post(reverse("review:merge", args=[target.pk]),
                                               {"reason": "same", "keep": other.pk}, follow=True)
    assert "Choose one of the two persons to keep." in response.content.decode()
    target.refresh_from_db()
    assert target.status == P.OPEN


# Starting the search from the review page --------------------------------------------------------

def test_it_lets_a_manager_start_the_search_and_shows_its_progress_page(planted):
    client = client_for(planted.kujtim)
    assert "Find duplicates" in client.get(reverse("review:pairs")).content.decode()
    response = client.post(reverse("review:find"))
    job = Job.objects.get()
    assert (job.kind, job.status, job.created_by) == ("match", Job.Status.QUEUED, planted.kujtim)
    assert response["Location"] == reverse("jobs:job", args=[job.pk])
    assert "<progress" in client.get(response["Location"]).content.decode()
    # A second press shows the search under way instead of queueing another.
    assert client.post(reverse("review:find"))["Location"] == reverse("jobs:job", args=[job.pk])
    assert Job.objects.count() == 1


@pytest.mark.parametrize("persona", ["klara", "aida", "dona", "otto"])
def test_it_lets_no_other_role_start_the_search(planted, persona):
    client = client_for(getattr(planted, persona))
    assert client.post(reverse("review:find")).status_code == 404
    assert "Find duplicates" not in client.get(reverse("review:pairs")).content.decode()
    assert not Job.objects.exists()


def test_it_tells_what_the_search_found_on_the_job_page(planted):
    job = run_match(planted.kujtim)
    html = client_for(planted.kujtim).get(reverse("jobs:job", args=[job.pk])).content.decode()
    assert "The search found 3 pairs of persons alike." in html and "New: 3;" in html
    assert reverse("review:pairs") in html


def test_it_merges_the_two_persons_with_the_merge_action(planted):
    if not hasattr(__import__("merges.actions").actions, "merge_persons"):
        pytest.skip("merges.actions.merge_persons is not there yet")
    run_match(planted.ada)
    target = pair("KL")
    keep = Person.objects.get(ref="H-KL-1-1")
    response = client_for(planted.kujtim).post(reverse("review:merge", args=[target.pk]),
                                               {"reason": "same man, same ID", "keep": keep.pk})
    assert response.status_code == 302
    assert not Person.objects.filter(ref="H-KL-3-1").exists()
    assert AuditEntry.objects.filter(model="matching.duplicatepair", object_id=str(target.pk),
                                     changes__status=["open", "merged"]).exists()


def test_it_reopens_a_merged_pair_whose_two_persons_are_found_again(planted):
    # What an undone merge leaves: the pair restored as "merged", both persons back.
    run_match(planted.ada)
    DuplicatePair.objects.filter(pk=pair("KL").pk).update(status=P.MERGED, decided_by=planted.ada, reason="oops")
    job = run_match(planted.ada)
    assert job.result["reopened"] == 1
    assert (pair("KL").status, pair("KL").decided_by, pair("KL").reason) == (P.OPEN, None, "")
