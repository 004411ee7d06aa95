"""The records behind a figure, as the records page and the API show them: the figure, how many
records lie behind it, a page of them, and who opened them (the audit rule)."""

from dataclasses import dataclass

from accounts.models import Role
from assistance.models import Delivery, Detail
from audit.models import AuditEntry, entry, record_many
from programmes.models import Programme
from registry.models import Household, Person
from reports import indicators
from reports.models import Measure
from reports.results import flatten, published

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


@dataclass
class Drilldown:
    figure: object  # the indicator's figure over the period (None: withheld from a donor, or no ratio)
    total: int  # records behind the figure
    shown: int  # of them, records the viewer may see
    rows: object  # a queryset of those, in id order, cheap to page (reports.indicators.listing)
    # (indicator, basis) whose kept anchors start a deep page's walk, when the viewer's records are
    # the kept figure's records; None: every page is walked from the first record.
    anchored: tuple | None = None

    def page(self, rows, start, stop):
        """rows (self.rows, maybe with related records joined) [start:stop]. A page past the first
        PAGE_STEP records starts at the kept anchor before it (reports.indicators.anchors). The
        anchors are kept as the figures are: the first deep page is walked from the first record
        while a background job counts them; after records change, the anchors of before serve
        (as the figures of before do) while they are counted again."""
        if self.anchored is None or start < indicators.PAGE_STEP:
            return rows[start:stop]
        from reports.cache import key_of, kept, refresh_later

        indicator, basis = self.anchored
        parts = (indicator.pk,)
        anchors = kept("pages", basis, parts)
        if anchors is None:
            refresh_later(key_of("pages", basis, parts), "pages", basis, parts)
            return rows[start:stop]
        return indicators.page(rows, anchors, start, stop)


def _kept_framework(programme, full):
    """The kept framework of `full` (the results page's figures), or None; marks `full` as kept."""
    from reports.cache import kept

    return kept("framework", full, (programme.pk, full.user.role == Role.DONOR))


def _figure_in(nodes, indicator, full, basis):
    """(figure, suppressed) of the indicator in the kept framework when it holds the period of
    `basis`: the indicator's actual or one of its targets' actuals. None otherwise."""
    for node in flatten(nodes):
        for figures in node["indicators"]:
            if figures["code"] != indicator.code:
                continue
            if basis.since is None and basis.on == full.on:
                return figures["actual"], figures["suppressed"]
            for target in figures["targets"]:
                if (basis.since, basis.on) == (target["period_start"], min(target["period_end"], full.on)):
                    return target["actual"], target["suppressed"]
    return None


def drilldown(programme, indicator, full, basis):
    """`full` is the viewer's basis of the programme (the results page's), `basis` the same
    narrowed to the period asked for.

    With a large registry the figure comes from the kept framework when it holds the period, and
    so does the number of records when the figure is that number and the viewer sees every
    record; otherwise they are counted (a million persons: seconds). The page's rows are walked in
    id order (reports.indicators.listing), so a page costs about its own records."""
    rows = indicators.listing(indicator, basis)
    personal = issubclass(rows.model, PERSONAL)
    nodes = _kept_framework(programme, full)
    basis.as_of, basis.refreshing = full.as_of, full.refreshing
    kept = _figure_in(nodes, indicator, full, basis) if nodes is not None else None
    figure, _hidden = kept or published(indicator, indicators.value(indicator, basis), basis)
    if personal and not basis.user.sees_personal_data:
        # A donor's records are empty by design; their figure is published as on the results page.
        return Drilldown(figure, 0, 0, rows.none())
    if kept and basis.whole and basis.user.sees_everything:
        # The viewer's records are the figure's records: when the figure is their number, it was
        # counted once, for the kept copy. (A ratio lists its numerator's records.)
        counted = indicator.numerator if indicator.measure == Measure.RATIO else indicator
        number = (kept if counted is indicator else _figure_in(nodes, counted, full, basis) or (None,))[0]
        if number is not None and indicators.counts_records(counted):
            return Drilldown(figure, number, number, rows, anchored=(indicator, basis))
    shown = rows.count()
    # A programme-wide role's figure counts records outside their scope; others count only theirs.
    total = indicators.source(indicator, basis).count() if personal and basis.whole else shown
    return Drilldown(figure, total, shown, rows)
