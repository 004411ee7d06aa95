"""Evidence files for deliveries: receipts, photos, handover records.

A file is accepted only when its first bytes say it is what its name says (a renamed program is
not a PDF), and it is never served from a public URL: assistance.views.evidence_file and the API
read it through the delivery's scope."""

import io
import os
import zipfile

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from assistance.models import Delivery, Evidence
from audit.models import AuditEntry, diff, record, snapshot

A = AuditEntry.Action
MAX_BYTES = 10 * 1024 * 1024

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TYPES_BY_EXTENSION = {".pdf": PDF, ".jpg": JPEG, ".jpeg": JPEG, ".png": PNG, ".xlsx": XLSX, ".docx": DOCX}


def sniff(head, open_zip):
    """The content type the file's own bytes show, or None. XLSX and DOCX are both ZIP files;
    the part that tells them apart is inside."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"PK\x03\x04"):
        try:
            names = set(open_zip().namelist())
        except (zipfile.BadZipFile, OSError):
            return None
        if "xl/workbook.xml" in names:
            return XLSX
        if "word/document.xml" in names:
            return DOCX
    return None


def check_file(upload):
    """(content type, size) of an acceptable upload; ValidationError on `file` otherwise."""
    name = os.path.basename(upload.name or "")
    claimed = TYPES_BY_EXTENSION.get(os.path.splitext(name)[1].lower())
    if claimed is None:
        raise ValidationError({"file": _("Only PDF, JPEG, PNG, XLSX and DOCX files are accepted.")})
    if upload.size > MAX_BYTES:
        raise ValidationError({"file": _("The file is larger than 10 MB.")})
    if upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    upload.seek(0)
    head = upload.read(8)

    def open_zip():
        upload.seek(0)
        return zipfile.ZipFile(io.BytesIO(upload.read()))

    actual = sniff(head, open_zip)
    upload.seek(0)
    if actual != claimed:
        raise ValidationError({"file": _("The file's content is not what its name says (%(n)s).") % {"n": name}})
    return actual, upload.size


@transaction.atomic
def add_evidence(delivery, upload, *, acting_user, via="web"):
    """Attach a file to a delivery the user may see and edit."""
    if not acting_user.can_edit_registry:
        raise PermissionDenied(_("Your role cannot add evidence."))
    if not Delivery.objects.visible_to(acting_user).filter(pk=delivery.pk).exists():
        raise PermissionDenied(_("Not a delivery you may change."))
    content_type, size = check_file(upload)
    evidence = Evidence(delivery=delivery, original_name=os.path.basename(upload.name)[:200],
                        content_type=content_type, size=size, uploaded_by=acting_user)
    evidence.file.save(evidence.original_name, upload, save=False)
    # The file is on disk before its row exists; should the row fail, do not leave the file behind.
    try:
        evidence.save()
        record(acting_user, A.CREATE, evidence, changes=diff({}, snapshot(evidence, ["original_name",
                                                                               "content_type", "size"])),
               household_id=delivery.household_id, sensitive=delivery.type.sensitive or delivery.programme.sensitive,
               via=via)
    except Exception:
        evidence.file.delete(save=False)
        raise
    return evidence


def evidence_visible_to(user):
    """Evidence of the deliveries the user may see: the only way files are read."""
    return Evidence.objects.filter(delivery__in=Delivery.objects.visible_to(user)).select_related(
        "delivery__type", "delivery__programme")


def record_evidence_view(user, evidence, via="web"):
    """Opening evidence of sensitive help (medical, a sensitive programme) is itself audited."""
    delivery = evidence.delivery
    if delivery.type.sensitive or delivery.programme.sensitive:
        record(user, A.VIEW, evidence, household_id=delivery.household_id, sensitive=True, via=via)
