"""Registering and editing through the web forms: errors name fields and save nothing; a stale
edit shows the conflict and keeps the user's input."""

import pytest

from audit.models import AuditEntry
from programmes.models import Enrolment
from registry import actions
from registry.models import Household, Person, VulnerabilityCategory


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def member(i, given, family, relationship, sex="F", born="1990", **extra):
    row = {"given_name": given, "family_name": family, "relationship": relationship, "sex": sex,
           "date_of_birth": born, "displacement_status": "returnee"}
    row.update(extra)
    return {f"members-{i}-{k}": v for k, v in row.items()}


def register_data(world, *members, **household):
    data = {"current_country": "XK", "current_municipality": world.kline.pk, "origin_municipality": world.kline.pk,
            "members-TOTAL_FORMS": str(len(members)), "members-INITIAL_FORMS": "0", "save": "1"}
    data.update(household)
    for m in members:
        data.update(m)
    return data


def test_it_registers_a_household_with_members_vulnerabilities_and_an_enrolment(client, world):
    client.force_login(world.klara)
    disability = VulnerabilityCategory.objects.filter(sensitive=False).first()
    data = register_data(world, member(0, "Qëndrim", "Krasniqi", "head", sex="M", born="1980-05-02"),
                         member(1, "Shpresa", "Krasniqi", "spouse", **{"vulnerabilities": str(disability.pk)}),
                         programme=world.rrk6.pk)
    response = client.post("/households/new/", data)
    household = Household.objects.get(members__given_name="Qëndrim")
    assert response.status_code == 302 and response["Location"] == f"/households/{household.pk}/"
    assert household.members.count() == 2 and household.responsible_municipality == world.kline
    shpresa = household.members.get(given_name="Shpresa")
    assert list(shpresa.vulnerabilities.all()) == [disability] and shpresa.birth_year == 1990
    assert Enrolment.objects.filter(household=household, programme=world.rrk6).exists()
    assert AuditEntry.objects.filter(action="create", household_id=household.pk, actor=world.klara).exists()


def test_it_names_the_fields_in_error_and_saves_nothing(client, world):
    client.force_login(world.klara)
    before = (Household.objects.count(), Person.objects.count())
    data = register_data(world, member(0, "", "Krasniqi", "head", born="3000"),
                         member(1, "Shpresa", "Krasniqi", "spouse", sex="X"), current_country="ZZ")
    response = client.post("/households/new/", data)
    assert response.status_code == 200
    forms = response.context["formset"].forms
    assert set(forms[0].errors) == {"given_name", "date_of_birth"}
    assert set(forms[1].errors) == {"sex"}
    assert "current_country" in response.context["form"].errors
    assert (Household.objects.count(), Person.objects.count()) == before
    assert 'aria-invalid="true"' in response.content.decode()


def test_it_maps_the_actions_errors_back_to_the_right_member_row(client, world):
    client.force_login(world.klara)
    before = Household.objects.count()
    # The form accepts "--" as text; the registry refuses a name without letters, for the second member.
    data = register_data(world, member(0, "Agron", "Gashi", "head"), member(1, "--", "Gashi", "child"))
    response = client.post("/households/new/", data)
    forms = response.context["formset"].forms
    assert not forms[0].errors and "given_name" in forms[1].errors
    assert Household.objects.count() == before
    # Two heads: the household-level rule is shown above the members.
    data = register_data(world, member(0, "Agron", "Gashi", "head"), member(1, "Vesa", "Gashi", "head"))
    response = client.post("/households/new/", data)
    assert "exactly one head" in response.content.decode()
    assert Household.objects.count() == before


def test_it_refuses_a_household_outside_the_caseworkers_scope(client, world):
    client.force_login(world.drita)  # Dragash caseworker, registering a case she could not see
    data = register_data(world, member(0, "Agron", "Gashi", "head"),
                         responsible_municipality=world.kline.pk)
    before = Household.objects.count()
    client.force_login(world.otto)  # no scope at all: whatever he registers would vanish from his view
    response = client.post("/households/new/", data)
    assert response.status_code == 200 and "outside your scope" in response.content.decode()
    assert Household.objects.count() == before


def test_it_adds_a_member_row_without_javascript(client, world):
    client.force_login(world.klara)
    data = register_data(world, member(0, "Agron", "Gashi", "head"))
    del data["save"]
    data["add_member"] = "1"
    response = client.post("/households/new/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="members-1-given_name"' in html and 'value="Agron"' in html
    assert not response.context["formset"].is_bound  # a new row is not an error
    assert Household.objects.filter(members__given_name="Agron").count() == 0


def test_it_offers_sensitive_categories_only_to_cleared_users(client, world):
    sensitive = VulnerabilityCategory.objects.filter(sensitive=True).first()
    client.force_login(world.klara)
    assert sensitive.name_en not in client.get("/households/new/").content.decode()
    client.force_login(world.sara)
    assert sensitive.name_en in client.get("/households/new/").content.decode()


def test_it_shows_a_stale_household_edit_and_keeps_the_input(client, world):
    client.force_login(world.klara)
    household = world.h_kline
    page = client.get(f"/households/{household.pk}/edit/")
    assert page.context["form"]["version"].value() == household.version
    # Meanwhile a colleague changes the phone number.
    actions.update_household(Household.objects.get(pk=household.pk), {"phone": "+383 44 111 222"},
                             expected_version=household.version, acting_user=world.sara)
    data = {"version": household.version, "current_country": "XK", "current_municipality": world.kline.pk,
            "phone": "+383 49 999 888", "current_place": "Dollovë"}
    response = client.post(f"/households/{household.pk}/edit/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this record" in html
    assert "+383 44 111 222" in html and 'value="+383 49 999 888"' in html and 'value="Dollovë"' in html
    household.refresh_from_db()
    assert household.phone == "+383 44 111 222" and household.current_place == ""
    # Saving again, knowingly, applies the user's values.
    data["version"] = response.context["form"]["version"].value()
    assert client.post(f"/households/{household.pk}/edit/", data).status_code == 302
    household.refresh_from_db()
    assert household.phone == "+383 49 999 888"


def test_it_shows_a_stale_person_edit_and_keeps_the_input(client, world):
    client.force_login(world.klara)
    person = world.h_kline.members.get(given_name="Agim")
    form = client.get(f"/persons/{person.pk}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "vulnerabilities"}
    data["family_name"] = "Krasniqi-Hoti"
    actions.update_person(Person.objects.get(pk=person.pk), {"father_name": "Rexhep"},
                          expected_version=person.version, acting_user=world.sara)
    response = client.post(f"/persons/{person.pk}/edit/", data)
    html = response.content.decode()
    assert "Someone else saved this record" in html and "Rexhep" in html and 'value="Krasniqi-Hoti"' in html
    person.refresh_from_db()
    assert person.family_name == "Krasniqi" and person.father_name == "Rexhep"


def test_it_names_the_field_when_an_edit_is_invalid(client, world):
    client.force_login(world.klara)
    person = world.h_kline.members.get(given_name="Agim")
    data = {"version": person.version, "given_name": "Agim", "family_name": "Krasniqi", "sex": "M",
            "relationship": "head", "displacement_status": "idp", "date_of_birth": "1970-02-30"}
    response = client.post(f"/persons/{person.pk}/edit/", data)
    assert response.status_code == 200 and "date_of_birth" in response.context["form"].errors
    person.refresh_from_db()
    assert person.version == 1


def test_it_moves_an_enrolment_through_allowed_transitions_only(client, world):
    enrolment = Enrolment.objects.get(household=world.h_kline)
    client.force_login(world.klara)
    html = client.get(f"/households/{world.h_kline.pk}/").content.decode()
    assert 'value="assessed"' in html and 'value="selected"' not in html
    client.post(f"/enrolments/{enrolment.pk}/transition/", {"to_status": "assessed", "version": enrolment.version})
    client.post(f"/enrolments/{enrolment.pk}/transition/", {"to_status": "eligible", "version": 2})
    enrolment.refresh_from_db()
    assert enrolment.status == "eligible" and enrolment.changes.count() == 2
    # Selecting is a manager's decision: refused for a caseworker, and no button for her.
    client.post(f"/enrolments/{enrolment.pk}/transition/", {"to_status": "selected", "version": 3})
    enrolment.refresh_from_db()
    assert enrolment.status == "eligible"
    client.force_login(world.marko)
    response = client.post(f"/enrolments/{enrolment.pk}/transition/", {"to_status": "rejected", "version": 3},
                           follow=True)
    assert "Give a reason" in response.content.decode()
    client.post(f"/enrolments/{enrolment.pk}/transition/", {"to_status": "selected", "version": 3})
    enrolment.refresh_from_db()
    assert enrolment.status == "selected"


def test_it_hides_enrolments_out_of_scope(client, world):
    enrolment = Enrolment.objects.get(household=world.h_kline)
    client.force_login(world.drita)
    response = client.post(f"/enrolments/{enrolment.pk}/transition/", {"to_status": "assessed", "version": 1})
    assert response.status_code == 404


def test_it_lets_only_managers_create_programmes(client, world):
    data = {"code": "RRK-VII", "name": "Seventh phase", "parent": world.rrk.pk, "sdg_goals": "1, 10",
            "donors": [world.eu.pk]}
    client.force_login(world.klara)
    assert client.post("/programmes/new/", data).status_code == 404
    client.force_login(world.marko)
    assert client.post("/programmes/new/", data).status_code == 302
    page = client.get("/programmes/RRK/").content.decode()
    assert "RRK-VII" in page and "European Union" in page
    response = client.post("/programmes/new/", {**data, "code": "BAD", "end_date": "2020-01-01",
                                                "start_date": "2021-01-01", "sdg_goals": "18"})
    assert set(response.context["form"].errors) >= {"sdg_goals"}
    response = client.post("/programmes/new/", {**data, "code": "BAD", "end_date": "2020-01-01",
                                                "start_date": "2021-01-01", "sdg_goals": ""})
    assert "end_date" in response.context["form"].errors


def test_it_counts_only_visible_enrolments_on_a_programme(client, world):
    client.force_login(world.klara)
    assert client.get("/programmes/CT/").context["total"] == 0
    client.force_login(world.sara)
    assert client.get("/programmes/CT/").context["total"] == 1


def test_it_enrols_a_household_but_not_in_a_sensitive_programme_without_clearance(client, world):
    client.force_login(world.klara)
    page = client.get(f"/households/{world.h_kline.pk}/").content.decode()
    assert f'value="{world.rrk.pk}"' in page and f'value="{world.ct.pk}"' not in page
    client.post(f"/households/{world.h_kline.pk}/enrol/", {"programme": world.ct.pk})
    assert not Enrolment.objects.filter(household=world.h_kline, programme=world.ct).exists()
    client.post(f"/households/{world.h_kline.pk}/enrol/", {"programme": world.rrk.pk})
    assert Enrolment.objects.get(household=world.h_kline, programme=world.rrk).status == "applied"
    client.force_login(world.mira)  # M&E sees the household but does not change it
    assert client.post(f"/households/{world.h_kline.pk}/enrol/", {"programme": world.ct.pk}).status_code == 404


def test_it_saves_a_person_edit_and_finds_the_new_name(client, world):
    client.force_login(world.klara)
    person = world.h_kline.members.get(given_name="Arben")
    category = VulnerabilityCategory.objects.filter(sensitive=False).first()
    data = {"version": person.version, "given_name": "Arbën", "family_name": "Krasniqi", "sex": "M",
            "relationship": "child", "displacement_status": "returnee", "date_of_birth": "2010-06-01",
            "vulnerabilities": [category.pk]}
    assert client.post(f"/persons/{person.pk}/edit/", data).status_code == 302
    person.refresh_from_db()
    assert (person.given_name, person.birth_year, person.version) == ("Arbën", 2010, 2)
    assert list(person.vulnerabilities.all()) == [category]
    response = client.get("/households/", {"q": "Арбен"})
    assert world.h_kline.ref in response.content.decode()
