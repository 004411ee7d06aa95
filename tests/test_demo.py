"""`homeward demo`: the seed programmes, about 1,200 plausible households, one user per role; idempotent."""

import pytest
from django.core.management import call_command

from accounts.models import User
from audit.models import AuditEntry
from programmes.models import Enrolment, EnrolmentStatusChange, Organisation, Programme, TRANSITIONS
from registry.models import Household, Person, PersonToken, PersonVulnerability


def counts():
    return {model.__name__: model.objects.count() for model in (
        Organisation, Programme, User, Household, Person, PersonToken, PersonVulnerability, Enrolment,
        EnrolmentStatusChange, AuditEntry)}


@pytest.mark.django_db
def test_it_loads_the_seed_programmes(demo):
    rrk6 = Programme.objects.get(code="RRK-VI")
    assert rrk6.parent.code == "RRK" and str(rrk6.start_date) == "2024-04-01"
    assert sorted(rrk6.sdg_goals) == [1, 10, 11]
    assert "32 houses" in rrk6.description
    assert [str(d) for d in rrk6.donors.all()] == ["EU"]
    assert "MCR" in [str(p) for p in rrk6.partners.all()]
    assert sorted(p.code for p in Programme.objects.get(code="RRK").phases.all()) == [
        "RRK-I", "RRK-II", "RRK-III", "RRK-IV", "RRK-V", "RRK-VI"]
    assert str(Programme.objects.get(code="RRK").start_date) == "2017-11-11"
    assert Programme.objects.get(code="SMP").sensitive and Programme.objects.get(code="CT-IGS").sensitive
    assert not Programme.objects.get(code="RRK").sensitive
    serbia = Programme.objects.get(code="SR-ODRZIVI")
    assert "Održivi povratak" in serbia.name
    assert {"Božur", "Sveti Spas", "Grad Kragujevac"} <= {str(p) for p in serbia.partners.all()}
    hungary = Programme.objects.get(code="HU-AVRR")
    assert (str(hungary.start_date), str(hungary.end_date)) == ("2014-08-01", "2014-11-30")
    assert [str(d) for d in hungary.donors.all()] == ["ERF"]


@pytest.mark.django_db
def test_it_loads_about_1200_households_with_one_head_each(demo):
    # About 300 households of every kind, and the families behind the seeds' figures (377 RRK
    # houses, 134 Serbian IDP families, 86 evacuated patients...).
    assert 1100 <= Household.objects.count() <= 1300
    for household in Household.objects.prefetch_related("members"):
        members = list(household.members.all())
        assert 1 <= len(members) <= 8
        assert [m.relationship for m in members].count("head") == 1, household.ref


@pytest.mark.django_db
def test_it_makes_communities_fit_names_and_places(demo):
    gorani = Household.objects.filter(members__community__code="GOR").distinct()
    assert gorani.exists()
    assert set(gorani.values_list("origin_municipality__code", flat=True)) <= {"M24"}
    rae_in_klina = Household.objects.filter(members__community__code__in=["ROM", "ASH", "EGY"],
                                            current_municipality__code="M18")
    assert rae_in_klina.count() >= 30
    in_serbia = Household.objects.filter(current_country__code="RS")
    assert in_serbia.count() >= 30
    assert set(Person.objects.filter(household__in=in_serbia).values_list("community__code", flat=True)) == {"SRB"}
    # Search finds Serbian families written in Cyrillic by their Latin spelling, and back.
    cyrillic = Person.objects.filter(family_name__regex=r"^[А-Ш]").first()
    assert cyrillic is not None
    from homeward.text import to_latin

    assert Household.objects.search(to_latin(cyrillic.family_name)).filter(pk=cyrillic.household_id).exists()


@pytest.mark.django_db
def test_it_walks_enrolments_along_allowed_transitions(demo):
    statuses = set(Enrolment.objects.values_list("status", flat=True))
    assert {"applied", "assessed", "selected", "assisted", "closed", "rejected"} <= statuses
    for enrolment in Enrolment.objects.prefetch_related("changes").order_by("?")[:100]:
        steps = [(c.from_status, c.to_status) for c in enrolment.changes.all()]
        assert steps[0] == ("", "applied")
        assert all(b in TRANSITIONS[a] for a, b in steps[1:])
        assert steps[-1][1] == enrolment.status


@pytest.mark.django_db
def test_it_keeps_sensitive_cases_for_cleared_users(demo):
    assert PersonVulnerability.objects.filter(category__code="trafficking_survivor").exists()
    klina = User.objects.get(username="klina")
    assert not klina.sensitive
    assert Household.objects.visible_to(klina).exists()
    assert not Enrolment.objects.visible_to(klina).filter(programme__sensitive=True).exists()
    assert Enrolment.objects.visible_to(User.objects.get(username="admin")).filter(programme__sensitive=True).exists()


@pytest.mark.django_db
def test_it_creates_one_user_per_role_with_the_printed_password(demo):
    assert set(User.objects.values_list("role", flat=True)) >= {
        "admin", "manager", "caseworker", "partner", "me", "donor", "auditor"}
    for username in ("admin", "klina", "dragash", "bozur", "manager", "me", "donor", "auditor"):
        assert User.objects.get(username=username).check_password("homeward-demo")
    bozur = User.objects.get(username="bozur")
    assert set(Household.objects.visible_to(bozur).values_list("current_country__code", flat=True)) == {"RS"}


@pytest.mark.django_db
def test_it_adds_nothing_on_a_second_run(demo, capsys):
    before = counts()

    call_command("demo")

    assert counts() == before
    out = capsys.readouterr().out
    assert "nothing added" in out
    assert "Log in at http://127.0.0.1:8000/ as admin / homeward-demo" in out
