"""Identity documents and consents, recorded from the person page by a caseworker."""

import datetime

from audit.models import AuditEntry
from registry.models import Consent, IdentityDocument


def person_of(world):
    return world.h_kline.members.get(given_name="Agim")


def page(client, person):
    return client.get(f"/persons/{person.pk}/").content.decode()


def test_it_adds_and_removes_an_identity_document_with_audit_rows(client, world):
    client.force_login(world.klara)
    agim = person_of(world)
    client.post(f"/persons/{agim.pk}/documents/", {"kind": "passport", "number": " P1234567 "})
    document = IdentityDocument.objects.get(person=agim)
    assert (document.kind, document.number) == ("passport", "P1234567")
    assert "P1234567" in page(client, agim)

    client.post(f"/persons/{agim.pk}/documents/{document.pk}/remove/")
    assert not IdentityDocument.objects.filter(person=agim).exists()
    rows = AuditEntry.objects.filter(actor=world.klara, model="registry.identitydocument").order_by("pk")
    assert [(e.action, e.changes["number"], e.household_id) for e in rows] == [
        ("create", [None, "P1234567"], agim.household_id), ("delete", ["P1234567", None], agim.household_id)]


def test_it_names_the_field_when_a_document_has_no_number_and_saves_nothing(client, world):
    client.force_login(world.klara)
    agim = person_of(world)
    response = client.post(f"/persons/{agim.pk}/documents/", {"kind": "passport", "number": ""}, follow=True)
    assert "Number:" in response.content.decode()
    assert not IdentityDocument.objects.exists()


def test_it_refuses_the_same_document_twice(client, world):
    client.force_login(world.klara)
    agim = person_of(world)
    client.post(f"/persons/{agim.pk}/documents/", {"kind": "id_card", "number": "X1"})
    response = client.post(f"/persons/{agim.pk}/documents/", {"kind": "id_card", "number": "x1"}, follow=True)
    assert "already has this document" in response.content.decode()
    assert IdentityDocument.objects.filter(person=agim).count() == 1


def test_it_records_and_withdraws_consent_keeping_both_dates(client, world):
    client.force_login(world.klara)
    agim = person_of(world)
    client.post(f"/persons/{agim.pk}/consents/", {"purpose": "data_sharing", "given_on": "2026-03-01"})
    consent = Consent.objects.get(person=agim)
    assert consent.recorded_by == world.klara

    response = client.post(f"/persons/{agim.pk}/consents/{consent.pk}/withdraw/", {"withdrawn_on": "2026-02-01"},
                           follow=True)
    assert "withdrawn before it was given" in response.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_on is None

    client.post(f"/persons/{agim.pk}/consents/{consent.pk}/withdraw/", {"withdrawn_on": "2026-06-30"})
    consent.refresh_from_db()
    assert (consent.given_on, consent.withdrawn_on) == (datetime.date(2026, 3, 1), datetime.date(2026, 6, 30))
    assert "withdrawn 2026-06-30" in page(client, agim)
    assert AuditEntry.objects.filter(object_id=str(agim.pk), changes__has_key="consent.data_sharing").count() == 2


def test_it_refuses_consent_given_in_the_future(client, world):
    client.force_login(world.klara)
    agim = person_of(world)
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    response = client.post(f"/persons/{agim.pk}/consents/", {"purpose": "referral", "given_on": tomorrow.isoformat()},
                           follow=True)
    assert "Given on: The date is in the future." in response.content.decode()
    assert not Consent.objects.exists()


def test_users_who_cannot_edit_the_person_get_a_404_and_nothing_is_written(client, world):
    agim = person_of(world)
    for user in (world.drita, world.mira, world.aida, world.dona):
        client.force_login(user)
        assert client.post(f"/persons/{agim.pk}/documents/", {"kind": "passport", "number": "P1"}).status_code == 404
        assert client.post(f"/persons/{agim.pk}/consents/",
                           {"purpose": "referral", "given_on": "2026-01-01"}).status_code == 404
    assert not IdentityDocument.objects.exists() and not Consent.objects.exists()


def test_read_only_users_see_no_forms_on_the_person_page(client, world):
    client.force_login(world.mira)
    html = page(client, person_of(world))
    assert "Add document" not in html and "Record consent" not in html
