"""Finding households by a member's name or by their ref, a page at a time.

A search reads the search index of households (registry.models.HouseholdToken): the range of each
word typed, with the household's responsibility stored next to it, so that the user's scope and the
list's order (the household's key) are read from the same index entries. The scope is the one
scoping function's (accounts.scope.household_scope) over those copies.
"""

from django.db.models import F

from accounts.scope import scope_key
from homeward.paging import FoundKeys
from homeward.prepared import Prepared
from homeward.text import fold_tokens
from programmes.models import Enrolment
from registry.models import Household, HouseholdToken, PersonVulnerability

# The list's order (Household.Meta.ordering: newest first), over the found rows' column.
ORDER = "household_id DESC"


def _found(user, ref, ref_upper=None, **words):
    """The keys (household_id) of the households `user` may see with a member whose names start
    with each of `words` (w0, w1, ...: folded), or whose ref is `ref` (or `ref_upper`)."""
    refs = [ref] if ref_upper is None else [ref, ref_upper]
    by_ref = (Household.objects.visible_to(user).filter(ref__in=refs).order_by()
              .annotate(household_id=F("pk")).values("household_id"))
    if not words:
        return by_ref
    tokens = HouseholdToken.objects.visible_to(user)
    ranges = [tokens.prefixed(words[f"w{i}"]).values("household_id") for i in range(len(words))]
    by_name = ranges[0].intersection(*ranges[1:]) if len(ranges) > 1 else ranges[0]
    return by_name.union(by_ref)  # UNION: once, though several of a household's words or its ref match


FOUND = Prepared(_found)


def found(user, text):
    """(sql, params) of the households `user` may see with a member whose names start with every
    word of `text` (in any script or spelling), or whose ref is `text`: a compound query of their
    keys (household_id), each household once; None when the user may see none. Its text is written
    once per scope and number of words (homeward.prepared)."""
    stripped = text.strip()
    words = {f"w{i}": word for i, word in enumerate(fold_tokens(text))}
    refs = {"ref": stripped} if stripped == stripped.upper() else {"ref": stripped, "ref_upper": stripped.upper()}
    scope = scope_key(user)
    return FOUND.sql(scope and (scope, len(words), len(refs)), user, **refs, **words)


def household_keys(user, text, start, stop):
    """The keys of the households `found`, in the list's order, read a page at a time with their
    count (homeward.paging.FoundKeys)."""
    return FoundKeys(found(user, text), "household_id", ORDER, start, stop)


def _with_members(fields, member_fields, ordering, keys):
    columns = ("pk", *fields, "members__pk", *(f"members__{field}" for field in member_fields))
    return (Household._base_manager.filter(pk__any=keys)
            .order_by(*ordering, "members__pk").values_list(*columns))


WITH_MEMBERS = Prepared(_with_members)


def _enrolments(user, keys):
    return (Enrolment.objects.visible_to(user).filter(household_id__any=keys)
            .values_list("household_id", "programme__code", "programme__sensitive", "status"))


ENROLMENTS = Prepared(_enrolments)


def enrolments(user, keys):
    """(household key, programme code, programme sensitive, status) of the enrolments `user` may
    see of the households of `keys`, newest first."""
    return ENROLMENTS.rows(scope_key(user), user, keys=list(keys))


def _vulnerabilities(user, keys):
    return (PersonVulnerability.objects.visible_to(user).filter(person__household_id__any=keys)
            .order_by("category__code").values_list("person_id", "category__code", "category__sensitive"))


VULNERABILITIES = Prepared(_vulnerabilities)


def vulnerabilities(user, keys):
    """(person key, category code, category sensitive) of the vulnerabilities `user` may see of the
    members of the households of `keys`, by category code."""
    return VULNERABILITIES.rows(scope_key(user), user, keys=list(keys))


def with_members(keys, fields, member_fields, ordering=None):
    """The households of `keys` (a page whose keys were chosen through the scoping function) as
    dicts of `fields`, each with "members": its members as dicts of `member_fields`, by their key;
    the households in `ordering` (the list's, Household.Meta.ordering, by default). One query, a row
    per member, for the API's page and the list page alike: the members read apart cost the API's
    page 0.25-0.3 ms more of the server's time on PostgreSQL (in-process, one request at a time)."""
    ordering = tuple(ordering or Household._meta.ordering)
    households = {}
    for pk, *values in WITH_MEMBERS.rows((fields, member_fields, ordering), fields, member_fields, ordering,
                                         keys=list(keys)):
        member_pk, member_values = values[len(fields)], values[len(fields) + 1:]
        row = households.get(pk)
        if row is None:
            row = households[pk] = dict(zip(fields, values), members=[])
        if member_pk is not None:  # None: a household without members, one row without a member
            row["members"].append(dict(zip(member_fields, member_values)))
    return list(households.values())
