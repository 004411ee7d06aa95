"""Attendance lists from spreadsheets: all or nothing, every bad row named."""

import pytest
from openpyxl import Workbook

from activities.actions import create_activity
from activities.importer import import_attendance
from activities.models import Activity, Attendance
from audit.models import AuditEntry
from tests.test_api_client import BASE


@pytest.fixture
def training(world):
    activity = Activity(programme=world.rrk6, type="training", title="Business skills", date="2024-05-06")
    return create_activity(activity, acting_user=world.klara)


def write_csv(tmp_path, text, name="attendance.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_it_imports_attendance_and_certificates(world, training, tmp_path):
    path = write_csv(tmp_path, "person_ref,attended,certified\nH-KL-1-1,yes,yes\nH-KL-1-2,yes,no\nH-KL-1-3,no,\n")
    result = import_attendance(training, path, world.klara)
    assert result.ok, result.problems
    assert result.created == 3
    marks = {a.person.ref: (a.attended, a.certified) for a in Attendance.objects.filter(activity=training)}
    assert marks == {"H-KL-1-1": (True, True), "H-KL-1-2": (True, False), "H-KL-1-3": (False, False)}
    audit = AuditEntry.objects.filter(model="activities.attendance", action="create", actor=world.klara, via="import")
    assert {e.household_id for e in audit} == {world.h_kline.pk} and audit.count() == 3


def test_it_changes_nothing_when_the_same_file_comes_twice(world, training, tmp_path):
    path = write_csv(tmp_path, "person_ref,attended,certified\nH-KL-1-1,yes,yes\n")
    import_attendance(training, path, world.klara)
    again = import_attendance(training, path, world.klara)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert AuditEntry.objects.filter(model="activities.attendance").count() == 1


def test_it_names_every_bad_row_and_imports_nothing(world, training, tmp_path):
    path = write_csv(tmp_path, "person_ref,attended,certified\n"
                               "H-KL-1-1,yes,yes\n"      # row 2: good
                               "H-DR-1-1,yes,no\n"       # row 3: out of klara's scope
                               "NOBODY,maybe,no\n"       # row 4: unknown, bad flag
                               "H-KL-1-1,yes,no\n"       # row 5: twice
                               ",yes,no\n"               # row 6: no ref
                               "H-KL-1-2,no,yes\n")      # row 7: certified without attending
    result = import_attendance(training, path, world.klara)
    assert result.problems == [
        "row 3, column person_ref: unknown person H-DR-1-1",
        "row 4, column person_ref: unknown person NOBODY",
        "row 4, column attended: use yes or no, not 'maybe'",
        "row 5, column person_ref: H-KL-1-1 is already on row 2",
        "row 6, column person_ref: the person's reference is required",
        "row 7, column certified: certified, but did not attend",
    ]
    assert not Attendance.objects.exists()
    assert not AuditEntry.objects.filter(model="activities.attendance").exists()


def test_it_reads_xlsx(world, training, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Person_Ref", "Attended", "Certified"])
    sheet.append(["H-KL-1-2", True, 1])
    path = tmp_path / "attendance.xlsx"
    book.save(path)
    result = import_attendance(training, path, world.klara)
    assert result.ok, result.problems
    assert Attendance.objects.get().certified is True


def test_it_refuses_a_file_without_the_person_column_or_a_role_that_cannot_edit(world, training, tmp_path):
    path = write_csv(tmp_path, "name,attended\nAgim,yes\n")
    assert import_attendance(training, path, world.klara).problems == [
        "row 1, column person_ref: the column is missing"]
    good = write_csv(tmp_path, "person_ref\nH-KL-1-1\n", name="good.csv")
    assert not import_attendance(training, good, world.mira).ok
    assert not Attendance.objects.exists()


def test_it_takes_an_uploaded_file_through_the_api(world, training, token_for, client):
    headers = {"Authorization": f"Bearer {token_for(world.klara)}"}
    url = f"{BASE}/activities/{training.pk}/attendance-file"
    bad = b"person_ref,attended\nH-KL-1-1,yes\nH-DR-1-1,yes\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(url, {"file": SimpleUploadedFile("list.csv", bad)}, headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "file", "message": "row 3, column person_ref: unknown person H-DR-1-1"}]
    assert not Attendance.objects.exists()

    good = b"person_ref,attended,certified\nH-KL-1-1,yes,yes\n"
    response = client.post(url, {"file": SimpleUploadedFile("list.csv", good)}, headers=headers)
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 1, "updated": 0, "unchanged": 0}
    assert Attendance.objects.get().person.ref == "H-KL-1-1"
