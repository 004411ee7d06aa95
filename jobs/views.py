"""A job's page (a progress bar the browser polls every 2 s while the job runs) and its JSON status.
Only the job's creator, administrators and auditors see a job; anyone else gets a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from jobs import runner
from jobs.models import Job

# How a finished job's result is shown, by kind: the page to read it on, and a template saying it in
# words (kinds without one show the result's keys and values).
RESULT_PAGES = {"match": "review:pairs"}
RESULT_TEMPLATES = {"match": "matching/_job_result.html"}


def _job_or_404(user, pk):
    return get_object_or_404(Job.objects.visible_to(user), pk=pk)


def _context(request, job):
    return {"job": job, "result_page": RESULT_PAGES.get(job.kind), "result_template": RESULT_TEMPLATES.get(job.kind),
            "may_cancel": not job.finished and (request.user.role == "admin" or job.created_by_id == request.user.pk)}


@login_required
def job_detail(request, pk):
    job = _job_or_404(request.user, pk)
    if request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request"):
        return render(request, "jobs/_progress.html", _context(request, job))
    return render(request, "jobs/detail.html", _context(request, job))


@login_required
def job_status(request, pk):
    job = _job_or_404(request.user, pk)
    return JsonResponse({
        "id": job.pk, "kind": job.kind, "status": job.status, "progress": job.progress, "message": job.message,
        "result": job.result, "error": job.error, "created_at": job.created_at.isoformat(),
        "started_at": job.started_at and job.started_at.isoformat(),
        "finished_at": job.finished_at and job.finished_at.isoformat(),
    })


@login_required
@require_POST
def job_cancel(request, pk):
    job = _job_or_404(request.user, pk)
    try:
        runner.cancel(job, acting_user=request.user)
    except PermissionDenied:
        raise Http404
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return redirect("jobs:job", pk=job.pk)
