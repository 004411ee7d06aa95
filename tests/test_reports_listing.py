"""The drill-down's pages (reports.indicators.listing, reports.drilldown): the records walked in id
order are exactly the records the figure counts, and with a large registry the page takes its
figure and its number of records from the kept framework instead of counting a million again."""

import datetime

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from reports import indicators
from reports.actions import create_indicator, create_result
from reports.drilldown import drilldown
from reports.models import Indicator, Result
from reports.reach import Basis
from reports.results import framework
from tests.test_reports_api import as_user  # noqa: F401  (a fixture)
from tests.test_reports_clearance import evacuated  # noqa: F401  (a fixture)
from tests.test_reports_indicators import END, indicator, records  # noqa: F401  (a fixture)
from tests.test_reports_reach import kind, member, reached  # noqa: F401  (a fixture)

D = datetime.date
large = override_settings(HOMEWARD_FIGURES_CACHE_PERSONS=1)


def walked_and_counted(ind, basis):
    walked = list(indicators.listing(ind, basis).values_list("pk", flat=True))
    counted = sorted(indicators.records(ind, basis).values_list("pk", flat=True))
    return walked, counted


def test_the_walked_records_are_the_records_the_figure_counts(records):
    w = records
    chosen = [
        indicator(w, "persons_assisted", code="P-ALL"),
        indicator(w, "persons_assisted", code="P-GRANT", types=["income_generation_grant"]),
        indicator(w, "persons_assisted", code="P-ACT", activity_types=["information_meeting"]),
        indicator(w, "persons_assisted", code="P-BOTH", types=["vocational_training"], activity_types=["training"]),
        indicator(w, "households_assisted", code="H-ALL"),
        indicator(w, "households_assisted", code="H-HOUSE", types=["house_construction", "house_reconstruction"]),
        indicator(w, "persons_trained", code="T"),
        indicator(w, "persons_certified", code="C"),
    ]
    chosen.append(create_indicator(Indicator(result=w.output, code="R", name="Share certified", unit="%",
                                             measure="ratio", numerator=chosen[-1], denominator=chosen[-2]),
                                   acting_user=w.marko))
    seen = 0
    for user in (w.ada, w.klara, w.drita, w.mira, w.otto):
        for since, on in ((None, END), (D(2024, 4, 1), END), (None, D(2024, 3, 31))):
            basis = Basis.of(user, w.rrk, include_phases=True, on=on, since=since)
            for ind in chosen:
                walked, counted = walked_and_counted(ind, basis)
                assert walked == counted, (user.username, since, on, ind.code)
                seen += len(walked)
    assert seen > 100  # the sets compared are not all empty


def test_medical_help_is_walked_only_for_users_cleared_for_it(evacuated):
    w = evacuated
    goal = create_result(Result(programme=w.rrk, level="goal", code="1", statement="Health"), acting_user=w.ada)
    medical = create_indicator(Indicator(programme=w.rrk, result=goal, code="MED", name="Evacuated", unit="persons",
                                         measure="persons_assisted"),
                               assistance_types=[kind("medical_evacuation")], acting_user=w.ada)
    agim = member(w.h_kline, "Agim")
    cleared = Basis.of(w.ada, w.rrk, include_phases=True, on=D(2024, 12, 31))
    assert list(indicators.listing(medical, cleared)) == [agim]
    w.ada.sensitive = False
    w.ada.save()
    not_cleared = Basis.of(w.ada, w.rrk, include_phases=True, on=D(2024, 12, 31))
    assert not indicators.listing(medical, not_cleared).exists()
    assert walked_and_counted(medical, not_cleared) == ([], [])


@large
def test_a_large_registry_takes_the_figure_and_its_number_of_records_from_the_kept_framework(records):
    w = records
    people = indicator(w, "persons_assisted", code="P-ALL")
    full = Basis.of(w.ada, w.rrk, include_phases=True, on=END)
    kept = framework(w.rrk, full)[0]["indicators"][0]  # counted once and kept
    assert kept["code"] == "P-ALL" and kept["actual"] > 5
    full = Basis.of(w.ada, w.rrk, include_phases=True, on=END)
    with CaptureQueriesContext(connection) as queries:
        drill = drilldown(w.rrk, people, full, full.period(None, END))
    assert drill.figure == drill.total == drill.shown == kept["actual"]
    assert not any("COUNT" in q["sql"].upper() for q in queries.captured_queries)  # nothing counted again
    assert len(list(drill.rows)) == kept["actual"]
    assert full.as_of is not None and not full.refreshing

    # A period no target has is counted, and so is what an M&E officer may see of the records.
    spring = drilldown(w.rrk, people, full, full.period(D(2024, 1, 1), D(2024, 3, 31)))
    assert 0 < spring.figure == spring.total == len(list(spring.rows)) < kept["actual"]
    mira = Basis.of(w.mira, w.rrk, include_phases=True, on=END)
    theirs = drilldown(w.rrk, people, mira, mira.period(None, END))
    assert theirs.figure == kept["actual"] and 0 < theirs.shown == len(list(theirs.rows)) < theirs.total


@large
def test_the_records_api_says_when_its_count_was_kept(records, as_user):  # noqa: F811
    w = records
    indicator(w, "persons_assisted", code="P-ALL")
    framework(w.rrk, Basis.of(w.ada, w.rrk, include_phases=True, on=END))
    body = as_user(w.ada).get("/programmes/RRK/results/P-ALL/records", limit=2, date=END.isoformat()).json()
    assert body["as_of"] is not None and body["refreshing"] is False
    assert body["count"] > 2 and len(body["items"]) == 2
    today = as_user(w.ada).get("/programmes/RRK/results/P-ALL/records", limit=2).json()
    assert today["as_of"] is None and today["count"] == body["count"]  # no figures kept for today: counted


def test_a_donor_is_not_shown_a_figure_of_fewer_than_five_on_the_records_page(client, records):
    w = records
    indicator(w, "persons_certified", code="C")  # two persons: Agim and Arben
    client.force_login(w.mira)
    assert "<strong>2</strong>" in client.get("/programmes/RRK/results/C/records/").content.decode()
    client.force_login(w.dona)
    html = client.get("/programmes/RRK/results/C/records/").content.decode()
    assert "<strong>—</strong>" in html and "<strong>2</strong>" not in html


@pytest.mark.parametrize("page", [1, 2])
def test_the_records_page_pages_the_walked_records(client, records, settings, page):
    w = records
    settings.HOMEWARD_PAGE_SIZE = 4
    indicator(w, "persons_assisted", code="P-ALL")
    basis = Basis.of(w.ada, w.rrk, include_phases=True, on=datetime.date.today())
    everyone = list(indicators.listing(Indicator.objects.get(code="P-ALL"), basis))
    assert len(everyone) > 4
    client.force_login(w.ada)
    html = client.get(f"/programmes/RRK/results/P-ALL/records/?page={page}").content.decode()
    shown = everyone[(page - 1) * 4:page * 4]
    assert all(f"/persons/{p.pk}/" in html for p in shown)
    assert not any(f"/persons/{p.pk}/" in html for p in everyone if p not in shown)


@large
def test_a_deep_page_starts_at_the_kept_anchor_before_it_and_lists_the_same_records(records, monkeypatch):
    from jobs.models import Job
    from jobs.runner import run_next
    from reports.models import FigureCache

    w = records
    monkeypatch.setattr(indicators, "PAGE_STEP", 3)  # an anchor every 3 records: pages of 2 cross them
    people = indicator(w, "persons_assisted", code="P-ALL")
    full = Basis.of(w.ada, w.rrk, include_phases=True, on=END)
    framework(w.rrk, full)  # kept
    drill = drilldown(w.rrk, people, full, full.period(None, END))
    everyone = list(drill.rows.values_list("pk", flat=True))
    assert drill.anchored is not None and len(everyone) > 7

    def pages():
        return [list(drill.page(drill.rows, start, start + 2).values_list("pk", flat=True))
                for start in range(0, len(everyone), 2)]

    # The first deep pages are walked from the first record while the worker counts the anchors.
    assert [pk for p in pages() for pk in p] == everyone
    assert not FigureCache.objects.filter(key__startswith="pages:").exists()
    assert Job.objects.filter(kind="figures", status="queued").count() == 1
    while run_next():
        pass
    assert FigureCache.objects.filter(key__startswith="pages:").count() == 1
    assert [pk for p in pages() for pk in p] == everyone  # from the anchors

    # An M&E officer's records are those they may see, not the figure's: walked from the first.
    mira = Basis.of(w.mira, w.rrk, include_phases=True, on=END)
    assert drilldown(w.rrk, people, mira, mira.period(None, END)).anchored is None  # not every record


@large
def test_the_records_api_pages_deep_into_the_list_as_it_walks(records, as_user, monkeypatch):  # noqa: F811
    from jobs.runner import run_next

    w = records
    monkeypatch.setattr(indicators, "PAGE_STEP", 3)
    indicator(w, "persons_assisted", code="P-ALL")
    framework(w.rrk, Basis.of(w.ada, w.rrk, include_phases=True, on=END))
    api = as_user(w.ada)
    whole = api.get("/programmes/RRK/results/P-ALL/records", limit=100, date=END.isoformat()).json()["items"]

    def pages():
        return [api.get("/programmes/RRK/results/P-ALL/records", limit=2, offset=offset,
                        date=END.isoformat()).json()["items"] for offset in range(0, len(whole), 2)]

    assert [item for p in pages() for item in p] == whole and len(whole) > 7  # walked
    while run_next():  # the worker counts the anchors
        pass
    assert [item for p in pages() for item in p] == whole  # from them
