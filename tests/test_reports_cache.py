"""Programme-wide figures of a large registry are kept, and refreshed in the background when a
record changes (reports.cache). The threshold is lowered to one person so the small world counts
as large."""

import datetime

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from jobs.models import Job
from jobs.runner import run_next

from assistance.actions import change_delivery_status
from registry.actions import update_person
from reports.models import FigureCache
from reports.reach import Basis, reach
from tests.test_reports_api import as_user  # noqa: F401  (a fixture)
from tests.test_reports_reach import DAY, deliver, member, reached  # noqa: F401  (a fixture)

large = override_settings(HOMEWARD_FIGURES_CACHE_PERSONS=1)


def direct(user, programme, by=None):
    return reach(Basis.of(user, programme, include_phases=True, on=DAY), by=by)


@large
def test_it_serves_the_same_figures_again_without_counting(reached):
    w = reached
    basis = Basis.of(w.mira, w.rrk, include_phases=True, on=DAY)
    first = reach(basis, by="sex")
    with CaptureQueriesContext(connection) as queries:
        again = reach(basis, by="sex")
    assert again == first
    # The look-ups (is the registry large, the stamp, the stored copy), no counting.
    assert len(queries) <= 3
    assert FigureCache.objects.count() == 1


def fresh(user, programme, by=None):
    """The figures once the background refresh has run, as the next viewer gets them."""
    basis = Basis.of(user, programme, include_phases=True, on=DAY)
    reach(basis, by=by)
    while run_next():
        pass
    basis = Basis.of(user, programme, include_phases=True, on=DAY)
    figures = reach(basis, by=by)
    assert not basis.refreshing
    return figures


@large
def test_after_a_new_delivery_the_kept_figures_say_so_and_are_counted_again(reached):
    w = reached
    before = direct(w.mira, w.rrk)
    deliver(w, w.rrk6, "food_package", household=w.h_sensitive)
    basis = Basis.of(w.mira, w.rrk, include_phases=True, on=DAY)
    served = reach(basis)
    # The kept copy, marked as being refreshed, with the time it was counted.
    assert served == before and basis.refreshing and basis.as_of is not None
    assert Job.objects.filter(kind="figures", status="queued").count() == 1
    reach(Basis.of(w.mira, w.rrk, include_phases=True, on=DAY))
    assert Job.objects.filter(kind="figures", status="queued").count() == 1  # one job, not one per request
    after = fresh(w.mira, w.rrk)
    assert after["households"] == before["households"] + 1
    assert after["direct"] > before["direct"]


@large
def test_a_cancelled_delivery_and_an_edited_person_change_the_figures(reached):
    w = reached
    package = deliver(w, w.rrk6, "food_package", household=w.h_sensitive, date=datetime.date(2024, 6, 1))
    counted = fresh(w.mira, w.rrk)["households"]
    change_delivery_status(package, "cancelled", reason="Not handed over.", acting_user=w.ada)
    assert fresh(w.mira, w.rrk)["households"] == counted - 1

    rows = {r["key"]: r["direct"] for r in fresh(w.mira, w.rrk, by="sex")["rows"]}
    agim = member(w.h_kline, "Agim")
    update_person(agim, {"sex": "F"}, acting_user=w.ada, expected_version=agim.version)
    moved = {r["key"]: r["direct"] for r in fresh(w.mira, w.rrk, by="sex")["rows"]}
    assert moved["F"] == rows["F"] + 1 and moved["M"] == rows["M"] - 1


@large
def test_a_caseworkers_figures_are_never_taken_from_the_programme_wide_copy(reached):
    w = reached
    everyone = direct(w.mira, w.rrk)
    klara = direct(w.klara, w.rrk)
    assert klara["direct"] < everyone["direct"]
    assert FigureCache.objects.count() == 1  # M&E's only


def test_a_small_registry_is_always_counted_afresh(reached):
    w = reached
    direct(w.mira, w.rrk)
    assert not FigureCache.objects.exists()


@large
def test_the_api_says_when_kept_figures_were_counted_and_that_they_are_being_refreshed(reached, as_user):
    w = reached
    client = as_user(w.mira)
    first = client.get("/reports/reach", programme="RRK", include_phases="true", date="2024-06-30").json()
    assert first["refreshing"] is False and first["as_of"] is None  # counted now
    deliver(w, w.rrk6, "food_package", household=w.h_sensitive)
    kept = client.get("/reports/reach", programme="RRK", include_phases="true", date="2024-06-30").json()
    assert kept["refreshing"] is True and kept["as_of"]
    assert kept["direct"] == first["direct"]


@large
def test_the_dashboard_says_the_figures_are_being_counted_again(reached, client):
    w = reached
    client.force_login(w.mira)
    url = "/programmes/RRK/dashboard/?date=2024-06-30"
    assert "being counted again" not in client.get(url).content.decode()
    deliver(w, w.rrk6, "food_package", household=w.h_sensitive)
    page = client.get(url).content.decode()
    assert "Figures counted at" in page and "being counted again" in page


@large
def test_the_news_in_brief_is_kept_and_counted_again_like_the_figures(reached):
    from reports.news import news_in_brief

    w = reached
    basis = Basis.of(w.mira, w.rrk, include_phases=True, on=DAY)
    first = news_in_brief(w.rrk, basis)
    deliver(w, w.rrk6, "food_package", household=w.h_sensitive)
    basis = Basis.of(w.mira, w.rrk, include_phases=True, on=DAY)
    assert news_in_brief(w.rrk, basis) == first and basis.refreshing
    while run_next():
        pass
    assert news_in_brief(w.rrk, Basis.of(w.mira, w.rrk, include_phases=True, on=DAY)) != first


@large
def test_a_new_day_starts_from_the_last_days_figures_while_its_own_are_counted(reached):
    from django.utils import timezone

    w = reached
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    # Yesterday's figures, counted yesterday for yesterday (the stored row says so).
    before = reach(Basis.of(w.mira, w.rrk, include_phases=True, on=yesterday))
    FigureCache.objects.update(day=yesterday)
    deliver(w, w.rrk6, "food_package", household=w.h_sensitive, date=today)

    basis = Basis.of(w.mira, w.rrk, include_phases=True, on=today)
    served = reach(basis)
    assert served == before and basis.refreshing and basis.as_of is not None  # nobody waits
    assert Job.objects.filter(kind="figures", status="queued").count() == 1
    while run_next():
        pass
    basis = Basis.of(w.mira, w.rrk, include_phases=True, on=today)
    counted = reach(basis)
    assert not basis.refreshing and counted["households"] == before["households"] + 1

    # Only today's view starts from an earlier day's: a date chosen in the past is counted.
    june = Basis.of(w.mira, w.rrk, include_phases=True, on=DAY)
    reach(june)
    assert june.as_of is None and not june.refreshing
    # And only from figures counted for the day they were counted on.
    assert FigureCache.objects.filter(day=None).count() == 1


@large
def test_one_refresh_counts_every_figure_queued_for_the_same_records_with_its_sets_built_once(reached):
    w = reached
    for by in (None, "sex", "municipality"):
        direct(w.mira, w.rrk, by=by)
    deliver(w, w.rrk6, "food_package", household=w.h_sensitive)
    for by in (None, "sex", "municipality"):
        basis = Basis.of(w.mira, w.rrk, include_phases=True, on=DAY)
        reach(basis, by=by)
        assert basis.refreshing
    assert Job.objects.filter(kind="figures", status="queued").count() == 3
    with CaptureQueriesContext(connection) as queries:
        first = run_next()
    # One job counted all three, and built the set of direct beneficiaries once for them.
    assert first.status == "done" and len(first.result["with"]) == 2
    assert set(Job.objects.filter(kind="figures").values_list("status", flat=True)) == {"done"}
    assert run_next() is None
    builds = [q for q in queries if q["sql"].startswith("INSERT INTO") and " UNION " in q["sql"]]
    assert len(builds) == 1
    from reports.cache import count

    for by in (None, "sex", "municipality"):
        basis = Basis.of(w.mira, w.rrk, include_phases=True, on=DAY)
        assert reach(basis, by=by) == count("reach", basis, (by,))
        assert not basis.refreshing


@large
def test_figures_queued_for_other_rights_or_another_date_are_left_to_their_own_jobs(reached):
    w = reached
    w.ada.sensitive = True  # cleared for sensitive assistance: figures of their own
    w.ada.save()
    later = DAY + datetime.timedelta(days=1)
    direct(w.mira, w.rrk)
    direct(w.ada, w.rrk)
    reach(Basis.of(w.mira, w.rrk, include_phases=True, on=later))
    deliver(w, w.rrk6, "food_package", household=w.h_sensitive)
    reach(Basis.of(w.mira, w.rrk, include_phases=True, on=DAY))
    reach(Basis.of(w.ada, w.rrk, include_phases=True, on=DAY))
    reach(Basis.of(w.mira, w.rrk, include_phases=True, on=later))
    assert Job.objects.filter(kind="figures", status="queued").count() == 3
    assert run_next().result["with"] == []
    assert run_next().result["with"] == []
    assert run_next().result["with"] == []
    assert run_next() is None


@large
def test_figures_claimed_by_a_refresh_cancelled_meanwhile_are_queued_again_when_asked_for(reached, monkeypatch):
    import reports.cache as cache

    w = reached
    for by in (None, "sex", "municipality"):
        direct(w.mira, w.rrk, by=by)
    deliver(w, w.rrk6, "food_package", household=w.h_sensitive)
    for by in (None, "sex", "municipality"):
        reach(Basis.of(w.mira, w.rrk, include_phases=True, on=DAY), by=by)
    stored, calls = cache.store, []
    oldest = Job.objects.filter(kind="figures").order_by("created_at", "pk").first()  # the one run first

    def store_then_cancel(*args):
        figures = stored(*args)
        calls.append(args)
        if len(calls) == 2:  # its own figures and one other's counted: somebody cancels the refresh
            Job.objects.filter(pk=oldest.pk).update(status="cancelled")
        return figures

    monkeypatch.setattr(cache, "store", store_then_cancel)
    first = run_next()
    statuses = dict(Job.objects.filter(kind="figures").exclude(pk=first.pk).values_list("status", "pk"))
    assert first.status == "cancelled" and set(statuses) == {"done", "failed"}
    assert run_next() is None
    # The figures left uncounted are queued again by the next request for them.
    failed = Job.objects.get(pk=statuses["failed"])
    by = failed.parameters["parts"][0]
    basis = Basis.of(w.mira, w.rrk, include_phases=True, on=DAY)
    reach(basis, by=by)
    assert basis.refreshing
    assert Job.objects.filter(kind="figures", status="queued").count() == 1
