"""The figures of the dashboards: a programme's targets against actuals, its reach on a map, and
one row per programme with totals that count a person in two programmes once.

Everything is computed by reports.reach and reports.results over a Basis, exactly as the results
page and the API compute it: the same viewer sees the same numbers on every page.
"""

import math

from django.utils.translation import gettext as _

from accounts.models import Role
from places.models import Municipality
from places.seats import SEATS, project
from programmes.models import Programme
from reports.reach import Basis, may_read, reach
from reports.results import framework
from reports.suppression import suppress

# The map's SVG box (Kosovo is about as wide as it is high once longitude is shrunk by
# cos 42.5°) and its largest bubble's radius, in SVG units.
MAP_WIDTH, MAP_HEIGHT, MAP_RADIUS = 372, 400, 30


def published(figures, user):
    """Reach as the viewer may read it: a donor's small cells suppressed (reports.suppression)."""
    figures["suppressed"] = False
    if user.role == Role.DONOR:
        suppress(figures)
    return figures


# --- targets against actuals -----------------------------------------------------------------

def period_target(targets, on):
    """The target an indicator is judged by on `on`: the period that contains it, else the last
    period that ended before it; None while every period lies ahead."""
    current = [t for t in targets if t["period_start"] <= on <= t["period_end"]]
    if current:
        return current[-1]
    past = [t for t in targets if t["period_end"] < on]
    return max(past, key=lambda t: (t["period_end"], t["period_start"])) if past else None


def _chart(target):
    """Widths (percent of the chart) of the actual's bar and the target's mark: the longer of
    the two fills the chart."""
    actual = float(target["actual"] or 0)
    goal = float(target["target"])
    scale = max(actual, goal) or 1
    return {**target, "bar": round(100 * actual / scale, 1), "mark": round(100 * goal / scale, 1),
            "on_track": target["actual"] is not None and target["actual"] >= target["target"],
            "share": round(100 * actual / goal) if goal else None}


def indicator_rows(nodes, on, depth=0):
    """The framework flattened for charts: each result, then each of its indicators with its
    targets ready to draw and `judged`, the target of the current (or last) period."""
    rows = []
    for node in nodes:
        rows.append({"depth": depth, "result": node, "indicator": None})
        for indicator in node["indicators"]:
            targets = [_chart(t) for t in indicator["targets"]]
            judged = period_target(targets, on)
            rows.append({"depth": depth, "result": node, "indicator": indicator, "targets": targets,
                         "judged": judged, "on_track": bool(judged and judged["on_track"])})
        rows += indicator_rows(node["children"], on, depth + 1)
    return rows


def on_track(rows):
    """(indicators on track, indicators with a target to be judged by)."""
    judged = [r for r in rows if r["indicator"] and r["judged"]]
    return sum(r["on_track"] for r in judged), len(judged)


# --- reach on a map --------------------------------------------------------------------------

def municipality_map(rows):
    """One bubble per municipality in the rows of reach by municipality, on its seat, its area
    proportional to the direct beneficiaries. A suppressed row keeps its place with no size;
    rows outside Kosovo's municipalities ("unknown") stay in the table only."""
    municipalities = {m.code: m for m in Municipality.objects.filter(code__in=[r["key"] for r in rows])}
    top = max((r["direct"] or 0 for r in rows), default=0) or 1
    bubbles = []
    for row in rows:
        municipality = municipalities.get(row["key"])
        if municipality is None or row["key"] not in SEATS:
            continue
        x, y = project(*SEATS[row["key"]], MAP_WIDTH, MAP_HEIGHT)
        name = municipality.display_name()
        if row.get("suppressed"):
            radius, title = None, _("%(name)s: not shown") % {"name": name}
        else:
            radius = round(MAP_RADIUS * math.sqrt((row["direct"] or 0) / top), 1)
            title = _("%(name)s: %(n)s direct") % {"name": name, "n": row["direct"]}
        bubbles.append({"code": row["key"], "name": name, "x": x, "y": y, "r": radius, "title": title})
    # Small bubbles drawn last, on top of the large ones, so each stays visible and hoverable.
    bubbles.sort(key=lambda b: -(b["r"] or 0))
    return bubbles


def seat_points():
    """Every municipal seat as a small dot: the outline the bubbles are read against."""
    points = []
    for municipality in Municipality.objects.all():
        if municipality.code in SEATS:
            x, y = project(*SEATS[municipality.code], MAP_WIDTH, MAP_HEIGHT)
            points.append({"x": x, "y": y, "name": municipality.display_name()})
    return points


def municipality_names(rows):
    names = dict((m.code, m.display_name()) for m in Municipality.objects.filter(code__in=[r["key"] for r in rows]))
    return [{**r, "name": names.get(r["key"], r["key"])} for r in rows]


# --- across programmes -----------------------------------------------------------------------

def top_programmes(user):
    """The top-level programmes the viewer may read."""
    return [p for p in Programme.objects.filter(parent=None).prefetch_related("donors") if may_read(user, p)]


def combined_basis(bases):
    """One basis over the programmes of several (same viewer, same period): counted by reach(),
    a person direct in any of them is one direct beneficiary, a household one household."""
    first = bases[0]
    return Basis(user=first.user, programmes=set().union(*(b.programmes for b in bases)), on=first.on,
                 since=first.since)


def distinct_reach(user, programmes, *, on, since=None, include_phases=True):
    """Households, direct and indirect beneficiaries of any of `programmes` (each the viewer may
    read), each person counted once: someone direct in two programmes is one direct beneficiary,
    someone direct in one and indirect in another is direct. Not the sum of the programmes' rows."""
    bases = [Basis.of(user, p, include_phases=include_phases, on=on, since=since) for p in programmes]
    if not bases:
        return published({"households": 0, "direct": 0, "indirect": 0, "rows": []}, user)
    figures = reach(combined_basis(bases))
    figures["rows"] = []
    return published(figures, user)


def overview(user, *, on, since=None, include_phases=True):
    """{"rows": [{programme, figures, on_track, judged}], "totals": distinct reach}."""
    rows = []
    programmes = top_programmes(user)
    for programme in programmes:
        basis = Basis.of(user, programme, include_phases=include_phases, on=on, since=since)
        figures = published(reach(basis), user)
        indicators = indicator_rows(framework(programme, basis), on)
        n_on_track, n_judged = on_track(indicators)
        rows.append({"programme": programme, "figures": figures, "on_track": n_on_track, "judged": n_judged})
    totals = distinct_reach(user, programmes, on=on, since=since, include_phases=include_phases)
    if user.role == Role.DONOR and any(row["figures"]["suppressed"] for row in rows):
        # With one programme's row hidden, the total less the others would give it away.
        totals.update(households=None, direct=None, indirect=None, suppressed=True)
    return {"rows": rows, "totals": totals}
