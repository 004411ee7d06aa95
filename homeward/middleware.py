"""Input no database can store, refused before any view reads it.

PostgreSQL cannot store or compare text with a NUL character: a search, a filter or a form with
one (`?q=%00`) reached the database and failed there with a server error. SQLite took it. So a
request whose parameters, form fields or JSON body hold a NUL is answered 400 (the web pages) or
422 (the API, a problem document), naming the field, on every database alike; a path with one
(`/api/v1/programmes/RRK%00`) names no record that can exist, and is answered 404.
"""

import json

from django.http import HttpResponseBadRequest, HttpResponseNotFound
from django.utils.html import escape
from django.utils.translation import gettext as _

NUL = "\x00"


def _in_json(value, path=""):
    """The path of the first text in `value` (a parsed JSON document) holding a NUL, or None."""
    if isinstance(value, str):
        return path if NUL in value else None
    if isinstance(value, dict):
        items = ((f"{path}.{key}" if path else str(key), item, key) for key, item in value.items())
    elif isinstance(value, list):
        items = ((f"{path}[{i}]", item, "") for i, item in enumerate(value))
    else:
        return None
    for where, item, key in items:
        if NUL in str(key):
            return where
        found = _in_json(item, where)
        if found is not None:
            return found
    return None


def field_with_nul(request):
    """The name of the first query parameter, form field or JSON value holding a NUL, or None."""
    for name, values in request.GET.lists():
        if NUL in name or any(NUL in value for value in values):
            return name
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return None
    if request.content_type == "application/json":
        if b"\\u0000" not in request.body and b"\x00" not in request.body:
            return None
        try:
            return _in_json(json.loads(request.body))
        except ValueError:
            return None  # not JSON: the view says so
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for name, values in request.POST.lists():
            if NUL in name or any(NUL in value for value in values):
                return name
    return None


class RefuseNul:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path:
            if request.path.startswith("/api/"):
                from api.problems import problem

                return problem(404, _("No such record."))
            return HttpResponseNotFound(escape(_("No such record.")))
        field = field_with_nul(request)
        if field is None:
            return self.get_response(request)
        message = _("%(f)s holds a character that cannot be stored (NUL).") % {"f": field or _("The request")}
        if request.path.startswith("/api/"):
            from api.problems import invalid

            return invalid([(field, message)])
        return HttpResponseBadRequest(escape(message))
