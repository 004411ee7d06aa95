"""The JSON API (contract section 4), mounted at /api/v1/; its OpenAPI document is /api/v1/openapi.json.

Errors of every kind leave here as problem documents (api.problems); the routes themselves only
raise: Http404, PermissionDenied, django ValidationError, StaleVersion, Invalid.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError

from api import households, programmes
from api.auth import api_auth
from api.common import PreconditionRequired, VersionMismatch, etag
from api.problems import Invalid, from_django_error, from_schema_errors, invalid, problem
from homeward.concurrency import StaleVersion

api = NinjaAPI(
    title="Homeward",
    version="1",
    description="Return and reintegration case management. Authenticate with `Authorization: Bearer <token>`.",
    urls_namespace="api",
    auth=api_auth(),
)
api.add_router("", programmes.router)
api.add_router("", households.router)
api.add_router("", "api.assistance.router")
api.add_router("", "api.activities.router")
api.add_router("", "api.matching.router")
# Before the reports router: POST /programmes/{code}/results shares its path with the GET there.
api.add_router("", "api.framework.router")
api.add_router("", "api.reports.router")
api.add_router("", "api.exports.router")
api.add_router("", "api.duplicates.router")


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return problem(401, _("Send Authorization: Bearer <token>, or log in."), headers={"WWW-Authenticate": "Bearer"})


@api.exception_handler(HttpError)
def http_error(request, exc):
    # ninja's own: unreadable JSON (400), failed CSRF check (403), throttling (429).
    return problem(exc.status_code, exc.message)


@api.exception_handler(SchemaError)
def schema_error(request, exc):
    return invalid(from_schema_errors(exc.errors))


@api.exception_handler(Invalid)
def invalid_input(request, exc):
    return invalid(exc.errors)


@api.exception_handler(ValidationError)
def model_error(request, exc):
    return invalid(from_django_error(exc))


@api.exception_handler(Http404)
def not_found(request, exc):
    return problem(404, _("No such record, or not one you may see."))


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return problem(403, str(exc) or _("Your role may not do this."))


@api.exception_handler(PreconditionRequired)
def precondition_required(request, exc):
    return problem(428, _('Send If-Match: "<version>" with the version you last read.'))


def _stale(current):
    return problem(
        412,
        _("The record was changed by someone else; it is now version %(v)d. Read it again.") % {"v": current.version},
        headers={"ETag": etag(current.version)},
    )


@api.exception_handler(VersionMismatch)
def version_mismatch(request, exc):
    return _stale(exc.current)


@api.exception_handler(StaleVersion)
def stale_version(request, exc):
    return _stale(exc.current)


@api.exception_handler(ProtectedError)
def protected(request, exc):
    return problem(409, _("Other records still refer to this one (assistance, activities...)."))


@api.exception_handler(IntegrityError)
def conflict(request, exc):
    # Two requests raced to create the same ref; the model checks catch every other case first.
    return problem(409, _("This conflicts with a record saved at the same time; try again."))
