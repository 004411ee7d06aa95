"""Queries whose SQL the ORM writes once per shape, then run with each request's values.

A search's page asks the database four small questions (the page's keys and their count; the
households with their members; their vulnerabilities; their enrolments), each answered by
PostgreSQL in about half a millisecond. Building and compiling the four querysets cost the server
2.4 ms more (0.4-0.75 ms each, measured in-process), of the 5.3 ms of processor time an API search
took. The text of those queries depends on their shape (the user's scope, the number of words
searched, the columns), not on their values (the page's keys, the words). So the ORM writes each
shape's text once per process, with markers where the values go, and later requests put their
values in place of the markers.

- The shape given with the values must name everything else the text depends on: a shape that
  missed something would run one user's query with another's scope. Where it cannot be named
  cheaply, there is no shape (None) and the query is built afresh (accounts.scope.scope_key).
  With HOMEWARD_CHECK_PREPARED (every test), each run also builds the query afresh and fails
  unless the text and parameters are the same.
- Values are text (put in wherever the marker appears in a parameter: a word and the word's upper
  bound alike) or lists of keys, given as one parameter through the `any` lookup (`= ANY(array)`
  on PostgreSQL, `IN (SELECT value FROM json_each(...))` on SQLite), so that the text does not
  depend on the number of keys.
"""

import json

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import ForeignKey, IntegerField, Lookup

# No value contains it: text values come from the request, which cannot carry a NUL byte through
# a form or a URL into a search (prepared() checks anyway).
_MARK = "\x00"


class Marker(str):
    """Where value `name` goes. A str, so that the ORM passes it as text wherever text goes."""

    def __new__(cls, name):
        return super().__new__(cls, f"{_MARK}{name}{_MARK}")


class Any(Lookup):
    """`field__any=keys`: the field is one of `keys` (integers), passed as one parameter."""

    lookup_name = "any"
    prepare_rhs = False

    def process_rhs(self, compiler, connection):
        value = self.rhs if isinstance(self.rhs, Marker) else as_array(self.rhs, connection)
        return "%s", [value]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY({rhs}::bigint[])", (*lhs_params, *rhs_params)
        return f"{lhs} IN (SELECT value FROM json_each({rhs}))", (*lhs_params, *rhs_params)


IntegerField.register_lookup(Any)
ForeignKey.register_lookup(Any)


def as_array(keys, connection):
    keys = [int(key) for key in keys]
    return keys if connection.vendor == "postgresql" else json.dumps(keys)


class Prepared:
    """`build(*args, **values)` (a queryset of values_list rows), its text written once per shape.
    A value is text or a list of keys; `build` passes lists of keys to the `any` lookup only."""

    def __init__(self, build):
        self.build = build
        self._texts = {}

    def sql(self, shape, *args, using="default", **values):
        """(sql, params) of build(*args, **values), or None when no row can match (EmptyResultSet).
        `args` are given to `build` as they are: `shape` names what the text takes from them."""
        connection = connections[using]
        text = self._text(shape, connection, args, values)
        if text is None:
            return None
        sql, params, _ = text
        return sql, _filled(params, values, connection)

    def rows(self, shape, *args, using="default", **values):
        """The rows of build(*args, **values), converted as the ORM converts them."""
        connection = connections[using]
        text = self._text(shape, connection, args, values)
        if text is None:
            return []
        sql, params, converters = text
        with connection.cursor() as cursor:
            cursor.execute(sql, _filled(params, values, connection))
            rows = cursor.fetchall()
        if not converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for i, (functions, expression) in converters.items():
                for convert in functions:
                    row[i] = convert(row[i], expression, connection)
            converted.append(tuple(row))
        return converted

    def _text(self, shape, connection, args, values):
        if shape is None or any(isinstance(v, str) and _MARK in v for v in values.values()):
            return _compiled(self.build(*args, **values), connection)
        key = (shape, connection.vendor, tuple(sorted(values)))
        text = self._texts.get(key, False)
        if text is False:
            if len(self._texts) >= 1000:  # shapes are few (scopes, numbers of words); never many
                self._texts.clear()
            text = self._texts[key] = _compiled(self.build(*args, **{name: Marker(name) for name in values}), connection)
        if getattr(settings, "HOMEWARD_CHECK_PREPARED", False):
            fresh = _compiled(self.build(*args, **values), connection)
            kept = None if text is None else (text[0], _filled(text[1], values, connection))
            assert (fresh and fresh[:2]) == kept, f"prepared query {self.build.__qualname__}: shape {shape!r} " \
                f"does not name all the text depends on:\n{kept}\n!=\n{fresh and fresh[:2]}"
        return text


def _compiled(queryset, connection):
    compiler = queryset.query.get_compiler(connection=connection)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    columns = [column for column, _, _ in compiler.select]
    return sql, list(params), compiler.get_converters(columns)


def _filled(params, values, connection):
    filled = []
    for param in params:
        if isinstance(param, str) and _MARK in param:
            for name, value in values.items():
                marker = f"{_MARK}{name}{_MARK}"
                if param == marker and not isinstance(value, str):
                    param = as_array(value, connection)
                    break
                if isinstance(value, str):
                    param = param.replace(marker, value)
        filled.append(param)
    return filled
