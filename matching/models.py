"""Duplicate detection across scripts and spellings: comparison keys, candidates, scores."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MatchKey(models.Model):
    """One blocking key of a person (matching.keys): two persons sharing a key are compared.

    Written by matching.keys.write_keys whenever a person is created or changed, so a duplicate
    check reads a few index entries instead of the whole registry."""

    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="match_keys")
    key = models.CharField(max_length=80)

    class Meta:
        # (key, person): the check looks persons up by key; the batch reads keys in order.
        indexes = [models.Index(fields=["key", "person"])]

    def __str__(self):
        return self.key


class NameFrequency(models.Model):
    """How many persons bear a given or family name (by orthographic key), for weighing an exact
    name agreement in the score (matching.score.NameFrequencies). role "total" holds the number of
    persons. Refreshed by `homeward match`; between runs new names count as rare, which errs on
    the side of showing a candidate."""

    role = models.CharField(max_length=6)  # given, family, total
    key = models.CharField(max_length=100)
    persons = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["role", "key"], name="one_frequency_per_name")]

    def __str__(self):
        return f"{self.role} {self.key}: {self.persons}"


class DuplicatePairQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Pairs whose two persons are both in the user's scope. A pair with one side outside is
        not shown at all: its existence would tell that a similar person is registered elsewhere."""
        from registry.models import Person

        visible = Person.objects.visible_to(user).values("pk")
        return self.filter(person_a__in=visible, person_b__in=visible)


class DuplicatePair(models.Model):
    """Two persons the batch search (the "match" job) found alike, and what a manager decided.

    person_a has the lower id. A pair is stored once: a later run updates the score of an open
    pair and never reopens one decided "not a duplicate"."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        NOT_DUPLICATE = "not_duplicate", _("Not a duplicate")
        MERGED = "merged", _("Merged")

    person_a = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    band = models.CharField(max_length=8)  # likely, possible (matching.score.band)
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.OPEN)
    found_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    objects = DuplicatePairQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [models.UniqueConstraint(fields=["person_a", "person_b"], name="one_pair_per_two_persons")]
        # The review list: open pairs, best first.
        indexes = [models.Index(fields=["status", "-score"])]

    def __str__(self):
        return f"pair {self.person_a_id}-{self.person_b_id} ({self.status})"
