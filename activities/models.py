"""Activities (trainings, meetings, visits...) and community and infrastructure projects.

Both are programme-level records, not personal data: every user with a role sees them, except
those of a sensitive programme (counter-trafficking, medical), which only users cleared for
sensitive data see, as they see its enrolments and figures: the date and place of a workshop for
trafficking survivors says too much. An activity's list of registered attendees (Attendance) names
persons and is read only through Attendance.objects.visible_to(user).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homeward.concurrency import Versioned


def _everyone_with_a_role(queryset, user):
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    return queryset if user.sensitive else queryset.filter(programme__sensitive=False)


class ActivityType(models.TextChoices):
    TRAINING = "training", _("Training")
    INFORMATION_MEETING = "information_meeting", _("Information meeting")
    PUBLIC_PRESENTATION = "public_presentation", _("Public presentation")
    GO_AND_SEE_VISIT = "go_and_see_visit", _("Go-and-see visit")
    ROUND_TABLE = "round_table", _("Round table")
    CONFERENCE = "conference", _("Conference")
    B2B_MEETING = "b2b_meeting", _("B2B meeting")
    STUDY_VISIT = "study_visit", _("Study visit")
    FORUM = "forum", _("Forum")
    WORKSHOP = "workshop", _("Workshop")


class Sector(models.TextChoices):
    ICT = "ict", _("ICT")
    WOOD_PROCESSING = "wood_processing", _("Wood processing")
    METAL_PROCESSING = "metal_processing", _("Metal processing")
    TEXTILE = "textile", _("Textile")
    FOOD_PROCESSING = "food_processing", _("Food processing")
    AGRICULTURE = "agriculture", _("Agriculture")
    CONSTRUCTION = "construction", _("Construction")
    SERVICES = "services", _("Services")
    HEALTH = "health", _("Health")
    EDUCATION = "education", _("Education")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial support")
    GOVERNANCE = "governance", _("Governance and public administration")
    MIGRATION = "migration", _("Migration and reintegration")
    OTHER = "other", _("Other")


class ActivityQuerySet(models.QuerySet):
    def visible_to(self, user):
        return _everyone_with_a_role(self, user)


class Activity(Versioned):
    type = models.CharField(max_length=24, choices=ActivityType.choices)
    title = models.CharField(max_length=300)
    date = models.DateField()
    end_date = models.DateField(null=True, blank=True)  # conferences and study visits last days
    programme = models.ForeignKey("programmes.Programme", on_delete=models.PROTECT, related_name="activities")
    organiser = models.ForeignKey("programmes.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="organised_activities")
    municipality = models.ForeignKey("places.Municipality", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    venue = models.CharField(max_length=200, blank=True)
    # Study visits and some go-and-see visits happen abroad (Sweden, Serbia); empty means Kosovo.
    country = models.ForeignKey("places.Country", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sector = models.CharField(max_length=20, choices=Sector.choices, blank=True)
    attendees = models.ManyToManyField("registry.Person", through="Attendance", related_name="activities")
    # Anonymous participants (not in the registry), counted twice: by sex and by kind. Reports show
    # them as their own figures, never as direct beneficiaries (contract section 5).
    participants_female = models.PositiveIntegerField(default=0)
    participants_male = models.PositiveIntegerField(default=0)
    participants_sex_unknown = models.PositiveIntegerField(default=0)
    participants_official = models.PositiveIntegerField(default=0)
    participants_community = models.PositiveIntegerField(default=0)
    participants_business = models.PositiveIntegerField(default=0)
    participants_other = models.PositiveIntegerField(default=0)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name_plural = "activities"
        indexes = [models.Index(fields=["programme", "date"]), models.Index(fields=["type"])]

    def __str__(self):
        return f"{self.title} ({self.date})"

    def participants_by_sex(self):
        return self.participants_female + self.participants_male + self.participants_sex_unknown

    def participants_by_kind(self):
        return (self.participants_official + self.participants_community + self.participants_business
                + self.participants_other)

    def clean(self):
        errors = {}
        if self.date and self.end_date and self.end_date < self.date:
            errors["end_date"] = _("The end date is before the start date.")
        if self.country_id and self.country.code != "XK" and self.municipality_id:
            errors["municipality"] = _("A municipality is given only for activities in Kosovo.")
        # Kinds are optional; when given they describe the same people as the counts by sex.
        if self.participants_by_kind() and self.participants_by_kind() != self.participants_by_sex():
            errors["participants_official"] = _(
                "The participants by kind (%(k)d) and by sex (%(s)d) should add up to the same number.") % {
                "k": self.participants_by_kind(), "s": self.participants_by_sex()}
        if errors:
            raise ValidationError(errors)


class AttendanceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Attendees are persons: the registry scope applies, and attendance of an activity of a
        sensitive programme (counter-trafficking, medical) only for users cleared for it."""
        from accounts.scope import household_scope

        q = household_scope(user, prefix="person__household__")
        if not getattr(user, "sensitive", False):
            q &= models.Q(activity__programme__sensitive=False)
        return self.filter(q)


class Attendance(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="attendances")
    attended = models.BooleanField(default=True)  # registered but absent is worth knowing
    # "People trained and certified" counts these.
    certified = models.BooleanField(default=False)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        ordering = ["person__family_name", "person__given_name", "pk"]
        constraints = [models.UniqueConstraint(fields=["activity", "person"], name="one_attendance_per_person")]
        indexes = [models.Index(fields=["person"])]

    def __str__(self):
        return f"{self.person_id} at activity {self.activity_id}"


# Community and infrastructure projects -------------------------------------------------------

class ProjectType(models.TextChoices):
    CLINIC = "clinic", _("Clinic")
    SCHOOL = "school", _("School")
    BRIDGE = "bridge", _("Bridge")
    ROAD = "road", _("Road")
    SEWAGE = "sewage", _("Sewage system")
    WATER_SUPPLY = "water_supply", _("Water supply")
    PUBLIC_LIGHTING = "public_lighting", _("Public lighting")
    YOUTH_CENTRE = "youth_centre", _("Youth centre")
    RIVERBED = "riverbed", _("Riverbed")
    COMMUNITY_EVENT = "community_event", _("Community event")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


P = ProjectStatus
# The one place the allowed project transitions are written.
PROJECT_TRANSITIONS = {
    P.PLANNED: {P.IN_PROGRESS, P.CANCELLED},
    P.IN_PROGRESS: {P.COMPLETED, P.CANCELLED},
    P.COMPLETED: set(),
    P.CANCELLED: set(),
}


class CommunityProjectQuerySet(models.QuerySet):
    def visible_to(self, user):
        return _everyone_with_a_role(self, user)


class CommunityProject(Versioned):
    type = models.CharField(max_length=20, choices=ProjectType.choices)
    title = models.CharField(max_length=300)
    programme = models.ForeignKey("programmes.Programme", on_delete=models.PROTECT,
                                  related_name="community_projects")
    municipality = models.ForeignKey("places.Municipality", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    settlement = models.CharField(max_length=200, blank=True)  # village or neighbourhood
    cost_eur = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    # Status changes only through activities.actions.transition_project, one row each.
    status = models.CharField(max_length=12, choices=ProjectStatus.choices, default=P.PLANNED)
    completed_on = models.DateField(null=True, blank=True)
    # Reported as its own figure, never added to direct or indirect beneficiaries.
    catchment_population = models.PositiveIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CommunityProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["programme", "status"])]

    def __str__(self):
        return self.title

    def allowed_next(self):
        return sorted(PROJECT_TRANSITIONS[P(self.status)])

    def clean(self):
        errors = {}
        if self.cost_eur is not None and self.cost_eur < 0:
            errors["cost_eur"] = _("The cost cannot be negative.")
        if self.completed_on and self.status != P.COMPLETED:
            errors["completed_on"] = _("Only a completed project has a completion date.")
        if errors:
            raise ValidationError(errors)


class ProjectStatusChange(models.Model):
    project = models.ForeignKey(CommunityProject, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(max_length=12, choices=ProjectStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=ProjectStatus.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
