"""Queueing, claiming and running jobs. The worker (`homeward worker`) and the tests use the same
functions: claim() then run()."""

import datetime
import logging
import os
import socket

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jobs.models import Job

log = logging.getLogger(__name__)
S = Job.Status
# A running job that reported nothing for this long lost its worker (see fail_stale).
STALE_AFTER = datetime.timedelta(minutes=30)
WORKER_STOPPED = "The worker stopped while running this job; start it again."


class Cancelled(Exception):
    """Raised by report_progress when the job was cancelled while it ran."""


def _kinds():
    # Imported late: the kinds import their apps' modules, which import jobs.
    from jobs.kinds import KINDS

    return KINDS


def enqueue(kind, parameters, user):
    if kind not in _kinds():
        raise ValidationError({"kind": _("Unknown job kind %(kind)s.") % {"kind": kind}})
    return Job.objects.create(kind=kind, parameters=parameters or {}, created_by=user)


def claim(job_id=None):
    """Take the oldest queued job (or job `job_id`) for this process; None when there is none.

    The UPDATE only matches a row still queued, so when two workers race for one job the database
    lets exactly one of them change it (rowcount 1); the other sees rowcount 0 and tries the next.
    This holds on SQLite (one writer at a time) and on PostgreSQL (the second UPDATE waits for the
    first to commit, then re-reads the row and no longer matches), without SELECT ... FOR UPDATE."""
    queued = Job.objects.filter(status=S.QUEUED).order_by("created_at", "pk")
    if job_id is not None:
        queued = queued.filter(pk=job_id)
    now = timezone.now()
    worker = f"{socket.gethostname()}:{os.getpid()}"[:100]
    for pk in queued.values_list("pk", flat=True)[:20]:
        taken = Job.objects.filter(pk=pk, status=S.QUEUED).update(
            status=S.RUNNING, started_at=now, updated_at=now, worker=worker, progress=0)
        if taken == 1:
            return Job.objects.get(pk=pk)
    return None


def _progress_reporter(job):
    def report_progress(percent, message=""):
        percent = max(0, min(100, int(percent)))
        moved = Job.objects.filter(pk=job.pk, status=S.RUNNING).update(
            progress=percent, message=str(message)[:200], updated_at=timezone.now())
        if not moved:
            raise Cancelled()
        job.progress, job.message = percent, str(message)[:200]

    return report_progress


def _finish(job, status, **fields):
    # Only a running job finishes: a job cancelled meanwhile stays cancelled.
    now = timezone.now()
    Job.objects.filter(pk=job.pk, status=S.RUNNING).update(status=status, finished_at=now, updated_at=now, **fields)
    job.refresh_from_db()
    return job


def finish(job, *, result=None, error=None):
    """End a claimed job that another job did the work of: done with `result`, or failed with
    `error`."""
    if error is not None:
        return _finish(job, S.FAILED, error=error)
    return _finish(job, S.DONE, progress=100, message="", result=result or {})


def run(job):
    """Run a claimed job to its end: done with its result, or failed with the error. Never raises
    for an error of the job itself; the worker goes on with the next one."""
    function = _kinds().get(job.kind)
    if function is None:
        return _finish(job, S.FAILED, error=f"Unknown job kind {job.kind!r}.")
    try:
        result = function(job, _progress_reporter(job))
    except Cancelled:
        job.refresh_from_db()
        return job
    except Exception as e:  # noqa: BLE001 - any error of a job is recorded on the job
        log.exception("job %s (%s) failed", job.pk, job.kind)
        # The page shows this line; the traceback goes to the worker's log only.
        return _finish(job, S.FAILED, error=f"{type(e).__name__}: {e}"[:2000])
    return _finish(job, S.DONE, progress=100, message="", result=result or {})


def run_next():
    """Claim and run the oldest queued job; the job, or None when the queue is empty."""
    job = claim()
    return run(job) if job else None


def fail_stale(older_than=STALE_AFTER):
    """Mark as failed the running jobs whose worker went away: no progress for `older_than`.
    Their work is not resumed (a job may have been half done); the user starts it again."""
    now = timezone.now()
    return Job.objects.filter(status=S.RUNNING, updated_at__lt=now - older_than).update(
        status=S.FAILED, error=WORKER_STOPPED, finished_at=now, updated_at=now)


def stop(job, message=WORKER_STOPPED):
    """The worker is being stopped while running `job`: record it as failed, not running."""
    return _finish(job, S.FAILED, error=message)


@transaction.atomic
def cancel(job, *, acting_user):
    """Cancel a queued or running job (a running one stops at its next progress report)."""
    if not (acting_user.role == "admin" or job.created_by_id == acting_user.pk):
        raise PermissionDenied(_("Only the person who started a job, or an administrator, can cancel it."))
    now = timezone.now()
    if not Job.objects.filter(pk=job.pk, status__in=[S.QUEUED, S.RUNNING]).update(
            status=S.CANCELLED, finished_at=now, updated_at=now, message=_("Cancelled")):
        raise ValidationError({"status": _("This job has already finished.")})
    job.refresh_from_db()
    return job
