"""Background jobs: a queue in the database run by `homeward worker`. A job is claimed by one
worker only, records its progress, result or error, and is seen only by its creator,
administrators and auditors."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import jobs
from jobs import runner
from jobs.models import Job
from matching.models import DuplicatePair
from tests.conftest import make_household

S = Job.Status


@pytest.fixture
def kinds(monkeypatch):
    """Add job kinds for a test: kinds["name"] = function(job, report_progress)."""
    from jobs.kinds import KINDS

    class Adder:
        def __setitem__(self, name, function):
            monkeypatch.setitem(KINDS, name, function)

    return Adder()


def test_it_queues_a_job_for_its_creator(world):
    job = jobs.enqueue("match", {"threshold": 0.9}, world.marko)
    job.refresh_from_db()
    assert (job.status, job.progress, job.created_by, job.parameters) == (S.QUEUED, 0, world.marko, {"threshold": 0.9})


def test_it_refuses_an_unknown_kind_naming_the_field(world):
    with pytest.raises(ValidationError) as error:
        jobs.enqueue("make_coffee", {}, world.ada)
    assert "kind" in error.value.message_dict
    assert not Job.objects.exists()


def test_it_lets_only_one_of_two_claims_take_a_job(world):
    job = jobs.enqueue("match", {}, world.ada)
    first, second = runner.claim(job.pk), runner.claim(job.pk)
    assert first.pk == job.pk and first.status == S.RUNNING and first.started_at is not None
    assert second is None


def test_it_claims_the_oldest_queued_job_first(world):
    jobs.enqueue("match", {}, world.ada)
    older = jobs.enqueue("match", {}, world.ada)  # queued earlier, written later (a clock, a restore)
    Job.objects.filter(pk=older.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=5))
    assert runner.claim().pk == older.pk


@pytest.mark.django_db(transaction=True)
def test_it_gives_a_job_to_one_of_two_workers_claiming_at_once(world):
    job = jobs.enqueue("match", {}, world.ada)
    start, taken = threading.Barrier(2), []

    def worker():
        try:
            start.wait()
            taken.append(runner.claim(job.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(j is not None for j in taken) == [False, True]
    assert Job.objects.get(pk=job.pk).status == S.RUNNING


def test_it_records_progress_and_the_result(world, kinds):
    seen = []

    def count(job, report_progress):
        report_progress(40, "counting")
        seen.append(Job.objects.values_list("progress", "message").get(pk=job.pk))
        return {"households": 4}

    kinds["count"] = count
    job = runner.run(runner.claim(jobs.enqueue("count", {}, world.ada).pk))
    assert seen == [(40, "counting")]
    job = Job.objects.get(pk=job.pk)
    assert (job.status, job.progress, job.result, job.error) == (S.DONE, 100, {"households": 4}, "")
    assert job.finished_at >= job.started_at


def test_it_records_a_failure_with_the_error_and_goes_on(world, kinds):
    def broken(job, report_progress):
        report_progress(10)
        raise ValueError("the registry file is missing")

    kinds["broken"] = broken
    kinds["fine"] = lambda job, report_progress: {"ok": True}
    jobs.enqueue("broken", {}, world.ada)
    jobs.enqueue("fine", {}, world.ada)
    first = runner.run_next()
    second = runner.run_next()
    first.refresh_from_db()
    assert first.status == S.FAILED and "the registry file is missing" in first.error and first.progress == 10
    assert second.status == S.DONE
    assert runner.run_next() is None


def test_it_stops_a_cancelled_job_at_its_next_report(world, kinds):
    def long(job, report_progress):
        runner.cancel(Job.objects.get(pk=job.pk), acting_user=world.marko)
        report_progress(50, "still going")
        return {"finished": True}

    kinds["long"] = long
    job = runner.run(runner.claim(jobs.enqueue("long", {}, world.marko).pk))
    job.refresh_from_db()
    assert job.status == S.CANCELLED and job.result == {}


def test_it_lets_only_the_creator_or_an_administrator_cancel(world):
    job = jobs.enqueue("match", {}, world.marko)
    with pytest.raises(PermissionDenied):
        runner.cancel(job, acting_user=world.klara)
    assert Job.objects.get(pk=job.pk).status == S.QUEUED
    runner.cancel(job, acting_user=world.ada)
    assert Job.objects.get(pk=job.pk).status == S.CANCELLED
    assert runner.claim() is None


def test_it_marks_jobs_left_running_by_a_stopped_worker_as_failed(world):
    stale = jobs.enqueue("match", {}, world.ada)
    busy = jobs.enqueue("match", {}, world.ada)
    long_ago = timezone.now() - datetime.timedelta(hours=2)
    Job.objects.filter(pk=stale.pk).update(status=S.RUNNING, started_at=long_ago, updated_at=long_ago)
    Job.objects.filter(pk=busy.pk).update(status=S.RUNNING, started_at=timezone.now())
    call_command("worker", "--once", stdout=_Sink(), stderr=_Sink())
    stale.refresh_from_db()
    busy.refresh_from_db()
    assert stale.status == S.FAILED and stale.error == runner.WORKER_STOPPED
    assert busy.status == S.RUNNING


class _Sink:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def test_it_runs_a_queued_match_job_with_worker_once(world):
    make_household("H-KL-3", responsible=world.kline, current_municipality=world.kline,
                   members=[("Агим", "Краснићи", "M", "head", 1970)])
    job = jobs.enqueue("match", {}, world.ada)
    out = _Sink()
    call_command("worker", "--once", stdout=out, stderr=_Sink())
    job.refresh_from_db()
    assert job.status == S.DONE, job.error
    assert f"job {job.pk} (match) done" in out.text
    pair = DuplicatePair.objects.get()
    assert {pair.person_a.ref, pair.person_b.ref} == {"H-KL-1-1", "H-KL-3-1"}
    assert job.result["new"] == 1


def test_it_says_so_when_the_queue_is_empty(db):
    out = _Sink()
    call_command("worker", "--once", stdout=out, stderr=_Sink())
    assert "no job queued" in out.text


@pytest.mark.parametrize("value", ["0", "-1", "soon"])
def test_it_refuses_a_bad_poll_interval(db, value):
    with pytest.raises(CommandError, match="--poll"):
        call_command("worker", "--once", "--poll", value)


# The job page and its JSON status ----------------------------------------------------------------

def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("persona, status", [("marko", 200), ("ada", 200), ("aida", 200), ("klara", 404),
                                             ("drita", 404), ("dona", 404), ("otto", 404)])
def test_it_shows_a_job_only_to_its_creator_administrators_and_auditors(world, persona, status):
    job = jobs.enqueue("match", {}, world.marko)
    client = client_for(getattr(world, persona))
    assert client.get(reverse("jobs:job", args=[job.pk])).status_code == status
    assert client.get(reverse("jobs:status", args=[job.pk])).status_code == status


def test_it_sends_an_anonymous_visitor_to_log_in(world):
    job = jobs.enqueue("match", {}, world.marko)
    response = Client().get(reverse("jobs:job", args=[job.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_it_polls_the_progress_bar_while_the_job_runs_and_stops_when_done(world, kinds):
    kinds["count"] = lambda job, report_progress: {"households": 4}
    job = jobs.enqueue("count", {}, world.marko)
    client = client_for(world.marko)
    Job.objects.filter(pk=job.pk).update(status=S.RUNNING, progress=30, message="comparing")
    running = client.get(reverse("jobs:job", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in running and '<progress max="100" value="30"' in running
    assert "comparing" in running and "<html" not in running
    runner.run(Job.objects.get(pk=job.pk))
    done = client.get(reverse("jobs:job", args=[job.pk])).content.decode()
    assert "hx-trigger" not in done.split('id="job-progress"')[1].split(">")[0]
    assert '<progress max="100" value="100"' in done


def test_it_reports_the_status_as_json(world, kinds):
    kinds["count"] = lambda job, report_progress: {"households": 4}
    job = runner.run(runner.claim(jobs.enqueue("count", {}, world.marko).pk))
    body = client_for(world.marko).get(reverse("jobs:status", args=[job.pk])).json()
    assert (body["status"], body["progress"], body["result"], body["error"]) == ("done", 100, {"households": 4}, "")


def test_it_cancels_a_queued_job_from_its_page(world):
    job = jobs.enqueue("match", {}, world.marko)
    assert client_for(world.klara).post(reverse("jobs:cancel", args=[job.pk])).status_code == 404
    assert Job.objects.get(pk=job.pk).status == S.QUEUED
    page = client_for(world.marko).post(reverse("jobs:cancel", args=[job.pk]), follow=True).content.decode()
    assert Job.objects.get(pk=job.pk).status == S.CANCELLED
    assert "Cancelled" in page and 'hx-trigger="every 2s"' not in page


def test_it_marks_the_job_failed_when_the_worker_is_stopped_in_its_middle(world, kinds):
    def interrupted(job, report_progress):
        report_progress(20)
        raise KeyboardInterrupt  # what SIGTERM becomes in the worker

    kinds["interrupted"] = interrupted
    job = jobs.enqueue("interrupted", {}, world.ada)
    err = _Sink()
    call_command("worker", "--once", stdout=_Sink(), stderr=err)
    job.refresh_from_db()
    assert (job.status, job.error) == (S.FAILED, runner.WORKER_STOPPED)
    assert "worker stopped" in err.text


def test_the_worker_gathers_planner_statistics_on_sqlite(world):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's autovacuum keeps them")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE sqlite_master")  # makes sure sqlite_stat1 exists, then empty it
        cursor.execute("DELETE FROM sqlite_stat1")
    call_command("worker", "--once")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'registry_person'")
        assert cursor.fetchone()[0] > 0  # the persons' indexes have their statistics
