"""Merging two records of one person into one, and undoing it.

A merge moves everything that points at `drop` to `keep`, fills `keep`'s blank fields from `drop`,
and deletes `drop` (and, with households, the household it empties). The Merge row keeps the
deleted rows as they were and every field the merge rewrote, old and new, so undo puts back the
same ids, values, versions and timestamps. Deleting rather than hiding `drop`: the registry has no
"merged" flag, and a hidden person would still be found by every search, count and report.

Every table that points at a Person or a Household must be known here (HANDLERS); the test suite
fails when a model adds one, so a new table is never silently cascaded away by a merge.
"""

import datetime
import json

from django.apps import apps
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEntry, _plain, entry, record_many
from homeward.concurrency import StaleVersion, Versioned
from programmes.models import EnrolmentStatus as S
from registry.actions import is_sensitive, obj_enrolled_sensitive, write_tokens
from registry.models import Household, Person

from .models import Merge

A = AuditEntry.Action

# How a merge carries over the rows of each (model, field) that points at a Person or Household.
# "derived" rows (search tokens, match keys) are rebuilt from the persons, never moved.
HANDLERS = {
    ("registry.person", "household"): "members",
    ("registry.persontoken", "person"): "derived",
    ("registry.persontoken", "household"): "derived",
    ("registry.householdtoken", "household"): "derived",  # the database derives it from the above
    ("registry.personvulnerability", "person"): "vulnerabilities",
    ("registry.identitydocument", "person"): "documents",
    ("registry.consent", "person"): "consents",
    ("assistance.delivery", "person"): "deliveries",
    ("assistance.delivery", "household"): "deliveries",
    ("activities.attendance", "person"): "attendance",
    ("matching.matchkey", "person"): "derived",
    ("matching.duplicatepair", "person_a"): "pairs",
    ("matching.duplicatepair", "person_b"): "pairs",
    ("programmes.enrolment", "household"): "enrolments",
}

# Which of two enrolments in one programme is further along. A closed enrolment ranks below every
# open one: of "closed" (the family withdrew) and "assisted", the assistance is what matters.
RANK = {S.CLOSED: 0, S.APPLIED: 1, S.ASSESSED: 2, S.INELIGIBLE: 3, S.ELIGIBLE: 3, S.REJECTED: 4,
        S.WAITLISTED: 4, S.SELECTED: 5, S.ASSISTED: 6, S.MONITORED: 7}

PERSON_FIELDS_NOT_FILLED = {"household", "ref", "relationship"}
HOUSEHOLD_FIELDS_NOT_FILLED = {"ref", "responsible_municipality", "responsible_organisation"}


def relations():
    """Every (model, field) in the project with a foreign key to Person or Household."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model in (Person, Household):
                found.append((model, field))
    return found


def _check_handlers():
    unknown = [f"{m._meta.label_lower}.{f.name}" for m, f in relations()
               if (m._meta.label_lower, f.name) not in HANDLERS]
    if unknown:
        # A programming error, not bad input: merging now would cascade-delete these rows.
        raise ImproperlyConfigured(f"merges.actions.HANDLERS does not say how to merge {', '.join(unknown)}")


def _require_decider(user):
    if not user.can_decide_selection:
        raise PermissionDenied(_("Only managers and administrators can merge or unmerge persons."))


def _require_reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why.")})
    return reason


def _load(value, model, field_name):
    return model._meta.get_field(field_name).to_python(value)


class ExactTimes(DjangoJSONEncoder):
    """Times to the microsecond. Django's encoder cuts them to the millisecond (as JavaScript's
    dates), and an undone merge gave back a household created up to a millisecond earlier than
    it was: an order the list sorts by, and the search index copies, changed."""

    def default(self, o):
        if isinstance(o, (datetime.datetime, datetime.time)):
            return o.isoformat()
        return super().default(o)


class _Journal:
    """Writes the merge's changes and remembers each one, for the Merge row and the audit trail."""

    def __init__(self, merge):
        self.merge = merge
        self.audit = []  # (action, obj, changes, household_id)

    def rewrite(self, obj, audit_household, /, **values):
        changes = {}
        for name, new in values.items():
            attname = obj._meta.get_field(name).attname
            new = getattr(new, "pk", new)
            if getattr(obj, attname) != new:
                changes[attname] = [getattr(obj, attname), new]
        if not changes:
            return
        update = {k: new for k, (old, new) in changes.items()}
        if isinstance(obj, Versioned):
            # A moved record is a changed record: an editor holding the old version must reload it.
            update["version"] = F("version") + 1
        type(obj)._base_manager.filter(pk=obj.pk).update(**update)
        for k, (old, new) in changes.items():
            setattr(obj, k, new)
        plain = {k: [_plain(old), _plain(new)] for k, (old, new) in changes.items()}
        self.merge.rewrites.append({"model": obj._meta.label_lower, "pk": obj.pk, "fields": plain})
        self.audit.append((A.UPDATE, obj, plain, audit_household))

    def remove(self, obj, audit_household):
        row = json.loads(serializers.serialize("json", [obj], cls=ExactTimes))[0]
        self.merge.removed.append(row)
        self.audit.append((A.DELETE, obj, {k: [v, None] for k, v in row["fields"].items()}, audit_household))
        type(obj)._base_manager.filter(pk=obj.pk).delete()


def _fields(obj):
    return json.loads(serializers.serialize("json", [obj]))[0]["fields"]


def _locked(obj):
    current = type(obj).objects.select_for_update().get(pk=obj.pk)
    if isinstance(obj, Versioned) and current.version != obj.version:
        raise StaleVersion(current)
    return current


@transaction.atomic
def merge_persons(keep, drop, *, acting_user, with_households=False, reason, via="web"):
    """Merge `drop` into `keep`; return the Merge. `keep` is refreshed with the merged values.

    Raises PermissionDenied (role), Person.DoesNotExist when either person is outside the user's
    scope (answer 404, as for any record out of scope), ValidationError naming "reason" or "drop",
    StaleVersion when either person changed since the caller loaded it. `via` goes on the audit
    rows: web, api, command...
    """
    _require_decider(acting_user)
    reason = _require_reason(reason)
    if keep.pk == drop.pk:
        raise ValidationError({"drop": _("A person cannot be merged into themselves.")})
    if Person.objects.visible_to(acting_user).filter(pk__in=[keep.pk, drop.pk]).count() != 2:
        raise Person.DoesNotExist("Person matching query does not exist.")
    _check_handlers()
    given, (keep, drop) = keep, (_locked(keep), _locked(drop))
    keep_household, drop_household = keep.household, drop.household
    households = with_households and keep_household.pk != drop_household.pk
    sensitive = any([is_sensitive(keep), is_sensitive(drop), obj_enrolled_sensitive(keep_household.pk),
                     obj_enrolled_sensitive(drop_household.pk)])
    if sensitive and not acting_user.sensitive:
        # The merge would move trafficking, medical or protection records the user may not see.
        raise PermissionDenied(_("Only users cleared for sensitive data merge persons with sensitive records."))

    mine, theirs = _fields(keep), _fields(drop)
    merge = Merge.objects.create(
        created_by=acting_user, reason=reason, with_households=households, keep_person_id=keep.pk,
        keep_household_id=keep_household.pk, drop_person_id=drop.pk, drop_household_id=drop_household.pk,
        differences={k: [v, theirs[k]] for k, v in mine.items()
                     if v != theirs[k] and k not in ("created_at", "updated_at", "version")},
    )
    journal = _Journal(merge)
    kh = keep_household.pk
    journal.audit.append((A.UPDATE, keep, {"merged_person": [None, drop.ref]}, kh))
    _move_person_rows(journal, keep, drop, kh)
    moved_members = []
    if households:
        moved_members = _move_household_rows(journal, keep_household, drop_household, drop)
    _fill_blanks(journal, keep, drop, PERSON_FIELDS_NOT_FILLED, kh)
    if households:
        _fill_blanks(journal, keep_household, drop_household, HOUSEHOLD_FIELDS_NOT_FILLED, kh)

    _require_nothing_left(drop, "person")
    journal.remove(drop, drop_household.pk)
    if households:
        _require_nothing_left(drop_household, "household")
        journal.remove(drop_household, drop_household.pk)
        merge.household_removed = True
    merge.save()

    _rebuild_derived([keep, *moved_members])
    _write_audit(journal.audit, acting_user, merge.audit_reason, sensitive, via)
    given.refresh_from_db()  # the caller's copy of keep is now stale: give it the merged values
    return merge


def _move_person_rows(journal, keep, drop, kh):
    from activities.models import Attendance
    from assistance.models import Delivery
    from matching.models import DuplicatePair

    kept = {v.category_id: v for v in keep.vulnerability_records.all()}
    for v in drop.vulnerability_records.all():
        if v.category_id in kept:
            # One record per category and person: keep's stays, blanks filled from drop's.
            same = kept[v.category_id]
            journal.rewrite(same, kh, noted_on=same.noted_on or v.noted_on, notes=same.notes or v.notes)
            journal.remove(v, kh)
        else:
            journal.rewrite(v, kh, person=keep)

    documents = {(d.kind, d.number.strip().upper(), d.issuing_country_id) for d in keep.documents.all()}
    for d in drop.documents.all():
        if (d.kind, d.number.strip().upper(), d.issuing_country_id) in documents:
            journal.remove(d, kh)  # the same document twice: one is enough, the other stays in the merge
        else:
            journal.rewrite(d, kh, person=keep)

    for c in drop.consents.all():
        journal.rewrite(c, kh, person=keep)

    attended = {a.activity_id: a for a in Attendance.objects.filter(person=keep)}
    for a in Attendance.objects.filter(person=drop):
        if a.activity_id in attended:
            # Both records at one activity: one attendance, present or certified if either was.
            same = attended[a.activity_id]
            journal.rewrite(same, kh, attended=same.attended or a.attended, certified=same.certified or a.certified)
            journal.remove(a, kh)
        else:
            journal.rewrite(a, kh, person=keep)

    # A person's delivery carries the person's household too (assistance.models.Delivery).
    for d in Delivery.objects.filter(person=drop):
        journal.rewrite(d, kh, person=keep, household_id=kh)

    for pair in DuplicatePair.objects.filter(Q(person_a=drop) | Q(person_b=drop)):
        other = pair.person_b_id if pair.person_a_id == drop.pk else pair.person_a_id
        a, b = sorted([keep.pk, other])
        if other == keep.pk or DuplicatePair.objects.filter(person_a_id=a, person_b_id=b).exists():
            journal.remove(pair, kh)
        else:
            journal.rewrite(pair, kh, person_a=a, person_b=b)


def _move_household_rows(journal, keep_household, drop_household, drop):
    from assistance.models import Delivery
    from programmes.models import Enrolment, EnrolmentStatusChange

    kh = keep_household.pk
    moved = []
    for member in drop_household.members.exclude(pk=drop.pk):
        # One head per household: the other household's head joins as "other".
        relationship = Person.Relationship.OTHER if member.relationship == Person.Relationship.HEAD else None
        journal.rewrite(member, kh, household=keep_household, relationship=relationship or member.relationship)
        moved.append(member)

    enrolled = {e.programme_id: e for e in keep_household.enrolments.all()}
    for e in drop_household.enrolments.all():
        same = enrolled.get(e.programme_id)
        if same is None:
            journal.rewrite(e, kh, household=keep_household)
            continue
        # Both households in one programme: one enrolment, at the further status, with both histories.
        for change in EnrolmentStatusChange.objects.filter(enrolment=e):
            journal.rewrite(change, kh, enrolment=same)
        if RANK[S(e.status)] > RANK[S(same.status)]:
            journal.rewrite(same, kh, status=e.status, status_changed_at=e.status_changed_at)
        journal.remove(e, kh)

    for d in Delivery.objects.filter(household=drop_household):
        journal.rewrite(d, kh, household=keep_household)
    return moved


def _fill_blanks(journal, keep, drop, skip, kh):
    fills = {}
    for field in keep._meta.concrete_fields:
        if field.primary_key or field.name in skip or field.name in ("version", "created_at", "updated_at"):
            continue
        mine, theirs = getattr(keep, field.attname), getattr(drop, field.attname)
        if mine in (None, "") and theirs not in (None, ""):
            fills[field.name] = theirs
    born = fills.get("date_of_birth") if isinstance(keep, Person) else None
    if born and keep.birth_year not in (None, born.year):
        del fills["date_of_birth"]  # a date that contradicts keep's birth year would make keep invalid
    elif born:
        fills["birth_year"] = born.year
    journal.rewrite(keep, kh, **fills)


def _require_nothing_left(obj, what):
    # Deleting would cascade to whatever still points here; every row should have moved by now.
    for model, field in relations():
        if field.related_model is not type(obj) or HANDLERS[(model._meta.label_lower, field.name)] == "derived":
            continue
        if model._base_manager.filter(**{field.name: obj.pk}).exists():
            raise ImproperlyConfigured(f"merge left {model._meta.label_lower} rows pointing at the dropped {what}")


def _rebuild_derived(persons):
    from matching.keys import write_keys

    for person in persons:
        person.refresh_from_db()
        write_tokens(person)
        write_keys(person)


def _write_audit(rows, actor, reason, sensitive, via):
    record_many([entry(actor, action, obj, changes=changes, household_id=household_id, sensitive=sensitive,
                       reason=reason, via=via) for action, obj, changes, household_id in rows])


# Undo ------------------------------------------------------------------------------------------

@transaction.atomic
def undo_merge(merge, *, acting_user, reason, via="web"):
    """Put back what `merge` changed: the dropped person (same id) and its household, every moved
    row, and keep's values from before. Return the Merge, marked undone.

    Raises PermissionDenied (role), Merge.DoesNotExist when the kept person is outside the user's
    scope, ValidationError naming "reason", or "merge" with the reason undo is unsafe: already
    undone, a later merge touched the same persons, or a moved row was changed since. `via` goes
    on the audit rows.
    """
    _require_decider(acting_user)
    reason = _require_reason(reason)
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    if not Person.objects.visible_to(acting_user).filter(pk=merge.keep_person_id).exists():
        raise Merge.DoesNotExist("Merge matching query does not exist.")
    if merge.undone_at:
        raise ValidationError({"merge": _("This merge was already undone.")})
    _check_undo_is_safe(merge)

    audit = []
    # Rows come back in the reverse order of their removal: the household before its person,
    # an enrolment before the status changes that move back to it.
    for restored in serializers.deserialize("json", json.dumps(list(reversed(merge.removed)))):
        restored.save()  # a raw save: ids, versions and timestamps as stored, not as for a new row
        audit.append((A.CREATE, restored.object, {k: [None, v] for k, v in _fields(restored.object).items()},
                      merge.drop_household_id))
    touched = {merge.keep_person_id, merge.drop_person_id}
    for row in reversed(merge.rewrites):
        model = apps.get_model(row["model"])
        obj = model._base_manager.get(pk=row["pk"])
        update = {name: _load(old, model, name) for name, (old, new) in row["fields"].items()}
        if isinstance(obj, Versioned):
            update["version"] = F("version") + 1
        model._base_manager.filter(pk=obj.pk).update(**update)
        if model is Person:
            touched.add(obj.pk)
        audit.append((A.UPDATE, obj, {name: [new, old] for name, (old, new) in row["fields"].items()},
                      merge.keep_household_id))

    merge.undone_at, merge.undone_by, merge.undo_reason = timezone.now(), acting_user, reason
    merge.save(update_fields=["undone_at", "undone_by", "undo_reason"])
    persons = list(Person.objects.filter(pk__in=touched))
    _rebuild_derived(persons)
    sensitive = any(is_sensitive(p) or obj_enrolled_sensitive(p.household_id) for p in persons)
    _write_audit(audit, acting_user, f"undo {merge.audit_reason}", sensitive, via)
    return merge


def _check_undo_is_safe(merge):
    persons = {merge.keep_person_id, merge.drop_person_id}
    households = {merge.keep_household_id, merge.drop_household_id}
    later = (Merge.objects.active().filter(pk__gt=merge.pk)
             .filter(Q(keep_person_id__in=persons) | Q(drop_person_id__in=persons)
                     | Q(keep_household_id__in=households) | Q(drop_household_id__in=households))
             .order_by("-pk").values_list("pk", flat=True))
    if later:
        raise ValidationError({"merge": _("Undo the later merges of these persons first: %(ids)s.")
                               % {"ids": ", ".join(f"#{pk}" for pk in later)}})
    problems = []
    for row in merge.removed:
        model = apps.get_model(row["model"])
        if model._base_manager.filter(pk=row["pk"]).exists():
            problems.append(_("%(model)s %(pk)s exists again.") % {"model": row["model"], "pk": row["pk"]})
        ref = row["fields"].get("ref")
        if ref and model in (Person, Household) and model._base_manager.filter(ref=ref).exists():
            problems.append(_("The reference %(ref)s was given to another record since.") % {"ref": ref})
    removed = {(row["model"], row["pk"]) for row in merge.removed}
    for row in merge.removed:
        # What a removed row pointed at (an activity, a programme, its household) must still exist.
        model = apps.get_model(row["model"])
        for field in model._meta.concrete_fields:
            target = row["fields"].get(field.name)
            if not field.is_relation or target is None:
                continue
            label = field.related_model._meta.label_lower
            if (label, target) not in removed and not field.related_model._base_manager.filter(pk=target).exists():
                problems.append(_("%(model)s %(pk)s was deleted since the merge.") % {"model": label, "pk": target})
    seen = set()
    for row in reversed(merge.rewrites):
        model = apps.get_model(row["model"])
        obj = model._base_manager.filter(pk=row["pk"]).first()
        if obj is None:
            problems.append(_("%(model)s %(pk)s was deleted since the merge.")
                            % {"model": row["model"], "pk": row["pk"]})
            continue
        for name, (old, new) in row["fields"].items():
            # A field written twice by the merge is compared with the last value it wrote.
            if (row["model"], row["pk"], name) in seen:
                continue
            seen.add((row["model"], row["pk"], name))
            if getattr(obj, name) != _load(new, model, name):
                problems.append(_("%(model)s %(pk)s was changed since the merge (%(field)s).")
                                % {"model": row["model"], "pk": row["pk"], "field": name})
    problems += _deliveries_left_behind(merge)
    if problems:
        raise ValidationError({"merge": [_("Undoing would overwrite later work:")] + problems})


def _deliveries_left_behind(merge):
    """A member who goes back to their household must not leave a delivery recorded after the
    merge in the household they leave: a person's delivery carries the person's household."""
    from assistance.models import Delivery

    rewritten = {row["pk"] for row in merge.rewrites if row["model"] == "assistance.delivery"}
    problems = []
    for row in merge.rewrites:
        if row["model"] == "registry.person" and "household_id" in row["fields"]:
            home = row["fields"]["household_id"][0]
            for pk in (Delivery.objects.filter(person_id=row["pk"]).exclude(household_id=home)
                       .exclude(pk__in=rewritten).values_list("pk", flat=True)):
                problems.append(_("assistance.delivery %(pk)s was recorded for person %(person)s after the merge.")
                                % {"pk": pk, "person": row["pk"]})
    return problems


# Reading merged history ------------------------------------------------------------------------

def merged_person_ids(person_id):
    """`person_id` and every person merged into it (through chains of merges), not undone."""
    ids, frontier = {person_id}, [person_id]
    while frontier:
        frontier = [pk for pk in Merge.objects.active().filter(keep_person_id__in=frontier)
                    .values_list("drop_person_id", flat=True) if pk not in ids]
        ids.update(frontier)
    return ids


def merged_household_ids(household_id):
    """`household_id` and every household merged into it and removed, not undone."""
    ids, frontier = {household_id}, [household_id]
    while frontier:
        frontier = [pk for pk in Merge.objects.active().filter(keep_household_id__in=frontier, household_removed=True)
                    .values_list("drop_household_id", flat=True) if pk not in ids]
        ids.update(frontier)
    return ids


def audit_trail(household):
    """The household's audit rows, with those of the households merged into it: audit rows are
    append-only, so a merge cannot re-point them; the trail reads them under the old id instead."""
    return AuditEntry.objects.filter(household_id__in=merged_household_ids(household.pk))


def person_audit_trail(person):
    return AuditEntry.objects.filter(model="registry.person",
                                     object_id__in=[str(pk) for pk in merged_person_ids(person.pk)])


def merged_refs(refs):
    """{ref: (ref of the person it was merged into, merge id)} for the refs in `refs` that belong to
    persons merged away (active merges only), following a chain of merges to the person kept last."""
    refs = set(refs)
    found, kept_ids = {}, {}
    for merge in Merge.objects.active().order_by("created_at", "pk"):
        dropped = merge.dropped
        if dropped.get("ref") in refs:
            found[dropped["ref"]] = merge
        kept_ids[merge.drop_person_id] = merge.keep_person_id
    result = {}
    for ref, merge in found.items():
        keep = merge.keep_person_id
        while keep in kept_ids:
            keep = kept_ids[keep]
        kept = Person.objects.filter(pk=keep).values_list("ref", flat=True).first()
        result[ref] = (kept, merge.pk)
    return result
