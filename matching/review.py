"""The duplicate review queue: the "match" background job stores the pairs `registry_pairs` finds
(matching.candidates), and managers decide each pair: not a duplicate, or merge.

Rules:
- A pair is stored once (person_a has the lower id). A new run updates the score of an open pair,
  adds new pairs, and drops open pairs it no longer finds (nobody decided them; the queue shows
  what the latest run found). "Not a duplicate" is never reopened, however often the search finds
  the two persons alike. A merge removes its pair with the dropped person (merges.actions keeps it
  for undo); a "merged" pair found again can only come back from an undone merge, and reopens.
- Everyone reads pairs through DuplicatePair.objects.visible_to(user): both persons in scope.
- Only managers and administrators decide (user.can_decide_selection), with a reason; each
  decision is an audit row on each person's household.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assistance.models import Delivery
from audit.models import AuditEntry, entry, record_many
from matching.candidates import registry_pairs
from matching.keys import Record, stored_names
from matching.models import DuplicatePair
from matching.score import DEFAULT_THRESHOLD, band, compare
from merges import actions as merges
from programmes.models import Enrolment
from registry.models import Person, PersonVulnerability

P = DuplicatePair.Status
CHUNK = 1000


# The "match" job --------------------------------------------------------------------------------

def run_match(job, report_progress):
    """Job kind "match": search the whole registry and store the pairs for review."""
    raw = (job.parameters or {}).get("threshold", DEFAULT_THRESHOLD)
    try:
        threshold = float(raw)
    except (TypeError, ValueError):
        threshold = -1.0
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold: give a number above 0 and up to 1, not {raw!r}")
    skipped = []
    report_progress(5, _("Comparing persons who share a name, date or phone"))
    rows = registry_pairs(threshold, skipped=lambda key, size: skipped.append(size),
                          progress=lambda done, total: report_progress(
                              5 + 65 * done // max(total, 1), _("Comparing persons who share a name, date or phone")))
    report_progress(70, _("Storing %(n)d pair(s) for review") % {"n": len(rows)})
    counts = store_pairs(rows, report_progress)
    return {**counts, "threshold": threshold, "skipped_blocks": len(skipped)}


def _ids_by_label(labels):
    """{label: person id} for registry_pairs' labels: the person's ref, or #<id> for a person without one."""
    ids = {label: int(label[1:]) for label in labels if label.startswith("#") and label[1:].isdigit()}
    refs = [label for label in labels if label not in ids]
    for start in range(0, len(refs), CHUNK):
        ids.update(Person.objects.filter(ref__in=refs[start : start + CHUNK]).values_list("ref", "pk"))
    return ids


def store_pairs(rows, report_progress=lambda percent, message="": None):
    """Store [(label_a, label_b, score)] as review pairs; returns the counts of what changed."""
    labels = sorted({label for a, b, _score in rows for label in (a, b)})
    ids = _ids_by_label(labels)
    report_progress(80, _("Updating the review queue"))
    found = {}
    for a, b, value in rows:
        if a in ids and b in ids and ids[a] != ids[b]:
            found[tuple(sorted((ids[a], ids[b])))] = value
    with transaction.atomic():
        stored = {(a, b): (pk, status, score) for pk, a, b, status, score in
                  DuplicatePair.objects.values_list("pk", "person_a_id", "person_b_id", "status", "score")}
        new = [DuplicatePair(person_a_id=a, person_b_id=b, score=value, band=band(value) or "")
               for (a, b), value in found.items() if (a, b) not in stored]
        changed = [DuplicatePair(pk=pk, score=found[key], band=band(found[key]) or "")
                   for key, (pk, status, score) in stored.items()
                   if key in found and status == P.OPEN and score != found[key]]
        # A merge removes its pair (merges.actions); a "merged" pair whose two persons are found
        # again means the merge was undone, so the pair is open again.
        reopened = [DuplicatePair(pk=pk, score=found[key], band=band(found[key]) or "", status=P.OPEN,
                                  decided_by=None, decided_at=None, reason="")
                    for key, (pk, status, _score) in stored.items() if key in found and status == P.MERGED]
        gone = [pk for key, (pk, status, _score) in stored.items() if key not in found and status == P.OPEN]
        # ignore_conflicts: a pair stored meanwhile by another search stays as it is.
        DuplicatePair.objects.bulk_create(new, batch_size=CHUNK, ignore_conflicts=True)
        DuplicatePair.objects.bulk_update(changed, ["score", "band"], batch_size=CHUNK)
        DuplicatePair.objects.bulk_update(reopened, ["score", "band", "status", "decided_by", "decided_at", "reason"],
                                          batch_size=CHUNK)
        for start in range(0, len(gone), CHUNK):
            DuplicatePair.objects.filter(pk__in=gone[start : start + CHUNK], status=P.OPEN).delete()
    decided = sum(1 for key, (_pk, status, _s) in stored.items() if key in found and status == P.NOT_DUPLICATE)
    return {"pairs": len(found), "new": len(new), "updated": len(changed), "reopened": len(reopened),
            "removed": len(gone), "already_decided": decided}


# Reading a pair ----------------------------------------------------------------------------------

def comparison(pair):
    """matching.score.Comparison of the pair's two persons as they are now (names weighed by the
    frequencies stored by the last search)."""
    a, b = Record.of_person(pair.person_a), Record.of_person(pair.person_b)
    return compare(a, b, stored_names(a))


def person_facts(user, person):
    """One side of the comparison, as the page and the API show it: the person, their household
    and its size, and what was recorded for them, each read through the user's scope (sensitive
    enrolments, vulnerabilities and deliveries only for users cleared for them)."""
    household = person.household
    deliveries = Delivery.objects.visible_to(user)
    return {
        "person": person,
        "household": household,
        "members": household.members.count(),
        "enrolments": list(Enrolment.objects.visible_to(user).filter(household=household.pk)
                           .select_related("programme").order_by("programme__code")),
        "vulnerabilities": list(PersonVulnerability.objects.visible_to(user).filter(person=person)
                                .select_related("category").order_by("category__code")),
        "person_deliveries": deliveries.filter(person=person).count(),
        "household_deliveries": deliveries.filter(household=household.pk, person__isnull=True).count(),
    }


# Decisions ---------------------------------------------------------------------------------------

def _require_decider(user, pair):
    if not user.can_decide_selection:
        raise PermissionDenied(_("Only managers and administrators decide on duplicates."))
    # Callers fetch pairs through visible_to() already; this keeps a new caller from deciding on a
    # person outside the user's scope.
    if not DuplicatePair.objects.visible_to(user).filter(pk=pair.pk).exists():
        raise PermissionDenied(_("This pair is outside your scope."))


def _require_reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for the decision.")})
    return reason


def _decide(pair, status, user, reason, via, changes=None):
    """Close an open pair; the UPDATE matches only an open pair, so two managers deciding the same
    pair at once cannot both succeed."""
    now = timezone.now()
    if not DuplicatePair.objects.filter(pk=pair.pk, status=P.OPEN).update(
            status=status, decided_by=user, decided_at=now, reason=reason):
        raise ValidationError({"status": _("This pair has already been decided.")})
    before = pair.status
    pair.refresh_from_db()
    households = {pair.person_a.household_id, pair.person_b.household_id}
    changes = {"status": [before, status], "person_a": [None, pair.person_a_id],
               "person_b": [None, pair.person_b_id], "score": [None, pair.score], **(changes or {})}
    record_many([entry(user, AuditEntry.Action.TRANSITION, pair, changes=changes, household_id=h, reason=reason,
                       via=via) for h in sorted(households)])
    return pair


@transaction.atomic
def mark_not_duplicate(pair, *, acting_user, reason, via="web"):
    _require_decider(acting_user, pair)
    return _decide(pair, P.NOT_DUPLICATE, acting_user, _require_reason(reason), via)


@transaction.atomic
def merge_pair(pair, *, keep, acting_user, with_households=False, reason, via="web"):
    """Merge the pair's two persons into `keep` (one of them) with merges.actions.merge_persons,
    and close the pair as merged, in one transaction."""
    _require_decider(acting_user, pair)
    reason = _require_reason(reason)
    if keep.pk not in (pair.person_a_id, pair.person_b_id):
        raise ValidationError({"keep": _("Choose one of the two persons to keep.")})
    drop = pair.person_b if keep.pk == pair.person_a_id else pair.person_a
    # The pair is closed before the merge: the merge moves or removes whatever points at `drop`.
    pair = _decide(pair, P.MERGED, acting_user, reason, via,
                   changes={"kept": [None, keep.pk], "with_households": [None, bool(with_households)]})
    merge = merges.merge_persons(keep, drop, acting_user=acting_user, with_households=bool(with_households),
                                 reason=reason, via=via)
    return pair, merge
