"""Finding duplicates: for one person being registered (`check`), and in the whole registry (`registry_pairs`).

A check reads the persons sharing a blocking key with the query (a few index entries, then one
query for the persons), scores each, and splits them by the caller's scope. The caller is shown
only candidates they may see. What they learn about the rest is one flag, on these terms:

- `outside_scope` is true only when a person outside the caller's scope scores "likely", the caller
  may register people (the check exists to stop double registration), and the person has nothing
  sensitive (no sensitive vulnerability, no enrolment in a sensitive programme): the registration
  of a trafficking survivor is never confirmed to anyone outside their case team. The flag carries
  no id, ref, name, place, score or count; the caller is told to ask the programme manager or the
  data protection officer, who can see both records.
- Every answer in which a person outside the caller's scope scored at least "possible" writes an
  audit row (action view, that person, the reason below) whether or not the flag was raised, so a
  series of probes for one person shows in the audit log.
- A caller who has had more than OUTSIDE_SCOPE_DAILY_LIMIT such answers in 24 hours gets no more
  flags until the window moves on: trying date after date of birth for one name (to learn it from
  the flag) runs out long before it succeeds.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEntry, entry
from matching.keys import Record, blocking_keys, rebuild_keys, store_names, stored_names
from matching.models import MatchKey
from matching.score import (BLOCK_LIMIT, DEFAULT_THRESHOLD, MAX_YEAR_GAP, POSSIBLE, NameFrequencies, compare,
                            find_pairs, without_collector)
from registry.models import Person
from registry.parsing import parse_date_of_birth

# A check scores at most this many persons (the first registered). Only a key shared by thousands
# reaches it, such as an office phone number written on every form of a partner.
MAX_CANDIDATES = 2000
SHOWN = 20
OUTSIDE_SCOPE_REASON = "duplicate check: a person outside the caller's scope came close (nothing shown)"
OUTSIDE_SCOPE_DAILY_LIMIT = 30
OUTSIDE_SCOPE_NOTICE = _(
    "A person registered outside your scope is likely the same person. Do not register them again: "
    "ask your programme manager or the data protection officer, who can compare both records.")
_FIELDS = ["ref", "given_name", "family_name", "father_name", "date_of_birth", "birth_year", "sex",
           "household__origin_municipality"]


@dataclass
class Query:
    """One person's details to look for: the Record the score compares, and the values that only
    propose candidates (phones, identity documents)."""

    record: Record
    phones: tuple = ()
    documents: tuple = ()


@dataclass
class Candidate:
    person: Person
    comparison: object

    @property
    def score(self):
        return self.comparison.score

    @property
    def band(self):
        return self.comparison.band


@dataclass
class CheckResult:
    candidates: list = field(default_factory=list)
    outside_scope: bool = False

    @property
    def notice(self):
        return str(OUTSIDE_SCOPE_NOTICE) if self.outside_scope else None


def _text(value):
    return "" if value is None else str(value).strip()


def parse_query(data, errors, prefix="", place=None):
    """A Query from wire values (section 3 names); problems appended to `errors` as (field, message).
    `place`, when given, is the municipality id already resolved by the caller (a form's select)."""
    from places.models import Municipality

    def bad(name, message):
        errors.append((f"{prefix}{name}", message))

    names = {f: _text(data.get(f)) for f in ("given_name", "family_name", "father_name")}
    for name in ("given_name", "family_name"):
        if not names[name]:
            bad(name, _("This field is required."))
    sex = _text(data.get("sex")).upper()
    if sex not in ("", "F", "M"):
        bad("sex", _("Use F or M."))
    try:
        day, year = parse_date_of_birth(data.get("date_of_birth"))
    except ValueError as e:
        bad("date_of_birth", str(e))
        day, year = None, None
    origin = _text(data.get("origin_municipality"))
    if place is None and origin:
        municipality = Municipality.objects.lookup(origin)
        if municipality is None:
            bad("origin_municipality", _("Unknown municipality %(m)s.") % {"m": origin})
        else:
            place = municipality.pk
    record = Record.of(given_name=names["given_name"], family_name=names["family_name"],
                       father_name=names["father_name"], date_of_birth=day, birth_year=year, sex=sex,
                       origin_id=place)
    for name in ("given_name", "family_name"):
        if names[name] and not getattr(record, name.split("_")[0]):
            bad(name, _("A name needs at least one letter."))
    return Query(record, phones=(_text(data.get("phone")),), documents=(_text(data.get("id_number")),))


def find(query, exclude=()):
    """Every person scoring at least "possible" against `query`, best first, whoever may see them."""
    keys = blocking_keys(query.record, query.phones, query.documents)
    if not keys:
        return []
    persons = Person.objects.filter(pk__in=MatchKey.objects.filter(key__in=keys).values("person_id"))
    year = query.record.year
    if year:
        persons = persons.filter(Q(birth_year__isnull=True) | Q(birth_year__range=(year - MAX_YEAR_GAP,
                                                                                     year + MAX_YEAR_GAP)))
    if exclude:
        persons = persons.exclude(pk__in=exclude)
    persons = persons.select_related("household").only(*_FIELDS).order_by("pk")[:MAX_CANDIDATES]
    frequencies = stored_names(query.record)
    found = [Candidate(p, compare(query.record, Record.of_person(p), frequencies)) for p in persons]
    found = [c for c in found if c.score >= POSSIBLE]
    return sorted(found, key=lambda c: (-c.score, c.person.ref, c.person.pk))


def check(user, query, *, exclude=(), limit=SHOWN, via="api"):
    """The candidates `user` may see, and whether a likely one exists outside their scope."""
    found = find(query, exclude)
    if not found:
        return CheckResult()
    ids = [c.person.pk for c in found]
    visible = set(Person.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    shown = [c for c in found if c.person.pk in visible][:limit]
    hidden = [c for c in found if c.person.pk not in visible]
    return CheckResult(shown, _outside_scope(user, hidden, via) if hidden else False)


def _sensitive_ids(person_ids):
    from programmes.models import Enrolment
    from registry.models import PersonVulnerability

    flagged = set(PersonVulnerability.objects.filter(person_id__in=person_ids, category__sensitive=True)
                  .values_list("person_id", flat=True))
    households = Enrolment.objects.filter(programme__sensitive=True).values("household_id")
    flagged.update(Person.objects.filter(pk__in=person_ids, household_id__in=households).values_list("pk", flat=True))
    return flagged


def _outside_scope(user, hidden, via):
    best = hidden[0]
    sensitive = _sensitive_ids([c.person.pk for c in hidden])
    since = timezone.now() - datetime.timedelta(hours=24)
    earlier = AuditEntry.objects.filter(actor=user, reason=OUTSIDE_SCOPE_REASON, at__gte=since).count()
    flag = (
        user.can_edit_registry
        and earlier < OUTSIDE_SCOPE_DAILY_LIMIT
        and any(c.band == "likely" and c.person.pk not in sensitive for c in hidden)
    )
    entry(user, AuditEntry.Action.VIEW, best.person, household_id=best.person.household_id,
          changes={"match_score": [None, best.score], "outside_scope_flag": [None, flag]},
          sensitive=best.person.pk in sensitive, reason=OUTSIDE_SCOPE_REASON, via=via).save()
    return flag


# The whole registry --------------------------------------------------------------------------

def _records():
    """Every person as a Record, their refs, and the phones (theirs and their household's) and
    identity document numbers that only propose candidates: what index_persons reads for the
    MatchKey rows, so the batch's blocks are the index's."""
    from registry.models import IdentityDocument

    records, refs, extras, numbers = {}, {}, {}, {}
    with without_collector():
        for person_id, number in IdentityDocument.objects.order_by().values_list("person_id", "number").iterator(
                chunk_size=10000):
            numbers.setdefault(person_id, []).append(number)
        rows = Person.objects.order_by().values_list(
            "pk", "ref", "given_name", "family_name", "father_name", "date_of_birth", "birth_year", "sex",
            "household__origin_municipality_id", "phone", "household__phone")
        for pk, ref, given, family, father, day, year, sex, place, phone, household_phone in rows.iterator(
                chunk_size=5000):
            records[pk] = Record.of(given_name=given, family_name=family, father_name=father, date_of_birth=day,
                                    birth_year=year, sex=sex, origin_id=place)
            refs[pk] = ref
            extras[pk] = ((phone, household_phone), tuple(numbers.get(pk, ())))
    return records, refs, extras


def registry_pairs(threshold=DEFAULT_THRESHOLD, *, rebuild=False, block_limit=BLOCK_LIMIT, skipped=None,
                   progress=None, workers=None):
    """Every pair of persons that share a blocking key and score at least `threshold`:
    [(ref_a, ref_b, score)] with ref_a < ref_b, best first: find_pairs over the registry's
    records, in `workers` forked processes (settings.HOMEWARD_MATCH_WORKERS by default). Blocks
    over `block_limit` persons are skipped and reported to `skipped(key, size)`;
    `progress(kinds_done, kinds)` is called as each kind of key is done.

    The blocking keys are built in memory from the records as read now, the same keys as the
    MatchKey rows the registration check reads. Those rows are brought up to date first (persons
    never indexed; everyone with `rebuild`), and the name counts stored for the check."""
    from django.conf import settings

    rebuild_keys(missing_only=not rebuild)
    records, refs, extras = _records()
    frequencies = NameFrequencies.of_records(records.values())
    store_names(frequencies)  # the checks while registering weigh names by these counts too
    found = find_pairs(records, extras, frequencies, threshold, block_limit=block_limit, skipped=skipped,
                       workers=settings.HOMEWARD_MATCH_WORKERS if workers is None else workers, progress=progress)
    # Persons written without a ref (only possible outside registry.actions) show as #<id>.
    label = {pk: ref or f"#{pk}" for pk, ref in refs.items()}
    rows = [tuple(sorted((label[a], label[b]))) + (value,) for (a, b), value in found.items()]
    return sorted(rows, key=lambda row: (-row[2], row[0], row[1]))
