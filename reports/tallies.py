"""Programme-wide figures kept as running tallies by date (docs/kept-figures.md).

A figure as of a date D counts the things that started counting on or before D. Each household
contributes, per set of tallies (a set of programmes counted with or without sensitive assistance),
+1 on the day a person, a member or the household starts to count (and -1 on the day a person
leaves an age group), and reach as of D is the sum of the contributions dated on or before D:
a read of a few hundred thousand small rows instead of a count over millions of deliveries.

- Facts (ReachFact): per set, a row for every member of a household that has a direct
  beneficiary: the member's first day as a direct beneficiary (None: not one) and the traits reach
  groups by. They are what a household contributed last, so that its contribution can be taken
  back when its records change.
- Tallies (Tally): rows of (figure, trait, value, at, delta). Appended, never updated: a household
  whose records changed takes its old contribution back with negative rows and adds its new one.
- Changed households are marked by the database (reports.models.ChangedHousehold, migration
  reports 0004). Before tallies are read, every marked household is recounted (drain()).

One function says what a household contributes (contribution()): the build of a whole set and the
recount of one household both use it. Sets count reach's help, or an indicator's: persons and
households assisted, persons trained, persons certified (parts_of()).

Deliveries, value and quantity are not counted per person: DeliveryTally sums them by programme,
type and day, kept by triggers of its own (migration reports 0006, fold_deliveries()).
"""

import contextlib
import contextvars
import datetime
import time
import types
from collections import defaultdict, namedtuple
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Min, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Role
from assistance.models import AssistanceType
from registry.models import Person
from reports.models import (
    DIMENSIONS, ChangedHousehold, DeliveryChange, DeliveryTally, ReachFact, Tally, TallySet,
)
from reports.reach import AGE_GROUPS, UNKNOWN, Basis, lineage, once

# A date after every record: the facts count every delivery; reports choose their date when they read.
FAR = datetime.date(9999, 12, 31)
TRAIT_COLUMNS = {"sex": "sex", "community": "community_id", "displacement_status": "status",
                 "municipality": "municipality_id"}
# A member as ReachFact keeps them.
Fact = namedtuple("Fact", ["person_id", "household_id", "first_on", "sex", "community_id", "status", "date_of_birth",
                           "birth_year", "municipality_id"])
BATCH = 2000
SPAN = 20_000  # households a transaction of a build counts
COMPACT_AFTER = 20_000  # rows a drain appends to a set before it is compacted, at least
UNREAD = datetime.timedelta(days=30)
BUILD_ALIVE = datetime.timedelta(minutes=10)  # reach's whole build at a million persons, 13 spans, took 84 s


def key_of(programmes, sensitive, parts="all", since=None):
    """A TallySet's identity: its programmes, clearance, the help it counts and its first day."""
    return {"programmes": ",".join(str(pk) for pk in sorted(programmes)), "sensitive": bool(sensitive),
            "parts": parts, "since": since or TallySet.EARLIEST}


def parts_of(indicator):
    """The help an indicator of persons or households assisted, or of persons trained or certified,
    counts, as TallySet.parts names it ("all"; "t:<type ids>|a:<activity types>"; or that behind
    "trained|" or "certified|", activity types "*" for any). reports.indicators chooses the same."""
    from reports.models import Measure

    kinds = ",".join(str(pk) for pk in sorted(kind.pk for kind in indicator.assistance_types.all()))
    activities = sorted(indicator.activity_types or [])
    if indicator.measure == Measure.PERSONS_TRAINED:
        return f"trained|t:{kinds}|a:{','.join(activities or ['training'])}"
    if indicator.measure == Measure.PERSONS_CERTIFIED:
        return f"certified|t:{kinds}|a:{','.join(activities) or '*'}"
    if not kinds and not activities:
        return "all"
    return f"t:{kinds}|a:{','.join(activities)}"


def _viewer(sensitive):
    """A programme-wide viewer (an M&E officer's role), cleared for sensitive help or not: whom a set counts for."""
    return types.SimpleNamespace(role=Role.ME, sensitive=sensitive, is_authenticated=True, is_active=True)


def _basis(tally_set):
    since = None if tally_set.since == TallySet.EARLIEST else tally_set.since
    return Basis(user=_viewer(tally_set.sensitive), programmes={int(pk) for pk in tally_set.programmes.split(",") if pk}, on=FAR, since=since)


def _help(tally_set, basis):
    """(deliveries, attendances, whether household-level deliveries count their members) whose
    beneficiaries the set counts: as reports.indicators counts persons assisted, trained, certified."""
    if tally_set.parts == "all":
        return basis.deliveries(), basis.attendances(), True
    *kind, kinds, activities = tally_set.parts.split("|")
    kind = kind[0] if kind else "assisted"
    kinds = [int(pk) for pk in kinds[2:].split(",") if pk]
    activities = None if activities[2:] == "*" else [code for code in activities[2:].split(",") if code]
    if kind == "assisted":
        return (basis.deliveries(kinds) if kinds else basis.deliveries().none(),
                basis.attendances(activities) if activities else basis.attendances().none(), True)
    # A training is a person's: its details name no household-level help.
    trained = {"trained": ("completed", None), "certified": ("certificate", "certified")}[kind]
    deliveries = basis.deliveries(kinds or None).filter(**{f"trainingdetail__{trained[0]}": True})
    attendances = basis.attendances(activities)
    return deliveries, attendances.filter(**{trained[1]: True}) if trained[1] else attendances, False


# Facts ----------------------------------------------------------------------------------------

def _first_days(queryset, key, day):
    return dict(queryset.order_by().values(key).annotate(day=Min(day)).values_list(key, "day"))


def first_days(tally_set, households=None):
    """({person: first day of person-level help}, {household: first day of household-level help},
    {person: first day attended}) of the set, over `households` (ids; all when None)."""
    deliveries, attendances, household_level = _help(tally_set, _basis(tally_set))
    if households is not None:
        deliveries = deliveries.filter(household_id__in=households)
        attendances = attendances.filter(person__household_id__in=households)
    return (_first_days(deliveries.filter(person__isnull=False), "person_id", "date"),
            _first_days(deliveries.filter(person__isnull=True), "household_id", "date") if household_level else {},
            _first_days(attendances, "person_id", "activity__date"))


def facts(tally_set, households=None, span=None, days=None):
    """The facts (Fact) of the set over `households` (ids; every household when None), in lists of
    whole households ordered by household: every member of a household with a direct beneficiary,
    with their first day as one (None: not one). Direct as reports.reach.direct_ids counts it, by
    the same Basis: delivered person-level help, household-level help to their household,
    attendance at an activity. `span`: (first, after last) household id instead; `days`: the
    first_days() of every household, read once for all the spans of a build."""
    by_person, by_household, by_attendance = days or first_days(tally_set, households)
    members = Person.objects.all()
    if households is not None:
        members = members.filter(household_id__in=households)
    if span is not None:
        members = members.filter(household_id__gte=span[0], household_id__lt=span[1])
    rows = members.order_by("household_id", "pk").annotate(
        municipality=Coalesce("household__current_municipality_id", "household__origin_municipality_id")).values_list(
        "pk", "household_id", "sex", "community_id", "displacement_status", "date_of_birth", "birth_year", "municipality")
    chunk, household, reached = [], [], False
    for pk, household_id, sex, community_id, status, born, year, municipality in rows.iterator(chunk_size=10_000):
        if household and household[0].household_id != household_id:
            if reached:
                chunk.extend(household)
            household, reached = [], False
            if len(chunk) >= BATCH:
                yield chunk
                chunk = []
        known = [d for d in (by_person.get(pk), by_household.get(household_id), by_attendance.get(pk)) if d is not None]
        first = min(known) if known else None
        household.append(Fact(pk, household_id, first, sex, community_id, status, born, year, municipality))
        reached = reached or first is not None
    if reached:
        chunk.extend(household)
    if chunk:
        yield chunk


# What a household contributes ---------------------------------------------------------------------

def _turns(fact, years):
    """The first day on which the person counts as `years` old (reports.reach.age_group's rule: by
    date of birth, 29 February turning on 1 March in other years; by birth year, on 1 January)."""
    if fact.date_of_birth is not None:
        born = fact.date_of_birth
        try:
            return born.replace(year=born.year + years)
        except ValueError:
            return datetime.date(born.year + years, 3, 1)
    return datetime.date(fact.birth_year + years, 1, 1)


def age_spans(fact, start):
    """[(group, from, until or None)]: the age groups the person is in from `start` on."""
    if fact.date_of_birth is None and fact.birth_year is None:
        return [(UNKNOWN, start, None)]
    spans, lower = [], None
    for label, upper in AGE_GROUPS:
        begin = start if lower is None else max(start, _turns(fact, lower))
        end = None if upper is None else _turns(fact, upper)
        if end is None or begin < end:
            spans.append((label, begin, end))
        lower = upper
    return spans


def _value(fact, trait):
    value = getattr(fact, TRAIT_COLUMNS[trait])
    return None if value is None else str(value)


def _union(spans):
    """Sorted, merged [(from, until or None)]."""
    merged = []
    for begin, end in sorted(spans, key=lambda s: s[0]):
        if merged and (merged[-1][1] is None or begin <= merged[-1][1]):
            last = merged[-1]
            merged[-1] = (last[0], None if last[1] is None or end is None else max(last[1], end))
        else:
            merged.append((begin, end))
    return merged


def contribution(household_facts):
    """{(figure, trait, value, day): delta} of one household's facts (all of one set)."""
    out = defaultdict(int)
    starts = [f.first_on for f in household_facts if f.first_on is not None]
    if not starts:
        return out
    household_first = min(starts)
    out["households", "total", None, household_first] += 1
    out["households", "municipality", _value(household_facts[0], "municipality"), household_first] += 1
    first_by_value = defaultdict(dict)  # trait → value → first day of a direct member with it
    age_spans_of_direct = defaultdict(list)
    for fact in household_facts:
        out["everyone", "total", None, household_first] += 1
        for trait in TRAIT_COLUMNS:
            out["everyone", trait, _value(fact, trait), household_first] += 1
        for label, begin, end in age_spans(fact, household_first):
            out["everyone", "age_group", label, begin] += 1
            if end is not None:
                out["everyone", "age_group", label, end] -= 1
        if fact.first_on is None:
            continue
        out["direct", "total", None, fact.first_on] += 1
        for trait in TRAIT_COLUMNS:
            value = _value(fact, trait)
            out["direct", trait, value, fact.first_on] += 1
            known = first_by_value[trait].get(value)
            if known is None or fact.first_on < known:
                first_by_value[trait][value] = fact.first_on
        for label, begin, end in age_spans(fact, fact.first_on):
            out["direct", "age_group", label, begin] += 1
            if end is not None:
                out["direct", "age_group", label, end] -= 1
            age_spans_of_direct[label].append((begin, end))
    for trait in ("sex", "community", "displacement_status"):
        for value, day in first_by_value[trait].items():
            out["households", trait, value, day] += 1
    for label, spans in age_spans_of_direct.items():
        for begin, end in _union(spans):
            out["households", "age_group", label, begin] += 1
            if end is not None:
                out["households", "age_group", label, end] -= 1
    return out


def _insert(model, columns, rows):
    """Rows written by one prepared INSERT each BATCH on SQLite, by COPY on PostgreSQL (which runs
    an INSERT a row there): model instances and bulk_create cost a build of a million facts most of
    its time."""
    quote = connection.ops.quote_name
    table, names = quote(model._meta.db_table), ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start:start + BATCH])


def _insert_facts(tally_set, facts_list):
    _insert(ReachFact, ("tally_set_id", *Fact._fields), [(tally_set.pk, *fact) for fact in facts_list])


def _insert_tallies(tally_set, counts):
    rows = [(tally_set.pk, figure, trait, value, day, delta)
            for (figure, trait, value, day), delta in counts.items() if delta]
    _insert(Tally, ("tally_set_id", "figure", "trait", "value", "at", "delta"), rows)
    return len(rows)


def _by_household(facts_list):
    grouped = defaultdict(list)
    for fact in facts_list:
        grouped[fact.household_id].append(fact)
    return grouped


# Building and keeping -----------------------------------------------------------------------------

def build(programmes, sensitive, parts="all", since=None, report_progress=None):
    """Build (or build again) the set of tallies of these programmes and clearance from the records,
    SPAN households a transaction, so that writes wait for one span at most (SQLite has one writer).
    Writes made meanwhile mark their households, which the last step recounts before the set is
    ready; until then reach is counted from the records (ready_set). A type of help whose
    sensitivity changes during the build (migration reports 0007 clears building_at) leaves the
    set not ready, to be built again."""
    from registry.models import Household

    with transaction.atomic():
        _lock()
        tally_set, _ = TallySet.objects.get_or_create(**key_of(programmes, sensitive, parts, since))
        tally_set.ready, tally_set.building_at = False, timezone.now()
        tally_set.save(update_fields=["ready", "building_at"])
        ReachFact.objects.filter(tally_set=tally_set).delete()
        Tally.objects.filter(tally_set=tally_set).delete()
    building = TallySet.objects.filter(pk=tally_set.pk, building_at__isnull=False)
    last = Household._base_manager.order_by("-pk").values_list("pk", flat=True).first() or 0
    # Read once for every span: each span reading its own would read every delivery again.
    days = first_days(tally_set)
    for first in range(0, last + 1, SPAN):
        with transaction.atomic():
            building.update(building_at=timezone.now())
            totals = defaultdict(int)
            for made in facts(tally_set, span=(first, first + SPAN), days=days):
                _insert_facts(tally_set, made)
                for household_facts in _by_household(made).values():
                    for key, delta in contribution(household_facts).items():
                        totals[key] += delta
            _insert_tallies(tally_set, totals)
        if report_progress is not None:
            report_progress(min(99, 100 * (first + SPAN) // (last + 1)), "Counting households")
    with transaction.atomic():
        _lock()
        households = list(ChangedHousehold.objects.values_list("household_id", flat=True))
        for start in range(0, len(households), BATCH):
            _recount(tally_set, households[start:start + BATCH])
        compact(tally_set)
        tally_set.ready = bool(building.update(ready=True, building_at=None, read_on=timezone.localdate()))
    return tally_set


def wanted(programme, sensitive=False):
    """[(programmes, parts, since)]: the sets a report of the programme with its phases reads, for
    viewers cleared for sensitive assistance or not: reach's, and each indicator's counted by
    tallies, for its whole span and for each of its target periods."""
    from reports.indicators import TALLIED
    from reports.models import Indicator

    programmes = Basis.of(_viewer(sensitive), programme, include_phases=True).programmes
    sets = [(programmes, "all", None)]
    for indicator in (Indicator.objects.filter(programme=programme, measure__in=list(TALLIED))
                      .prefetch_related("assistance_types", "targets").order_by("pk")):
        for since in (None, *(target.period_start for target in indicator.targets.all())):
            if (programmes, parts_of(indicator), since) not in sets:
                sets.append((programmes, parts_of(indicator), since))
    return sets


def build_wanted(programme, sensitive=False, again=False):
    """Build the sets wanted() names that are not built yet (`again`: all of them), one at a time,
    after taking in the changes waiting (a large import's). Returns an iterator of (parts, since,
    seconds; None for a set built already): `homeward tallies build` and the reach benchmark report
    them. A programme the viewer may not read raises NotVisible here, before any work."""
    return _build_each(wanted(programme, sensitive), sensitive, again)


def _build_each(sets, sensitive, again):
    drain()
    fold_deliveries()
    for programmes, parts, since in sets:
        if not again and TallySet.objects.filter(**key_of(programmes, sensitive, parts, since), ready=True).exists():
            yield parts, since, None
            continue
        started = time.perf_counter()
        build(programmes, sensitive, parts, since)
        yield parts, since, time.perf_counter() - started


def compact(tally_set):
    """One row for each figure, trait, value and day, of the rows appended by a build's spans and by
    drains (a span adds its own row for a day another span has too): reads sum fewer rows."""
    rows = [(tally_set.pk, figure, trait, value, day, n) for figure, trait, value, day, n in
            Tally.objects.filter(tally_set=tally_set).order_by().values("figure", "trait", "value", "at")
            .annotate(n=Sum("delta")).values_list("figure", "trait", "value", "at", "n") if n]
    Tally.objects.filter(tally_set=tally_set).delete()
    _insert(Tally, ("tally_set_id", "figure", "trait", "value", "at", "delta"), rows)
    TallySet.objects.filter(pk=tally_set.pk).update(rows=len(rows), appended=0)


def run_build(job, report_progress):
    """The background job ("tallies"): build one set of tallies."""
    started = time.perf_counter()
    p = job.parameters
    since = datetime.date.fromisoformat(p["since"]) if p.get("since") else None
    tally_set = build(p["programmes"], p["sensitive"], p.get("parts", "all"), since, report_progress)
    return {"seconds": round(time.perf_counter() - started, 1), "set": tally_set.pk}


def build_later(programmes, sensitive, parts="all", since=None):
    """Queue the build of this set, unless one is queued or running."""
    from jobs.models import Job
    from jobs.runner import enqueue

    parameters = {"programmes": sorted(programmes), "sensitive": bool(sensitive), "parts": parts,
                  "since": since.isoformat() if since else None}
    waiting = Job.objects.filter(kind="tallies", status__in=[Job.Status.QUEUED, Job.Status.RUNNING],
                                 **{f"parameters__{name}": value for name, value in parameters.items()})
    if not waiting.exists():
        enqueue("tallies", parameters, None)


def check(programme, sensitive=False, on=None):
    """[(figure, from the tallies, from the records)] of the programme's report figures that differ:
    reach in total and by each trait, and every tallied indicator's actual, target periods' actuals
    and breakdowns, as of `on` (today), for viewers cleared for sensitive help or not. Figures whose
    sets are not built are counted from the records both times."""
    from reports import indicators
    from reports.models import Indicator
    from reports.reach import built_once, count_reach

    basis = Basis.of(_viewer(sensitive), programme, include_phases=True, on=on)
    compared = []  # (figure, function of no arguments)
    for by in (None, *DIMENSIONS):
        compared.append((f"reach by {by}" if by else "reach", lambda by=by: count_reach(basis, by)))
    chosen = (Indicator.objects.filter(programme=programme, measure__in=[*indicators.TALLIED, *indicators.DELIVERY_SUMS])
              .prefetch_related("assistance_types", "targets").order_by("code"))
    for indicator in chosen:
        periods = [(indicator.code, basis)] + [(f"{indicator.code} {t.period_start}–{t.period_end}",
                                                basis.period(t.period_start, t.period_end))
                                               for t in indicator.targets.all()]
        for name, period in periods:
            compared.append((name, lambda i=indicator, b=period: indicators.value(i, b)))
            for by in indicator.disaggregations:
                compared.append((f"{name} by {by}", lambda i=indicator, b=period, by=by: indicators.breakdown(i, b, by)))
    differ = []
    for name, compute in compared:
        with built_once():
            kept = compute()
        with records_only(), built_once():
            counted = compute()
        if kept != counted:
            differ.append((name, kept, counted))
    return differ


def prepare(programme):
    """Queue the builds of the sets a large registry's report of the programme will read, that are
    not built yet: called when an indicator or a target is made, so that the report reads tallies
    the first time it is asked for, not only once the builds queued by that first request are done."""
    if not large():
        return
    sensitive = any(p.sensitive for p in lineage(programme))  # read only by viewers cleared for it
    for programmes, parts, since in wanted(programme, sensitive):
        if not TallySet.objects.filter(**key_of(programmes, sensitive, parts, since), ready=True).exists():
            build_later(programmes, sensitive, parts, since)


def _lock():
    """Serialise builds and drains: two drains taking back the same household's contribution would
    take it back twice. PostgreSQL: the lock row's row lock; SQLite: every transaction takes the
    database's write lock as it begins (settings: transaction_mode IMMEDIATE)."""
    from reports.models import TallyLock

    TallyLock.objects.select_for_update().get_or_create(pk=1)


def _take_marks():
    """The households marked as changed. Their marks are deleted first, in the drain's transaction,
    unless a set is being built (its build recounts the marks it finds when it ends; a build that
    has not said it is alive for BUILD_ALIVE has died, and its set is built again from scratch).
    Deleted first, not after the recount: on PostgreSQL a write committed while the drain recounts,
    to a household already marked, finds the mark and adds none; deleted after, its change would be
    lost. Deleted first, the write waits for the drain's end and marks the household again."""
    if TallySet.objects.filter(ready=False, building_at__gte=timezone.now() - BUILD_ALIVE).exists():
        return list(ChangedHousehold.objects.values_list("household_id", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {ChangedHousehold._meta.db_table} RETURNING household_id")
        return [household for (household,) in cursor.fetchall()]


def _abandon():
    """Delete the sets no drain would keep current: not ready and not being built (a build that
    died, a type of help whose sensitivity changed), or not read for UNREAD (a programme gained a
    phase, an indicator's types changed). Their facts are copies of persons' traits: left behind,
    a deleted person's would outlive them. Asked for again, a set is built afresh."""
    alive = timezone.now() - BUILD_ALIVE
    TallySet.objects.filter(Q(ready=False) & (Q(building_at__isnull=True) | Q(building_at__lt=alive))
                            | Q(ready=True, read_on__lt=timezone.localdate() - UNREAD)).delete()


def drain():
    """Recount every household marked as changed, in every set of tallies. One transaction: the
    tallies are read after it, exact."""
    if not ChangedHousehold.objects.exists():
        return 0
    with transaction.atomic():
        _lock()
        households = _take_marks()
        _abandon()
        for tally_set in TallySet.objects.filter(ready=True):
            appended = tally_set.appended
            for start in range(0, len(households), BATCH):
                appended += _recount(tally_set, households[start:start + BATCH])
            if appended > max(COMPACT_AFTER, tally_set.rows // 2):
                compact(tally_set)  # amortised: at most as many rows rewritten as were appended
            elif appended != tally_set.appended:
                TallySet.objects.filter(pk=tally_set.pk).update(appended=appended)
    return len(households)


def _recount(tally_set, households):
    old = [Fact(*row) for row in ReachFact.objects.filter(tally_set=tally_set, household_id__in=households)
           .values_list(*Fact._fields)]
    new = [fact for made in facts(tally_set, households) for fact in made]
    counts = defaultdict(int)
    for household_facts in _by_household(old).values():
        for key, delta in contribution(household_facts).items():
            counts[key] -= delta
    for household_facts in _by_household(new).values():
        for key, delta in contribution(household_facts).items():
            counts[key] += delta
    ReachFact.objects.filter(tally_set=tally_set, household_id__in=households).delete()
    _insert_facts(tally_set, new)
    return _insert_tallies(tally_set, counts)


# Reading -------------------------------------------------------------------------------------------

_records_only = contextvars.ContextVar("records_only", default=False)


@contextlib.contextmanager
def records_only():
    """Inside, every figure is counted from the records, as if no tallies were kept (check())."""
    token = _records_only.set(True)
    try:
        yield
    finally:
        _records_only.reset(token)


def in_use():
    return not _records_only.get()


def large():
    """A registry whose highest person id reaches HOMEWARD_TALLY_PERSONS: its programmes' reach is
    kept as tallies once asked for (below it, counting from the records takes milliseconds)."""
    last = once(Person.objects.order_by("-pk").values_list("pk", flat=True)[:1], "last person",
                lambda query: next(iter(query), None))
    return last is not None and last >= getattr(settings, "HOMEWARD_TALLY_PERSONS", 100_000)


def ready_set(basis, parts="all"):
    """The set of tallies that counts what `basis` counts of the help `parts` names, built and
    current (marks drained), or None. A set from a period's first day on counts, as of a day in the
    period, who was assisted in the period up to that day."""
    if not basis.whole or not in_use():
        return None
    tally_set = TallySet.objects.filter(**key_of(basis.programmes, basis.user.sensitive, parts, basis.since)).first()
    if tally_set is None or not tally_set.ready:
        if large():  # counting from the records takes long, every time
            build_later(basis.programmes, basis.user.sensitive, parts, basis.since)
        return None
    drain()
    today = timezone.localdate()
    if tally_set.read_on != today:
        TallySet.objects.filter(pk=tally_set.pk).update(read_on=today)
    return tally_set


def sums(tally_set, on, figure=None, trait=None):
    """{(figure, trait, value): count as of `on`}, values as text: every figure and trait in one
    read (reach in total and by each trait), or one figure by one trait ("total": the figure
    alone), each made once per computation (reports.reach.once)."""
    rows = Tally.objects.filter(tally_set=tally_set, at__lte=on)
    if figure is not None:
        rows = rows.filter(figure=figure, trait=trait)
    rows = rows.values("figure", "trait", "value").annotate(n=Sum("delta")).values_list("figure", "trait", "value", "n")
    return once(rows, "tally sums", lambda rows: {(figure, trait, value): n for figure, trait, value, n in rows})


# Deliveries ----------------------------------------------------------------------------------------

def fold_deliveries():
    """Fold the changes appended by the database's triggers (DeliveryChange) into DeliveryTally.
    PostgreSQL: the rows folded are exactly those deleted, in one statement, so a change committed
    meanwhile stays for the next fold; SQLite: the transaction holds the database's write lock."""
    if not DeliveryChange.objects.exists():
        return
    table, changes = DeliveryTally._meta.db_table, DeliveryChange._meta.db_table
    columns = "programme_id, type_id, at, n, value_cents, quantity_cents"
    summed = "programme_id, type_id, at, SUM(n), SUM(value_cents), SUM(quantity_cents) FROM {source} GROUP BY 1, 2, 3"
    upsert = (f" ON CONFLICT (programme_id, type_id, at) DO UPDATE SET n = {table}.n + EXCLUDED.n, "
              f"value_cents = {table}.value_cents + EXCLUDED.value_cents, "
              f"quantity_cents = {table}.quantity_cents + EXCLUDED.quantity_cents")
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"WITH gone AS (DELETE FROM {changes} RETURNING {columns}) "
                           f"INSERT INTO {table} ({columns}) SELECT {summed.format(source='gone')}{upsert}")
        else:
            cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {summed.format(source=changes)}{upsert}")
            cursor.execute(f"DELETE FROM {changes}")


def delivery_sums(basis, kinds=None):
    """{"n", "value_eur", "quantity"} of the delivered assistance (of `kinds`) the whole-programme
    basis counts: what basis.deliveries(kinds) would count and sum, from DeliveryTally."""
    fold_deliveries()
    rows = DeliveryTally.objects.filter(programme_id__in=basis.programmes, at__lte=basis.on)
    if basis.since:
        rows = rows.filter(at__gte=basis.since)
    if kinds:
        rows = rows.filter(type_id__in=[kind.pk for kind in kinds])
    if not basis.user.sensitive:
        rows = rows.exclude(type_id__in=AssistanceType.objects.filter(sensitive=True).values("pk"))
    summed = once(rows, "delivery sums", lambda rows: rows.aggregate(
        n=Coalesce(Sum("n"), 0), value=Coalesce(Sum("value_cents"), 0), quantity=Coalesce(Sum("quantity_cents"), 0)))
    return {"n": summed["n"], "value_eur": Decimal(summed["value"]).scaleb(-2),
            "quantity": Decimal(summed["quantity"]).scaleb(-2)}


def raw(trait, value):
    """A tally's value as reports.reach.dimension gives it: ids as integers."""
    if value is None:
        return None
    return int(value) if trait in ("community", "municipality") else value


def reach_figures(tally_set, on, by=None):
    """count_reach's households, direct and indirect (and rows by `by`), from the tallies."""
    counted = sums(tally_set, on)
    result = {"households": counted.get(("households", "total", None), 0),
              "direct": counted.get(("direct", "total", None), 0), "rows": []}
    result["indirect"] = counted.get(("everyone", "total", None), 0) - result["direct"]
    if by is None:
        return result
    trait = by
    values = {value for (figure, t, value), n in counted.items() if figure == "everyone" and t == trait and n}
    rows = {}
    for value in values:
        everyone = counted.get(("everyone", trait, value), 0)
        direct = counted.get(("direct", trait, value), 0)
        rows[raw(trait, value)] = (direct, counted.get(("households", trait, value), 0), everyone - direct)
    result["rows"] = rows
    return result


assert set(DIMENSIONS) == set(TRAIT_COLUMNS) | {"age_group"}, "every trait reach groups by is tallied"
