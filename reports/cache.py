"""Programme-wide figures of a large registry: counted once, kept, refreshed in the background.

Reach and a results framework over a million persons take the database minutes to count, and
the same figures are asked for again and again: the dashboard, the results page, each export. So
programme-wide figures (basis.whole: the roles that see a whole programme) are stored with a
stamp of the data they were counted from.

- Stamp unchanged: the stored copy is served. It is exact: nothing was added or changed since.
- Stamp changed: the stored copy is still served, marked with the time it was counted
  (`basis.as_of`) and as being refreshed (`basis.refreshing`), and a background job counts the
  figures again, with the other figures queued for the same records (run_refresh). Pages and the
  API say so; nobody waits minutes for a page.
- No copy yet: counted now, while the viewer waits, and stored. Except for today's figures (the
  default report date) when the last day's were kept: those are served, as a stale copy is, while
  the worker counts today's, so the first viewer of a new day does not wait for a first count.

The stamp is the highest id of every table whose rows change figures, and of the audit log: every
change to personal data and to programme records writes an audit row, and new deliveries, status
changes, attendance, milestones and follow-ups add rows.

Small registries (fewer persons than HOMEWARD_FIGURES_CACHE_PERSONS, every test database and the
demo) are always counted afresh: there counting takes milliseconds. Scoped figures (caseworkers,
partners) are counted afresh too: their scope is small, and a copy would need a key per scope.

Kept or not, one count (count() below: one reach figure, one framework, one news paragraph)
builds each set of direct beneficiaries it needs once, into a temporary table that its figures
read and that is dropped when it ends (reports.reach.built_once): the first count and every
background refresh pay for the set once, not once per figure, target period and breakdown.
"""

import datetime
import hashlib
import pickle
import time

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

KEEP = datetime.timedelta(days=7)
STAMPED = ("audit.AuditEntry", "assistance.Delivery", "assistance.DeliveryStatusChange",
           "assistance.HouseMilestone", "assistance.ReferralStatusChange", "assistance.BusinessFollowUp",
           "activities.Activity", "activities.Attendance", "activities.CommunityProject",
           "activities.ProjectStatusChange", "registry.Person", "registry.Household", "reports.Result",
           "reports.Indicator", "reports.Target", "reports.ManualValue")


def _tables():
    from django.apps import apps

    return [apps.get_model(label)._meta.db_table for label in STAMPED]


def stamp():
    """The highest id of each stamped table, in one query."""
    parts = " UNION ALL ".join(f"SELECT {i}, MAX(id) FROM {connection.ops.quote_name(t)}"
                               for i, t in enumerate(_tables()))
    with connection.cursor() as cursor:
        cursor.execute(parts)
        found = dict(cursor.fetchall())
    return ",".join(str(found.get(i) or 0) for i in range(len(STAMPED)))


def enabled():
    """A large registry: the highest person id reaches the threshold (one index read; ids of
    persons merged away or deleted still count, which only errs towards keeping figures)."""
    from registry.models import Person

    threshold = getattr(settings, "HOMEWARD_FIGURES_CACHE_PERSONS", 100_000)
    last = Person.objects.order_by("-pk").values_list("pk", flat=True).first()
    return last is not None and last >= threshold


def key_of(kind, basis, parts):
    # What the viewer is cleared for changes the figures (sensitive assistance is counted only
    # for users cleared for it), so it is part of every key.
    text = repr((kind, sorted(basis.programmes), basis.on, basis.since, basis.user.sensitive, *parts))
    return f"{kind}:{hashlib.sha256(text.encode()).hexdigest()}"


def family_of(kind, basis, parts):
    """key_of without the report date: the same figures on any day."""
    text = repr((kind, sorted(basis.programmes), basis.since, basis.user.sensitive, *parts))
    return f"{kind}:{hashlib.sha256(text.encode()).hexdigest()}"


def cached(kind, basis, parts):
    """The figures of `kind` ("reach", "framework", "news", or "pages": a drill-down's anchors)
    for this basis, counted or kept."""
    if not basis.whole or not enabled():
        return count(kind, basis, parts)
    now = stamp()
    figures = _stored(kind, basis, parts, now)
    if figures is None:
        figures = _of_an_earlier_day(kind, basis, parts)
    return store(key_of(kind, basis, parts), kind, basis, parts, now) if figures is None else figures


def kept(kind, basis, parts):
    """The kept copy of these figures (marking the basis as cached() does), or None when there is
    none: never counts. A drill-down takes its figure from here rather than wait minutes for it."""
    if not basis.whole or not enabled():
        return None
    figures = _stored(kind, basis, parts, stamp())
    return _of_an_earlier_day(kind, basis, parts) if figures is None else figures


def _stored(kind, basis, parts, now):
    from reports.models import FigureCache

    key = key_of(kind, basis, parts)
    found = FigureCache.objects.filter(key=key).values_list("stamp", "data", "computed_at").first()
    if found is None:
        return None
    if found[0] != now:
        basis.refreshing = True
        refresh_later(key, kind, basis, parts)
    basis.as_of = found[2] if basis.as_of is None else min(basis.as_of, found[2])
    return pickle.loads(bytes(found[1]))


def _of_an_earlier_day(kind, basis, parts):
    """Today's figures (the default report date) when none are kept yet: the last day's, counted on
    that day for that day, served as a kept copy being refreshed while the worker counts today's.
    A new day changes the figures as a new record does (deliveries dated today, ages): the first
    viewer of the day would otherwise wait for a first count (a minute at a million persons)."""
    from reports.models import FigureCache

    if basis.since is not None or basis.on != timezone.localdate():
        return None
    found = (FigureCache.objects.filter(family=family_of(kind, basis, parts), day__lt=basis.on)
             .order_by("-day", "-computed_at").values_list("data", "computed_at").first())
    if found is None:
        return None
    basis.refreshing = True
    basis.as_of = found[1] if basis.as_of is None else min(basis.as_of, found[1])
    refresh_later(key_of(kind, basis, parts), kind, basis, parts)
    return pickle.loads(bytes(found[0]))


def count(kind, basis, parts, at=None):
    """Count the figures from the records (to be kept under the stamp `at`, if given). One
    computation: each set of direct beneficiaries its figures need is built once, however many
    figures read it (reports.reach.built_once), and once for the whole request when the request
    counts several (reports.middleware)."""
    from programmes.models import Programme
    from reports.reach import built_once, count_reach
    from reports.results import count_framework

    from reports.news import count_figures

    with built_once(at):
        if kind == "reach":
            return count_reach(basis, by=parts[0])
        if kind == "pages":
            from reports.indicators import anchors
            from reports.models import Indicator

            return anchors(Indicator.objects.select_related("numerator").get(pk=parts[0]), basis)
        if kind == "news":
            return count_figures(basis)
        return count_framework(Programme.objects.get(pk=parts[0]), basis)


def store(key, kind, basis, parts, at_stamp):
    """Count the figures and keep them under the stamp read before counting: a change made while
    counting makes the copy stale at once, so it is counted again."""
    from reports.models import FigureCache

    started = time.perf_counter()
    value = count(kind, basis, parts, at_stamp)
    elapsed = time.perf_counter() - started
    try:
        with transaction.atomic():
            # A key names its report date, so old keys are seldom asked for again.
            FigureCache.objects.filter(computed_at__lt=timezone.now() - KEEP).delete()
            counted_on = timezone.localdate()
            FigureCache.objects.update_or_create(key=key, defaults={
                "stamp": at_stamp, "data": pickle.dumps(value), "computed_at": timezone.now(), "seconds": elapsed,
                "family": family_of(kind, basis, parts),
                "day": basis.on if basis.since is None and basis.on == counted_on else None})
    except IntegrityError:
        pass  # another request stored the same figures first
    return value


def rights(user):
    return [user.role, user.sensitive]


def refresh_later(key, kind, basis, parts):
    """Queue one background job to count these figures again, unless one is already queued."""
    from jobs.models import Job
    from jobs.runner import enqueue

    waiting = Job.objects.filter(kind="figures", status__in=[Job.Status.QUEUED, Job.Status.RUNNING],
                                 parameters__key=key)
    if not waiting.exists():
        enqueue("figures", {"key": key, "kind": kind, "user": basis.user.pk, "rights": rights(basis.user),
                            "programmes": sorted(basis.programmes),
                            "on": basis.on.isoformat(), "since": basis.since.isoformat() if basis.since else None,
                            "parts": list(parts)}, None)


def run_refresh(job, report_progress):
    """The background job: count one set of figures again, as the user who last asked for them,
    and with it the other figures queued for the same records (a report's reach in total, by each
    trait and its framework are seven jobs): counted in one computation, they build their sets of
    direct beneficiaries once (reports.reach.built_once), and the kept figures of a report are fresh
    again in about the time of one first count instead of seven."""
    from jobs.runner import finish  # jobs.runner runs this job: imported when it runs
    from reports.reach import built_once

    basis = _refresh_basis(job.parameters)
    if basis is None:
        # Counted with the user's rights of today, the figures could differ from what the key
        # was made for (a donor's suppression, a clearance): the next request counts afresh.
        return {"skipped": "the user's rights changed since the figures were asked for"}
    report_progress(0, "Counting")
    started = time.perf_counter()
    at = stamp()
    with built_once(at):
        store(job.parameters["key"], job.parameters["kind"], basis, tuple(job.parameters["parts"]), at)
        # Claimed once this job's figures are kept: had counting them failed, the others would
        # wait for a worker of their own, not be left claimed.
        siblings = _claim_siblings(job)
        waiting = list(siblings)
        try:
            while waiting:
                report_progress(100 * (len(siblings) - len(waiting) + 1) // (len(siblings) + 1), "Counting")
                sibling = waiting.pop(0)
                p = sibling.parameters
                try:
                    # The same user, rights, programmes and dates: the same basis.
                    store(p["key"], p["kind"], basis, tuple(p["parts"]), at)
                except Exception as e:  # noqa: BLE001 - a sibling's error is its own, as if it had run alone
                    finish(sibling, error=f"{type(e).__name__}: {e}"[:2000])
                else:
                    finish(sibling, result={"counted with": job.pk})
        finally:
            # This job cancelled or failed: the figures it claimed and did not count end failed,
            # so that the next request for them queues them again.
            for sibling in waiting:
                finish(sibling, error=f"Stopped with job {job.pk}.")
    return {"seconds": round(time.perf_counter() - started, 1), "with": [s.pk for s in siblings]}


def _refresh_basis(p):
    """The basis a refresh job counts, or None when the user's rights changed since."""
    from accounts.models import User
    from reports.reach import Basis

    user = User.objects.get(pk=p["user"])
    basis = Basis(user=user, programmes=set(p["programmes"]), on=datetime.date.fromisoformat(p["on"]),
                  since=datetime.date.fromisoformat(p["since"]) if p["since"] else None)
    return basis if basis.whole and rights(user) == p["rights"] else None


SAME_RECORDS = ("user", "rights", "programmes", "on", "since")


def _claim_siblings(job):
    """The other queued figure jobs over the same records (same user and rights, programmes and
    dates), each claimed as a worker claims a job, so no other worker counts them too."""
    from jobs.models import Job
    from jobs.runner import claim

    mine = {k: job.parameters.get(k) for k in SAME_RECORDS}
    queued = Job.objects.filter(kind="figures", status=Job.Status.QUEUED).exclude(pk=job.pk)
    siblings = []
    for pk, parameters in queued.order_by("created_at", "pk").values_list("pk", "parameters"):
        if {k: parameters.get(k) for k in SAME_RECORDS} == mine:
            taken = claim(pk)
            if taken is not None:
                siblings.append(taken)
    return siblings
