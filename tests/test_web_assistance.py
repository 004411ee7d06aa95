"""Assistance through the web pages: every persona sees exactly the deliveries of the households
in its scope (404 otherwise), the double-assistance guard warns, blocks and lets a manager
override through the form, a stale status change shows the conflict, evidence is checked and
served only in scope, and budgets show figures to donors but no person."""

import datetime
import re

import pytest

from assistance.actions import change_delivery_status, record_delivery
from assistance.kinds import add_milestone, save_detail
from assistance.models import AssistanceType, Delivery, DeliveryStatusChange, Evidence, HouseMilestone
from audit.models import AuditEntry
from registry.models import Household
from tests.conftest import PERSONAS, VISIBLE

DAY = datetime.date(2024, 6, 1)
REFS = {"H-KL-1", "H-DR-1", "H-RS-1", "H-KL-2"}


def kind(code):
    return AssistanceType.objects.get(code=code)


@pytest.fixture
def houses(world):
    """One house for each household of the world, with its detail and a first milestone."""
    out = {}
    for household in Household.objects.all():
        delivery, _ = record_delivery(acting_user=world.ada, programme=world.rrk6, household=household,
                                      type=kind("house_construction"), date=DAY, value_eur=25000)
        house = save_detail(delivery, {"municipality": "M18", "site": f"Plot of {household.ref}"},
                            acting_user=world.ada)
        add_milestone(house, "assessment", DAY, acting_user=world.ada)
        out[household.ref] = delivery
    return out


@pytest.fixture
def psychosocial(world):
    """Sensitive help (counter-trafficking programme) to the survivor in H-KL-2."""
    survivor = world.h_sensitive.members.get()
    delivery, _ = record_delivery(acting_user=world.sara, programme=world.ct, person=survivor,
                                  type=kind("psychosocial_support"), date=DAY)
    return delivery


def refs_in(response):
    return set(re.findall(r">(H-[A-Z]{2}-\d)<", response.content.decode())) & REFS


def new_delivery(world, **fields):
    data = {"programme": world.rrk6.pk, "type": kind("house_construction").pk, "recipient": "", "status": "planned",
            "date": "2024-06-01", "quantity": "1", "value_eur": "25000", "partner": "", "notes": ""}
    data.update(fields)
    return data


# Scope ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", PERSONAS)
def test_it_opens_deliveries_only_in_scope(client, world, houses, name):
    client.force_login(getattr(world, name))
    for ref, delivery in houses.items():
        expected = 200 if ref in VISIBLE[name] else 404
        assert client.get(f"/assistance/{delivery.pk}/").status_code == expected, ref
        assert client.get(f"/households/{delivery.household_id}/assistance/").status_code == expected, ref


@pytest.mark.parametrize("name", PERSONAS)
def test_it_lists_exactly_the_visible_deliveries(client, world, houses, name):
    client.force_login(getattr(world, name))
    response = client.get("/assistance/")
    if name == "dona":
        assert response.status_code == 404  # a donor reads budgets, never lists naming households
    else:
        assert refs_in(response) == VISIBLE[name]
        assert refs_in(client.get("/assistance/", {"municipality": world.dragash.pk})) == VISIBLE[name] & {"H-DR-1"}


def test_it_filters_and_paginates_the_deliveries(client, world, houses, settings):
    settings.HOMEWARD_PAGE_SIZE = 3
    change_delivery_status(houses["H-DR-1"], "delivered", acting_user=world.ada)
    client.force_login(world.ada)
    first, second = client.get("/assistance/"), client.get("/assistance/", {"page": 2})
    assert "Page 1 of 2" in first.content.decode()
    assert len(refs_in(first)) == 3 and refs_in(first) | refs_in(second) == REFS
    assert refs_in(client.get("/assistance/", {"status": "delivered"})) == {"H-DR-1"}
    assert "4 deliveries" in client.get("/assistance/", {"programme": "RRK", "type": "house_construction"}).content.decode()
    assert "0 deliveries" in client.get("/assistance/", {"type": "harmonized_package"}).content.decode()
    fragment = client.get("/assistance/", {"status": "delivered"}, headers={"HX-Request": "true", "HX-Target": "results"})
    assert "<html" not in fragment.content.decode() and refs_in(fragment) == {"H-DR-1"}
    unknown = client.get("/assistance/", {"programme": "NOPE"})
    assert unknown.status_code == 200 and "programme" in unknown.context["form"].errors


@pytest.mark.parametrize("name", PERSONAS)
def test_it_lists_houses_of_a_programme_only_in_scope(client, world, houses, name):
    client.force_login(getattr(world, name))
    response = client.get("/programmes/RRK/houses/")
    if name == "dona":
        assert response.status_code == 404
    else:
        assert refs_in(response) == VISIBLE[name]
        if VISIBLE[name]:
            assert "Assessment" in response.content.decode()


@pytest.mark.parametrize("name", PERSONAS)
def test_it_shows_sensitive_help_only_to_cleared_users(client, world, psychosocial, name):
    client.force_login(getattr(world, name))
    expected = 200 if name == "sara" else 404
    assert client.get(f"/assistance/{psychosocial.pk}/").status_code == expected
    if "H-KL-2" in VISIBLE[name]:
        history = client.get(f"/households/{world.h_sensitive.pk}/assistance/").content.decode()
        assert ("Psychosocial support" in history) == (name == "sara")


def test_opening_sensitive_help_is_audited(client, world, psychosocial):
    client.force_login(world.sara)
    client.get(f"/assistance/{psychosocial.pk}/")
    assert AuditEntry.objects.filter(action="view", actor=world.sara, model="assistance.delivery",
                                     sensitive=True).exists()


def test_the_household_page_loads_its_assistance_section(client, world, houses):
    client.force_login(world.klara)
    page = client.get(f"/households/{world.h_kline.pk}/").content.decode()
    assert f'hx-get="/households/{world.h_kline.pk}/assistance/"' in page
    fragment = client.get(f"/households/{world.h_kline.pk}/assistance/",
                          headers={"HX-Request": "true", "HX-Target": "assistance"}).content.decode()
    assert "<html" not in fragment and "House construction" in fragment and "RRK-VI" in fragment
    assert f"/households/{world.h_kline.pk}/assistance/new/" in fragment


def test_donors_see_the_budget_but_no_household(client, world, houses):
    client.force_login(world.dona)
    response = client.get("/programmes/RRK/budget/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "100000.00" in body  # four planned houses of 25000 each, committed
    assert "Shelter" in body
    assert refs_in(response) == set() and "Krasniqi" not in body
    assert client.get("/budget/").status_code == 200


# Recording and the guard ----------------------------------------------------------------------

def test_it_records_assistance_and_shows_it_in_the_households_history(client, world):
    client.force_login(world.klara)
    response = client.post(f"/households/{world.h_kline.pk}/assistance/new/", new_delivery(world))
    delivery = Delivery.objects.get(household=world.h_kline)
    assert response.status_code == 302 and response["Location"] == f"/assistance/{delivery.pk}/"
    assert delivery.type.code == "house_construction" and delivery.value_eur == 25000
    assert AuditEntry.objects.filter(action="create", model="assistance.delivery", actor=world.klara).exists()
    history = client.get(f"/households/{world.h_kline.pk}/assistance/").content.decode()
    assert "House construction" in history and "Planned" in history


def test_it_names_the_field_when_personal_help_is_given_to_a_household(client, world):
    client.force_login(world.klara)
    response = client.post(f"/households/{world.h_kline.pk}/assistance/new/",
                           new_delivery(world, type=kind("vocational_training").pk))
    assert response.status_code == 200
    assert "recipient" in response.context["form"].errors
    assert not Delivery.objects.exists()
    arben = world.h_kline.members.get(given_name="Arben")
    response = client.post(f"/households/{world.h_kline.pk}/assistance/new/",
                           new_delivery(world, type=kind("vocational_training").pk, recipient=arben.pk))
    assert response.status_code == 302
    assert Delivery.objects.get().person == arben


def test_it_refuses_to_record_for_a_household_out_of_scope(client, world):
    client.force_login(world.drita)
    assert client.get(f"/households/{world.h_kline.pk}/assistance/new/").status_code == 404
    assert client.post(f"/households/{world.h_kline.pk}/assistance/new/", new_delivery(world)).status_code == 404
    client.force_login(world.mira)  # in scope, but an M&E officer does not write
    assert client.get(f"/households/{world.h_kline.pk}/assistance/new/").status_code == 404
    assert not Delivery.objects.exists()


def test_it_shows_the_guards_warning_after_saving(client, world):
    client.force_login(world.klara)
    package = new_delivery(world, type=kind("harmonized_package").pk, value_eur="800")
    client.post(f"/households/{world.h_kline.pk}/assistance/new/", package)
    response = client.post(f"/households/{world.h_kline.pk}/assistance/new/", package, follow=True)
    assert Delivery.objects.filter(household=world.h_kline).count() == 2
    assert "Already given in this category" in response.content.decode()


def test_it_blocks_a_second_house_and_leaves_nothing_behind(client, world):
    client.force_login(world.klara)
    client.post(f"/households/{world.h_kline.pk}/assistance/new/", new_delivery(world))
    audit_rows = AuditEntry.objects.count()
    response = client.post(f"/households/{world.h_kline.pk}/assistance/new/",
                           new_delivery(world, override_reason="a caseworker cannot override"))
    body = response.content.decode()
    assert response.status_code == 200 and "This assistance was not recorded" in body
    assert "only a manager can record another" in body
    assert 'name="override_reason"' not in body  # a caseworker is not offered the override
    assert Delivery.objects.count() == 1 and DeliveryStatusChange.objects.count() == 1
    assert AuditEntry.objects.count() == audit_rows


def test_a_manager_overrides_the_block_with_a_reason(client, world):
    client.force_login(world.klara)
    client.post(f"/households/{world.h_kline.pk}/assistance/new/", new_delivery(world))
    client.force_login(world.marko)
    response = client.post(f"/households/{world.h_kline.pk}/assistance/new/", new_delivery(world))
    assert 'name="override_reason"' in response.content.decode()
    assert Delivery.objects.count() == 1
    response = client.post(f"/households/{world.h_kline.pk}/assistance/new/",
                           new_delivery(world, override_reason="The first house burned down."))
    assert response.status_code == 302
    second = Delivery.objects.get(override_reason="The first house burned down.")
    assert "The first house burned down." in client.get(f"/assistance/{second.pk}/").content.decode()


# Status ---------------------------------------------------------------------------------------

def test_it_changes_a_delivery_status_with_the_version_it_was_shown(client, world, houses):
    delivery = houses["H-KL-1"]
    client.force_login(world.klara)
    response = client.post(f"/assistance/{delivery.pk}/status/", {"to_status": "delivered", "version": 1})
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.version == 2
    response = client.post(f"/assistance/{delivery.pk}/status/", {"to_status": "cancelled", "version": 2})
    assert "Say why the delivery is cancelled" in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == "delivered"


def test_a_stale_status_change_shows_the_conflict_and_changes_nothing(client, world, houses):
    delivery = houses["H-KL-1"]
    client.force_login(world.klara)
    page = client.get(f"/assistance/{delivery.pk}/").content.decode()
    assert 'name="version" value="1"' in page
    change_delivery_status(delivery, "delivered", acting_user=world.sara)  # someone else, meanwhile
    response = client.post(f"/assistance/{delivery.pk}/status/",
                           {"to_status": "cancelled", "reason": "family left", "version": 1})
    body = response.content.decode()
    assert response.status_code == 200 and "Someone else saved this record" in body
    assert "Cancelled" in body and "Delivered" in body
    delivery.refresh_from_db()
    assert delivery.status == "delivered"
    assert not delivery.changes.filter(to_status="cancelled").exists()


def test_read_only_roles_cannot_change_a_delivery(client, world, houses):
    delivery = houses["H-KL-1"]
    for user in (world.mira, world.aida):
        client.force_login(user)
        assert 'name="to_status"' not in client.get(f"/assistance/{delivery.pk}/").content.decode()
        assert client.post(f"/assistance/{delivery.pk}/status/",
                           {"to_status": "delivered", "version": 1}).status_code == 404
    delivery.refresh_from_db()
    assert delivery.status == "planned"


# Kinds --------------------------------------------------------------------------------------

def test_it_adds_house_milestones_only_in_order(client, world, houses):
    delivery = houses["H-KL-1"]
    client.force_login(world.klara)
    response = client.post(f"/assistance/{delivery.pk}/milestones/", {"milestone": "tender", "date": "2024-07-01"})
    assert "The next milestone is Design" in response.content.decode()
    response = client.post(f"/assistance/{delivery.pk}/milestones/", {"milestone": "design", "date": "2024-07-01"})
    assert response.status_code == 302
    page = client.get(f"/assistance/{delivery.pk}/").content.decode()
    assert "Design · 2024-07-01" in page and 'value="permits" selected' in page
    assert HouseMilestone.objects.filter(house__delivery=delivery).count() == 2


def test_it_records_a_grant_with_equipment_and_follow_ups(client, world):
    delivery, _ = record_delivery(acting_user=world.klara, programme=world.rrk6, household=world.h_kline,
                                  type=kind("income_generation_grant"), date=DAY, value_eur=3000)
    client.force_login(world.klara)
    rows = {"equipment-TOTAL_FORMS": "2", "equipment-INITIAL_FORMS": "0",
            "equipment-0-item": "Welding machine", "equipment-0-quantity": "1", "equipment-0-value_eur": "-5",
            "equipment-1-item": "", "equipment-1-quantity": "1", "equipment-1-value_eur": ""}
    response = client.post(f"/assistance/{delivery.pk}/detail/",
                           {"business_plan": "Metal workshop", "sector": "production", **rows})
    row = response.context["equipment_formset"].forms[0]
    assert "value_eur" in row.errors and not hasattr(delivery, "incomegrantdetail")
    rows["equipment-0-value_eur"] = "1200"
    response = client.post(f"/assistance/{delivery.pk}/detail/",
                           {"business_plan": "Metal workshop", "sector": "production", **rows})
    assert response.status_code == 302
    response = client.post(f"/assistance/{delivery.pk}/follow-ups/", {"status": "operating", "date": "2024-12-01"})
    assert response.status_code == 302
    page = client.get(f"/assistance/{delivery.pk}/").content.decode()
    assert "Welding machine" in page and "Operating" in page and "Metal workshop" in page


def test_it_moves_a_referral_along_its_transitions(client, world):
    arben = world.h_kline.members.get(given_name="Arben")
    delivery, _ = record_delivery(acting_user=world.klara, programme=world.rrk6, person=arben, type=kind("referral"),
                                  date=DAY)
    client.force_login(world.klara)
    response = client.post(f"/assistance/{delivery.pk}/detail/", {"to": "Health centre", "reason": "checkup"})
    assert "consent" in response.context["kind_form"].errors
    client.post(f"/assistance/{delivery.pk}/detail/", {"to": "Health centre", "reason": "checkup", "consent": "on"})
    response = client.post(f"/assistance/{delivery.pk}/referral-status/", {"to_status": "completed",
                                                                           "date": "2024-06-02"})
    assert "cannot go from Sent to completed" in response.content.decode()
    response = client.post(f"/assistance/{delivery.pk}/referral-status/", {"to_status": "accepted",
                                                                           "date": "2024-06-02"})
    assert response.status_code == 302
    page = client.get(f"/assistance/{delivery.pk}/").content.decode()
    assert "Sent &rarr; Accepted" in page


# Evidence -----------------------------------------------------------------------------------

@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_it_refuses_evidence_that_is_not_what_its_name_says(client, world, houses, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    delivery = houses["H-KL-1"]
    client.force_login(world.klara)
    fake = SimpleUploadedFile("receipt.pdf", b"MZ\x90\x00 a program", content_type="application/pdf")
    response = client.post(f"/assistance/{delivery.pk}/evidence/", {"file": fake})
    assert "not what its name says" in response.content.decode()
    assert "file" in response.context["evidence_form"].errors
    assert not Evidence.objects.exists()


def test_it_serves_evidence_only_in_scope(client, world, houses, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    delivery = houses["H-KL-1"]
    client.force_login(world.klara)
    pdf = SimpleUploadedFile("handover.pdf", b"%PDF-1.4 handover record", content_type="application/pdf")
    assert client.post(f"/assistance/{delivery.pk}/evidence/", {"file": pdf}).status_code == 302
    evidence = Evidence.objects.get()
    assert f'href="/evidence/{evidence.pk}/"' in client.get(f"/assistance/{delivery.pk}/").content.decode()
    for name in PERSONAS:
        client.force_login(getattr(world, name))
        response = client.get(f"/evidence/{evidence.pk}/")
        assert response.status_code == (200 if "H-KL-1" in VISIBLE[name] else 404), name
        if response.status_code == 200:
            assert b"".join(response.streaming_content) == b"%PDF-1.4 handover record"


def test_every_page_needs_a_login(client, world, houses):
    delivery = houses["H-KL-1"]
    for url in ["/assistance/", f"/assistance/{delivery.pk}/", f"/households/{world.h_kline.pk}/assistance/",
                f"/households/{world.h_kline.pk}/assistance/new/", "/budget/", "/programmes/RRK/budget/",
                "/programmes/RRK/houses/", "/activities/", "/activities/new/", "/projects/", "/projects/new/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url
