"""Donors see aggregates with small cells suppressed, and no way to work a suppressed cell back out."""

import datetime

import pytest

from places.models import Community
from programmes.models import Programme
from registry.models import Household, Person
from reports.reach import Basis, reach
from reports.suppression import suppress
from tests.test_reports_reach import deliver


def row(key, households, direct, indirect):
    return {"key": key, "households": households, "direct": direct, "indirect": indirect}


def shown(result):
    return {r["key"]: (r["households"], r["direct"], r["indirect"]) for r in result["rows"] if not r["suppressed"]}


def hidden(result):
    return {r["key"] for r in result["rows"] if r["suppressed"]}


def test_it_hides_a_row_with_a_small_cell_and_the_next_smallest_row():
    result = suppress({"households": 30, "direct": 60, "indirect": 50,
                       "rows": [row("A", 1, 3, 2), row("B", 9, 20, 10), row("C", 20, 37, 38)]})
    # A alone hidden would be the totals minus B and C: B (30 persons) goes with it.
    assert hidden(result) == {"A", "B"}
    assert shown(result) == {"C": (20, 37, 38)}
    assert all(r[name] is None for r in result["rows"] if r["suppressed"] for name in ("households", "direct"))
    assert (result["households"], result["direct"], result["indirect"]) == (30, 60, 50)
    assert not result["suppressed"]


def test_it_hides_more_rows_while_the_hidden_ones_add_up_to_under_five():
    # A and B are small; hidden together they hold 2 households, which the totals would give away.
    result = suppress({"households": 23, "direct": 51, "indirect": 40,
                       "rows": [row("A", 1, 1, 0), row("B", 1, 2, 0), row("C", 6, 12, 10), row("D", 15, 36, 30)]})
    assert hidden(result) == {"A", "B", "C"}


def test_it_leaves_zero_alone_and_big_cells_shown():
    result = suppress({"households": 30, "direct": 60, "indirect": 30,
                       "rows": [row("A", 10, 30, 0), row("B", 20, 30, 30)]})
    assert hidden(result) == set()


def test_it_hides_small_totals_and_every_row():
    result = suppress({"households": 2, "direct": 6, "indirect": 1,
                       "rows": [row("A", 1, 5, 0), row("B", 1, 1, 1)]})
    assert result["suppressed"] and result["direct"] is None
    assert hidden(result) == {"A", "B"}


@pytest.fixture
def funded(world):
    """RRK-D, a phase of RRK (Dona's programme): 6 families of 2 in Klinë with a package (all
    direct), 2 families of 2 in Dragash with a package, 5 families of 3 in Lipjan where only the
    head had a training."""
    phase = Programme.objects.create(code="RRK-D", name="RRK donor report test", parent=world.rrk)
    xk = world.h_kline.current_country
    rom = Community.objects.get(code="ROM")
    for place, families, size, personal in ((world.kline, 6, 2, False), (world.dragash, 2, 2, False),
                                            (world.lipjan, 5, 3, True)):
        for f in range(families):
            household = Household.objects.create(ref=f"D-{place.code}-{f}", current_country=xk,
                                                 current_municipality=place, responsible_municipality=place)
            people = [Person.objects.create(household=household, ref=f"D-{place.code}-{f}-{i}",
                                            relationship="head" if i == 0 else "child", given_name="Test",
                                            family_name="Family", sex="F" if i == 0 else "M", birth_year=1990 + i,
                                            displacement_status="returnee", community=rom) for i in range(size)]
            if personal:
                deliver(world, phase, "vocational_training", person=people[0])
            else:
                deliver(world, phase, "food_package", household=household)
    return phase


def test_a_donor_gets_small_municipalities_suppressed(world, funded):
    day = datetime.date(2024, 6, 30)
    for_admin = reach(Basis.of(world.ada, funded, on=day), by="municipality")
    assert {r["key"]: (r["households"], r["direct"], r["indirect"]) for r in for_admin["rows"]} == {
        "M18": (6, 12, 0), "M24": (2, 4, 0), "M04": (5, 5, 10)}
    result = suppress(reach(Basis.of(world.dona, funded, on=day), by="municipality"))
    # Dragash (2 families, 4 persons) is small; Klinë (12 persons) is the smallest row left, so it
    # is hidden too, or the totals would give Dragash away.
    assert hidden(result) == {"M24", "M18"}
    assert shown(result) == {"M04": (5, 5, 10)}
    assert (result["households"], result["direct"], result["indirect"]) == (13, 21, 10)


def test_a_donor_gets_small_sexes_suppressed(world, funded):
    result = suppress(reach(Basis.of(world.dona, funded, on=datetime.date(2024, 6, 30)), by="sex"))
    # Heads are women (13: 8 direct by a package, 5 by a training); the other members are men:
    # 6 + 2 direct in the package families, 10 indirect in Lipjan.
    # A row counts the households with a direct beneficiary in it: 8 for the men.
    assert shown(result) == {"F": (13, 13, 0), "M": (8, 8, 10)}
