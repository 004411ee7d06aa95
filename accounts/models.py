"""Users, their role and the scope of records they may see."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    MANAGER = "manager", _("Programme manager")
    CASEWORKER = "caseworker", _("Caseworker")
    PARTNER = "partner", _("Partner organisation")
    ME = "me", _("Monitoring and evaluation")
    DONOR = "donor", _("Donor")
    AUDITOR = "auditor", _("Auditor")


class User(AbstractUser):
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.CASEWORKER)
    # Only users marked sensitive see trafficking, GBV, medical, psychosocial and child
    # protection data, and enrolments in sensitive programmes.
    sensitive = models.BooleanField(default=False)
    municipalities = models.ManyToManyField("places.Municipality", blank=True, related_name="+")
    organisations = models.ManyToManyField("programmes.Organisation", blank=True, related_name="+")
    programmes = models.ManyToManyField("programmes.Programme", blank=True, related_name="+")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")

    # What each role may do. Which records it may do it to is accounts.scope's business.
    @property
    def sees_everything(self):
        return self.role in (Role.ADMIN, Role.AUDITOR)

    @property
    def sees_personal_data(self):
        return self.role != Role.DONOR

    @property
    def can_edit_registry(self):
        return self.role in (Role.ADMIN, Role.MANAGER, Role.CASEWORKER, Role.PARTNER)

    @property
    def can_manage_programmes(self):
        return self.role in (Role.ADMIN, Role.MANAGER)

    @property
    def can_decide_selection(self):
        return self.role in (Role.ADMIN, Role.MANAGER)

    @property
    def can_read_audit(self):
        return self.role in (Role.ADMIN, Role.AUDITOR)


class ApiTokenQuerySet(models.QuerySet):
    def user_for(self, raw):
        """The active user holding this token, or None."""
        from accounts.scope import active_user

        return active_user("token", ApiToken.digest_of(raw))


class ApiToken(models.Model):
    """Only a digest is stored: a copy of the database does not hand out working tokens."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ApiTokenQuerySet.as_manager()

    @staticmethod
    def digest_of(raw):
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def issue(cls, user, label=""):
        raw = "hw_" + secrets.token_urlsafe(32)
        cls.objects.create(user=user, digest=cls.digest_of(raw), label=label)
        return raw


def _forget_scope(sender, instance, action, **kwargs):
    """accounts.scope.scope_ids caches a user's scope ids on the object; a change drops them."""
    if action.startswith("post_") and isinstance(instance, User):
        instance.__dict__.pop("_scope_ids", None)


for _relation in (User.municipalities, User.organisations, User.programmes):
    models.signals.m2m_changed.connect(_forget_scope, sender=_relation.through,
                                       dispatch_uid=f"scope-{_relation.field.name}")
