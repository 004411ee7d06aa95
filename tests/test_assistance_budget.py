"""Budget per programme (with its phases) and per donor: planned, committed, delivered, by category."""

import datetime
from decimal import Decimal

from assistance.actions import change_delivery_status, record_delivery
from assistance.budget import donor_budget, programme_budget
from assistance.models import AssistanceType, GuardRule
from programmes.models import Programme

DAY = datetime.date(2024, 6, 1)


def give(world, programme, code, value, status="planned", household=None, person=None):
    if household is None and person is None:
        household = world.h_kline
    # Only a user cleared for sensitive data records help in the counter-trafficking programme.
    user = world.sara if programme.sensitive else world.ada
    return record_delivery(acting_user=user, programme=programme, household=household, person=person,
                           type=AssistanceType.objects.get(code=code), date=DAY, value_eur=value, status=status)[0]


def test_it_sums_committed_and_delivered_by_category_over_the_phases(world):
    GuardRule.objects.all().delete()
    Programme.objects.filter(pk=world.rrk.pk).update(budget_eur=Decimal("100000"))
    world.rrk.refresh_from_db()
    agim = world.h_kline.members.get(given_name="Agim")
    give(world, world.rrk6, "house_construction", "25000")
    give(world, world.rrk, "house_reconstruction", "12000", status="delivered", household=world.h_dragash)
    give(world, world.rrk6, "firewood", "300", status="delivered")
    give(world, world.rrk6, "vocational_training", "800", person=agim)
    cancelled = give(world, world.rrk6, "furniture", "900")
    change_delivery_status(cancelled, "cancelled", reason="family left", acting_user=world.ada)
    returned = give(world, world.rrk6, "food_package", "70", status="delivered")
    change_delivery_status(returned, "cancelled", reason="recorded twice", acting_user=world.ada)
    give(world, world.ct, "cash_grant", "5000", status="delivered", household=world.h_sensitive)  # another programme

    budget = programme_budget(world.rrk)
    assert budget["planned_eur"] == Decimal("100000")
    assert budget["committed_eur"] == Decimal("25800")
    assert budget["delivered_eur"] == Decimal("12300")
    assert budget["categories"] == [
        {"category": "shelter", "committed_eur": Decimal("25000"), "delivered_eur": Decimal("12000")},
        {"category": "package", "committed_eur": Decimal("0"), "delivered_eur": Decimal("300")},
        {"category": "training", "committed_eur": Decimal("800"), "delivered_eur": Decimal("0")},
    ]
    alone = programme_budget(world.rrk, include_phases=False)
    assert (alone["committed_eur"], alone["delivered_eur"]) == (Decimal("0"), Decimal("12000"))


def test_a_programme_without_its_own_plan_plans_the_sum_of_its_phases(world):
    Programme.objects.create(code="RRK-VII", name="RRK seventh phase", parent=world.rrk, budget_eur=Decimal("300"))
    Programme.objects.filter(pk=world.rrk6.pk).update(budget_eur=Decimal("700"))
    assert programme_budget(Programme.objects.get(code="RRK"))["planned_eur"] == Decimal("1000")
    assert programme_budget(world.ct)["planned_eur"] is None


def test_a_donor_sees_each_funded_programme_once(world):
    world.rrk6.donors.set([world.eu])  # also funded directly: still counted once, inside RRK
    Programme.objects.filter(pk=world.rrk.pk).update(budget_eur=Decimal("50000"))
    give(world, world.rrk6, "house_construction", "20000", status="delivered")
    give(world, world.ct, "cash_grant", "5000", status="delivered", household=world.h_sensitive)
    budget = donor_budget(world.eu)
    assert [p["programme"] for p in budget["programmes"]] == ["RRK"]
    assert (budget["planned_eur"], budget["committed_eur"], budget["delivered_eur"]) == (
        Decimal("50000"), Decimal("0"), Decimal("20000"))
