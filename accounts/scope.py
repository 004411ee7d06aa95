"""The one place that decides which personal records a user may see.

Every page, API route, list, search, count, export and drill-down reaches households, persons
and enrolments through `Household.objects.visible_to(user)` and its siblings, which filter with
these functions. A record outside the scope is treated as if it did not exist (404).

Rules:
- admin and auditor see every household; a donor sees none (aggregates only).
- everyone else sees households matching each scope dimension they have: responsible
  municipality in their municipalities, responsible organisation in their organisations,
  enrolled in one of their programmes or its phases. Several dimensions narrow the scope
  (a caseworker in Klinë for RRK VI sees RRK VI households in Klinë). No dimension, nothing.
- enrolments in sensitive programmes only for users marked sensitive.
"""

import functools

from django.db import connection
from django.db.models import Q

NOTHING = Q(pk__in=[])


def scope_ids(user):
    """The user's municipality, organisation and programme ids, read once per user object: a
    request builds several scoped querysets (a count, a page, its prefetches) for one user.
    accounts.models drops the cached ids when the user's scope changes."""
    cached = getattr(user, "_scope_ids", None)
    if cached is None:
        cached = ([], [], [])
        with connection.cursor() as cursor:
            cursor.execute(_scope_sql(), [user.pk] * len(DIMENSIONS))
            for pk, dimension in cursor.fetchall():
                cached[dimension].append(pk)
        user._scope_ids = cached
    return cached


# The user's links to municipalities, organisations and programmes: (field, column).
DIMENSIONS = (("municipalities", "municipality_id"), ("organisations", "organisation_id"), ("programmes", "programme_id"))


@functools.cache
def _scope_sql():
    """One query for the three link tables: every request with a token or a session asks it. Its
    text is written once: built with the ORM (three querysets and a union) it cost 0.8 ms a
    request, more than running it."""
    from accounts.models import User

    quote = connection.ops.quote_name
    return " UNION ALL ".join(
        f"SELECT {quote(column)}, {i} FROM {quote(getattr(User, name).through._meta.db_table)} WHERE {quote('user_id')} = %s"
        for i, (name, column) in enumerate(DIMENSIONS))


def active_user(by, value):
    """The active user found by key (`by` "pk") or by an API token's digest ("token"), or None;
    the user's scope ids (scope_ids) read in the same query. Every request with a session or a
    token starts here: through the ORM, the user and then the scope were two queries, 0.63 ms
    (session) and 0.96 ms (token) on PostgreSQL; this one 0.31 and 0.41 ms (in-process)."""
    from accounts.models import User

    sql, names, converters = _user_sql(by, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [value] * (len(DIMENSIONS) + 1))
        rows = cursor.fetchall()
    if not rows:
        return None
    values = list(rows[0][:len(names)])
    for i, (functions, column) in converters.items():  # SQLite's booleans and times, as the ORM reads them
        for convert in functions:
            values[i] = convert(values[i], column, connection)
    user = User.from_db(connection.alias, names, values)
    if not user.is_active:
        return None
    user._scope_ids = ([], [], [])
    for *_, pk, dimension in rows:
        if dimension is not None:  # None: the one row of a user without scope
            user._scope_ids[dimension].append(pk)
    return user


@functools.cache
def _user_sql(by, vendor):
    """The user's columns next to each row of the scope's union (as _scope_sql's), written once;
    the names of the user's fields, and the ORM's converters of their values."""
    from accounts.models import ApiToken, User

    quote = connection.ops.quote_name
    user_id = "%s" if by == "pk" else (
        f"(SELECT {quote('user_id')} FROM {quote(ApiToken._meta.db_table)} WHERE {quote('digest')} = %s)")
    scope = " UNION ALL ".join(
        f"SELECT {quote(column)} AS scope_id, {i} AS dimension FROM {quote(getattr(User, name).through._meta.db_table)}"
        f" WHERE {quote('user_id')} = {user_id}" for i, (name, column) in enumerate(DIMENSIONS))
    fields = User._meta.concrete_fields
    columns = ", ".join(f"u.{quote(field.column)}" for field in fields)
    sql = (f"SELECT {columns}, s.scope_id, s.dimension FROM {quote(User._meta.db_table)} u"
           f" LEFT JOIN ({scope}) s ON 1 = 1 WHERE u.{quote('id')} = {user_id}")
    compiler = User.objects.all().query.get_compiler(connection=connection)
    converters = compiler.get_converters([field.get_col(User._meta.db_table) for field in fields])
    return sql, [field.attname for field in fields], converters


def household_scope(user, prefix="", key="pk"):
    """A Q over Household (or, with a prefix such as "household__", a related model; or over a
    model that carries a household's responsibility next to its `key`, registry.HouseholdToken)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.sees_everything:
        return Q()
    if not user.sees_personal_data:
        return NOTHING
    municipalities, organisations, programmes = scope_ids(user)
    if not (municipalities or organisations or programmes):
        return NOTHING
    q = Q()
    if municipalities:
        q &= Q(**{f"{prefix}responsible_municipality_id__in": municipalities})
    if organisations:
        q &= Q(**{f"{prefix}responsible_organisation_id__in": organisations})
    if programmes:
        from programmes.models import Enrolment, Programme

        ids = Programme.objects.phase_ids(programmes)
        enrolled = Enrolment.objects.filter(programme_id__in=ids).values("household_id")
        if not user.sensitive:
            enrolled = enrolled.filter(programme__sensitive=False)
        q &= Q(**{f"{prefix}{key}__in": enrolled})
    return q


def scope_key(user):
    """Everything the SQL of household_scope(user) (and of enrolment_scope, delivery_scope and the
    sensitive categories' filter) depends on: the shape of a prepared query (homeward.prepared).
    None for a user scoped by programme, whose scope names the programmes' phases, read from the
    programme tree as the scope is built: their queries are built afresh."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ("nobody",)
    if user.sees_everything:
        return ("everything", bool(user.sensitive))
    if not user.sees_personal_data:
        return ("nobody",)
    municipalities, organisations, programmes = scope_ids(user)
    if programmes:
        return None
    if not (municipalities or organisations):
        return ("nobody",)
    return ("scoped", bool(user.sensitive), tuple(municipalities), tuple(organisations))


def enrolment_scope(user):
    q = household_scope(user, prefix="household__")
    if not getattr(user, "sensitive", False):
        q &= Q(programme__sensitive=False)
    return q


def may_edit_household(user, household):
    """Write access: the role may edit the registry and the household is in scope."""
    from registry.models import Household

    return user.can_edit_registry and Household.objects.visible_to(user).filter(pk=household.pk).exists()


def may_change_programme(user, programme):
    """Write access to a programme: changing it, adding a phase to it, changing its results
    framework, entering its manual values. Callers check the role (managers and admins; M&E
    officers for values). A programme the user may not read (a sensitive one, for a user not
    cleared) is not theirs to change, nor to unflag. A user given programmes changes those and
    their phases only; one given none, any. `programme` None: a new programme at the top level."""
    if programme is None:
        return user.sees_everything or not scope_ids(user)[2]
    return bool(programmes_to_change(user, [programme]))


def programmes_to_change(user, programmes):
    """The programmes among `programmes` that may_change_programme allows, the user's programme
    tree read once for all of them."""
    from programmes.models import Programme
    from reports.reach import may_read

    readable = [p for p in programmes if may_read(user, p)]
    given = [] if user.sees_everything else scope_ids(user)[2]
    if not given:
        return readable
    theirs = Programme.objects.phase_ids(given)
    return [p for p in readable if p.pk in theirs]


def delivery_scope(user):
    """Deliveries follow their household's scope; medical help and sensitive programmes only for
    users cleared for sensitive data."""
    q = household_scope(user, prefix="household__")
    if not getattr(user, "sensitive", False):
        from assistance.models import AssistanceType
        from programmes.models import Programme

        # By id lists, not joins: joined, the flags lead SQLite to read deliveries by type or
        # programme where a drill-down probes them by person (minutes instead of milliseconds).
        q &= ~Q(programme_id__in=Programme.objects.filter(sensitive=True).values("pk"))
        q &= ~Q(type_id__in=AssistanceType.objects.filter(sensitive=True).values("pk"))
    return q
