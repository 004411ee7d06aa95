"""The search index of households (registry.HouseholdToken) is the households' own words, scope
and order, whatever writes them: a stale copy would show a household to the municipality it has
left, or hide it from the one it has moved to."""

import pytest

from homeward.text import fold_tokens
from registry import search
from registry.actions import delete_household, update_household, update_person
from registry.models import Household, HouseholdToken, Person, PersonToken
from tests.conftest import PERSONAS, make_household
from tests.test_api_client import ApiClient


def derived():
    """What the index must hold: each household's words once, with its responsibility."""
    households = {h.pk: h for h in Household.objects.all()}
    return sorted({(t.household_id, t.token, households[t.household_id].responsible_municipality_id,
                    households[t.household_id].responsible_organisation_id) for t in PersonToken.objects.all()})


def indexed():
    return sorted(HouseholdToken.objects.values_list("household_id", "token", "responsible_municipality_id",
                                                    "responsible_organisation_id"))


def found_refs(user, text):
    return set(Household.objects.filter(pk__in=search.household_keys(user, text, 0, 100)[0:100])
               .values_list("ref", flat=True))


def test_it_holds_the_words_of_every_household_once(world):
    assert indexed() == derived()
    # Agim, Drita and Arben Krasniqi: one word "krasnici" for their household.
    assert HouseholdToken.objects.filter(household=world.h_kline, token="krasnici").count() == 1


def test_a_household_that_moves_is_found_by_its_new_municipality_only(world, token_for):
    klara, drita = ApiClient(token_for(world.klara)), ApiClient(token_for(world.drita))
    assert klara.get("/households", q="krasniqi").json()["count"] == 1
    update_household(world.h_kline, {"responsible_municipality": world.dragash}, expected_version=world.h_kline.version,
                     acting_user=world.ada)
    assert indexed() == derived()
    assert klara.get("/households", q="krasniqi").json()["count"] == 0
    assert [h["ref"] for h in drita.get("/households", q="krasniqi").json()["items"]] == ["H-KL-1"]


def test_a_change_written_past_the_application_is_followed_too(world):
    # A bulk update, as a data fix would make it: no save(), no signal.
    Household.objects.filter(pk=world.h_kline.pk).update(responsible_municipality=world.lipjan)
    assert indexed() == derived()
    assert found_refs(world.klara, "Krasniqi") == set()
    # Tokens inserted in bulk, as the benchmark's generator writes them.
    person = world.h_dragash.members.get(given_name="Ilir")
    PersonToken.objects.bulk_create([PersonToken(person=person, household=world.h_dragash, token=fold_tokens("Zeqiri")[0])])
    assert indexed() == derived()
    assert found_refs(world.drita, "Zeqiri") == {"H-DR-1"}


def test_a_renamed_member_takes_the_old_word_away_unless_another_member_has_it(world):
    arben = Person.objects.get(given_name="Arben")
    update_person(arben, {"family_name": "Gashi"}, expected_version=arben.version, acting_user=world.ada)
    assert indexed() == derived()
    assert found_refs(world.klara, "Gashi") == {"H-KL-1"}
    assert found_refs(world.klara, "Krasniqi") == {"H-KL-1"}  # Agim and Drita keep it
    drita = Person.objects.get(given_name="Drita")
    agim = Person.objects.get(given_name="Agim")
    for person in (drita, agim):
        update_person(person, {"family_name": "Gashi"}, expected_version=person.version, acting_user=world.ada)
    assert indexed() == derived()
    assert not HouseholdToken.objects.filter(household=world.h_kline, token="krasnici").exists()


def test_a_deleted_household_leaves_nothing_in_the_index(world):
    household = world.h_dragash
    delete_household(household, expected_version=household.version, acting_user=world.ada)
    assert indexed() == derived()
    assert not HouseholdToken.objects.filter(household_id=household.pk).exists()


@pytest.mark.parametrize("name", PERSONAS)
@pytest.mark.parametrize("text", ["krasniqi", "Krasniqi Agim", "Краснићи", "hoxha", "petrovic", "berisha mimoza",
                                  "H-KL-1", "h-dr-1", "kr", "nobody"])
def test_a_search_alone_finds_what_the_filtered_search_finds(world, name, text):
    user = getattr(world, name)
    keys = search.household_keys(user, text, 0, 50)
    expected = list(Household.objects.visible_to(user).search(text).values_list("pk", flat=True))
    assert keys[0:50] == expected
    assert keys.count() == len(expected)


def test_households_registered_later_come_first_and_every_page_counts_all(world):
    for n in range(5):
        make_household(f"H-KL-{n + 20}", responsible=world.kline, current_municipality=world.kline,
                       members=[(f"Besnik{n}", "Krasniqi", "M", "head", 1980 + n)])
    keys = search.household_keys(world.klara, "krasniqi", 2, 4)
    newest_first = list(Household.objects.visible_to(world.klara).search("krasniqi").values_list("pk", flat=True))
    assert len(newest_first) == 6
    assert keys[2:4] == newest_first[2:4]
    assert keys.count() == 6
    assert search.household_keys(world.klara, "krasniqi", 10, 12)[10:12] == []
    assert search.household_keys(world.klara, "krasniqi", 10, 12).count() == 6
