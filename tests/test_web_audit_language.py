"""The audit log is for auditors and admins; the interface speaks English, Albanian and Serbian."""

import pytest

from registry import actions
from registry.models import Household, VulnerabilityCategory
from tests.conftest import PERSONAS


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.parametrize("name", PERSONAS)
def test_it_shows_the_audit_log_only_to_auditors_and_admins(client, world, name):
    user = getattr(world, name)
    client.force_login(user)
    expected = 200 if name in ("ada", "aida") else 404
    assert client.get("/audit/").status_code == expected
    assert ('href="/audit/"' in client.get("/").content.decode()) == (expected == 200)


def test_it_masks_sensitive_audit_values_for_viewers_not_cleared(client, world):
    person = world.h_sensitive.members.get()
    category = VulnerabilityCategory.objects.filter(sensitive=True).exclude(code="trafficking_survivor").first()
    actions.set_vulnerabilities(person, [category, VulnerabilityCategory.objects.filter(sensitive=False).first()],
                                acting_user=world.sara)
    world.aida.sensitive = False
    world.aida.save()
    client.force_login(world.aida)
    html = client.get("/audit/", {"household": world.h_sensitive.pk}).content.decode()
    assert "values hidden" in html and category.code not in html
    world.aida.sensitive = True
    world.aida.save()
    html = client.get("/audit/", {"household": world.h_sensitive.pk}).content.decode()
    assert category.code in html


def test_it_filters_the_audit_log(client, world):
    actions.update_household(Household.objects.get(pk=world.h_kline.pk), {"phone": "044"}, expected_version=1,
                             acting_user=world.klara)
    client.force_login(world.aida)
    rows = client.get("/audit/", {"actor": "klara", "action": "update"}).context["page"].object_list
    assert [e.household_id for e in rows] == [world.h_kline.pk]
    assert client.get("/audit/", {"actor": "drita"}).context["page"].paginator.count == 0
    response = client.get("/audit/", {"date_from": "yesterday"})
    assert response.status_code == 200 and "date_from" in response.context["form"].errors


def test_it_shows_the_household_audit_trail_only_to_auditors(client, world):
    actions.update_household(Household.objects.get(pk=world.h_kline.pk), {"phone": "044 123"}, expected_version=1,
                             acting_user=world.klara)
    client.force_login(world.klara)
    assert "Audit trail" not in client.get(f"/households/{world.h_kline.pk}/").content.decode()
    client.force_login(world.aida)
    assert "044 123" in client.get(f"/households/{world.h_kline.pk}/").content.decode()


def test_it_switches_the_interface_to_albanian_and_serbian_cyrillic(client, world):
    client.force_login(world.klara)
    assert "Households" in client.get("/").content.decode()
    client.post("/language/", {"language": "sq", "next": "/households/"})
    world.klara.refresh_from_db()
    assert world.klara.language == "sq"
    html = client.get("/households/").content.decode()
    assert "Familjet" in html and "Regjistro një familje" in html
    client.post("/profile/", {"language": "sr"})
    html = client.get(f"/households/{world.h_kline.pk}/").content.decode()
    assert "Домаћинство" in html and "Чланови" in html and "Нисилац" not in html
    assert "Клина" in html  # the place name in the Cyrillic interface: Klinë/Клина
    client.post("/profile/", {"language": "sr-latn"})
    assert "Domaćinstva" in client.get("/households/").content.decode()


def test_it_translates_model_choices_and_action_messages(client, world):
    world.klara.language = "sq"
    world.klara.save()
    client.force_login(world.klara)
    html = client.get(f"/households/{world.h_kline.pk}/").content.decode()
    assert "Kryefamiljar" in html and "Aplikuar" in html  # Head of household, Applied
    world.klara.language = "sr"
    world.klara.save()
    enrolment = world.h_kline.enrolments.get()
    response = client.post(f"/enrolments/{enrolment.pk}/transition/", {"to_status": "closed", "version": 1},
                           follow=True)
    assert "Наведите разлог за ову одлуку." in response.content.decode()


def test_it_offers_languages_on_the_login_page(client, world):
    html = client.get("/login/", {"lang": "sq"}).content.decode()
    assert "Fjalëkalimi" in html
    assert "Лозинка" in client.get("/login/", {"lang": "sr"}).content.decode()


def test_it_logs_in_and_out(client, world):
    response = client.post("/login/", {"username": "klara", "password": "correct horse battery"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    client.post("/logout/")
    assert client.get("/").status_code == 302
