"""Merges of duplicate persons and households, kept so that a manager can undo them."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from registry.models import Person


class MergeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(undone_at__isnull=True)

    def visible_to(self, user):
        """Merges whose kept person is in the user's scope (the dropped person no longer exists
        while the merge stands, so the kept one decides). The role check is the caller's."""
        return self.filter(keep_person_id__in=Person.objects.visible_to(user).values("pk"))


class Merge(models.Model):
    """One merge of `drop` into `keep`: who, when and why, and everything needed to undo it exactly.

    The dropped person (and a household emptied by the merge) is deleted, so ids are kept as plain
    numbers rather than foreign keys: a foreign key would keep pointing at rows that no longer exist.
    """

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    with_households = models.BooleanField(default=False)
    keep_person_id = models.BigIntegerField(db_index=True)
    keep_household_id = models.BigIntegerField(db_index=True)
    drop_person_id = models.BigIntegerField(db_index=True)
    drop_household_id = models.BigIntegerField(db_index=True)
    household_removed = models.BooleanField(default=False)
    # Rows as Django's serializer writes them ({"model", "pk", "fields"}): the dropped person first,
    # then its emptied household, then every other row the merge deleted, in deletion order. Undo
    # inserts them back as they were, same ids, versions and timestamps.
    removed = models.JSONField(default=list)
    # Every field the merge changed on a row that stays: [{"model", "pk", "fields": {name: [old, new]}}],
    # in the order written. Moved deliveries, members, documents... and the values of `keep` filled
    # from `drop`. Undo writes the old values back, newest first.
    rewrites = models.JSONField(default=list)
    # The values of `drop` that differ from those `keep` kept, for people reading the merge.
    differences = models.JSONField(default=dict, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    undo_reason = models.TextField(blank=True)

    objects = MergeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"merge #{self.pk}: person {self.drop_person_id} into {self.keep_person_id}"

    @property
    def dropped(self):
        """The dropped person's fields as they were, from the rows the merge removed."""
        return next((r["fields"] for r in self.removed
                     if r["model"] == "registry.person" and r["pk"] == self.drop_person_id), {})

    @property
    def audit_reason(self):
        return f"merge #{self.pk}"


def shown_to(user, merges):
    """[(merge, kept Person or None, dropped person's fields or None)] for listing `merges` to `user`.

    While a merge stands, the dropped person is part of the kept person's history, shown from the
    merge record. Once it is undone, that person is a live record again, perhaps in another
    household and outside the user's scope: then the name is shown only when the user may see them.
    """
    persons = Person.objects.visible_to(user)
    kept = persons.in_bulk([m.keep_person_id for m in merges])
    back = {m.drop_person_id for m in merges if m.undone_at is not None}
    visible = set(persons.filter(pk__in=back).values_list("pk", flat=True))
    return [(m, kept.get(m.keep_person_id),
             m.dropped if m.undone_at is None or m.drop_person_id in visible else None) for m in merges]
