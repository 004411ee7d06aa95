"""Every error the API answers is an RFC 9457 problem document (application/problem+json).

Invalid input is 422 with `errors: [{"field", "message"}]`, where `field` names the value the way
the client wrote it (`members[0].sex`, `start_date`), whether the error came from ninja's schema
check, from registry.parsing, or from a model's clean() inside an action function.
"""

import json

from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpResponse
from django.utils.translation import gettext as _

TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    412: "Precondition Failed",
    422: "Unprocessable Content",
    428: "Precondition Required",
    429: "Too Many Requests",
}
PARAM_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}
# Model fields that the wire spells differently.
WIRE_NAMES = {"birth_year": "date_of_birth"}


class Invalid(Exception):
    """Invalid input found by the API itself: a list of (field, message)."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = list(errors)


def problem(status, detail, *, errors=None, headers=None):
    body = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status, "detail": str(detail)}
    if errors is not None:
        body["errors"] = [{"field": f, "message": str(m)} for f, m in errors]
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type="application/problem+json"
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def invalid(errors):
    return problem(422, _("Some values are not valid; see errors."), errors=errors)


def wire_field(name):
    """`members[0].birth_year` → `members[0].date_of_birth`; `__all__` → ``."""
    head, dot, last = name.rpartition(".")
    if last == NON_FIELD_ERRORS:
        return head
    return f"{head}{dot}{WIRE_NAMES.get(last, last)}"


def field_from_loc(loc):
    """pydantic's loc tuple (`("body", "payload", "members", 0, "sex")`) → `members[0].sex`."""
    parts = list(loc)
    if parts and parts[0] in PARAM_SOURCES:
        source = parts.pop(0)
        if source == "body" and parts and parts[0] == "payload":
            parts.pop(0)  # every body parameter in this API is called `payload`
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name or "body"


def schema_message(error):
    kind = error.get("type", "")
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("Unknown field, or one that cannot be set here.")
    return error.get("msg", _("Invalid value."))


def from_schema_errors(errors):
    return [(field_from_loc(e.get("loc", ())), schema_message(e)) for e in errors]


def from_django_error(error):
    if hasattr(error, "error_dict"):
        return [
            (wire_field(field), message)
            for field, errs in error.error_dict.items()
            for e in errs
            for message in e.messages
        ]
    return [("", message) for message in error.messages]
