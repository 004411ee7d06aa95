"""Computing indicators from the records (contract section 5), with a drill-down to them.

Each measure (reports.models.Measure) is two small functions: `source` returns a queryset of the
records behind the figure (persons, households, deliveries, houses, activities, referrals,
projects, grants, manual values) and `value` turns that queryset into the figure. The same source
with `basis.scoped()` is the drill-down: the records the viewer may see, even when the figure
covers the whole programme. Persons, households, deliveries and their details go through the
registry's scoping (a donor sees none of them); activities, community projects and manual values
are programme-level records every role sees.

Persons and households assisted test persons against a set of direct beneficiaries
(reports.reach.direct_condition). Inside one computation of figures (reports.cache.count: a whole
framework) each distinct set is built once, into a temporary table, and read by every indicator,
target period and breakdown that asks for it: "persons assisted" and "households assisted" of the
same types share theirs, and each target period has its own. Alone (a drill-down's figure) the
set is a subquery of the figure's query, built for it.

Programme-wide figures of a large registry are read from running tallies instead where a set of
them is built (reports.tallies, docs/kept-figures.md): persons and households assisted, persons
trained and certified, with their breakdowns. Deliveries, value and quantity are summed from the
tallies of deliveries by programme, type and day for every programme-wide figure. Scoped viewers'
figures and drill-downs are always counted from the records.

A framework counts its programme and every phase of it, any depth ("377 houses since 2017").
Periods: a target's actual counts what happened from its start to its end (never past the
report date); the indicator's actual counts everything up to the report date.

Measures in detail (only delivered assistance counts):
- households_assisted / persons_assisted: households with, persons who are, direct beneficiaries
  of deliveries of the named types and attendance at activities of the named types (nothing
  named: every delivery and attendance, the reach figure).
- deliveries, value_eur, quantity: deliveries of the named types (all when none), their count,
  their summed value_eur, their summed quantity.
- houses_handed_over: houses of delivered house assistance whose handed_over milestone falls in
  the period.
- persons_trained: persons with a delivered training marked completed (of the named assistance
  types) or who attended an activity of the named activity types (`training` when none named).
- persons_certified: persons with a delivered training with a certificate (of the named types),
  or certified at an activity (of the named activity types, any when none named).
- activities: activities of the named types; activity_participants: their attendees who
  attended plus their anonymous participants (by sex), counted per activity.
- referrals_completed: delivered referrals whose move to `completed` is dated in the period.
- projects_completed / catchment_population: community projects completed in the period, their
  count and their summed catchment population.
- businesses_followed_up: delivered income-generation grants with a follow-up visit in the
  period; businesses_operating: those whose latest visit in the period found them operating.
- ratio: numerator / denominator × 100 over the same period, one decimal; none when the
  denominator is 0.
- manual: the sum of the values entered for periods lying within the period.
"""

import functools
import operator
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from activities.models import Attendance
from assistance.models import (
    KINDS, AssistanceType, BusinessFollowUp, BusinessStatus, HouseDetail, IncomeGrantDetail, Milestone,
    ReferralDetail, ReferralStatus, TrainingDetail,
)
from registry.models import Household
from reports.models import DISAGGREGABLE, ManualValue, Measure
from reports.reach import by_trait, dimension, direct_condition, once, person_in, row_key, row_order

M = Measure


def _types(indicator):
    return list(indicator.assistance_types.all())


def _direct(indicator, basis):
    types, activity_types = _types(indicator), indicator.activity_types
    if not types and not activity_types:
        return direct_condition(basis.deliveries(), basis.attendances())
    deliveries = basis.deliveries(types) if types else basis.deliveries().none()
    attendances = basis.attendances(activity_types) if activity_types else basis.attendances().none()
    return direct_condition(deliveries, attendances)


def persons_assisted(indicator, basis):
    return basis.persons().filter(_direct(indicator, basis))


def households_assisted(indicator, basis):
    people = basis.persons().filter(_direct(indicator, basis))
    households = Household.objects.all() if basis.whole else Household.objects.visible_to(basis.user)
    return households.filter(pk__in=people.values("household_id"))


def deliveries(indicator, basis):
    return basis.deliveries(_types(indicator))


def _of_deliveries(details, deliveries):
    """The details (houses, grants: a few per thousand deliveries) of these deliveries, each tested
    by its own delivery. `delivery__in=` would make the database list every delivered delivery of
    the programmes first (millions) to keep a few thousand details."""
    return details.filter(Exists(deliveries.filter(pk=OuterRef("delivery_id"))))


def houses_handed_over(indicator, basis):
    handed_over = Q(milestones__milestone=Milestone.HANDED_OVER, milestones__date__lte=basis.on)
    if basis.since:
        handed_over &= Q(milestones__date__gte=basis.since)
    # Only house assistance has house details: naming its types' ids lets the database start from
    # their deliveries (PostgreSQL otherwise read all 3,000,000 to find the houses': 0.4 s).
    houses = list(AssistanceType.objects.filter(code__in=[code for code, kind in KINDS.items() if kind is HouseDetail])
                  .values_list("pk", flat=True))
    return _of_deliveries(HouseDetail.objects.filter(handed_over), basis.deliveries(houses, dated=False))


def _trained(indicator, basis, training, attendance, default_activity_types):
    details = TrainingDetail.objects.filter(training, delivery__in=basis.deliveries(_types(indicator)))
    activity_types = indicator.activity_types or default_activity_types
    attended = basis.attendances(activity_types).filter(attendance)
    # One set (a UNION), not two IN-subqueries joined by OR: under OR the database tested every
    # person against both (0.7 s a count at a million persons); the set is built once and read
    # (0.05-0.1 s a count).
    return basis.persons().filter(person_in(details.order_by().values("delivery__person_id").union(
        attended.order_by().values("person_id"))))


def persons_trained(indicator, basis):
    return _trained(indicator, basis, Q(completed=True), Q(), ["training"])


def persons_certified(indicator, basis):
    return _trained(indicator, basis, Q(certificate=True), Q(certified=True), None)


def activities(indicator, basis):
    return basis.activities(indicator.activity_types)


def referrals_completed(indicator, basis):
    completed = Q(changes__to_status=ReferralStatus.COMPLETED, changes__date__lte=basis.on)
    if basis.since:
        completed &= Q(changes__date__gte=basis.since)
    return ReferralDetail.objects.filter(completed, status=ReferralStatus.COMPLETED,
                                         delivery__in=basis.deliveries(_types(indicator), dated=False))


def projects_completed(indicator, basis):
    return basis.completed_projects(indicator.project_types)


def _visits(basis):
    visits = BusinessFollowUp.objects.filter(date__lte=basis.on)
    return visits.filter(date__gte=basis.since) if basis.since else visits


def businesses_followed_up(indicator, basis):
    grants = _of_deliveries(IncomeGrantDetail.objects.all(), basis.deliveries(dated=False))
    return grants.filter(pk__in=_visits(basis).values("grant_id"))


def businesses_operating(indicator, basis):
    latest = _visits(basis).filter(grant=OuterRef("pk")).order_by("-date", "-pk").values("status")[:1]
    return businesses_followed_up(indicator, basis).annotate(latest_status=Subquery(latest)).filter(
        latest_status=BusinessStatus.OPERATING)


def manual(indicator, basis):
    values = ManualValue.objects.filter(indicator=indicator, period_end__lte=basis.on)
    return values.filter(period_start__gte=basis.since) if basis.since else values


def ratio(indicator, basis):
    return source(indicator.numerator, basis)


def _count(queryset):
    return queryset.count()


def _sum(field):
    return lambda queryset: queryset.aggregate(total=Coalesce(Sum(field), Decimal(0)))["total"]


def _participants(queryset):
    anonymous = queryset.aggregate(n=Coalesce(Sum(F("participants_female") + F("participants_male")
                                                  + F("participants_sex_unknown")), 0))["n"]
    # Counts are programme figures everyone sees: every attendee, not only those in scope.
    return anonymous + Attendance.objects.filter(activity__in=queryset, attended=True).count()


def _catchment(queryset):
    return queryset.aggregate(n=Coalesce(Sum("catchment_population"), 0))["n"]


# measure → (the records behind the figure, the figure from them)
MEASURES = {
    M.HOUSEHOLDS_ASSISTED: (households_assisted, _count),
    M.PERSONS_ASSISTED: (persons_assisted, _count),
    M.DELIVERIES: (deliveries, _count),
    M.VALUE_EUR: (deliveries, _sum("value_eur")),
    M.QUANTITY: (deliveries, _sum("quantity")),
    M.HOUSES_HANDED_OVER: (houses_handed_over, _count),
    M.PERSONS_TRAINED: (persons_trained, _count),
    M.PERSONS_CERTIFIED: (persons_certified, _count),
    M.ACTIVITIES: (activities, _count),
    M.ACTIVITY_PARTICIPANTS: (activities, _participants),
    M.REFERRALS_COMPLETED: (referrals_completed, _count),
    M.PROJECTS_COMPLETED: (projects_completed, _count),
    M.CATCHMENT_POPULATION: (projects_completed, _catchment),
    M.BUSINESSES_FOLLOWED_UP: (businesses_followed_up, _count),
    M.BUSINESSES_OPERATING: (businesses_operating, _count),
    M.RATIO: (ratio, None),
    M.MANUAL: (manual, _sum("value")),
}
assert set(MEASURES) == set(Measure.values), "every measure is computed"


def source(indicator, basis):
    """The records behind the figure, as the basis counts them."""
    return MEASURES[indicator.measure][0](indicator, basis).distinct()


def records(indicator, basis):
    """The drill-down: the records behind the figure that the viewer may see."""
    return source(indicator, basis.scoped())


# Walking the records in id order -----------------------------------------------------------------
#
# A drill-down page wants 50 records of a set that can hold a million. Built as a set (the UNION
# the figures use) it costs the whole set every page; walked in id order, each person or household
# is tested with index probes (EXISTS: their own deliveries, their household's, their attendance)
# until the page is full: page 1 of a million persons reads about 50.

class Probe(Exists):
    """EXISTS, tested for each row walked. PostgreSQL plans it without knowing that the page's
    LIMIT stops the walk early, so it would hash the subquery's whole set first (seconds for a
    million); OFFSET 0 is its fence against that (simplify_EXISTS_query leaves such a subquery
    alone), and costs nothing."""

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="EXISTS(%(subquery)s OFFSET 0)", **extra_context)


def _either(conditions):
    return functools.reduce(operator.or_, conditions)


def _parts(indicator, basis):
    """(deliveries or None, attendances or None) whose direct beneficiaries the indicator counts,
    as _direct chooses them."""
    types, activity_types = _types(indicator), indicator.activity_types
    if not types and not activity_types:
        return basis.deliveries(), basis.attendances()
    return (basis.deliveries(types) if types else None,
            basis.attendances(activity_types) if activity_types else None)


def _person_is_direct(deliveries, attendances):
    """Over Person: a direct beneficiary of these deliveries or this attendance, tested per person."""
    conditions = []
    if deliveries is not None:
        conditions.append(Probe(deliveries.filter(person_id=OuterRef("pk"))))
        conditions.append(Probe(deliveries.filter(person__isnull=True, household_id=OuterRef("household_id"))))
    if attendances is not None:
        conditions.append(Probe(attendances.filter(person_id=OuterRef("pk"))))
    return _either(conditions)


def _walk_persons_assisted(indicator, basis):
    return basis.persons().filter(_person_is_direct(*_parts(indicator, basis)))


def _walk_households_assisted(indicator, basis):
    deliveries, attendances = _parts(indicator, basis)
    members = basis.persons().filter(household_id=OuterRef("pk"))
    conditions = []
    if deliveries is not None:
        # Household-level help makes every member direct: a household with members.
        conditions.append(Probe(deliveries.filter(person__isnull=True, household_id=OuterRef("pk")))
                          & Probe(members))
        conditions.append(Probe(members.filter(Probe(deliveries.filter(person_id=OuterRef("pk"))))))
    if attendances is not None:
        conditions.append(Probe(members.filter(Probe(attendances.filter(person_id=OuterRef("pk"))))))
    households = Household.objects.all() if basis.whole else Household.objects.visible_to(basis.user)
    return households.filter(_either(conditions))


def _walk_trained(detail, attendance, default_activity_types):
    def walk(indicator, basis):
        courses = basis.deliveries(_types(indicator)).filter(person_id=OuterRef("pk"),
                                                             **{f"trainingdetail__{detail}": True})
        attended = basis.attendances(indicator.activity_types or default_activity_types).filter(
            attendance, person_id=OuterRef("pk"))
        return basis.persons().filter(Probe(courses) | Probe(attended))
    return walk


WALKS = {
    M.PERSONS_ASSISTED: _walk_persons_assisted,
    M.HOUSEHOLDS_ASSISTED: _walk_households_assisted,
    M.PERSONS_TRAINED: _walk_trained("completed", Q(), ["training"]),
    M.PERSONS_CERTIFIED: _walk_trained("certificate", Q(certified=True), None),
}


def listing(indicator, basis):
    """records(), in id order, built to be paged: the same records (tests/test_reports_listing.py
    checks both against each other), walked where records() would build a large set."""
    if indicator.measure == M.RATIO:
        return listing(indicator.numerator, basis)
    walk = WALKS.get(indicator.measure)
    if walk is None:
        return records(indicator, basis).order_by("pk")
    return walk(indicator, basis.scoped()).order_by("pk")


# A page deep in a long list ---------------------------------------------------------------------
#
# Walking in id order, page 200 of a sparse indicator walks every person before it (tens of
# thousands). With the figures kept, the id of every PAGE_STEP-th record (its anchors) is kept too,
# and a deep page starts its walk at the anchor before it.

PAGE_STEP = 1000


def anchors(indicator, basis):
    """The id of the record at each position 0, PAGE_STEP, 2 × PAGE_STEP, ... of listing(), read
    from the set of the records (built once per computation) rather than walked."""
    if indicator.measure == M.RATIO:
        return anchors(indicator.numerator, basis)
    ids = records(indicator, basis).order_by("pk").values_list("pk", flat=True)
    return [pk for position, pk in enumerate(ids.iterator(chunk_size=10000)) if position % PAGE_STEP == 0]


def page(rows, kept_anchors, start, stop):
    """rows[start:stop] of a listing, its walk started at the anchor before `start`: the records
    from position k × PAGE_STEP on are those whose id is at least the k-th anchor."""
    k = min(start // PAGE_STEP, len(kept_anchors) - 1) if kept_anchors else 0
    if k <= 0:
        return rows[start:stop]
    return rows.filter(pk__gte=kept_anchors[k])[start - k * PAGE_STEP:stop - k * PAGE_STEP]


def counts_records(indicator):
    """Whether the figure is the number of its records."""
    return MEASURES[indicator.measure][1] is _count


# The measures counted by tallies of persons (reports.tallies) where a set of them is built, and
# the figure of the tallies each reads.
TALLIED = {M.PERSONS_ASSISTED: "direct", M.HOUSEHOLDS_ASSISTED: "households", M.PERSONS_TRAINED: "direct",
           M.PERSONS_CERTIFIED: "direct"}
# The measures summed from the tallies of deliveries, for programme-wide figures.
DELIVERY_SUMS = {M.DELIVERIES: "n", M.VALUE_EUR: "value_eur", M.QUANTITY: "quantity"}


def _tallied(indicator, basis, trait):
    """The indicator's figure by `trait` ("total": alone) as {value: count}, from the tallies of
    persons that count it, or None where no set of tallies does."""
    if indicator.measure not in TALLIED:
        return None
    from reports import tallies

    tally_set = tallies.ready_set(basis, tallies.parts_of(indicator))
    if tally_set is None:
        return None
    figure = TALLIED[indicator.measure]
    return {value: n for (_f, _t, value), n in tallies.sums(tally_set, basis.on, figure, trait).items()}


def value(indicator, basis):
    if indicator.measure == M.RATIO:
        top, bottom = value(indicator.numerator, basis), value(indicator.denominator, basis)
        if not bottom:
            return None
        return (Decimal(top) * 100 / Decimal(bottom)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if indicator.measure in DELIVERY_SUMS and basis.whole:
        from reports import tallies

        if tallies.in_use():
            return tallies.delivery_sums(basis, _types(indicator))[DELIVERY_SUMS[indicator.measure]]
    tallied = _tallied(indicator, basis, "total")
    if tallied is not None:
        return tallied.get(None, 0)
    # Within a computation a figure asked for again (a ratio's terms, a donor's check of them) is
    # counted once.
    records, figure = MEASURES[indicator.measure]
    return once(records(indicator, basis), indicator.measure, figure)


def breakdown(indicator, basis, by):
    """[{"key", "value"}] for one of the indicator's disaggregations (persons or households)."""
    if by not in DISAGGREGABLE.get(indicator.measure, ()):
        raise ValueError(by)
    tallied = _tallied(indicator, basis, by)
    if tallied is not None:
        from reports.tallies import raw

        _expression, key_of = dimension(by, basis.on)
        rows = [{"key": row_key(key_of, raw(by, value)), "value": n} for value, n in tallied.items() if n]
        return sorted(rows, key=lambda r: row_order(by, r["key"]))
    queryset = MEASURES[indicator.measure][0](indicator, basis)
    if indicator.measure == M.HOUSEHOLDS_ASSISTED:
        expression, key_of = dimension(by, basis.on, household="")
        grouped = queryset.annotate(dim=expression).values("dim").annotate(n=Count("pk"))
        counts = once(grouped, "households by a trait", lambda rows: {r["dim"]: r["n"] for r in rows})
    else:
        # Persons, each once: the same question as reach's by the same trait when the persons are
        # the same (reports.reach.by_trait), answered once.
        _expression, key_of = dimension(by, basis.on)
        counts = {dim: n for dim, (n, _households) in by_trait(queryset, by, basis.on).items()}
    rows = [{"key": row_key(key_of, dim), "value": n} for dim, n in counts.items()]
    return sorted(rows, key=lambda r: row_order(by, r["key"]))
