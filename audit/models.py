"""The append-only audit trail: who changed or viewed which personal record, and how."""

import datetime
import decimal

from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnly(Exception):
    pass


class AuditQuerySet(models.QuerySet):
    # Nothing in the application edits or deletes audit rows; a database trigger (see the
    # migration) refuses UPDATE as well, so a raw query cannot either.
    def update(self, **kwargs):
        raise AppendOnly("audit rows are never updated")

    def delete(self):
        raise AppendOnly("audit rows are never deleted")


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATE = "create"
        UPDATE = "update"
        DELETE = "delete"
        VIEW = "view"
        TRANSITION = "transition"
        EXPORT = "export"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=12, choices=Action.choices)
    model = models.CharField(max_length=60)  # app_label.model_name
    object_id = models.CharField(max_length=40)
    object_repr = models.CharField(max_length=200, blank=True)
    household_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # {field: [before, after]}; for create only "after" is meaningful, for delete "before".
    changes = models.JSONField(default=dict, blank=True)
    # The row touches sensitive data: auditors who are not marked sensitive see that it
    # happened, not the values.
    sensitive = models.BooleanField(default=False)
    reason = models.TextField(blank=True)
    via = models.CharField(max_length=20, blank=True)  # web, api, command, import

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["model", "object_id"])]
        verbose_name_plural = "audit entries"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnly("audit rows are never updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("audit rows are never deleted")


def _plain(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    return value


def snapshot(obj, fields=None):
    """The concrete field values of `obj`, JSON-ready (foreign keys as ids)."""
    values = {}
    for f in obj._meta.concrete_fields:
        if f.name in ("id", "version", "created_at", "updated_at") or (fields and f.name not in fields):
            continue
        values[f.name] = _plain(getattr(obj, f.attname))
    return values


def diff(before, after):
    keys = set(before) | set(after)
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def entry(actor, action, obj, *, changes=None, household_id=None, sensitive=False, reason="", via=""):
    """An unsaved audit row; `record` saves one, `record_many` saves a batch in one query."""
    return AuditEntry(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        model=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        household_id=household_id,
        changes=changes or {},
        sensitive=sensitive,
        reason=reason,
        via=via,
    )


def record(actor, action, obj, **kwargs):
    e = entry(actor, action, obj, **kwargs)
    e.save()
    return e


def record_many(entries):
    AuditEntry.objects.bulk_create(entries, batch_size=500)
