"""Optimistic concurrency: every mutable record carries an integer `version`.

A write says which version it was based on; the UPDATE only matches that version, so of two
editors who both loaded version 3, the first to save makes it 4 and the second is told their copy
is stale instead of silently overwriting the first one's work.
"""

from django.db import models
from django.db.models import F


class StaleVersion(Exception):
    def __init__(self, current):
        super().__init__(f"{current._meta.verbose_name} was changed by someone else (now version {current.version})")
        self.current = current


class Versioned(models.Model):
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


def save_versioned(obj, expected_version, fields):
    """Write `fields` of `obj` only if the stored row is still at `expected_version`.

    Raises StaleVersion (with the current row) and writes nothing when it is not.
    Must run inside the caller's transaction so the audit row commits with the change.
    """
    values = {f: getattr(obj, f) for f in fields}
    model = type(obj)
    updated = model._base_manager.filter(pk=obj.pk, version=expected_version).update(
        version=F("version") + 1, **values
    )
    if updated != 1:
        raise StaleVersion(model._base_manager.get(pk=obj.pk))
    obj.version = expected_version + 1
    return obj
