"""The records behind an indicator's figure, on a page: what the API's
/programmes/{code}/results/{indicator}/records lists, each with a link to its own page.

The figure is counted over the viewer's basis exactly as on the results page and the dashboard
(a programme-wide role counts the whole programme, a caseworker their households; a donor's
counts of 1 to 4 persons are withheld), from the kept figures of a large registry
(reports.drilldown). The list is the same figure's records over the records the viewer may see
(reports.indicators.listing), so a manager may read "5 persons" and find 2 of them listed. A
donor sees no personal records: the page says so. Opening the records of a sensitive programme's
indicator is audited, like opening the records.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, CommunityProject
from assistance.models import Delivery, Detail
from programmes.models import Programme
from registry.models import Household, Person
from reports.drilldown import PERSONAL, delivery_of, drilldown, record_drilldown_view
from reports.models import Indicator, ManualValue
from reports.reach import Basis, NotVisible
from web.query import BadDate, query_date

# How each kind of record is read for its row (the template has one table per kind).
KINDS = [
    (Person, "person", lambda rows: rows.select_related("household")),
    (Household, "household", lambda rows: rows.prefetch_related("members")),
    (Delivery, "delivery", lambda rows: rows.select_related("type", "person", "household")
        .prefetch_related("household__members")),
    (Detail, "detail", lambda rows: rows.select_related("delivery__type", "delivery__person", "delivery__household")
        .prefetch_related("delivery__household__members")),
    (Activity, "activity", lambda rows: rows.select_related("municipality")),
    (CommunityProject, "project", lambda rows: rows.select_related("municipality")),
    (ManualValue, "manual", lambda rows: rows),
]


class Counted:
    """A drill-down's rows for the paginator: their number is known already (it takes it instead of
    counting them), and a deep page starts where the drill-down says (Drilldown.page)."""

    def __init__(self, rows, drill):
        self.rows, self.drill = rows, drill

    def count(self):
        return self.drill.shown

    def __getitem__(self, index):
        return self.drill.page(self.rows, index.start or 0, index.stop)


class Period:
    """`date` (the report date, default today), `period_start`, `period_end` and `phases` from the
    query, as the API reads them, with an error naming each parameter that could not be read."""

    def __init__(self, params):
        self.errors = []
        self.on = self._date(params, "date", _("Report date")) or timezone.localdate()
        self.start = self._date(params, "period_start", _("From"))
        self.end = self._date(params, "period_end", _("To"))
        if self.start and self.end and self.end < self.start:
            self.errors.append(("period_end", _("To"),
                                _("The end date is before the start date; showing everything up to the report date.")))
            self.start = self.end = None
        self.phases = params.get("phases", "1") != "0"

    def _date(self, params, name, label):
        try:
            return query_date(params, name)
        except BadDate as e:
            message = _("Enter a date as YYYY-MM-DD (“%(text)s” is not one).") % {"text": e.text}
            self.errors.append((name, label, message))
            return None

    def changes(self):
        """The period for the audit row, as reports.exports records an export's."""
        values = {"date": self.on, "period_start": self.start, "period_end": self.end}
        return {name: [None, value.isoformat()] for name, value in values.items() if value}


@login_required
def indicator_records(request, code, indicator):
    user = request.user
    programme = get_object_or_404(Programme, code=code)
    period = Period(request.GET)
    try:
        full = Basis.of(user, programme, include_phases=period.phases, on=period.on)
    except NotVisible:
        raise Http404
    found = get_object_or_404(Indicator.objects.select_related("numerator"), programme=programme, code=indicator)
    basis = full.period(period.start, period.end or full.on)

    drill = drilldown(programme, found, full, basis)
    rows = drill.rows
    kind, read = next((name, read) for model, name, read in KINDS if issubclass(rows.model, model))
    # A donor's records of persons, households and deliveries are empty by design: say why.
    aggregates_only = issubclass(rows.model, PERSONAL) and not user.sees_personal_data
    page = Paginator(Counted(read(rows), drill), settings.HOMEWARD_PAGE_SIZE).get_page(
        request.GET.get("page"))
    listed = list(page.object_list)
    record_drilldown_view(user, programme, basis, found, listed, via="web", changes=period.changes())

    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "web/reports/records.html", {
        "programme": programme, "indicator": found, "figure": drill.figure, "basis": basis,
        "period": period, "kind": kind, "page": page, "rows": listed, "shown": drill.shown,
        "total": drill.total,
        "deliveries": [delivery_of(obj) for obj in listed] if kind in ("delivery", "detail") else [],
        "aggregates_only": aggregates_only, "query": query.urlencode(),
    })
