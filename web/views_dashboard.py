"""Dashboards: a programme's targets against actuals, its reach on a map and its news in brief;
and one row per programme across programmes. Server-rendered; the charts are inline SVG, so the
pages print and work without JavaScript. Figures come from reports/ exactly as on the results
page (reports.dashboard); a programme the viewer may not read is not found."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from programmes.models import Programme
from reports import dashboard
from reports.news import LANGUAGES as NEWS_LANGUAGES
from reports.news import news_in_brief
from reports.reach import Basis, NotVisible, reach
from reports.results import framework
from web.query import BadDate, query_date

NEWS_LABELS = {"en": "English", "sq": "Shqip", "sr-latn": "Srpski", "sr": "Српски"}
# The lang attribute of the paragraph, so screen readers and hyphenation read the right language.
NEWS_HTML_LANG = {"en": "en", "sq": "sq", "sr-latn": "sr-Latn", "sr": "sr-Cyrl"}


class Period:
    """The period and scope of the figures from the query (`date`, `since`, `phases`, as the
    results page reads them), with an error naming each parameter that could not be read."""

    def __init__(self, params):
        self.today = timezone.localdate()
        self.errors = []
        self.on = self._date(params, "date", _("Report date")) or self.today
        self.since = self._date(params, "since", _("From"))
        if self.since and self.since > self.on:
            self.errors.append((_("From"), _("The period starts after the report date; showing everything up to it.")))
            self.since = None
        self.phases = params.get("phases", "1") != "0"

    def _date(self, params, name, label):
        try:
            return query_date(params, name)
        except BadDate as e:
            self.errors.append((label, _("Enter a date as YYYY-MM-DD (“%(text)s” is not one).") % {"text": e.text}))
            return None

    def query(self, **extra):
        params = {"date": self.on.isoformat(), "phases": "1" if self.phases else "0"}
        if self.since:
            params["since"] = self.since.isoformat()
        params.update({k: v for k, v in extra.items() if v})
        return urlencode(params)

    def quick_links(self, **extra):
        """This year, last year, all time: (label, query string, current?)."""
        year = self.today.year
        phases = "1" if self.phases else "0"
        links = [
            (_("This year"), {"since": f"{year}-01-01", "date": self.today.isoformat()}),
            (_("Last year"), {"since": f"{year - 1}-01-01", "date": f"{year - 1}-12-31"}),
            (_("All time"), {"date": self.today.isoformat()}),
        ]
        current = {"since": self.since.isoformat() if self.since else None, "date": self.on.isoformat()}
        return [(label, urlencode({**params, "phases": phases, **{k: v for k, v in extra.items() if v}}),
                 current == {"since": params.get("since"), "date": params["date"]})
                for label, params in links]


def _bars(rows):
    top = max((r["direct"] or 0 for r in rows), default=0) or 1
    return [{**r, "share": round(100 * (r["direct"] or 0) / top)} for r in rows]


def _news_language(request, period):
    wanted = request.GET.get("news_lang")
    if wanted and wanted not in NEWS_LANGUAGES:
        period.errors.append(("news_lang", _("One of: %(values)s.") % {"values": ", ".join(NEWS_LANGUAGES)}))
        wanted = None
    interface = get_language() or "en"
    return wanted or (interface if interface in NEWS_LANGUAGES else "en")


def _drill_downs(programme, period):
    """Links from a number to the records behind it, only where a list shows exactly those: the
    activity and project lists always include a programme's phases, and the project list has no
    date filter (so only for all time up to today)."""
    links = {"reach": f"{reverse('web:programme_results', args=[programme.code])}?{period.query()}#reach"}
    if period.phases:
        links["activities"] = f"{reverse('web:activities')}?" + urlencode(
            {"programme": programme.code, "date_from": period.since.isoformat() if period.since else "",
             "date_to": period.on.isoformat()})
        if not period.since and period.on >= period.today:
            links["projects"] = f"{reverse('web:projects')}?" + urlencode(
                {"programme": programme.code, "status": "completed"})
    return links


@login_required
def programme_dashboard(request, code):
    user = request.user
    programme = get_object_or_404(Programme, code=code)
    period = Period(request.GET)
    try:
        basis = Basis.of(user, programme, include_phases=period.phases, on=period.on, since=period.since)
    except NotVisible:
        raise Http404
    figures = dashboard.published(reach(basis, by="municipality"), user)
    indicators = dashboard.indicator_rows(framework(programme, basis), period.on)
    news_lang = _news_language(request, period)
    return render(request, "web/reports/dashboard.html", {
        "programme": programme, "period": period, "figures": figures, "basis": basis,
        "rows": dashboard.municipality_names(_bars(figures["rows"])),
        "map": {"width": dashboard.MAP_WIDTH, "height": dashboard.MAP_HEIGHT, "seats": dashboard.seat_points(),
                "bubbles": dashboard.municipality_map(figures["rows"])},
        "indicators": indicators, "on_track": dashboard.on_track(indicators),
        "links": _drill_downs(programme, period),
        "quick": period.quick_links(news_lang=request.GET.get("news_lang") and news_lang),
        "news": news_in_brief(programme, basis, news_lang), "news_lang": news_lang,
        "news_html_lang": NEWS_HTML_LANG[news_lang],
        "news_links": [(code, NEWS_LABELS[code], period.query(news_lang=code)) for code in NEWS_LANGUAGES],
    })


@login_required
def reports(request):
    user = request.user
    period = Period(request.GET)
    found = dashboard.overview(user, on=period.on, since=period.since, include_phases=period.phases)
    return render(request, "web/reports/overview.html", {
        "period": period, "rows": found["rows"], "totals": found["totals"], "query": period.query(),
        "quick": period.quick_links(),
    })
