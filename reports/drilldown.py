"""Who opened the records behind a figure: the audit rule the records page and the API share."""

from assistance.models import Delivery, Detail
from audit.models import AuditEntry, entry, record_many
from programmes.models import Programme
from registry.models import Household, Person

PERSONAL = (Person, Household, Delivery, Detail)


def household_of(obj):
    if isinstance(obj, Household):
        return obj.pk
    if isinstance(obj, Detail):
        return obj.delivery.household_id
    return obj.household_id


def delivery_of(obj):
    return obj.delivery if isinstance(obj, Detail) else obj if isinstance(obj, Delivery) else None


def counts_sensitive_help(indicator):
    terms = [indicator] + [t for t in (indicator.numerator, indicator.denominator) if t is not None]
    return any(t.sensitive for term in terms for t in term.assistance_types.all())


def record_drilldown_view(user, programme, basis, indicator, objects, *, via, changes=None):
    """Who opened which records of a sensitive programme is audited as registry.actions.record_views
    audits a page of households: one row for the indicator opened and one for each personal record
    listed (persons, households, deliveries and their details), written together. Medical help
    reveals a person's health in any programme: its deliveries are audited as their own page does
    (web.views_assistance). The API route calls this too."""
    if (programme.sensitive or Programme.objects.filter(pk__in=basis.programmes, sensitive=True).exists()
            or counts_sensitive_help(indicator)):
        # Whoever is listed behind an indicator of medical help is listed as having had it.
        seen = [obj for obj in objects if isinstance(obj, PERSONAL)]
    else:
        seen = [obj for obj in objects if delivery_of(obj) is not None and delivery_of(obj).type.sensitive]
        if not seen:
            return
    view = AuditEntry.Action.VIEW
    entries = [entry(user, view, indicator, changes=changes, sensitive=True, via=via)]
    entries += [entry(user, view, obj, household_id=household_of(obj), sensitive=True, via=via) for obj in seen]
    record_many(entries)
