"""A programme's results page: the reach a manager reads, a donor's suppressed cells, and an
indicator's progress against its target."""

import datetime
from decimal import Decimal

from assistance.actions import record_delivery
from assistance.models import AssistanceType
from reports.actions import create_indicator, create_result, set_target
from reports.models import Indicator, Result
from tests.conftest import make_household

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
    assert "Figures under 5 persons are not shown, nor the figures from which they could be worked out." in html
    assert "not shown</td>" in html
    assert '<th scope="row">M18</th>\n<td class="n">1</td>' not in html


def test_a_row_hidden_to_protect_a_small_one_is_not_called_small(client, world):
    # Klinë's one household is a small cell; Dragash's five are hidden too, or the totals would give Klinë away.
    deliver(world, "food_package", world.h_kline)  # 3 persons
    deliver(world, "food_package", world.h_dragash)  # 2 persons
    for n in range(4):
        household = make_household(f"H-DR-{n + 2}", responsible=world.dragash, current_municipality=world.dragash,
                                   members=[(f"Ilir{n}", "Gashi", "M", "head", 1980),
                                            (f"Era{n}", "Gashi", "F", "spouse", 1982)])
        deliver(world, "food_package", household)
    client.force_login(world.dona)
    html = client.get("/programmes/RRK/results/", {"date": "2026-06-30"}).content.decode()
    # The totals stay published: 6 households, 13 persons.
    assert '<strong>6</strong> households' in html and '<strong>13</strong> direct beneficiaries' in html
    for code in ("M18", "M24"):
        assert f'<th scope="row">{code}</th>\n<td class="n" colspan="3">not shown</td>' in html
    assert "fewer than" not in html


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
