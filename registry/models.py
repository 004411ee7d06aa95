"""Households and the people in them."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from homeward.concurrency import Versioned
from homeward.text import fold_tokens
from places.models import DISPLACEMENT_STATUSES


class VulnerabilityCategory(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name_en = models.CharField(max_length=100)
    name_sq = models.CharField(max_length=100)
    name_sr_latn = models.CharField(max_length=100)
    # Sensitive categories (trafficking, GBV, medical, psychosocial, child protection...) are
    # shown only to users marked sensitive, and every view of them is audited.
    sensitive = models.BooleanField(default=False)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "vulnerability categories"

    def __str__(self):
        return self.name_en


class HouseholdQuerySet(models.QuerySet):
    def visible_to(self, user):
        from accounts.scope import household_scope

        return self.filter(household_scope(user))

    def search(self, text):
        """Households with a member whose names start with every word of `text`, in any script
        or spelling; or whose ref is `text`."""
        words = fold_tokens(text)
        if not words:
            return self
        # One subquery intersecting the words' token ranges: the database reads each range once
        # from the households' search index, instead of probing a nested IN per word. (A search
        # without other filters reads the scope and order from that index too: registry.search.)
        ranges = [HouseholdToken.objects.prefixed(word).values("household_id") for word in words]
        by_name = ranges[0].intersection(*ranges[1:]) if len(ranges) > 1 else ranges[0]
        # The ref joins the same subquery, looked up through its unique index. An OR of the two
        # conditions in the outer query would cost every name search a scan.
        stripped = text.strip()
        by_ref = Household._base_manager.filter(ref__in={stripped, stripped.upper()}).values("pk")
        found = by_name.union(by_ref, all=True)
        return self.filter(pk__found_in=found) if len(ranges) > 1 else self.filter(pk__in=found)


class FoundIn(models.lookups.In):
    """`pk__found_in=subquery`: IN, and on PostgreSQL `= ANY(ARRAY(subquery))`. PostgreSQL cannot
    estimate how many households an INTERSECT of several names finds (9,204 guessed for 459
    found for "Besnik Berisha"), so it hashed a caseworker's whole scope (26,000 households) to
    join them. An array is computed first and its keys looked up: 10.5 ms became 4.7 ms."""

    lookup_name = "found_in"

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


class Household(Versioned):
    class Accommodation(models.TextChoices):
        PRIVATE = "private", _("Private accommodation")
        COLLECTIVE = "collective_centre", _("Collective centre")
        INFORMAL = "informal_settlement", _("Informal settlement")
        HOST_FAMILY = "host_family", _("Host family")
        RENTED = "rented", _("Rented")

    ref = models.CharField(max_length=60, unique=True)
    origin_municipality = models.ForeignKey(
        "places.Municipality", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    origin_place = models.CharField(max_length=200, blank=True)  # village or settlement of origin
    current_country = models.ForeignKey("places.Country", on_delete=models.PROTECT, related_name="+")
    current_municipality = models.ForeignKey(
        "places.Municipality", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    current_place = models.CharField(max_length=200, blank=True)  # settlement, town or address
    accommodation = models.CharField(max_length=20, choices=Accommodation.choices, blank=True)
    # Who is responsible for the case decides who may see it (accounts.scope).
    responsible_municipality = models.ForeignKey(
        "places.Municipality", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responsible_organisation = models.ForeignKey(
        "programmes.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="households"
    )
    phone = models.CharField(max_length=40, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        # Newest first. Keys grow with every registration (and a merge undone gives a household its
        # key back), so they are in the order of created_at without a second column to sort on: a
        # search that finds 11,000 households sorts them by one integer (registry.search).
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["responsible_municipality"]),
            models.Index(fields=["current_municipality"]),
        ]

    def __str__(self):
        return self.ref

    def head(self):
        return next((m for m in self.members.all() if m.relationship == Person.Relationship.HEAD), None)

    def clean(self):
        errors = {}
        if self.current_country_id and self.current_country.code != "XK" and self.current_municipality_id:
            errors["current_municipality"] = _("A municipality is given only when the current country is Kosovo.")
        if errors:
            raise ValidationError(errors)


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user):
        from accounts.scope import household_scope

        return self.filter(household_scope(user, prefix="household__"))

    def search(self, text):
        words = fold_tokens(text)
        if not words:
            return self
        ranges = [PersonToken.objects.prefixed(word).values("person_id") for word in words]
        return self.filter(pk__in=ranges[0].intersection(*ranges[1:]) if len(ranges) > 1 else ranges[0])


class Person(Versioned):
    class Sex(models.TextChoices):
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")

    class Relationship(models.TextChoices):
        HEAD = "head", _("Head of household")
        SPOUSE = "spouse", _("Spouse")
        CHILD = "child", _("Child")
        PARENT = "parent", _("Parent")
        SIBLING = "sibling", _("Sibling")
        GRANDCHILD = "grandchild", _("Grandchild")
        OTHER = "other", _("Other")

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members")
    ref = models.CharField(max_length=60, unique=True)
    relationship = models.CharField(max_length=12, choices=Relationship.choices)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    father_name = models.CharField(max_length=100, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices)
    # Many people know only their year of birth: then date_of_birth is empty and birth_year set.
    date_of_birth = models.DateField(null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    community = models.ForeignKey("places.Community", null=True, blank=True, on_delete=models.PROTECT)
    displacement_status = models.CharField(max_length=16, choices=DISPLACEMENT_STATUSES)
    phone = models.CharField(max_length=40, blank=True)
    vulnerabilities = models.ManyToManyField(VulnerabilityCategory, through="PersonVulnerability", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["household_id", "pk"]

    def __str__(self):
        return self.full_name()

    def full_name(self):
        return f"{self.given_name} {self.family_name}"

    def birth_display(self):
        if self.date_of_birth:
            return self.date_of_birth.isoformat()
        return str(self.birth_year) if self.birth_year else ""

    def age_on(self, day):
        if self.date_of_birth:
            d = self.date_of_birth
            return day.year - d.year - ((day.month, day.day) < (d.month, d.day))
        if self.birth_year:
            return day.year - self.birth_year  # year only: the age reached this calendar year
        return None

    def clean(self):
        errors = {}
        if self.date_of_birth:
            if self.date_of_birth > datetime.date.today():
                errors["date_of_birth"] = _("The date of birth is in the future.")
            elif self.birth_year and self.birth_year != self.date_of_birth.year:
                errors["date_of_birth"] = _("The date of birth and the birth year disagree.")
            else:
                self.birth_year = self.date_of_birth.year
        if self.birth_year and not 1890 <= self.birth_year <= datetime.date.today().year:
            errors["date_of_birth"] = _("The birth year is not plausible.")
        for field in ("given_name", "family_name"):
            if not fold_tokens(getattr(self, field)):
                errors[field] = _("A name needs at least one letter.")
        if errors:
            raise ValidationError(errors)

    def name_tokens(self):
        return sorted(set(fold_tokens(f"{self.given_name} {self.family_name} {self.father_name}")))


class PersonTokenQuerySet(models.QuerySet):
    def prefixed(self, word):
        # A range on the indexed column instead of LIKE: it uses the index on every database.
        # Tokens hold only [a-z0-9], all below "{".
        return self.filter(token__gte=word, token__lt=word + "{")


class PersonToken(models.Model):
    """The folded words of a person's names, for indexed search in any script."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="tokens")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=100)

    objects = PersonTokenQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["token", "household"])]


class HouseholdTokenQuerySet(PersonTokenQuerySet):
    def visible_to(self, user):
        from accounts.scope import household_scope

        return self.filter(household_scope(user, key="household_id"))


class HouseholdToken(models.Model):
    """The search index of households: each folded word of any member's names once per household,
    with what a search of households filters on (the household's responsibility, which decides who
    may see it) copied next to it; the list's order is the household's key.

    A search reads the word's range of this one index, and its scope and order with it. Read from
    PersonToken, every household a common name finds was looked up for those (11,215 for
    "Krasniqi" among 100,000 households): 17 of 30 ms on PostgreSQL.

    Written by the database alone: triggers (migration registry 0004) keep it equal to the
    households' PersonToken rows and to their responsibility, in the same
    transaction as any write to those, by any path (actions, merges, imports, bulk inserts). A copy
    the application had to remember to update would show a household to the municipality it has
    just left."""

    token = models.CharField(max_length=100)
    household = models.ForeignKey(Household, on_delete=models.DO_NOTHING, related_name="+")
    # Copies, without constraints or indexes of their own: the index below covers them.
    responsible_municipality = models.ForeignKey("places.Municipality", null=True, on_delete=models.DO_NOTHING,
                                                 db_constraint=False, db_index=False, related_name="+")
    responsible_organisation = models.ForeignKey("programmes.Organisation", null=True, on_delete=models.DO_NOTHING,
                                                 db_constraint=False, db_index=False, related_name="+")

    objects = HouseholdTokenQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "household"], name="registry_householdtoken_once")]
        # Covering: a search reads the range of a word and everything it filters and sorts on from it.
        indexes = [models.Index(fields=["token", "responsible_municipality", "responsible_organisation", "household"],
                                name="registry_householdtoken_find")]


class PersonVulnerabilityQuerySet(models.QuerySet):
    def visible_to(self, user):
        if getattr(user, "sensitive", False):
            return self
        return self.filter(category__sensitive=False)


class PersonVulnerability(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="vulnerability_records")
    category = models.ForeignKey(VulnerabilityCategory, on_delete=models.PROTECT)
    noted_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    objects = PersonVulnerabilityQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "category"], name="one_record_per_vulnerability")]


class IdentityDocument(models.Model):
    class Kind(models.TextChoices):
        PERSONAL_NUMBER = "personal_number", _("Personal number")
        ID_CARD = "id_card", _("Identity card")
        PASSPORT = "passport", _("Passport")
        BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
        UNMIK_ID = "unmik_id", _("UNMIK identity document")
        REFUGEE_ID = "refugee_id", _("Refugee or IDP card")
        OTHER = "other", _("Other")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    number = models.CharField(max_length=60)
    issuing_country = models.ForeignKey("places.Country", null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        indexes = [models.Index(fields=["number"])]


class Consent(models.Model):
    class Purpose(models.TextChoices):
        REGISTRATION = "registration", _("Registration and case management")
        DATA_SHARING = "data_sharing", _("Sharing with partner organisations")
        REFERRAL = "referral", _("Referral to services")
        PHOTO = "photo", _("Photographs and publicity")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    given_on = models.DateField()
    withdrawn_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["purpose", "-given_on"]

    def clean(self):
        if self.withdrawn_on and self.given_on and self.withdrawn_on < self.given_on:
            raise ValidationError({"withdrawn_on": _("Consent cannot be withdrawn before it was given.")})


Household._meta.pk.register_lookup(FoundIn)
