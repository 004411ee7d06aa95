"""The benchmark's registry generator, at a tiny size: the rows it writes are ones search can find."""

from collections import Counter

from audit.models import AuditEntry
from bench.generate import generate
from homeward.text import strip_diacritics, to_latin
from registry.models import Household, Person, PersonToken


def test_it_writes_the_households_persons_and_tokens_it_reports(db):
    households, persons, tokens = generate(50, seed=3)
    assert (households, persons, tokens) == (
        Household.objects.count(), Person.objects.count(), PersonToken.objects.count())
    assert households == 50
    assert 50 <= persons <= 400


def test_it_gives_every_household_exactly_one_head(db):
    generate(50, seed=3)
    heads = Counter(Person.objects.filter(relationship="head").values_list("household_id", flat=True))
    assert set(heads.values()) == {1}
    assert len(heads) == 50


def test_it_writes_each_persons_search_tokens_like_registry_actions(db):
    generate(50, seed=3)
    stored = {}
    for person_id, token in PersonToken.objects.values_list("person_id", "token"):
        stored.setdefault(person_id, set()).add(token)
    for person in Person.objects.all():
        assert stored[person.pk] == set(person.name_tokens())


def test_it_makes_people_findable_in_the_other_script_and_without_diacritics(db):
    generate(50, seed=3)
    for person in Person.objects.order_by("pk")[:40]:
        typed = strip_diacritics(to_latin(f"{person.given_name} {person.family_name}"))
        assert Household.objects.search(typed).filter(pk=person.household_id).exists(), typed


def test_it_writes_no_audit_rows_for_the_synthetic_load(db):
    generate(50, seed=3)
    assert AuditEntry.objects.count() == 0
