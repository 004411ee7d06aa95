"""Background jobs: a queue in the database, run by `homeward worker`; no broker.

A job is one row. The worker claims it with a conditional UPDATE (jobs.runner.claim), so of two
workers only one runs it; progress, result and error are written to the same row, which the job
page polls."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The creator sees their job; administrators and auditors see every job. A job's
        parameters, message and result may name records, so nobody else does."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_everything:
            return self
        return self.filter(created_by=user)


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    FINISHED = (Status.DONE, Status.FAILED, Status.CANCELLED)

    kind = models.CharField(max_length=40)
    parameters = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    message = models.CharField(max_length=200, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Touched by every progress report: a running job whose row has not moved for a long time
    # lost its worker (jobs.runner.fail_stale).
    updated_at = models.DateTimeField(default=timezone.now)
    worker = models.CharField(max_length=100, blank=True)  # host:pid of the worker running it

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        # The worker asks for the oldest queued job.
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def finished(self):
        return self.status in self.FINISHED
