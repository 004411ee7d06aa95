"""Shared fixtures: a small world of programmes and households, and one persona per role and place.

Personas (as in the access tests):
- ada: admin                      - klara: caseworker in Klinë/Klina
- drita: caseworker in Dragash    - petar: partner NGO user (Božur)
- mira: M&E officer for RRK       - dona: donor
- aida: auditor                   - otto: outsider (a caseworker with no scope)
- marko: manager of RRK           - sara: caseworker in Klinë/Klina cleared for sensitive data
"""

import datetime

import pytest

from accounts.models import ApiToken, User
from places.models import Community, Country, Municipality
from programmes.models import Organisation, Programme
from registry.models import Household, Person, VulnerabilityCategory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The production hasher is slow on purpose; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The duplicate search forks workers; the test process may hold threads (a live server, the
    # browser), which a fork copies half-way. Forked workers are tested in a fresh process
    # (tests/test_matching_score.py).
    settings.HOMEWARD_MATCH_WORKERS = 1
    # Every prepared query is also built afresh and compared (homeward.prepared): a shape that
    # misses what its text depends on fails the test that runs it.
    settings.HOMEWARD_CHECK_PREPARED = True


# Reference data comes from data migrations. A transactional test (threads, live server) empties
# every table when it ends, so tests that follow would find no municipalities; load it again.
REFERENCE_MIGRATIONS = ["places.migrations.0002_reference_data", "registry.migrations.0002_vulnerability_categories",
                        "assistance.migrations.0002_catalogue"]


@pytest.fixture(autouse=True)
def reference_data(request):
    if not (request.node.get_closest_marker("django_db") or {"db", "transactional_db", "live_server"}
            & set(request.fixturenames)):
        return
    request.getfixturevalue("db")  # pytest-django makes it transactional where the test asked for that
    if Municipality.objects.exists():
        return
    import importlib

    from django.apps import apps

    for name in REFERENCE_MIGRATIONS:
        importlib.import_module(name).load(apps, None)


def municipality(code):
    return Municipality.objects.get(code=code)


def some(rng, queryset, n):
    """Up to n records of the queryset chosen by `rng`: a property test's choices are its seed's,
    where the database's own random order (order_by("?")) differs from run to run."""
    records = list(queryset.order_by("pk"))
    return rng.sample(records, min(n, len(records)))


def make_user(username, role, *, municipalities=(), organisations=(), programmes=(), sensitive=False):
    user = User.objects.create_user(username, password="correct horse battery", role=role, sensitive=sensitive)
    user.municipalities.set(municipalities)
    user.organisations.set(organisations)
    user.programmes.set(programmes)
    return user


def make_household(ref, *, members, responsible, current="XK", current_municipality=None, organisation=None,
                   origin=None):
    """members: list of (given, family, sex, relationship, birth_year)."""
    household = Household.objects.create(
        ref=ref,
        current_country=Country.objects.get(code=current),
        current_municipality=current_municipality,
        responsible_municipality=responsible,
        responsible_organisation=organisation,
        origin_municipality=origin,
    )
    from registry.actions import write_tokens

    for i, (given, family, sex, relationship, year) in enumerate(members):
        person = Person.objects.create(
            household=household, ref=f"{ref}-{i + 1}", relationship=relationship, given_name=given,
            family_name=family, sex=sex, birth_year=year, displacement_status="idp",
            community=Community.objects.get(code="ROM"),
        )
        write_tokens(person)
    return household


class World:
    pass


@pytest.fixture
def world(db):
    w = World()
    w.kline, w.dragash, w.lipjan = municipality("M18"), municipality("M24"), municipality("M04")
    w.eu = Organisation.objects.create(name="European Union", short_name="EU", kind="donor")
    w.iom = Organisation.objects.create(name="International Organization for Migration", short_name="IOM",
                                        kind="implementing_agency")
    w.bozur = Organisation.objects.create(name="Božur", kind="partner")
    w.rrk = Programme.objects.create(code="RRK", name="EU Return and Reintegration in Kosovo")
    w.rrk6 = Programme.objects.create(code="RRK-VI", name="RRK sixth phase", parent=w.rrk,
                                      start_date=datetime.date(2024, 4, 1))
    w.ct = Programme.objects.create(code="CT", name="Counter-trafficking support", sensitive=True)
    w.rrk.donors.set([w.eu])

    w.h_kline = make_household("H-KL-1", responsible=w.kline, current_municipality=w.kline, members=[
        ("Agim", "Krasniqi", "M", "head", 1970), ("Drita", "Krasniqi", "F", "spouse", 1975),
        ("Arben", "Krasniqi", "M", "child", 2010)])
    w.h_dragash = make_household("H-DR-1", responsible=w.dragash, current_municipality=w.dragash, members=[
        ("Nexhmije", "Hoxha", "F", "head", 1980), ("Ilir", "Hoxha", "M", "child", 2012)])
    w.h_serbia = make_household("H-RS-1", responsible=None, current="RS", organisation=w.bozur, origin=w.kline,
                                members=[("Dragan", "Petrović", "M", "head", 1965)])
    w.h_sensitive = make_household("H-KL-2", responsible=w.kline, current_municipality=w.kline, members=[
        ("Mimoza", "Berisha", "F", "head", 1995)])
    survivor = w.h_sensitive.members.get()
    survivor.vulnerability_records.create(category=VulnerabilityCategory.objects.get(code="trafficking_survivor"))
    from programmes.models import Enrolment

    Enrolment.objects.create(household=w.h_kline, programme=w.rrk6)
    Enrolment.objects.create(household=w.h_sensitive, programme=w.ct)

    w.ada = make_user("ada", "admin")
    w.klara = make_user("klara", "caseworker", municipalities=[w.kline])
    w.drita = make_user("drita", "caseworker", municipalities=[w.dragash])
    w.petar = make_user("petar", "partner", organisations=[w.bozur])
    w.mira = make_user("mira", "me", programmes=[w.rrk])
    w.dona = make_user("dona", "donor", programmes=[w.rrk])
    w.aida = make_user("aida", "auditor")
    w.otto = make_user("otto", "caseworker")
    w.marko = make_user("marko", "manager", programmes=[w.rrk])
    w.sara = make_user("sara", "caseworker", municipalities=[w.kline], sensitive=True)
    return w


# Which households each persona may see, by ref. The access tests run every persona against
# every route that returns personal data and compare with this table.
VISIBLE = {
    "ada": {"H-KL-1", "H-DR-1", "H-RS-1", "H-KL-2"},
    "aida": {"H-KL-1", "H-DR-1", "H-RS-1", "H-KL-2"},
    "klara": {"H-KL-1", "H-KL-2"},
    "sara": {"H-KL-1", "H-KL-2"},
    "drita": {"H-DR-1"},
    "petar": {"H-RS-1"},
    "mira": {"H-KL-1"},
    "marko": {"H-KL-1"},
    "dona": set(),
    "otto": set(),
}
PERSONAS = sorted(VISIBLE)


@pytest.fixture
def token_for():
    return lambda user: ApiToken.issue(user)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """`homeward demo`, loaded once for a module inside a transaction rolled back at its end: each
    test runs in a savepoint within it, and the database is left as the other modules expect."""
    from django.core.management import call_command
    from django.db import transaction
    from django.test import override_settings

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            # The same fast hasher the per-test settings use, or the demo passwords would be
            # hashed with one the tests cannot check.
            with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
                call_command("demo")
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)

