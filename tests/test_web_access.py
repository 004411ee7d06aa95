"""Every persona against every page that shows personal data: exactly conftest.VISIBLE, 404 otherwise."""

import re

import pytest

from registry.models import Household, Person
from tests.conftest import PERSONAS, VISIBLE

ALL_REFS = {"H-KL-1", "H-DR-1", "H-RS-1", "H-KL-2"}


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def listed_refs(response):
    return set(re.findall(r">(H-[A-Z]{2}-\d)</a>", response.content.decode())) & ALL_REFS


def login(client, world, name):
    user = getattr(world, name)
    client.force_login(user)
    return user


def test_it_needs_a_login_for_every_page(client, world):
    for url in ["/", "/households/", f"/households/{world.h_kline.pk}/", "/households/new/", "/programmes/",
                "/audit/", "/profile/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url
    assert client.get("/login/").status_code == 200


@pytest.mark.parametrize("name", PERSONAS)
def test_it_lists_exactly_the_visible_households(client, world, name):
    login(client, world, name)
    assert listed_refs(client.get("/households/")) == VISIBLE[name]


@pytest.mark.parametrize("name", PERSONAS)
def test_it_searches_only_visible_households(client, world, name):
    login(client, world, name)
    # Krasniqi (H-KL-1) in Cyrillic and without diacritics; Hoxha (H-DR-1) as Serbs write it.
    assert listed_refs(client.get("/households/", {"q": "Краснићи"})) == VISIBLE[name] & {"H-KL-1"}
    assert listed_refs(client.get("/households/", {"q": "agim krasnici"})) == VISIBLE[name] & {"H-KL-1"}
    assert listed_refs(client.get("/households/", {"q": "Hodža"})) == VISIBLE[name] & {"H-DR-1"}
    fragment = client.get("/households/", {"q": "petrovic"}, headers={"HX-Request": "true", "HX-Target": "results"})
    assert "<html" not in fragment.content.decode()
    assert listed_refs(fragment) == VISIBLE[name] & {"H-RS-1"}


@pytest.mark.parametrize("name", PERSONAS)
def test_it_opens_households_and_persons_only_in_scope(client, world, name):
    user = login(client, world, name)
    for household in Household.objects.all():
        expected = 200 if household.ref in VISIBLE[name] else 404
        assert client.get(f"/households/{household.pk}/").status_code == expected, household.ref
        person = household.members.first()
        assert client.get(f"/persons/{person.pk}/").status_code == expected, household.ref
        editable = 200 if household.ref in VISIBLE[name] and user.can_edit_registry else 404
        assert client.get(f"/households/{household.pk}/edit/").status_code == editable, household.ref
        assert client.get(f"/persons/{person.pk}/edit/").status_code == editable, household.ref


@pytest.mark.parametrize("name", PERSONAS)
def test_it_filters_by_municipality_and_programme_within_scope(client, world, name):
    login(client, world, name)
    assert listed_refs(client.get("/households/", {"municipality": "Klina"})) == VISIBLE[name] & {"H-KL-1", "H-KL-2"}
    assert listed_refs(client.get("/households/", {"municipality": world.dragash.pk})) == VISIBLE[name] & {"H-DR-1"}
    # RRK includes its phase RRK-VI, where H-KL-1 is enrolled.
    assert listed_refs(client.get("/households/", {"programme": "RRK"})) == VISIBLE[name] & {"H-KL-1"}
    assert listed_refs(client.get("/households/", {"status": "applied", "programme": "RRK-VI"})) == (
        VISIBLE[name] & {"H-KL-1"})


def test_it_does_not_reveal_sensitive_enrolments_through_the_programme_filter(client, world):
    client.force_login(world.klara)
    response = client.get("/households/", {"programme": "CT"})
    assert listed_refs(response) == set()
    assert "Unknown programme CT" in response.content.decode()
    client.force_login(world.sara)
    assert listed_refs(client.get("/households/", {"programme": "CT"})) == {"H-KL-2"}


def test_it_reports_an_unknown_municipality_instead_of_failing(client, world):
    client.force_login(world.ada)
    response = client.get("/households/", {"municipality": "Atlantis", "page": "x"})
    assert response.status_code == 200
    assert "Unknown municipality Atlantis" in response.content.decode()


def test_it_shows_place_names_in_both_languages(client, world):
    client.force_login(world.klara)
    assert "Klinë/Klina" in client.get("/households/").content.decode()


def test_it_paginates_the_household_list(client, world, settings):
    settings.HOMEWARD_PAGE_SIZE = 1
    client.force_login(world.ada)
    first = listed_refs(client.get("/households/"))
    second = listed_refs(client.get("/households/", {"page": 2}))
    assert len(first) == 1 and len(second) == 1 and first != second
    assert "Page 1 of 4" in client.get("/households/").content.decode()


def test_it_hides_sensitive_vulnerabilities_from_users_not_cleared(client, world):
    survivor = world.h_sensitive.members.get()
    client.force_login(world.klara)
    assert "Trafficking" not in client.get(f"/persons/{survivor.pk}/").content.decode()
    client.force_login(world.sara)
    assert "rafficking" in client.get(f"/persons/{survivor.pk}/").content.decode()


def test_it_hides_sensitive_enrolments_from_users_not_cleared(client, world):
    client.force_login(world.klara)
    assert "Counter-trafficking" not in client.get(f"/households/{world.h_sensitive.pk}/").content.decode()
    client.force_login(world.sara)
    assert "Counter-trafficking" in client.get(f"/households/{world.h_sensitive.pk}/").content.decode()


def test_it_audits_viewing_a_household_with_sensitive_data(client, world):
    from audit.models import AuditEntry

    client.force_login(world.sara)
    client.get(f"/households/{world.h_sensitive.pk}/")
    assert AuditEntry.objects.filter(action="view", household_id=world.h_sensitive.pk, actor=world.sara).exists()


@pytest.mark.parametrize("name", PERSONAS)
def test_it_counts_only_visible_households_on_the_dashboard(client, world, name):
    login(client, world, name)
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["household_count"] == len(VISIBLE[name])
    expected_persons = Person.objects.filter(household__ref__in=VISIBLE[name]).count()
    assert response.context["person_count"] == expected_persons
