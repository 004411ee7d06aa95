"""Programme-wide figures of a large registry, kept until a record changes.

Reach and a results framework over a million persons take the database seconds to count, and the
same figures are asked for again and again: the dashboard, the results page, then each export.
So programme-wide figures (basis.whole: the roles that see a whole programme) are stored with a
stamp of the data they were counted from, and served again while the stamp is unchanged.

The stamp is the highest id of every table whose rows change figures, and of the audit log: every
change to personal data and to programme records writes an audit row, and new deliveries, status
changes, attendance, milestones and follow-ups add rows. An unchanged stamp means nothing was
added or changed since, so a cached figure is never stale; any change anywhere makes the next
request count again.

Small registries (fewer persons than HOMEWARD_FIGURES_CACHE_PERSONS, every test database) are
always counted afresh: there counting is fast and nothing needs keeping. Scoped figures
(caseworkers, partners) are counted afresh too: their scope is small, and a cached copy would
need a key per scope.
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
    from registry.models import Person

    threshold = getattr(settings, "HOMEWARD_FIGURES_CACHE_PERSONS", 100_000)
    last = Person.objects.order_by("-pk").values_list("pk", flat=True).first()
    return last is not None and last >= threshold


def key_of(kind, basis, *parts):
    text = repr((kind, sorted(basis.programmes), basis.on, basis.since, *parts))
    return f"{kind}:{hashlib.sha256(text.encode()).hexdigest()}"


def cached(kind, basis, compute, *parts):
    """compute(), or the copy stored the last time it was computed over the same records."""
    if not basis.whole or not enabled():
        return compute()
    from reports.models import FigureCache

    key, now = key_of(kind, basis, *parts), stamp()
    found = FigureCache.objects.filter(key=key).values_list("stamp", "data").first()
    if found and found[0] == now:
        return pickle.loads(bytes(found[1]))
    started = time.perf_counter()
    value = compute()
    elapsed = time.perf_counter() - started
    if stamp() == now:  # nothing changed while counting: the copy matches its stamp
        try:
            with transaction.atomic():
                # A key names its report date, so yesterday's keys are never asked for again.
                FigureCache.objects.filter(computed_at__lt=timezone.now() - KEEP).delete()
                FigureCache.objects.update_or_create(key=key, defaults={
                    "stamp": now, "data": pickle.dumps(value), "computed_at": timezone.now(), "seconds": elapsed})
        except IntegrityError:
            pass  # another request stored the same figures first
    return value
