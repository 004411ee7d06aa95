"""Serving evidence files. There is no public URL for them: this view finds the file only among
the evidence of deliveries the user may see, so anything else is a 404 like a file that does not exist.
The lead wires it into the web URLs, e.g. path("evidence/<int:pk>/", evidence_file)."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from assistance.evidence import evidence_visible_to, record_evidence_view


def open_evidence(user, pk, via):
    """The evidence file as a download, or Http404 when absent or out of the user's scope."""
    evidence = evidence_visible_to(user).filter(pk=pk).first()
    if evidence is None:
        raise Http404("No such file, or not one you may see.")
    record_evidence_view(user, evidence, via=via)
    response = FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name,
                            content_type=evidence.content_type)
    # Never let a browser guess another type (an uploaded file rendered as a page).
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def evidence_file(request, pk):
    return open_evidence(request.user, pk, via="web")
