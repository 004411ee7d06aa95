"""Queries written once per shape (homeward.prepared): the rows must be the ORM's for every set of
values, and a shape that does not name what the text depends on must be caught."""

import datetime

import pytest

from accounts.scope import scope_key
from homeward.prepared import Prepared
from homeward.text import fold
from registry import search
from registry.models import Household, Person, PersonToken
from tests.conftest import make_user


def _members(keys):
    return Person.objects.filter(household_id__any=keys).order_by("pk").values_list("pk", "given_name", "date_of_birth")


def _orm_members(keys):
    return list(Person.objects.filter(household_id__in=keys).order_by("pk").values_list("pk", "given_name", "date_of_birth"))


def test_it_reads_the_rows_the_orm_reads_for_any_number_of_keys(world):
    world.h_kline.members.filter(relationship="head").update(date_of_birth=datetime.date(1970, 3, 4))
    members = Prepared(_members)
    keys = list(Household.objects.order_by("pk").values_list("pk", flat=True))
    for chosen in ([keys[0]], keys[:3], keys, [], [keys[-1], keys[0]], [10**9]):
        assert members.rows("one shape", keys=chosen) == _orm_members(chosen)
    # Dates come back as dates on every database (SQLite stores text): the ORM's converters.
    assert datetime.date(1970, 3, 4) in {row[2] for row in members.rows("one shape", keys=keys)}


def _tokens(word):
    return PersonToken.objects.prefixed(word).order_by("person_id").values_list("person_id", flat=False)


def test_it_puts_a_word_wherever_the_query_uses_it(world):
    """A word and its upper bound (word + "{") are both filled in: Krasniqi does not find Hoxha."""
    tokens = Prepared(_tokens)
    for word in (fold("Krasniqi"), fold("Hoxha"), "kra", "zzz"):
        expected = list(PersonToken.objects.prefixed(word).order_by("person_id").values_list("person_id"))
        assert tokens.rows("words", word=word) == expected
    hoxha = Person.objects.filter(family_name="Hoxha").values_list("pk", flat=True)
    assert tokens.rows("words", word=fold("Hoxha")) == [(pk,) for pk in sorted(hoxha)]


def _column(column, keys):
    return Person.objects.filter(household_id__any=keys).order_by("pk").values_list(column)


def test_a_shape_that_misses_what_the_text_depends_on_fails_when_checked(world, settings):
    keys = list(Household.objects.values_list("pk", flat=True))
    columns = Prepared(_column)
    columns.rows("the same shape", "given_name", keys=keys)
    with pytest.raises(AssertionError, match="does not name all the text depends on"):
        columns.rows("the same shape", "family_name", keys=keys)
    # Unchecked, the first text would answer for the second (which is why shapes must be complete).
    settings.HOMEWARD_CHECK_PREPARED = False
    assert columns.rows("the same shape", "family_name", keys=keys) == list(
        Person.objects.filter(household_id__in=keys).order_by("pk").values_list("given_name"))
    # Named in the shape, each is its own text.
    assert columns.rows(("shape", "family_name"), "family_name", keys=keys) == list(
        Person.objects.filter(household_id__in=keys).order_by("pk").values_list("family_name"))


def test_a_value_that_could_be_taken_for_a_marker_is_built_afresh(world):
    tokens = Prepared(_tokens)
    tokens.rows("words", word=fold("Krasniqi"))
    sql, params = tokens.sql("words", word="\x00word\x00")  # not run: PostgreSQL refuses NUL in text
    assert params == ["\x00word\x00", "\x00word\x00{"]
    assert len(tokens._texts) == 1


def test_no_shape_builds_the_query_afresh_each_time(world):
    columns = Prepared(_column)
    keys = list(Household.objects.values_list("pk", flat=True))
    assert columns.rows(None, "given_name", keys=keys) != columns.rows(None, "family_name", keys=keys)
    assert columns._texts == {}


def test_scopes_that_differ_have_different_shapes(world):
    w = world
    keys = {name: scope_key(getattr(w, name)) for name in ("ada", "aida", "klara", "sara", "drita", "petar", "otto")}
    assert len({keys["klara"], keys["sara"], keys["drita"], keys["petar"]}) == 4
    assert keys["ada"] == keys["aida"]  # both see everything, neither cleared for sensitive data
    assert scope_key(make_user("ida", "admin", sensitive=True)) != keys["ada"]
    # A scope of programmes names their phases, read as it is built: never a shape.
    assert scope_key(w.mira) is None and scope_key(w.marko) is None
    # Nothing to see: one shape, whose query finds nothing.
    assert scope_key(w.dona) == scope_key(w.otto) == ("nobody",)
    assert search.found(w.dona, "krasniqi") is None


def test_each_scope_finds_its_own_households_one_after_another(world):
    """The same search, its text kept, for every persona in turn and back."""
    from tests.conftest import VISIBLE

    for name in [*VISIBLE, *reversed(VISIBLE)]:
        user = getattr(world, name)
        keys = search.household_keys(user, "H-KL-1", 0, 25)[0:25]
        found = set(Household.objects.filter(pk__in=keys).values_list("ref", flat=True))
        assert found == {"H-KL-1"} & VISIBLE[name], name
        keys = search.household_keys(user, "krasniqi", 0, 25)[0:25]
        assert set(Household.objects.filter(pk__in=keys).values_list("ref", flat=True)) == {"H-KL-1"} & VISIBLE[name]
