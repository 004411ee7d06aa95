"""Organisations, programmes (with phases at any depth) and household enrolments."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homeward.concurrency import Versioned


class Organisation(Versioned):
    class Kind(models.TextChoices):
        DONOR = "donor", _("Donor")
        IMPLEMENTING = "implementing_agency", _("Implementing agency")
        PARTNER = "partner", _("Partner organisation")
        GOVERNMENT = "government", _("Government body")

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=40, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    country = models.ForeignKey("places.Country", null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.short_name or self.name


class ProgrammeQuerySet(models.QuerySet):
    def phase_ids(self, roots):
        """Ids of `roots` and all their phases, any depth. Programme trees are small (tens of
        rows), so one query per level is cheaper than anything clever."""
        ids = set(r.pk if isinstance(r, Programme) else r for r in roots)
        frontier = set(ids)
        while frontier:
            frontier = set(self.model.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - ids
            ids |= frontier
        return ids

    def with_phases(self, programme):
        return self.filter(pk__in=self.phase_ids([programme]))


class Programme(Versioned):
    code = models.SlugField(max_length=40, unique=True, allow_unicode=False)
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="phases")
    donors = models.ManyToManyField(Organisation, blank=True, related_name="funded_programmes")
    implementers = models.ManyToManyField(Organisation, blank=True, related_name="implemented_programmes")
    partners = models.ManyToManyField(Organisation, blank=True, related_name="partner_programmes")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    coverage_municipalities = models.ManyToManyField("places.Municipality", blank=True)
    coverage_countries = models.ManyToManyField("places.Country", blank=True)
    budget_eur = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    sdg_goals = models.JSONField(default=list, blank=True)  # list of goal numbers 1..17
    # Enrolments in a sensitive programme (counter-trafficking, medical) reveal a person's
    # situation; only users marked sensitive see them.
    sensitive = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} — {self.name}"

    def clean(self):
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date is before the start date.")
        goals = self.sdg_goals or []
        if not isinstance(goals, list) or any(not isinstance(g, int) or not 1 <= g <= 17 for g in goals):
            errors["sdg_goals"] = _("SDG goals are numbers from 1 to 17.")
        if self.pk and self.parent_id:
            ancestor = self.parent
            while ancestor is not None:
                if ancestor.pk == self.pk:
                    errors["parent"] = _("A programme cannot be a phase of itself.")
                    break
                ancestor = ancestor.parent
        if self.parent_id and not self.sensitive and self.parent.sensitive:
            # Scoping reads each programme's own flag: a phase of a sensitive programme carries it too.
            errors["sensitive"] = _("A phase of a sensitive programme is sensitive too.")
        if errors:
            raise ValidationError(errors)


class EnrolmentStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    ASSESSED = "assessed", _("Assessed")
    ELIGIBLE = "eligible", _("Eligible")
    INELIGIBLE = "ineligible", _("Ineligible")
    SELECTED = "selected", _("Selected")
    WAITLISTED = "waitlisted", _("Waitlisted")
    REJECTED = "rejected", _("Rejected")
    ASSISTED = "assisted", _("Assisted")
    MONITORED = "monitored", _("Monitored")
    CLOSED = "closed", _("Closed")


S = EnrolmentStatus
# The one place the allowed enrolment transitions are written.
TRANSITIONS = {
    S.APPLIED: {S.ASSESSED, S.CLOSED},
    S.ASSESSED: {S.ELIGIBLE, S.INELIGIBLE},
    S.ELIGIBLE: {S.SELECTED, S.WAITLISTED, S.REJECTED},
    S.INELIGIBLE: {S.ASSESSED, S.CLOSED},  # re-assessment after an appeal
    S.WAITLISTED: {S.SELECTED, S.REJECTED},
    S.SELECTED: {S.ASSISTED, S.CLOSED},  # closed: the family withdrew
    S.ASSISTED: {S.MONITORED, S.CLOSED},
    S.MONITORED: {S.CLOSED},
    S.REJECTED: {S.CLOSED},
    S.CLOSED: set(),
}
# Deciding who gets one of a limited number of slots is a manager's call.
MANAGER_ONLY = {S.SELECTED, S.WAITLISTED, S.REJECTED}
REASON_REQUIRED = {S.INELIGIBLE, S.REJECTED, S.CLOSED}


class EnrolmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        from accounts.scope import enrolment_scope

        return self.filter(enrolment_scope(user))


class Enrolment(Versioned):
    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="enrolments")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="enrolments")
    status = models.CharField(max_length=12, choices=EnrolmentStatus.choices, default=S.APPLIED)
    status_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["household", "programme"], name="one_enrolment_per_programme")]
        indexes = [models.Index(fields=["programme", "status"])]

    def __str__(self):
        return f"{self.household} in {self.programme.code}"

    def allowed_next(self):
        return sorted(TRANSITIONS[S(self.status)])


class EnrolmentStatusChange(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(max_length=12, choices=EnrolmentStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=EnrolmentStatus.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
