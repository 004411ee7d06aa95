"""Search as a caseworker types it: names in any script and order, or a household's ref."""

from registry.models import Household, Person


def refs(queryset):
    return set(queryset.values_list("ref", flat=True))


def test_it_finds_a_household_by_words_that_name_different_members(world):
    # "Drita" is the spouse, "Arben" a child: a caseworker remembering two family members finds them.
    assert refs(Household.objects.search("drita arben")) == {"H-KL-1"}


def test_it_finds_a_person_only_when_every_word_names_that_person(world):
    assert refs(Person.objects.search("drita krasn")) == {"H-KL-1-2"}
    assert refs(Person.objects.search("drita arben")) == set()


def test_it_finds_a_household_by_its_ref_typed_in_lower_case(world):
    assert refs(Household.objects.search("h-dr-1")) == {"H-DR-1"}
    assert refs(Household.objects.search("  H-DR-1 ")) == {"H-DR-1"}


def test_a_ref_outside_the_users_scope_finds_nothing(world):
    assert refs(Household.objects.visible_to(world.klara).search("H-DR-1")) == set()
    assert refs(Household.objects.visible_to(world.drita).search("H-DR-1")) == {"H-DR-1"}


def test_it_finds_nothing_for_a_name_nobody_has(world):
    assert refs(Household.objects.search("Zzyzx")) == set()


def test_names_folded_before_folding_was_idempotent_are_found_after_the_migration(world):
    import importlib

    from django.apps import apps

    from registry.models import PersonToken

    # "Qhamil" was stored as "chamil"; the text typed now folds to "camil".
    person = world.h_kline.members.get(given_name="Arben")
    Person.objects.filter(pk=person.pk).update(given_name="Qhamil")
    PersonToken.objects.filter(person=person, token="arben").update(token="chamil")
    assert refs(Household.objects.search("Qhamil")) == set()
    migration = importlib.import_module("registry.migrations.0003_refold_names")
    migration.refold(apps, None)
    assert refs(Household.objects.search("Qhamil")) == {"H-KL-1"}
    assert sorted(PersonToken.objects.filter(person=person).values_list("token", flat=True)) == ["camil", "krasnici"]
    # A Turkish name with a dotless ı, stored without the letter, is found as it is typed.
    Person.objects.filter(pk=person.pk).update(given_name="Altın")
    PersonToken.objects.filter(person=person, token="camil").update(token="altn")
    migration.refold(apps, None)
    assert refs(Household.objects.search("Altın")) == refs(Household.objects.search("altin")) == {"H-KL-1"}
