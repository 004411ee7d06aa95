"""A programme's results page: the reach a manager reads, a donor's suppressed cells, and an
indicator's progress against its target."""

import datetime
from decimal import Decimal

from assistance.actions import record_delivery
from assistance.models import AssistanceType
from reports.actions import create_indicator, create_result, set_target
from reports.models import Indicator, Result

DAY = datetime.date(2026, 3, 1)


def deliver(world, code, household):
    record_delivery(acting_user=world.ada, programme=world.rrk6, type=AssistanceType.objects.get(code=code),
                    household=household, date=DAY, status="delivered")


def test_a_manager_reads_reach_by_municipality_with_phases(client, world):
    deliver(world, "food_package", world.h_kline)      # 3 persons in Klinë
    deliver(world, "food_package", world.h_dragash)    # 2 persons in Dragash
    client.force_login(world.marko)
    html = client.get("/programmes/RRK/results/", {"date": "2026-06-30"}).content.decode()
    # RRK with its phase RRK-VI: two households, five direct beneficiaries, nobody indirect.
    assert '<strong>2</strong> households' in html and '<strong>5</strong> direct beneficiaries' in html
    assert '<th scope="row">M18</th>\n<td class="n">1</td><td class="n">3</td>' in html
    # Without the phases, RRK itself delivered nothing.
    html = client.get("/programmes/RRK/results/", {"date": "2026-06-30", "phases": "0"}).content.decode()
    assert '<strong>0</strong> households' in html
    # Before the deliveries' date nothing counts yet.
    html = client.get("/programmes/RRK/results/", {"date": "2026-02-28"}).content.decode()
    assert '<strong>0</strong> direct beneficiaries' in html


def test_a_donor_sees_small_cells_hidden(client, world):
    deliver(world, "food_package", world.h_kline)
    deliver(world, "food_package", world.h_dragash)
    client.force_login(world.dona)
    html = client.get("/programmes/RRK/results/", {"date": "2026-06-30"}).content.decode()
    assert "Figures under 5 persons are not shown." in html and "fewer than 5" in html
    assert '<th scope="row">M18</th>\n<td class="n">1</td>' not in html


def test_an_indicator_shows_its_actual_against_the_target(client, world):
    deliver(world, "food_package", world.h_kline)
    deliver(world, "food_package", world.h_dragash)
    goal = create_result(Result(programme=world.rrk, level="goal", code="1", statement="Sustainable return"),
                         acting_user=world.marko)
    indicator = create_indicator(Indicator(programme=world.rrk, result=goal, code="1.a", name="Households assisted",
                                           unit="households", measure="households_assisted"),
                                 acting_user=world.marko)
    set_target(indicator, datetime.date(2026, 1, 1), datetime.date(2026, 12, 31), Decimal(4), acting_user=world.marko)
    client.force_login(world.marko)
    html = client.get("/programmes/RRK/results/", {"date": "2026-06-30"}).content.decode()
    assert "1 Sustainable return" in html and "1.a Households assisted" in html
    assert "2026-01-01 – 2026-12-31: 2 / 4" in html and '<progress max="100" value="50">' in html


def test_a_sensitive_programme_is_not_found_by_users_not_cleared(client, world):
    client.force_login(world.klara)
    assert client.get("/programmes/CT/results/").status_code == 404
    client.force_login(world.sara)
    assert client.get("/programmes/CT/results/").status_code == 200
