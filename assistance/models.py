"""What programmes deliver: the assistance catalogue, deliveries with their status history, and
the rule that guards against assisting a household twice with the same kind of help."""

from django.conf import settings
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
            models.Index(fields=["programme", "status", "type"]),
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
