"""Budget: what a programme planned to spend, what it has committed (planned deliveries) and what
it has delivered, by category of assistance. Amounts only, no personal data, so no scoping: donors
read these figures.

The plan is Programme.budget_eur. A programme without its own figure plans the sum of its phases'
plans; a programme with one is not added to its phases' figures, which are parts of it."""

from decimal import Decimal

from django.db.models import Sum

from assistance.models import Category, Delivery, DeliveryStatus
from programmes.models import Programme

ZERO = Decimal("0.00")


def planned(programme):
    if programme.budget_eur is not None:
        return programme.budget_eur
    phases = [planned(phase) for phase in programme.phases.all()]
    return sum((p for p in phases if p is not None), ZERO) if any(p is not None for p in phases) else None


def programme_budget(programme, *, include_phases=True):
    """{"programme", "planned_eur", "committed_eur", "delivered_eur", "categories": [...]}; cancelled
    deliveries count nowhere."""
    ids = Programme.objects.phase_ids([programme]) if include_phases else {programme.pk}
    sums = (Delivery.objects.filter(programme_id__in=ids, status__in=[DeliveryStatus.PLANNED, DeliveryStatus.DELIVERED])
            .values("type__category", "status").annotate(total=Sum("value_eur")).order_by())
    by_category = {}
    for row in sums:
        key = "committed_eur" if row["status"] == DeliveryStatus.PLANNED else "delivered_eur"
        line = by_category.setdefault(row["type__category"], {"committed_eur": ZERO, "delivered_eur": ZERO})
        line[key] += row["total"] or ZERO
    categories = [{"category": c, **by_category[c]} for c in Category.values if c in by_category]
    return {
        "programme": programme.code,
        "planned_eur": planned(programme) if include_phases else programme.budget_eur,
        "committed_eur": sum((c["committed_eur"] for c in categories), ZERO),
        "delivered_eur": sum((c["delivered_eur"] for c in categories), ZERO),
        "categories": categories,
    }


def donor_budget(donor):
    """The budget of each programme the donor funds (with its phases), and the totals. A phase of a
    programme the donor also funds is counted once, inside its parent."""
    funded = list(donor.funded_programmes.all())
    funded_ids = {p.pk for p in funded}

    def inside_funded_parent(p):
        ancestor = p.parent
        while ancestor is not None:
            if ancestor.pk in funded_ids:
                return True
            ancestor = ancestor.parent
        return False

    rows = [programme_budget(p) for p in funded if not inside_funded_parent(p)]
    return {
        "donor": str(donor),
        "planned_eur": sum((r["planned_eur"] or ZERO for r in rows), ZERO),
        "committed_eur": sum((r["committed_eur"] for r in rows), ZERO),
        "delivered_eur": sum((r["delivered_eur"] for r in rows), ZERO),
        "programmes": rows,
    }
