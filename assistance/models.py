"""What programmes deliver: the assistance catalogue, deliveries with their status history, and
the rule that guards against assisting a household twice with the same kind of help."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homeward.concurrency import Versioned


class Category(models.TextChoices):
    SHELTER = "shelter", _("Shelter")
    PACKAGE = "package", _("Package")
    INCOME = "income_generation", _("Income generation")
    TRAINING = "training", _("Training")
    EMPLOYMENT = "employment", _("Employment")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial")
    REFERRAL = "referral", _("Referral")
    MEDICAL = "medical", _("Medical")
    LEGAL = "legal", _("Legal")
    CASH = "cash", _("Cash")
    TRANSPORT = "transport", _("Transport")


class Recipient(models.TextChoices):
    HOUSEHOLD = "household", _("Household")
    PERSON = "person", _("Person")


class AssistanceType(models.Model):
    """The catalogue. The contract's codes are loaded by a migration; admins may add more."""

    code = models.SlugField(max_length=40, unique=True)
    name_en = models.CharField(max_length=100)
    name_sq = models.CharField(max_length=100)
    name_sr_latn = models.CharField(max_length=100)
    category = models.CharField(max_length=20, choices=Category.choices)
    unit = models.CharField(max_length=20)
    recipient = models.CharField(max_length=10, choices=Recipient.choices)
    # Medical help reveals a person's health: only users cleared for sensitive data see it.
    sensitive = models.BooleanField(default=False)

    class Meta:
        ordering = ["category", "code"]

    def __str__(self):
        return self.name_en


class PackageItem(models.Model):
    """What a package holds: the harmonized package is food, non-food items, firewood, furniture."""

    package = models.ForeignKey(AssistanceType, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(AssistanceType, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["package", "item"], name="one_line_per_item")]


class DeliveryStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


# The one place the allowed delivery transitions are written.
DELIVERY_TRANSITIONS = {
    DeliveryStatus.PLANNED: {DeliveryStatus.DELIVERED, DeliveryStatus.CANCELLED},
    DeliveryStatus.DELIVERED: {DeliveryStatus.CANCELLED},  # recorded by mistake, or returned
    DeliveryStatus.CANCELLED: set(),
}


class DeliveryQuerySet(models.QuerySet):
    def visible_to(self, user):
        from accounts.scope import delivery_scope

        return self.filter(delivery_scope(user))

    def for_household(self, household_id):
        """Deliveries to the household or to any of its members."""
        return self.filter(Q(household_id=household_id) | Q(person__household_id=household_id))


class Delivery(Versioned):
    programme = models.ForeignKey("programmes.Programme", on_delete=models.PROTECT, related_name="deliveries")
    # Exactly one of household and person, as the type's recipient says. The household of a
    # person's delivery is kept too, so household histories and the guard need no join.
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="deliveries")
    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="deliveries")
    type = models.ForeignKey(AssistanceType, on_delete=models.PROTECT, related_name="deliveries")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PLANNED)
    date = models.DateField()
    quantity = models.DecimalField(max_digits=12, decimal_places=2, default=1)
    value_eur = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    partner = models.ForeignKey("programmes.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="deliveries")
    notes = models.TextField(blank=True)
    override_reason = models.TextField(blank=True)  # why a manager let a second delivery through
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["household", "status"]),
            # Covers what the figures read of a delivery (reports.reach, reports.indicators):
            # counting the beneficiaries of a million deliveries, or summing their values and
            # quantities, then reads the index, not the table. Without value and quantity in it,
            # SQLite summed a programme's values by looking up each delivery's row from the index:
            # 3.0 s at 3,000,000 deliveries, where a read of the index alone takes a tenth of that.
            models.Index(fields=["programme", "status", "date", "type", "person", "household", "value_eur", "quantity"],
                         name="delivery_figures_idx"),
        ]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="delivery_quantity_positive")]

    def __str__(self):
        return f"{self.type.code} for {self.person or self.household} ({self.status})"


class DeliveryStatusChange(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(max_length=10, choices=DeliveryStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=DeliveryStatus.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]


class GuardRule(models.Model):
    """A second delivery of the same category to a household, in any programme or phase, is
    warned about or blocked. Blocked deliveries go through only with a manager's reason."""

    class Mode(models.TextChoices):
        WARN = "warn", _("Warn")
        BLOCK = "block", _("Block")

    category = models.CharField(max_length=20, choices=Category.choices, unique=True)
    mode = models.CharField(max_length=5, choices=Mode.choices)

    def __str__(self):
        return f"{self.category}: {self.mode}"


# Kinds with their own detail ---------------------------------------------------------------------
#
# Each kind is one small model with a one-to-one link to its Delivery, its own clean(), the wire
# names it accepts (WIRE) and, when it has a history, rows of its own with the allowed order
# written once. KINDS maps assistance type codes to these models; a new kind is a copy of a
# sibling plus one line in KINDS. The actions that write them are in assistance/kinds.py.


class Detail(models.Model):
    delivery = models.OneToOneField(Delivery, on_delete=models.CASCADE, primary_key=True, related_name="%(class)s")

    WIRE = ()  # the fields a client sets, by their wire name

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self._meta.verbose_name} of delivery {self.delivery_id}"


def _positive(errors, name, value, message=None):
    if value is not None and value < 0:
        errors[name] = message or _("Cannot be negative.")


class Milestone(models.TextChoices):
    ASSESSMENT = "assessment", _("Assessment")
    DESIGN = "design", _("Design")
    PERMITS = "permits", _("Permits")
    TENDER = "tender", _("Tender")
    CONSTRUCTION_STARTED = "construction_started", _("Construction started")
    COMPLETED = "completed", _("Completed")
    HANDED_OVER = "handed_over", _("Handed over")
    FAMILY_MOVED_IN = "family_moved_in", _("Family moved in")


# The one place the order of house milestones is written: each comes after the one before it.
MILESTONE_ORDER = list(Milestone)


class HouseDetail(Detail):
    """A house built or rebuilt: where, by whom, for how much; its milestones are HouseMilestone rows."""

    municipality = models.ForeignKey("places.Municipality", on_delete=models.PROTECT, related_name="+")
    site = models.CharField(max_length=200, help_text=_("settlement, street or plot"))
    contractor = models.CharField(max_length=200, blank=True)
    cost_eur = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    WIRE = ("municipality", "site", "contractor", "cost_eur")

    def clean(self):
        errors = {}
        _positive(errors, "cost_eur", self.cost_eur)
        if errors:
            raise ValidationError(errors)

    def latest_milestone(self):
        return self.milestones.order_by("-pk").first()


class HouseMilestone(models.Model):
    house = models.ForeignKey(HouseDetail, on_delete=models.CASCADE, related_name="milestones")
    milestone = models.CharField(max_length=24, choices=Milestone.choices)
    date = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["house", "milestone"], name="one_row_per_milestone")]


class Sector(models.TextChoices):
    PRODUCTION = "production", _("Production")
    SERVICE = "service", _("Service")
    AGRICULTURE = "agriculture", _("Agriculture")


class IncomeGrantDetail(Detail):
    """A grant to start or grow a small business; what it bought are EquipmentLine rows, how the
    business fares at each follow-up visit are BusinessFollowUp rows."""

    business_plan = models.TextField(help_text=_("summary of the business plan"))
    sector = models.CharField(max_length=12, choices=Sector.choices)

    WIRE = ("business_plan", "sector", "equipment")  # equipment: [{"item", "quantity", "value_eur"}]

    def clean(self):
        if not (self.business_plan or "").strip():
            raise ValidationError({"business_plan": _("Summarise the business plan.")})


class EquipmentLine(models.Model):
    grant = models.ForeignKey(IncomeGrantDetail, on_delete=models.CASCADE, related_name="equipment")
    item = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField(default=1)
    value_eur = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["pk"]

    def clean(self):
        errors = {}
        _positive(errors, "value_eur", self.value_eur)
        if self.quantity is not None and self.quantity < 1:
            errors["quantity"] = _("At least one.")
        if errors:
            raise ValidationError(errors)


class BusinessStatus(models.TextChoices):
    OPERATING = "operating", _("Operating")
    CLOSED = "closed", _("Closed")
    CHANGED = "changed", _("Changed activity")


class BusinessFollowUp(models.Model):
    grant = models.ForeignKey(IncomeGrantDetail, on_delete=models.CASCADE, related_name="follow_ups")
    date = models.DateField()
    status = models.CharField(max_length=10, choices=BusinessStatus.choices)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date", "pk"]


class TrainingDetail(Detail):
    """Vocational or business training, mentoring, a language course."""

    course = models.CharField(max_length=200)
    provider = models.CharField(max_length=200, blank=True, help_text=_("the organisation that teaches"))
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    hours = models.PositiveIntegerField(null=True, blank=True)
    completed = models.BooleanField(default=False)
    certificate = models.BooleanField(default=False)

    WIRE = ("course", "provider", "start_date", "end_date", "hours", "completed", "certificate")

    def clean(self):
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date is before the start date.")
        if self.certificate and not self.completed:
            errors["certificate"] = _("A certificate is only given for a completed course.")
        if errors:
            raise ValidationError(errors)


class JobPlacementDetail(Detail):
    employer = models.CharField(max_length=200)
    start_date = models.DateField()
    subsidy_months = models.PositiveIntegerField(default=0, help_text=_("months of salary subsidy"))
    monthly_amount_eur = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)

    WIRE = ("employer", "start_date", "subsidy_months", "monthly_amount_eur")

    def clean(self):
        errors = {}
        _positive(errors, "monthly_amount_eur", self.monthly_amount_eur)
        if self.subsidy_months and self.monthly_amount_eur is None:
            errors["monthly_amount_eur"] = _("Give the monthly subsidy.")
        if self.subsidy_months is not None and self.subsidy_months > 36:
            errors["subsidy_months"] = _("At most 36 months.")
        if errors:
            raise ValidationError(errors)


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    COMPLETED = "completed", _("Completed")


# The one place the allowed referral transitions are written.
REFERRAL_TRANSITIONS = {
    ReferralStatus.SENT: {ReferralStatus.ACCEPTED, ReferralStatus.DECLINED},
    ReferralStatus.ACCEPTED: {ReferralStatus.COMPLETED},
    ReferralStatus.DECLINED: set(),
    ReferralStatus.COMPLETED: set(),
}


class ReferralDetail(Detail):
    """A person sent to another organisation or service; each status change is a ReferralStatusChange."""

    to = models.CharField(max_length=200, help_text=_("organisation or service referred to"))
    reason = models.TextField()
    consent = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.SENT)
    outcome = models.TextField(blank=True)

    WIRE = ("to", "reason", "consent", "outcome")

    def clean(self):
        errors = {}
        # Personal data leaves the programme only with the person's consent.
        if not self.consent:
            errors["consent"] = _("A referral needs the person's consent.")
        if not (self.reason or "").strip():
            errors["reason"] = _("Say why the person is referred.")
        if errors:
            raise ValidationError(errors)


class ReferralStatusChange(models.Model):
    referral = models.ForeignKey(ReferralDetail, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(max_length=10, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=ReferralStatus.choices)
    date = models.DateField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]


class MedicalDetail(Detail):
    """Medical assistance or evacuation. Sensitive: the types are marked so, and deliveries of
    sensitive types are seen only by users cleared for sensitive data (accounts.scope)."""

    destination_country = models.ForeignKey("places.Country", null=True, blank=True, on_delete=models.PROTECT,
                                            related_name="+")
    facility = models.CharField(max_length=200)

    WIRE = ("destination_country", "facility")

    def clean(self):
        evacuation = self.delivery_id and self.delivery.type.code == "medical_evacuation"
        if evacuation and (self.destination_country_id is None or self.destination_country.code == "XK"):
            raise ValidationError({"destination_country": _("An evacuation goes to a country outside Kosovo.")})


# Which detail each assistance type has. Types not named here have none.
KINDS = {
    "house_construction": HouseDetail,
    "house_reconstruction": HouseDetail,
    "income_generation_grant": IncomeGrantDetail,
    "vocational_training": TrainingDetail,
    "business_training": TrainingDetail,
    "mentoring": TrainingDetail,
    "language_course": TrainingDetail,
    "job_placement": JobPlacementDetail,
    "referral": ReferralDetail,
    "medical_assistance": MedicalDetail,
    "medical_evacuation": MedicalDetail,
}


# Evidence files ------------------------------------------------------------------------------------


def evidence_path(instance, filename):
    # A random name: the stored path tells nothing about the person, and cannot be guessed.
    import uuid

    return f"evidence/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """A file proving a delivery (signed receipt, photo, handover record). Never given a public
    URL: it is read only through assistance.views.evidence_file, which checks the delivery's scope."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name_plural = "evidence"

    def __str__(self):
        return self.original_name
