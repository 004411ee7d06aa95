"""Finding households by a member's name or by their ref, a page at a time.

A search reads the search index of households (registry.models.HouseholdToken): the range of each
word typed, with the household's responsibility stored next to it, so that the user's scope and the
list's order (the household's key) are read from the same index entries. The scope is the one
scoping function's (accounts.scope.household_scope) over those copies.
"""

from django.db.models import F

from homeward.paging import FoundKeys
from homeward.text import fold_tokens
from registry.models import Household, HouseholdToken

# The list's order (Household.Meta.ordering: newest first), over the found rows' column.
ORDER = "household_id DESC"


def found(user, text):
    """The households `user` may see with a member whose names start with every word of `text`
    (in any script or spelling), or whose ref is `text`: a compound query of their keys
    (household_id), each household once."""
    stripped = text.strip()
    by_ref = (Household.objects.visible_to(user).filter(ref__in={stripped, stripped.upper()}).order_by()
              .annotate(household_id=F("pk")).values("household_id"))
    words = fold_tokens(text)
    if not words:
        return by_ref
    tokens = HouseholdToken.objects.visible_to(user)
    ranges = [tokens.prefixed(word).values("household_id") for word in words]
    by_name = ranges[0].intersection(*ranges[1:]) if len(ranges) > 1 else ranges[0]
    return by_name.union(by_ref)  # UNION: once, though several of a household's words or its ref match


def household_keys(user, text, start, stop):
    """The keys of the households `found`, in the list's order, read a page at a time with their
    count (homeward.paging.FoundKeys)."""
    return FoundKeys(found(user, text), "household_id", ORDER, start, stop)


def with_members(keys, fields, member_fields, ordering=None):
    """The households of `keys` (a page whose keys were chosen through the scoping function) as
    dicts of `fields`, each with "members": its members as dicts of `member_fields`, by their key;
    the households in `ordering` (the list's, Household.Meta.ordering, by default). One query, a row
    per member, for the API's page and the list page alike: the members read apart cost the API's
    page 0.25-0.3 ms more of the server's time on PostgreSQL (in-process, one request at a time)."""
    columns = ("pk", *fields, "members__pk", *(f"members__{field}" for field in member_fields))
    households = {}
    for pk, *values in (Household._base_manager.filter(pk__in=keys)
                        .order_by(*(ordering or Household._meta.ordering), "members__pk").values_list(*columns)):
        member_pk, member_values = values[len(fields)], values[len(fields) + 1:]
        row = households.get(pk)
        if row is None:
            row = households[pk] = dict(zip(fields, values), members=[])
        if member_pk is not None:  # None: a household without members, one row without a member
            row["members"].append(dict(zip(member_fields, member_values)))
    return list(households.values())
