"""Pieces every resource shares: paging, versions (ETag / If-Match) and the caller."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import Field

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class Page(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"at most {MAX_LIMIT}")
    offset: int = Field(0, ge=0)


class PreconditionRequired(Exception):
    pass


class VersionMismatch(Exception):
    """If-Match names a version the record is not at (checked before the action runs, so the
    reply is the same 412 as when the action itself finds the row changed)."""

    def __init__(self, current):
        super().__init__(current)
        self.current = current


def paged(queryset, page: Page, render):
    count = queryset.count()
    return {"count": count, "items": [render(row) for row in page_rows(queryset, page.offset, page.limit)]}


def page_rows(queryset, offset, limit):
    """The rows of one page. The page's keys come first, from the filtered table alone; then only
    those rows are read with their joins. Sorting every match of a common name (thousands) with
    five joined tables cost more than the rest of a search request."""
    if queryset.query.annotations or queryset.query.distinct or not queryset.query.select_related:
        return list(queryset[offset : offset + limit])
    keys = list(queryset.values_list("pk", flat=True)[offset : offset + limit])
    rows = queryset.model._base_manager.filter(pk__in=keys)
    rows.query.select_related = queryset.query.select_related
    by_key = {row.pk: row for row in rows.prefetch_related(*queryset._prefetch_related_lookups)}
    return [by_key[key] for key in keys]


def schema_reply(request, data):
    """`data` as JSON without ninja validating it again against the route's response schema
    (for a page of households that was a tenth of the request). Only for data the route builds
    field by field in the schema's order and types; the tests check such replies against it."""
    from api.main import api  # api.main imports the routers, which import this module

    return api.create_response(request, data, status=200)


def caller(request):
    return request.auth


def require(allowed, message):
    if not allowed:
        raise PermissionDenied(message)


def scoped_get(queryset, **lookup):
    """One record from an already scoped queryset; absent and out of scope are the same 404."""
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise Http404(_("No such record, or not one you may see."))
    return obj


def etag(version):
    return f'"{version}"'


def expected_version(request, obj):
    """The version named by If-Match. `"3"`, `3` and `W/"3"` all mean version 3."""
    raw = request.headers.get("If-Match", "").strip()
    if not raw:
        raise PreconditionRequired()
    value = raw.removeprefix("W/").strip().strip('"')
    if not value.isdigit() or int(value) != obj.version:
        raise VersionMismatch(obj)
    return int(value)

