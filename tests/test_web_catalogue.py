"""The assistance catalogue: everyone reads it; an administrator adds a type, and it is usable at once."""

import datetime

import pytest

from assistance.actions import record_delivery
from assistance.models import AssistanceType
from audit.models import AuditEntry

WINTER_KIT = {"code": "winter_kit", "name_en": "Winter kit", "name_sq": "Pako dimri", "name_sr_latn": "Zimski paket",
              "category": "package", "unit": "kit", "recipient": "household", "items": "firewood 3\nnfi_package 1"}


def test_everyone_reads_the_catalogue_with_the_harmonized_package_items(client, world):
    for user in (world.klara, world.dona):
        client.force_login(user)
        html = client.get("/catalogue/").content.decode()
        assert 'id="type-harmonized_package"' in html and "food_package × 1" in html and "firewood × 5" in html


def test_only_an_administrator_may_add_a_type(client, world):
    for user in (world.marko, world.klara, world.aida):
        client.force_login(user)
        assert client.get("/catalogue/new/").status_code == 404
        assert client.post("/catalogue/new/", WINTER_KIT).status_code == 404
    assert not AssistanceType.objects.filter(code="winter_kit").exists()


def test_an_administrator_adds_a_package_that_caseworkers_can_deliver_at_once(client, world):
    client.force_login(world.ada)
    assert client.post("/catalogue/new/", WINTER_KIT).status_code == 302
    kit = AssistanceType.objects.get(code="winter_kit")
    assert {(i.item.code, int(i.quantity)) for i in kit.items.all()} == {("firewood", 3), ("nfi_package", 1)}
    assert AuditEntry.objects.get(model="assistance.assistancetype", object_id=str(kit.pk)).actor == world.ada
    delivery, _ = record_delivery(acting_user=world.klara, programme=world.rrk6, household=world.h_kline, type=kit,
                                  date=datetime.date(2026, 1, 15), status="delivered")
    assert delivery.type == kit


def test_it_names_the_bad_item_line_and_the_taken_code_and_adds_nothing(client, world):
    client.force_login(world.ada)
    html = client.post("/catalogue/new/", {**WINTER_KIT, "items": "firewood 3\nblankets 2\nfood_package -1"}
                       ).content.decode()
    assert "Line 2: no assistance type blankets." in html and "Line 3: the quantity must be a number above zero." in html
    html = client.post("/catalogue/new/", {**WINTER_KIT, "code": "food_package", "items": ""}).content.decode()
    assert "already exists" in html
    assert not AssistanceType.objects.filter(code="winter_kit").exists()


def test_only_a_package_lists_items(client, world):
    client.force_login(world.ada)
    html = client.post("/catalogue/new/", {**WINTER_KIT, "category": "cash"}).content.decode()
    assert "Only a package lists items." in html
    assert not AssistanceType.objects.filter(code="winter_kit").exists()


def test_an_administrator_sets_the_double_assistance_rules_and_the_guard_follows(client, world):
    from assistance.actions import GuardBlocked
    from assistance.models import GuardRule

    def give(code):
        return record_delivery(acting_user=world.klara, programme=world.rrk6, household=world.h_kline,
                               type=AssistanceType.objects.get(code=code), date=datetime.date(2026, 2, 1))

    client.force_login(world.ada)
    rules = {f"rule-{c}": m for c, m in GuardRule.objects.values_list("category", "mode")}
    client.post("/catalogue/rules/", {**rules, "rule-transport": "block", "rule-shelter": ""})
    assert GuardRule.objects.filter(category="transport", mode="block").exists()
    assert not GuardRule.objects.filter(category="shelter").exists()
    assert AuditEntry.objects.filter(model="assistance.guardrule", actor=world.ada).count() == 2

    give("transport")
    with pytest.raises(GuardBlocked):
        give("transport")
    give("house_construction")
    give("house_reconstruction")  # shelter has no rule any more: a second house goes through


def test_only_an_administrator_changes_the_rules_but_everyone_reads_them(client, world):
    from assistance.models import GuardRule

    client.force_login(world.marko)
    assert client.post("/catalogue/rules/", {"rule-shelter": ""}).status_code == 404
    assert GuardRule.objects.filter(category="shelter", mode="block").exists()
    html = client.get("/catalogue/").content.decode()
    assert "Double-assistance rules" in html and 'name="rule-shelter"' not in html
