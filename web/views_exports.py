"""Downloads of a programme's figures (reports.exports): XLSX, CSV with HXL, IATI XML, PDF.

The same reading rules as the results page: 404 for a programme the user may not read, figures
counted and suppressed as the API counts them. Bad parameters answer 400 naming the parameter.
"""

import datetime

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from programmes.models import Programme
from reports.exports import FORMATS, LANGUAGES, produce
from reports.reach import NotVisible, may_read
from web.query import BadDate, query_date


def _date(request, name):
    try:
        return query_date(request.GET, name)
    except BadDate:
        raise ValueError(name, _("Not a date (YYYY-MM-DD).")) from None


def parameters(request):
    """(include_phases, on, since, lang) from the query string; ValueError(name, message)."""
    on = _date(request, "date") or datetime.date.today()
    since = _date(request, "since")
    if since and since > on:
        raise ValueError("since", _("After the report date."))
    phases = request.GET.get("phases", "1")
    if phases not in ("0", "1"):
        raise ValueError("phases", _("One of: %(d)s.") % {"d": "0, 1"})
    lang = request.GET.get("lang", "en")
    if lang not in LANGUAGES:
        raise ValueError("lang", _("One of: %(d)s.") % {"d": ", ".join(LANGUAGES)})
    return phases == "1", on, since, lang


@login_required
def programme_export(request, code, fmt):
    programme = get_object_or_404(Programme, code=code)
    if not may_read(request.user, programme):
        raise Http404  # before any check of the parameters: the same answer as for no programme
    try:
        if fmt not in FORMATS:
            raise ValueError("fmt", _("One of: %(d)s.") % {"d": ", ".join(FORMATS)})
        include_phases, on, since, lang = parameters(request)
    except ValueError as error:
        name, message = error.args
        return HttpResponseBadRequest(f"{name}: {message}", content_type="text/plain; charset=utf-8")
    try:
        content, content_type, filename = produce(request.user, programme, fmt, include_phases=include_phases,
                                                  on=on, since=since, lang=lang, via="web")
    except NotVisible:
        raise Http404
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
