"""Deliveries, their value and quantity, summed from the tallies the database keeps by programme, type
and day (reports.models.DeliveryTally) must be what the records give: for any period, types and
clearance, after writes by any path, and not after a write that was rolled back."""

import datetime
import random
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from assistance.models import AssistanceType, Delivery
from reports import indicators, tallies
from reports.models import DeliveryChange, DeliveryTally, Indicator, Measure, Result
from reports.reach import Basis
from tests.conftest import make_user, some

DATES = [datetime.date(2019, 6, 1), datetime.date(2023, 1, 1), datetime.date(2026, 6, 30)]
CENT = Decimal("0.01")
PERIODS = [(datetime.date(2020, 1, 1), datetime.date(2020, 12, 31)), (datetime.date(2023, 1, 1), datetime.date(2025, 6, 30))]


def _day(rng):
    return datetime.date(2018, 1, 1) + datetime.timedelta(days=rng.randrange(3000))


def _money(rng):
    return None if rng.random() < 0.2 else Decimal(rng.randrange(0, 500_000)) / 100


def _delivery(world, rng, kinds):
    kind = rng.choice(kinds)
    household = rng.choice([world.h_kline, world.h_dragash])
    return Delivery(programme=rng.choice([world.rrk, world.rrk6, world.ct]), household=household,
                    person=household.members.first() if kind.recipient == "person" else None, type=kind,
                    status=rng.choice(["delivered", "delivered", "planned", "cancelled"]), date=_day(rng),
                    quantity=Decimal(rng.randrange(1, 40)) / 4, value_eur=_money(rng))


def _records(basis, kinds):
    deliveries = basis.deliveries(kinds)
    # To the cent: SQLite sums the records' decimals as floating point, which can be off by a
    # fraction of a cent; the tallies add whole cents (summed as decimals, their own value once came
    # out as 0.00999999999999091 for 0.01).
    return {"n": indicators._count(deliveries), "value_eur": indicators._sum("value_eur")(deliveries).quantize(CENT),
            "quantity": indicators._sum("quantity")(deliveries).quantize(CENT)}


def _check(world, users, kinds):
    for user in users:
        for on in DATES:
            whole = Basis.of(user, world.rrk, include_phases=True, on=on)
            for basis in (whole, Basis.of(user, world.rrk6, on=on), *(whole.period(a, b) for a, b in PERIODS)):
                for chosen in ([], kinds[:1], kinds[1:4]):
                    assert tallies.delivery_sums(basis, chosen) == _records(basis, chosen), (user, on, chosen)
    assert not DeliveryChange.objects.exists()  # folded by the reads


@pytest.mark.parametrize("seed", [1, 2])
def test_delivery_tallies_give_what_the_records_give(world, seed):
    rng = random.Random(seed)
    kinds = list(AssistanceType.objects.filter(recipient="household").order_by("pk"))
    rng.shuffle(kinds)
    kinds += list(AssistanceType.objects.filter(sensitive=True))  # counted for the cleared only
    users = [world.mira, make_user("ida", "admin", sensitive=True)]
    for _ in range(60):
        _delivery(world, rng, kinds).save()
    Delivery.objects.bulk_create([_delivery(world, rng, kinds) for _ in range(30)])
    _check(world, users, kinds)

    # Every kind of write, one at a time and in bulk.
    for delivery in some(rng, Delivery.objects, 15):
        delivery.status = rng.choice(["delivered", "cancelled"])
        delivery.date, delivery.value_eur, delivery.quantity = _day(rng), _money(rng), Decimal(3)
        delivery.save()
    Delivery.objects.filter(pk__in=[o.pk for o in some(rng, Delivery.objects, 10)]).update(programme=world.rrk6)
    Delivery.objects.filter(pk__in=[o.pk for o in some(rng, Delivery.objects, 10)]).update(type=kinds[0])
    Delivery.objects.filter(pk__in=[o.pk for o in some(rng, Delivery.objects, 10)]).update(value_eur=Decimal("0.01"))
    Delivery.objects.filter(pk__in=[o.pk for o in some(rng, Delivery.objects, 8)]).delete()
    with connection.cursor() as cursor:  # a path that is not Django's
        cursor.execute("UPDATE assistance_delivery SET status = 'delivered', date = %s WHERE id IN "
                       "(SELECT id FROM assistance_delivery WHERE status <> 'delivered' ORDER BY id LIMIT 5)",
                       [datetime.date(2020, 2, 29)])
    assert DeliveryChange.objects.exists()
    _check(world, users, kinds)
    keys = list(DeliveryTally.objects.values_list("programme_id", "type_id", "at"))
    assert len(keys) == len(set(keys))  # one row a programme, type and day, however many changes


def test_a_rolled_back_write_leaves_the_tallies_as_they_were(world):
    kind = AssistanceType.objects.filter(recipient="household", sensitive=False).first()
    basis = Basis.of(world.mira, world.rrk, on=datetime.date(2026, 6, 30))
    before = tallies.delivery_sums(basis)
    with pytest.raises(RuntimeError), transaction.atomic():
        Delivery.objects.create(programme=world.rrk, household=world.h_kline, type=kind, status="delivered",
                                date=datetime.date(2024, 1, 1), value_eur=Decimal("1000.50"))
        raise RuntimeError("the form failed after the delivery was written")
    assert tallies.delivery_sums(basis) == before == _records(basis, [])
    Delivery.objects.create(programme=world.rrk, household=world.h_kline, type=kind, status="delivered",
                            date=datetime.date(2024, 1, 1), value_eur=Decimal("1000.50"))
    after = tallies.delivery_sums(basis)
    assert (after["n"], after["value_eur"]) == (before["n"] + 1, before["value_eur"] + Decimal("1000.50"))


def test_indicators_of_deliveries_value_and_quantity_read_the_tallies_programme_wide(world):
    kind = AssistanceType.objects.filter(recipient="household", sensitive=False).first()
    Delivery.objects.create(programme=world.rrk6, household=world.h_kline, type=kind, status="delivered",
                            date=datetime.date(2024, 3, 1), value_eur=Decimal("250.25"), quantity=2)
    goal = Result.objects.create(programme=world.rrk, level="goal", code="1", statement="Return")
    basis = Basis.of(world.mira, world.rrk, include_phases=True, on=datetime.date(2026, 6, 30))
    for measure, key in [(Measure.DELIVERIES, "n"), (Measure.VALUE_EUR, "value_eur"), (Measure.QUANTITY, "quantity")]:
        indicator = Indicator.objects.create(programme=world.rrk, result=goal, code=measure[:6], name=measure,
                                             unit="n", measure=measure)
        indicator.assistance_types.set([kind])
        with CaptureQueriesContext(connection) as read:
            figure = indicators.value(indicator, basis)
        assert not [q for q in read.captured_queries if "assistance_delivery" in q["sql"]]  # the tallies, not the records
        assert figure == tallies.delivery_sums(basis, [kind])[key]
        assert figure == indicators.MEASURES[measure][1](basis.deliveries([kind]))
        # A scoped viewer's figure counts only the records in their scope, from the records.
        scoped = Basis.of(world.klara, world.rrk, include_phases=True, on=datetime.date(2026, 6, 30))
        assert not scoped.whole
        with CaptureQueriesContext(connection) as read:
            figure = indicators.value(indicator, scoped)
        assert [q for q in read.captured_queries if "assistance_delivery" in q["sql"]]
        assert figure == indicators.MEASURES[measure][1](scoped.deliveries([kind]))
