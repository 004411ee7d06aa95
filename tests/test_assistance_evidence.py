"""Evidence files: only real PDF, JPEG, PNG, XLSX and DOCX files up to 10 MB, read only in scope."""

import datetime
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import Client

from assistance.actions import record_delivery
from assistance.evidence import add_evidence
from assistance.models import AssistanceType, Evidence
from assistance.views import open_evidence
from audit.models import AuditEntry
from tests.conftest import PERSONAS, VISIBLE
from tests.test_api_client import BASE

DAY = datetime.date(2024, 6, 1)
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def office(part):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(part, "<x/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def delivery_for(world, ref):
    from registry.models import Household

    household = Household.objects.get(ref=ref)
    return record_delivery(acting_user=world.ada, programme=world.rrk6, household=household,
                           type=AssistanceType.objects.get(code="firewood"), date=DAY)[0]


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.parametrize("name, content, content_type", [
    ("receipt.pdf", PDF, "application/pdf"),
    ("photo.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image/jpeg"),
    ("photo.png", PNG, "image/png"),
    ("list.xlsx", office("xl/workbook.xml"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("handover.docx", office("word/document.xml"),
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
])
def test_it_keeps_an_accepted_file_under_media_evidence(world, media, name, content, content_type):
    evidence = add_evidence(delivery_for(world, "H-KL-1"), upload(name, content), acting_user=world.klara)
    assert (evidence.original_name, evidence.content_type, evidence.size) == (name, content_type, len(content))
    stored = media / evidence.file.name
    assert stored.parent == media / "evidence" and stored.read_bytes() == content
    assert name not in evidence.file.name  # the stored name tells nothing
    assert AuditEntry.objects.filter(model="assistance.evidence", action="create", actor=world.klara).exists()


@pytest.mark.parametrize("name, content", [
    ("program.exe", b"MZ\x90\x00"),
    ("receipt.pdf", b"MZ\x90\x00 a program renamed"),
    ("photo.png", PDF),
    ("list.xlsx", office("word/document.xml")),
    ("list.docx", b"PK\x03\x04 not really a zip"),
    ("empty.pdf", b""),
    ("notes.txt", b"hello"),
])
def test_it_refuses_a_file_whose_type_is_not_allowed_or_not_what_its_name_says(world, media, name, content):
    with pytest.raises(ValidationError) as error:
        add_evidence(delivery_for(world, "H-KL-1"), upload(name, content), acting_user=world.klara)
    assert "file" in error.value.message_dict
    assert not Evidence.objects.exists() and not list(media.rglob("*.*"))


def test_it_refuses_a_file_over_10_mb(world, media):
    big = PDF + b"0" * (10 * 1024 * 1024)
    with pytest.raises(ValidationError) as error:
        add_evidence(delivery_for(world, "H-KL-1"), upload("scan.pdf", big), acting_user=world.klara)
    assert "10 MB" in error.value.message_dict["file"][0]
    assert not Evidence.objects.exists()


def test_only_editors_in_scope_add_evidence(world):
    delivery = delivery_for(world, "H-DR-1")
    for user in (world.klara, world.mira):
        with pytest.raises(PermissionDenied):
            add_evidence(delivery, upload("receipt.pdf", PDF), acting_user=user)
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("name", PERSONAS)
def test_it_serves_evidence_only_in_scope(world, name):
    files = {ref: add_evidence(delivery_for(world, ref), upload(f"{ref}.pdf", PDF), acting_user=world.ada)
             for ref in ("H-KL-1", "H-DR-1", "H-RS-1", "H-KL-2")}
    user = getattr(world, name)
    browser = Client()
    browser.force_login(user)
    for ref, evidence in files.items():
        if ref in VISIBLE[name]:
            response = open_evidence(user, evidence.pk, via="web")
            assert b"".join(response.streaming_content) == PDF
            assert response["Content-Type"] == "application/pdf"
            assert f'filename="{ref}.pdf"' in response["Content-Disposition"]
        else:
            with pytest.raises(Http404):
                open_evidence(user, evidence.pk, via="web")


def test_opening_evidence_of_medical_help_is_audited(world):
    survivor = world.h_sensitive.members.get()
    delivery = record_delivery(acting_user=world.sara, programme=world.ct, person=survivor,
                               type=AssistanceType.objects.get(code="medical_assistance"), date=DAY)[0]
    evidence = add_evidence(delivery, upload("report.pdf", PDF), acting_user=world.sara)
    with pytest.raises(Http404):
        open_evidence(world.klara, evidence.pk, via="web")
    open_evidence(world.sara, evidence.pk, via="web")
    view = AuditEntry.objects.get(model="assistance.evidence", action="view")
    assert view.actor == world.sara and view.sensitive


def test_there_is_no_public_url_for_evidence(world, media):
    evidence = add_evidence(delivery_for(world, "H-KL-1"), upload("receipt.pdf", PDF), acting_user=world.klara)
    assert Client().get(f"/media/{evidence.file.name}").status_code == 404
    assert Client().get(f"{BASE}/assistance/{evidence.delivery_id}/evidence/{evidence.pk}").status_code == 401
