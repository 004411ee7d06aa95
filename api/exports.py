"""Report exports over the API: GET /programmes/{code}/export/{fmt}, fmt one of xlsx, csv (with
HXL hashtags), iati (IATI 2.03 XML), pdf. The same figures and rules as /programmes/{code}/results
and /reports/reach (reports.exports): 404 for a programme the caller may not read, small cells
suppressed for donors, one audit row per export. `phases` (default true) counts the programme with
all its phases, `date` is the report date (default today), `since` starts the period, `lang`
(en, sq, sr, sr-latn) is the language of the XLSX headings and of the PDF.
"""

import datetime

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router

from api.common import caller, scoped_get
from api.problems import Invalid
from programmes.models import Programme
from reports.exports import FORMATS, LANGUAGES, produce
from reports.reach import NotVisible, may_read

router = Router(tags=["reports"])


@router.get("/programmes/{code}/export/{fmt}")
def get_export(request, code: str, fmt: str, phases: bool = True, date: datetime.date | None = None,
               since: datetime.date | None = None, lang: str = "en"):
    """A file of the programme's figures (see the module docstring for the formats)."""
    user = caller(request)
    programme = scoped_get(Programme.objects.all(), code=code)
    if not may_read(user, programme):
        raise Http404  # checked before the parameters, so an unreadable programme looks absent
    on = date or datetime.date.today()
    errors = []
    if fmt not in FORMATS:
        errors.append(("fmt", _("One of: %(d)s.") % {"d": ", ".join(FORMATS)}))
    if since and since > on:
        errors.append(("since", _("After the report date.")))
    if lang not in LANGUAGES:
        errors.append(("lang", _("One of: %(d)s.") % {"d": ", ".join(LANGUAGES)}))
    if errors:
        raise Invalid(errors)
    try:
        content, content_type, filename = produce(user, programme, fmt, include_phases=phases, on=on, since=since,
                                                  lang=lang, via="api")
    except NotVisible:
        raise Http404
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
