"""Duplicate detection across scripts and spellings: comparison keys, candidates, scores."""

from django.db import models


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
