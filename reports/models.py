"""Results frameworks: goal → outcomes → outputs, indicators with targets per period, and the
values of manual indicators. Reach is computed (reports.reach), not stored.

An indicator's definition is a row of typed columns (a measure from a fixed list, the assistance
types, activity types or project types it counts, the indicators a ratio divides), validated
here and computed by reports.indicators; never code or an expression string.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import ActivityType, ProjectType
from homeward.concurrency import Versioned

# The dimensions of reach; an indicator counting persons may be broken down by any of them.
DIMENSIONS = ("municipality", "sex", "community", "displacement_status", "age_group")


class Level(models.TextChoices):
    GOAL = "goal", _("Goal")
    OUTCOME = "outcome", _("Outcome")
    OUTPUT = "output", _("Output")


# The one place the shape of a framework is written: what each level hangs under.
PARENT_LEVEL = {Level.GOAL: None, Level.OUTCOME: Level.GOAL, Level.OUTPUT: Level.OUTCOME}


class Result(Versioned):
    programme = models.ForeignKey("programmes.Programme", on_delete=models.CASCADE, related_name="results")
    level = models.CharField(max_length=8, choices=Level.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    code = models.CharField(max_length=40)  # "1", "1.2", "1.2.3" as the logframe numbers them
    statement = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code", "pk"]
        constraints = [models.UniqueConstraint(fields=["programme", "code"], name="one_result_per_code")]

    def __str__(self):
        return f"{self.code} {self.statement[:60]}"

    def clean(self):
        errors = {}
        wanted = PARENT_LEVEL.get(self.level)
        parent = self.parent if self.parent_id else None
        if wanted is None and parent is not None:
            errors["parent"] = _("A goal stands at the top of the framework.")
        elif wanted is not None and (parent is None or parent.level != wanted):
            errors["parent"] = _("An %(level)s hangs under a %(parent)s.") % {
                "level": self.level, "parent": wanted}
        elif parent is not None and parent.programme_id != self.programme_id:
            errors["parent"] = _("The parent belongs to another programme.")
        if not (self.statement or "").strip():
            errors["statement"] = _("Say what the result is.")
        if errors:
            raise ValidationError(errors)


class Measure(models.TextChoices):
    """What an indicator counts. reports.indicators.MEASURES computes each one."""

    HOUSEHOLDS_ASSISTED = "households_assisted", _("Households with delivered assistance")
    PERSONS_ASSISTED = "persons_assisted", _("Persons with delivered assistance (direct beneficiaries)")
    DELIVERIES = "deliveries", _("Deliveries")
    VALUE_EUR = "value_eur", _("Value of delivered assistance (EUR)")
    QUANTITY = "quantity", _("Quantity delivered")
    HOUSES_HANDED_OVER = "houses_handed_over", _("Houses handed over")
    PERSONS_TRAINED = "persons_trained", _("Persons who completed a training")
    PERSONS_CERTIFIED = "persons_certified", _("Persons trained and certified")
    ACTIVITIES = "activities", _("Activities held")
    ACTIVITY_PARTICIPANTS = "activity_participants", _("Participants in activities")
    REFERRALS_COMPLETED = "referrals_completed", _("Referrals completed")
    PROJECTS_COMPLETED = "projects_completed", _("Community projects completed")
    CATCHMENT_POPULATION = "catchment_population", _("Population served by completed community projects")
    BUSINESSES_FOLLOWED_UP = "businesses_followed_up", _("Grant businesses visited at follow-up")
    BUSINESSES_OPERATING = "businesses_operating", _("Grant businesses operating at their latest follow-up")
    RATIO = "ratio", _("Ratio of two indicators (percent)")
    MANUAL = "manual", _("Entered by hand, with evidence")


M = Measure
# Which definition columns each measure reads; any other column must stay empty.
USES_ASSISTANCE_TYPES = {M.HOUSEHOLDS_ASSISTED, M.PERSONS_ASSISTED, M.DELIVERIES, M.VALUE_EUR, M.QUANTITY,
                         M.PERSONS_TRAINED, M.PERSONS_CERTIFIED, M.REFERRALS_COMPLETED}
USES_ACTIVITY_TYPES = {M.PERSONS_TRAINED, M.PERSONS_CERTIFIED, M.ACTIVITIES, M.ACTIVITY_PARTICIPANTS,
                       M.PERSONS_ASSISTED}
USES_PROJECT_TYPES = {M.PROJECTS_COMPLETED, M.CATCHMENT_POPULATION}
# Measures that count persons or households can be broken down like reach.
DISAGGREGABLE = {
    M.PERSONS_ASSISTED: set(DIMENSIONS), M.PERSONS_TRAINED: set(DIMENSIONS), M.PERSONS_CERTIFIED: set(DIMENSIONS),
    M.HOUSEHOLDS_ASSISTED: {"municipality"},
}


class Indicator(Versioned):
    programme = models.ForeignKey("programmes.Programme", on_delete=models.CASCADE, related_name="indicators")
    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=300)
    unit = models.CharField(max_length=40, help_text=_("households, persons, houses, EUR, %..."))
    measure = models.CharField(max_length=24, choices=Measure.choices)
    # The definition: empty lists mean "all".
    assistance_types = models.ManyToManyField("assistance.AssistanceType", blank=True, related_name="+")
    activity_types = models.JSONField(default=list, blank=True)  # ActivityType values
    project_types = models.JSONField(default=list, blank=True)  # ProjectType values
    numerator = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    denominator = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    disaggregations = models.JSONField(default=list, blank=True)  # names from DIMENSIONS
    baseline = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    baseline_date = models.DateField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code", "pk"]
        constraints = [models.UniqueConstraint(fields=["programme", "code"], name="one_indicator_per_code")]

    def __str__(self):
        return f"{self.code} {self.name}"

    def clean(self):
        errors = {}
        if self.result_id and self.programme_id and self.result.programme_id != self.programme_id:
            errors["result"] = _("The result belongs to another programme.")
        if self.measure not in Measure.values:
            errors["measure"] = _("One of: %(m)s.") % {"m": ", ".join(Measure.values)}
        _check_choices(errors, "activity_types", self.activity_types, ActivityType.values,
                       self.measure in USES_ACTIVITY_TYPES)
        _check_choices(errors, "project_types", self.project_types, ProjectType.values,
                       self.measure in USES_PROJECT_TYPES)
        allowed = DISAGGREGABLE.get(self.measure, set())
        _check_choices(errors, "disaggregations", self.disaggregations, sorted(allowed), bool(allowed))
        if self.measure == M.RATIO:
            for name in ("numerator", "denominator"):
                other = getattr(self, name) if getattr(self, f"{name}_id") else None
                if other is None:
                    errors[name] = _("A ratio divides one indicator by another.")
                elif other.programme_id != self.programme_id:
                    errors[name] = _("The indicator belongs to another programme.")
                elif other.measure in (M.RATIO, M.MANUAL) or (self.pk and other.pk == self.pk):
                    errors[name] = _("A ratio divides counted indicators, not ratios or manual ones.")
        elif self.numerator_id or self.denominator_id:
            errors["numerator"] = _("Only a ratio has a numerator and a denominator.")
        if errors:
            raise ValidationError(errors)

    def check_assistance_types(self, types):
        """The many-to-many part of clean(): only measures over deliveries name assistance types."""
        if types and self.measure not in USES_ASSISTANCE_TYPES:
            raise ValidationError({"assistance_types": _("This measure does not count assistance.")})


def _check_choices(errors, name, values, allowed, used):
    if not isinstance(values, list) or any(not isinstance(v, str) for v in values):
        errors[name] = _("A list of codes.")
    elif values and not used:
        errors[name] = _("This measure does not use %(n)s.") % {"n": name.replace("_", " ")}
    elif set(values) - set(allowed):
        errors[name] = _("Unknown: %(v)s. One of: %(a)s.") % {
            "v": ", ".join(sorted(set(values) - set(allowed))), "a": ", ".join(allowed)}
    elif len(set(values)) != len(values):
        errors[name] = _("A code is listed twice.")


class Target(models.Model):
    """What the indicator should reach in a period (a year, a phase, the whole programme)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["period_start", "period_end"]
        constraints = [models.UniqueConstraint(fields=["indicator", "period_start", "period_end"],
                                               name="one_target_per_period")]

    def clean(self):
        errors = {}
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = _("The end date is before the start date.")
        if self.value is not None and self.value < 0:
            errors["value"] = _("Cannot be negative.")
        if errors:
            raise ValidationError(errors)


class ManualValue(models.Model):
    """The value of a manual indicator for a period (municipal action plans supported), with the
    evidence for it: what the records cannot count is still accounted for."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="manual_values")
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=2)
    evidence = models.TextField(help_text=_("the document, minutes or report that proves the value"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["period_start", "pk"]

    def clean(self):
        errors = {}
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = _("The end date is before the start date.")
        if not (self.evidence or "").strip():
            errors["evidence"] = _("Say what proves the value.")
        if self.indicator_id and self.indicator.measure != Measure.MANUAL:
            errors["indicator"] = _("Only manual indicators take values by hand.")
        if errors:
            raise ValidationError(errors)


class FigureCache(models.Model):
    """Programme-wide figures already computed (reports.cache): served again while no record has
    changed since, never after."""

    key = models.CharField(max_length=200, unique=True)
    stamp = models.CharField(max_length=400)
    computed_at = models.DateTimeField(default=timezone.now)
    seconds = models.FloatField(default=0)  # how long computing them took
    data = models.BinaryField()
    # The same figures for any report date (reports.cache.family_of), and the report date of these
    # when it was the day they were counted: a new day's figures start from the last day's.
    family = models.CharField(max_length=80, db_index=True, default="")
    day = models.DateField(null=True)


class ChangedHousehold(models.Model):
    """A household whose records changed since the kept tallies last read them (docs/kept-figures.md).
    Written by the database alone: triggers (migration reports 0004) mark the household in the same
    transaction as any write to its deliveries, attendance, members or places, by any path."""

    household_id = models.BigIntegerField(primary_key=True)


class TallySet(models.Model):
    """Reach kept as running tallies (reports.tallies) for one set of programmes (their ids, sorted,
    comma-separated), counted with or without sensitive assistance, of the help `parts` names ("all":
    every delivery and attendance, reach's; else "t:<assistance type ids>|a:<activity types>", an
    indicator's), from day `since` on (a target period's start; EARLIEST: from the first record)."""

    EARLIEST = datetime.date(1, 1, 1)

    programmes = models.CharField(max_length=1000)
    sensitive = models.BooleanField()
    parts = models.CharField(max_length=1000, default="all")
    since = models.DateField(default=EARLIEST)
    ready = models.BooleanField(default=False)
    # Set by a build as it starts and after each span: while it is recent, drains keep the marks of
    # changed households for the build to recount when it ends (reports.tallies.BUILD_ALIVE).
    building_at = models.DateTimeField(null=True)
    # Tally rows after the last compaction, and appended by drains since: reads sum them all, so a
    # drain compacts a set whose appended rows outgrow it (reports.tallies.drain).
    rows = models.IntegerField(default=0)
    appended = models.IntegerField(default=0)
    # The last day a figure was read from the set: a set nobody reads any more (a programme gained a
    # phase, an indicator's types changed) stops being recounted (reports.tallies.UNREAD).
    read_on = models.DateField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["programmes", "sensitive", "parts", "since"],
                                               name="one_tally_set")]


class ReachFact(models.Model):
    """A member of a household with a direct beneficiary, as the household last contributed to a set
    of tallies: the first day the member was a direct beneficiary (None: not one) and their traits.
    Plain ids, no constraints: the facts follow the records through the changed households' marks."""

    tally_set = models.ForeignKey(TallySet, on_delete=models.CASCADE, related_name="+")
    household_id = models.BigIntegerField()
    person_id = models.BigIntegerField()
    first_on = models.DateField(null=True)
    sex = models.CharField(max_length=1)
    community_id = models.BigIntegerField(null=True)
    status = models.CharField(max_length=16)
    date_of_birth = models.DateField(null=True)
    birth_year = models.PositiveSmallIntegerField(null=True)
    municipality_id = models.BigIntegerField(null=True)

    class Meta:
        indexes = [models.Index(fields=["tally_set", "household_id"], name="reports_reachfact_household")]


class Tally(models.Model):
    """+delta for `figure` ("direct", "everyone", "households") by `trait` ("total" or a trait of
    DIMENSIONS) and `value` (text; None: not known), counted from day `at` on. Rows are appended."""

    tally_set = models.ForeignKey(TallySet, on_delete=models.CASCADE, related_name="+")
    figure = models.CharField(max_length=10)
    trait = models.CharField(max_length=20)
    value = models.CharField(max_length=40, null=True)
    at = models.DateField()
    delta = models.IntegerField()

    class Meta:
        # Covering: a figure by one trait as of a date reads that figure's and trait's days before
        # it and nothing else; reach (every figure and trait) reads the set's rows.
        indexes = [models.Index(fields=["tally_set", "figure", "trait", "at", "value", "delta"],
                                name="reports_tally_figure")]


class TallyLock(models.Model):
    """One row, written first by every build and drain of tallies: they run one at a time."""


class DeliverySums(models.Model):
    """Delivered assistance of one programme and type on one day: how many, their value and quantity,
    in hundredths (cents): whole numbers add up exactly on both databases, where SQLite would add
    decimals as floating point and drift by a fraction of a cent as changes come and go."""

    programme_id = models.BigIntegerField()
    type_id = models.BigIntegerField()
    at = models.DateField()
    n = models.IntegerField()
    value_cents = models.BigIntegerField()
    quantity_cents = models.BigIntegerField()

    class Meta:
        abstract = True


class DeliveryTally(DeliverySums):
    """Delivered assistance summed by programme, type and day: what indicators of deliveries, value
    and quantity read (reports.tallies.delivery_sums). Kept by the database: triggers on
    assistance_delivery append every change to DeliveryChange (migration reports 0006), which is
    folded in here before a read."""

    class Meta:
        constraints = [models.UniqueConstraint(fields=["programme_id", "type_id", "at"], name="one_delivery_tally")]


class DeliveryChange(DeliverySums):
    """A change to delivered assistance not yet folded into DeliveryTally: +1 and the delivery's
    value and quantity when it counts, -1 and minus them when it stops counting. Appended by
    triggers, never updated: writers never wait for each other on a day's row."""
