"""A programme's figures on one page: reach with a breakdown, and its results framework with
actuals against targets. Computed by reports/ exactly as the API computes them."""

import datetime

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from programmes.models import Programme
from reports.models import DIMENSIONS
from reports.reach import Basis, NotVisible, reach
from reports.results import framework
from reports.suppression import suppress
from web.query import BadDate, query_date

DIMENSION_LABELS = {"municipality": _("Municipality"), "sex": _("Sex"), "community": _("Community"),
                    "displacement_status": _("Displacement status"), "age_group": _("Age group")}


def _date(params, name):
    # A date the page cannot read is left out: the form shows the period it did use.
    try:
        return query_date(params, name)
    except BadDate:
        return None


def _bars(rows, figure="direct"):
    """Each row with its share of the largest value, for a bar drawn in CSS."""
    top = max((r[figure] or 0 for r in rows), default=0) or 1
    return [{**r, "share": round(100 * (r[figure] or 0) / top)} for r in rows]


def _indicators(nodes, depth=0):
    """The framework flattened for a table: (depth, result, indicator or None)."""
    for node in nodes:
        yield depth, node, None
        for indicator in node["indicators"]:
            for target in indicator["targets"]:
                target["share"] = (min(100, round(100 * float(target["actual"] or 0) / float(target["target"])))
                                   if target["target"] else None)
            yield depth, node, indicator
        yield from _indicators(node["children"], depth + 1)


@login_required
def programme_results(request, code):
    user = request.user
    programme = get_object_or_404(Programme, code=code)
    on = _date(request.GET, "date") or datetime.date.today()
    since = _date(request.GET, "since")
    phases = request.GET.get("phases", "1") != "0"
    by = request.GET.get("by") if request.GET.get("by") in DIMENSIONS else "municipality"
    try:
        basis = Basis.of(user, programme, include_phases=phases, on=on, since=since if since and since <= on else None)
    except NotVisible:
        raise Http404
    figures = reach(basis, by=by)
    figures["suppressed"] = False
    if user.role == Role.DONOR:
        suppress(figures)
    return render(request, "web/reports/programme.html", {
        "programme": programme, "figures": figures, "rows": _bars(figures["rows"]), "by": by, "on": on, "basis": basis,
        "since": basis.since, "phases": phases,
        "dimensions": [(d, DIMENSION_LABELS[d]) for d in DIMENSIONS],
        "framework": list(_indicators(framework(programme, basis))),
    })
