"""Every write to the registry: one function per action, atomic, taking the acting user and
writing the audit rows in the same transaction as the change."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import AuditEntry, entry, record, record_many, snapshot, diff
from homeward.concurrency import save_versioned
from matching.keys import write_household_keys, write_keys
from registry.models import Consent, Household, IdentityDocument, Person, PersonToken, PersonVulnerability

A = AuditEntry.Action
HOUSEHOLD_FIELDS = [
    "ref", "origin_municipality", "origin_place", "current_country", "current_municipality", "current_place",
    "accommodation", "responsible_municipality", "responsible_organisation", "phone", "notes",
]
PERSON_FIELDS = [
    "ref", "relationship", "given_name", "family_name", "father_name", "sex", "date_of_birth", "birth_year",
    "community", "displacement_status", "phone",
]


def _require_editor(user):
    if not user.can_edit_registry:
        raise PermissionDenied(_("Your role cannot change the registry."))


def _require_in_scope(user, household_id):
    # Callers fetch records through visible_to() already; this keeps a forgotten check in a new
    # caller from becoming a write outside the user's scope.
    if not Household.objects.visible_to(user).filter(pk=household_id).exists():
        raise PermissionDenied(_("This household is outside your scope."))


def _prefixed(error, prefix):
    """Re-key a model ValidationError's fields with `prefix` (members[2].sex)."""
    if not prefix:
        return error
    if hasattr(error, "error_dict"):
        return ValidationError({f"{prefix}{k}": v for k, v in error.error_dict.items()})
    return ValidationError({prefix.rstrip("."): error.messages})


def _clean(obj, prefix="", exclude=None):
    try:
        obj.full_clean(exclude=exclude, validate_unique=True)
    except ValidationError as e:
        raise _prefixed(e, prefix)


def _next_ref(model, letter):
    last = model.objects.filter(ref__startswith=f"{letter}-").order_by("-pk").values_list("pk", flat=True).first()
    n = (last or 0) + 1
    while model.objects.filter(ref=f"{letter}-{n:06d}").exists():
        n += 1
    return f"{letter}-{n:06d}"


def _default_responsibility(household, user):
    if household.responsible_municipality_id is None:
        mine = list(user.municipalities.all()[:2])
        if len(mine) == 1:
            household.responsible_municipality = mine[0]
        elif household.current_municipality_id:
            household.responsible_municipality = household.current_municipality
        elif household.origin_municipality_id:
            household.responsible_municipality = household.origin_municipality
    if household.responsible_organisation_id is None:
        mine = list(user.organisations.all()[:2])
        if len(mine) == 1:
            household.responsible_organisation = mine[0]


def is_sensitive(person):
    return PersonVulnerability.objects.filter(person=person, category__sensitive=True).exists()


def write_tokens(person):
    PersonToken.objects.filter(person=person).delete()
    PersonToken.objects.bulk_create(
        PersonToken(person=person, household_id=person.household_id, token=t[:100]) for t in person.name_tokens()
    )


def _check_members(members):
    heads = sum(1 for m in members if m.relationship == Person.Relationship.HEAD)
    if heads != 1:
        raise ValidationError({"members": _("A household has exactly one head (found %(n)d).") % {"n": heads}})


def _save_person(person, prefix, user, via):
    if not person.ref:
        person.ref = _next_ref(Person, "P")
    _clean(person, prefix, exclude=["household"])
    person.save()
    write_tokens(person)
    write_keys(person)
    return entry(user, A.CREATE, person, changes=diff({}, snapshot(person)), household_id=person.household_id, via=via)


@transaction.atomic
def create_household(*, acting_user, household, members, vulnerabilities=None, programme=None, via="web"):
    """Register `household` (unsaved) with its `members` (unsaved persons), optionally enrolled in
    `programme`. `vulnerabilities` maps a member's index to categories. All or nothing."""
    _require_editor(acting_user)
    if not household.ref:
        household.ref = _next_ref(Household, "H")
    _default_responsibility(household, acting_user)
    _clean(household)
    _check_members(members)
    household.save()
    entries = [entry(acting_user, A.CREATE, household, changes=diff({}, snapshot(household)),
                     household_id=household.pk, via=via)]
    for i, person in enumerate(members):
        person.household = household
        entries.append(_save_person(person, f"members[{i}].", acting_user, via))
        for category in (vulnerabilities or {}).get(i, []):
            PersonVulnerability.objects.create(person=person, category=category)
            entries.append(entry(acting_user, A.CREATE, person, changes={"vulnerability": [None, category.code]},
                                 household_id=household.pk, sensitive=category.sensitive, via=via))
    record_many(entries)
    if programme is not None:
        from programmes.actions import enrol

        enrol(household, programme, acting_user=acting_user, via=via)
    # The household must end up where its creator can see it: a caseworker in Klinë cannot
    # register a case for Dragash. Checked through the scoping function itself, so the rule
    # cannot drift from what the user is shown.
    if not Household.objects.visible_to(acting_user).filter(pk=household.pk).exists():
        raise ValidationError({"responsible_municipality": _("This household would be outside your scope.")})
    return household


def _apply(obj, changes, allowed):
    before = snapshot(obj, allowed)
    for field, value in changes.items():
        if field not in allowed:
            raise ValidationError({field: _("This field cannot be changed here.")})
        setattr(obj, field, value)
    return before


@transaction.atomic
def update_household(household, changes, *, expected_version, acting_user, via="web"):
    _require_editor(acting_user)
    _require_in_scope(acting_user, household.pk)
    before = _apply(household, changes, HOUSEHOLD_FIELDS)
    _clean(household)
    after = snapshot(household, HOUSEHOLD_FIELDS)
    save_versioned(household, expected_version, HOUSEHOLD_FIELDS)
    if "phone" in changes:
        write_household_keys(household)  # a shared phone proposes candidates for duplicate checks
    if not Household.objects.visible_to(acting_user).filter(pk=household.pk).exists():
        raise ValidationError({"responsible_municipality": _("This household would be outside your scope.")})
    record(acting_user, A.UPDATE, household, changes=diff(before, after), household_id=household.pk, via=via)
    return household


@transaction.atomic
def update_person(person, changes, *, expected_version, acting_user, via="web"):
    _require_editor(acting_user)
    _require_in_scope(acting_user, person.household_id)
    before = _apply(person, changes, PERSON_FIELDS)
    if "date_of_birth" in changes and "birth_year" not in changes:
        person.birth_year = None  # recomputed from the date by clean(); kept when only a year is given
        if person.date_of_birth is None:
            person.birth_year = before.get("birth_year")
    _clean(person)
    if "relationship" in changes:
        _check_members([person if m.pk == person.pk else m for m in person.household.members.all()])
    after = snapshot(person, PERSON_FIELDS)
    save_versioned(person, expected_version, PERSON_FIELDS)
    write_tokens(person)
    write_keys(person)
    record(acting_user, A.UPDATE, person, changes=diff(before, after), household_id=person.household_id,
           sensitive=is_sensitive(person), via=via)
    return person


@transaction.atomic
def add_member(household, person, *, acting_user, via="web"):
    _require_editor(acting_user)
    _require_in_scope(acting_user, household.pk)
    person.household = household
    e = _save_person(person, "", acting_user, via)
    _check_members(list(household.members.all()))
    e.save()
    return person


@transaction.atomic
def set_vulnerabilities(person, categories, *, acting_user, via="web"):
    """Replace the person's vulnerabilities with `categories`, leaving alone the sensitive ones
    the acting user is not allowed to see (they cannot have meant to remove them)."""
    _require_editor(acting_user)
    _require_in_scope(acting_user, person.household_id)
    visible = PersonVulnerability.objects.visible_to(acting_user).filter(person=person)
    current = {v.category_id: v for v in visible.select_related("category")}
    wanted = {c.pk: c for c in categories if c.sensitive is False or acting_user.sensitive}
    entries = []
    for cid, v in current.items():
        if cid not in wanted:
            v.delete()
            entries.append(entry(acting_user, A.UPDATE, person, changes={"vulnerability": [v.category.code, None]},
                                 household_id=person.household_id, sensitive=v.category.sensitive, via=via))
    for cid, c in wanted.items():
        if cid not in current:
            PersonVulnerability.objects.create(person=person, category=c)
            entries.append(entry(acting_user, A.UPDATE, person, changes={"vulnerability": [None, c.code]},
                                 household_id=person.household_id, sensitive=c.sensitive, via=via))
    record_many(entries)


@transaction.atomic
def delete_household(household, *, expected_version, acting_user, via="web"):
    _require_editor(acting_user)
    _require_in_scope(acting_user, household.pk)
    locked = Household.objects.filter(pk=household.pk, version=expected_version)
    if not locked.exists():
        from homeward.concurrency import StaleVersion

        raise StaleVersion(Household.objects.get(pk=household.pk))
    entries = []
    for person in household.members.all():
        entries.append(entry(acting_user, A.DELETE, person, changes=diff(snapshot(person), {}),
                             household_id=household.pk, sensitive=is_sensitive(person), via=via))
    entries.append(entry(acting_user, A.DELETE, household, changes=diff(snapshot(household), {}),
                         household_id=household.pk, via=via))
    household.members.all().delete()
    household.delete()
    record_many(entries)


def record_view(user, obj, household_id=None, via="web"):
    """Viewing a record with sensitive data is itself audited."""
    person_ids = [obj.pk] if isinstance(obj, Person) else list(obj.members.values_list("pk", flat=True))
    if PersonVulnerability.objects.filter(person_id__in=person_ids, category__sensitive=True).exists() or (
        obj_enrolled_sensitive(household_id or (obj.household_id if isinstance(obj, Person) else obj.pk))
    ):
        record(user, A.VIEW, obj, household_id=household_id or getattr(obj, "household_id", obj.pk),
               sensitive=True, via=via)


def record_views(user, households, via="web"):
    """A page of households the caller already knows show sensitive data: one audit row each,
    written together (one write per listed household cost more than the rest of the request)."""
    if households:
        record_many([entry(user, A.VIEW, h, household_id=h.pk, sensitive=True, via=via) for h in households])


def obj_enrolled_sensitive(household_id):
    from programmes.models import Enrolment

    return Enrolment.objects.filter(household_id=household_id, programme__sensitive=True).exists()


# Identity documents and consents: small records of a person. A document's rows are audited as
# its own record, with the household, so they show in the household's audit trail.

DOCUMENT_FIELDS = ["kind", "number", "issuing_country"]


@transaction.atomic
def add_document(person, *, kind, number, issuing_country=None, acting_user, via="web"):
    _require_editor(acting_user)
    _require_in_scope(acting_user, person.household_id)
    number = (number or "").strip()
    errors = {}
    if kind not in IdentityDocument.Kind.values:
        errors["kind"] = _("Choose one of: %(v)s.") % {"v": ", ".join(IdentityDocument.Kind.values)}
    if not number:
        errors["number"] = _("Enter the document's number.")
    elif person.documents.filter(kind=kind, number__iexact=number).exists():
        errors["number"] = _("This person already has this document.")
    if errors:
        raise ValidationError(errors)
    document = IdentityDocument.objects.create(person=person, kind=kind, number=number,
                                               issuing_country=issuing_country)
    record(acting_user, A.CREATE, document, changes=diff({}, snapshot(document, DOCUMENT_FIELDS)),
           household_id=person.household_id, via=via)
    write_keys(person)
    return document


@transaction.atomic
def remove_document(document, *, acting_user, via="web"):
    person = document.person
    _require_editor(acting_user)
    _require_in_scope(acting_user, person.household_id)
    record(acting_user, A.DELETE, document, changes=diff(snapshot(document, DOCUMENT_FIELDS), {}),
           household_id=person.household_id, via=via)
    document.delete()
    write_keys(person)


@transaction.atomic
def set_personal_number(person, number, *, acting_user, via="web"):
    """The person's personal number (`id_number` in the registry file and the API), kept as an
    identity document: added, changed, or removed when `number` is blank."""
    kind = IdentityDocument.Kind.PERSONAL_NUMBER
    number = (number or "").strip()
    document = person.documents.filter(kind=kind).first()
    if (document.number if document else "") == number:
        return
    if not number:
        remove_document(document, acting_user=acting_user, via=via)
    elif document is None:
        add_document(person, kind=kind, number=number, acting_user=acting_user, via=via)
    else:
        _require_editor(acting_user)
        _require_in_scope(acting_user, person.household_id)
        before = snapshot(document, DOCUMENT_FIELDS)
        document.number = number
        document.save(update_fields=["number"])
        record(acting_user, A.UPDATE, document, changes=diff(before, snapshot(document, DOCUMENT_FIELDS)),
               household_id=person.household_id, via=via)
        write_keys(person)


@transaction.atomic
def record_consent(person, *, purpose, given_on, acting_user, via="web"):
    _require_editor(acting_user)
    _require_in_scope(acting_user, person.household_id)
    errors = {}
    if purpose not in Consent.Purpose.values:
        errors["purpose"] = _("Choose one of: %(v)s.") % {"v": ", ".join(Consent.Purpose.values)}
    if given_on is None:
        errors["given_on"] = _("Enter the date the consent was given.")
    if errors:
        raise ValidationError(errors)
    consent = Consent.objects.create(person=person, purpose=purpose, given_on=given_on, recorded_by=acting_user)
    record(acting_user, A.UPDATE, person, changes={f"consent.{purpose}": [None, f"given {given_on}"]},
           household_id=person.household_id, via=via)
    return consent


@transaction.atomic
def withdraw_consent(consent, *, withdrawn_on, acting_user, via="web"):
    """Withdrawal is recorded, never deleted: when consent ended matters for what was done before."""
    person = consent.person
    _require_editor(acting_user)
    _require_in_scope(acting_user, person.household_id)
    if consent.withdrawn_on:
        raise ValidationError({"withdrawn_on": _("This consent was already withdrawn.")})
    if withdrawn_on is None:
        raise ValidationError({"withdrawn_on": _("Enter the date the consent was withdrawn.")})
    consent.withdrawn_on = withdrawn_on
    consent.full_clean(exclude=["person", "recorded_by"])
    consent.save(update_fields=["withdrawn_on"])
    record(acting_user, A.UPDATE, person,
           changes={f"consent.{consent.purpose}": [f"given {consent.given_on}", f"withdrawn {withdrawn_on}"]},
           household_id=person.household_id, via=via)
    return consent
