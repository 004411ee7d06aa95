"""`homeward import registry FILE`: CSV and XLSX, all or nothing, idempotent (contract section 3)."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from audit.models import AuditEntry
from programmes.models import Enrolment, Programme
from registry.models import Household, IdentityDocument, Person

HEADER = ("ref,household_ref,relationship,given_name,family_name,father_name,sex,date_of_birth,community,"
          "displacement_status,origin_municipality,current_country,current_municipality,phone,id_number")
HXL = ("#beneficiary+id,#household+id,#relationship,#name+given,#name+family,#name+father,#sex,#date+birth,"
       "#community,#status,#adm2+origin,#country+code,#adm2+code,#contact+phone,#id")
ROWS = [
    "P-1,HH-1,head,Agim,Krasniqi,Ramë,M,1970-03-14,ALB,returnee,Klinë,XK,Klina,+383 44 123 456,1012345678",
    "P-2,HH-1,spouse,Drita,Krasniqi,,F,1975,ALB,returnee,Klinë,XK,Klina,,",
    "P-3,HH-1,child,Arben,Krasniqi,Agim,M,2010-09-01,ALB,returnee,Klinë,XK,Klina,,",
    "P-4,HH-2,head,Драган,Петровић,Милан,M,1965,SRB,idp,Клина,RS,,+381 64 555 1234,",
    "P-5,HH-2,spouse,Mirjana,Petrović,,F,1968,SRB,idp,Клина,RS,,,",
    "P-6,HH-3,head,Nexhmije,Hoxha,,F,1980-01-20,GOR,idp,dragas,XK,Dragash,,",
]


def write_csv(tmp_path, rows, *, header=HEADER, hxl=False, name="registry.csv", bom=False, delimiter=","):
    lines = [header] + ([HXL] if hxl else []) + rows
    text = "\n".join(lines) + "\n"
    if delimiter != ",":
        text = text.replace(",", delimiter)
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def run_import(path, *args):
    call_command("import", "registry", str(path), *args)


def snapshot_db():
    return (
        sorted(Household.objects.values_list("ref", "version")),
        sorted(Person.objects.values_list("ref", "version", "given_name")),
        AuditEntry.objects.count(),
        Enrolment.objects.count(),
        IdentityDocument.objects.count(),
    )


@pytest.fixture
def rrk(db):
    return Programme.objects.create(code="RRK-VI", name="RRK sixth phase")


@pytest.mark.django_db
def test_it_imports_households_and_persons_from_csv(tmp_path, capsys):
    run_import(write_csv(tmp_path, ROWS))

    assert "Imported 3 households, 6 persons (0 updated, 0 unchanged)" in capsys.readouterr().out
    household = Household.objects.get(ref="HH-1")
    assert household.current_municipality.code == "M18"
    assert household.members.count() == 3
    assert household.head().ref == "P-1"
    agim = Person.objects.get(ref="P-1")
    assert agim.date_of_birth == datetime.date(1970, 3, 14) and agim.father_name == "Ramë"
    assert agim.documents.get().number == "1012345678"
    assert agim.documents.get().kind == "personal_number"
    drita = Person.objects.get(ref="P-2")
    assert drita.date_of_birth is None and drita.birth_year == 1975
    serbia = Household.objects.get(ref="HH-2")
    assert serbia.current_country.code == "RS" and serbia.origin_municipality.code == "M18"
    assert Household.objects.search("Petrovic").get() == serbia
    assert AuditEntry.objects.filter(via="import", model="registry.person", action="create").count() == 6


@pytest.mark.django_db
def test_it_accepts_municipality_names_in_cyrillic_and_without_diacritics(tmp_path):
    rows = [
        "P-1,HH-1,head,Agim,Krasniqi,,M,1970,ALB,returnee,Клина,XK,kline,,",
        "P-2,HH-2,head,Nexhmije,Hoxha,,F,1980,GOR,idp,DRAGAS,XK,M24,,",
    ]
    run_import(write_csv(tmp_path, rows))

    assert Household.objects.get(ref="HH-1").current_municipality.name_sq == "Klinë"
    assert Household.objects.get(ref="HH-2").origin_municipality.name_sq == "Dragash"
    assert Household.objects.get(ref="HH-2").current_municipality.name_sq == "Dragash"


@pytest.mark.django_db
def test_it_skips_the_hxl_row_and_reads_a_bom_and_semicolons(tmp_path, capsys):
    run_import(write_csv(tmp_path, ROWS, hxl=True, bom=True, delimiter=";"))

    assert "Imported 3 households, 6 persons" in capsys.readouterr().out
    assert Person.objects.count() == 6
    assert not Person.objects.filter(given_name__startswith="#").exists()


@pytest.mark.django_db
def test_it_imports_xlsx_with_dates_and_numbers_as_cells(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append(HXL.split(","))
    sheet.append(["P-1", "HH-1", "head", "Besnik", "Gashi", None, "M", datetime.date(1982, 6, 30), "ALB",
                  "avrr", "Prishtinë", "XK", "Prishtina", None, 1123456789])
    sheet.append(["P-2", "HH-1", "child", "Shpresa", "Gashi", "Besnik", "F", 2012, "ALB",
                  "avrr", "Prishtinë", "XK", "Prishtina", None, None])
    sheet.append([None] * 15)  # a formatted but empty row
    path = tmp_path / "registry.xlsx"
    workbook.save(path)

    run_import(path)

    besnik = Person.objects.get(ref="P-1")
    assert besnik.date_of_birth == datetime.date(1982, 6, 30)
    assert besnik.documents.get().number == "1123456789"
    assert Person.objects.get(ref="P-2").birth_year == 2012
    assert Household.objects.get(ref="HH-1").current_municipality.code == "M01"


@pytest.mark.django_db
def test_it_imports_nothing_and_names_every_bad_row_and_column(tmp_path, capsys):
    rows = list(ROWS)
    rows[1] = "P-2,HH-1,wife,Drita,Krasniqi,,X,1975,ALB,returnee,Klinë,XK,Klina,,"  # row 3
    rows[3] = "P-4,HH-2,head,Драган,Петровић,,M,1965-13-01,SRB,idp,Atlantis,RS,,,"  # row 5
    rows[5] = "P-1,HH-3,head,Nexhmije,Hoxha,,F,1980,XXX,idp,Dragash,ZZ,Dragash,,"  # row 7
    rows.append(f"{'P' * 61},HH-4,head,!!!,Hoxha,,F,1980,GOR,idp,Dragash,XK,Dragash,,")  # row 8
    run_import(write_csv(tmp_path, ROWS))
    before = snapshot_db()
    path = write_csv(tmp_path, rows, name="bad.csv")

    with pytest.raises(CommandError, match="nothing was imported"):
        run_import(path)

    err = capsys.readouterr().err
    for expected in [
        "row 3, column relationship:", "row 3, column sex:", "row 5, column date_of_birth:",
        "row 5, column origin_municipality: Unknown municipality Atlantis", "row 7, column community:",
        "row 7, column current_country:", "row 7, column ref: P-1 is also on row 2",
        "row 8, column ref: Ensure this value has at most 60 characters", "row 8, column given_name:",
    ]:
        assert expected in err
    assert snapshot_db() == before


@pytest.mark.django_db
def test_it_refuses_households_without_one_head_or_that_disagree(tmp_path, capsys):
    rows = [
        "P-1,HH-1,head,Agim,Krasniqi,,M,1970,ALB,returnee,Klinë,XK,Klina,,",
        "P-2,HH-1,head,Drita,Krasniqi,,F,1975,ALB,returnee,Klinë,XK,Klina,,",
        "P-3,HH-2,child,Arben,Gashi,,M,2010,ALB,returnee,Pejë,XK,Pejë,,",
        "P-4,HH-3,head,Ilir,Hoxha,,M,1980,GOR,idp,Dragash,XK,Dragash,,",
        "P-5,HH-3,child,Ema,Hoxha,,F,2012,GOR,idp,Dragash,XK,Prizren,,",
    ]
    with pytest.raises(CommandError):
        run_import(write_csv(tmp_path, rows))

    err = capsys.readouterr().err
    assert "row 2, column relationship: household HH-1 needs exactly one head, it has 2 (rows 2, 3)" in err
    assert "row 4, column relationship: household HH-2 needs exactly one head, it has 0" in err
    assert "row 6, column current_municipality: household HH-3 has Dragash" in err
    assert Household.objects.count() == 0 and Person.objects.count() == 0


@pytest.mark.django_db
def test_it_names_missing_required_columns(tmp_path, capsys):
    header = HEADER.replace("household_ref,", "").replace("sex,", "") + ",shoe_size"
    rows = ["P-1,head,Agim,Krasniqi,,1970,ALB,returnee,Klinë,XK,Klina,,,42"]
    with pytest.raises(CommandError):
        run_import(write_csv(tmp_path, rows, header=header))

    err = capsys.readouterr().err
    assert "column household_ref: this required column is missing" in err
    assert "column sex: this required column is missing" in err
    assert "warning: column shoe_size: not a registry column, ignored" in err
    assert Person.objects.count() == 0
    from accounts.models import User

    assert not User.objects.filter(username="import").exists()


@pytest.mark.django_db
def test_it_changes_nothing_when_the_same_file_is_imported_again(tmp_path, capsys, rrk):
    path = write_csv(tmp_path, ROWS)
    run_import(path, "--programme", "RRK-VI")
    before = snapshot_db()
    capsys.readouterr()

    run_import(path, "--programme", "RRK-VI")

    assert "Imported 0 households, 0 persons (0 updated, 6 unchanged)" in capsys.readouterr().out
    assert snapshot_db() == before


@pytest.mark.django_db
def test_it_updates_a_changed_row_through_the_actions(tmp_path, capsys):
    run_import(write_csv(tmp_path, ROWS))
    rows = list(ROWS)
    rows[1] = rows[1].replace("Drita,Krasniqi", "Dritë,Krasniqi").replace(",1975,", ",1975-02-02,")
    rows.append("P-7,HH-1,parent,Fatmire,Krasniqi,,F,1948,ALB,returnee,Klinë,XK,Klina,,")
    capsys.readouterr()

    run_import(write_csv(tmp_path, rows, name="changed.csv"))

    assert "Imported 0 households, 1 persons (1 updated, 5 unchanged)" in capsys.readouterr().out
    drita = Person.objects.get(ref="P-2")
    assert (drita.given_name, drita.date_of_birth, drita.version) == ("Dritë", datetime.date(1975, 2, 2), 2)
    assert Person.objects.get(ref="P-1").version == 1
    assert Person.objects.get(ref="P-7").household.ref == "HH-1"
    assert AuditEntry.objects.filter(action="update", object_id=str(drita.pk), via="import").exists()


@pytest.mark.django_db
def test_it_writes_nothing_on_a_dry_run(tmp_path, capsys):
    before = snapshot_db()

    run_import(write_csv(tmp_path, ROWS), "--dry-run")

    assert "Would import 3 households, 6 persons (0 updated, 0 unchanged)" in capsys.readouterr().out
    assert snapshot_db() == before
    from accounts.models import User

    assert not User.objects.filter(username="import").exists()


@pytest.mark.django_db
def test_it_enrols_every_household_in_the_programme(tmp_path, rrk):
    run_import(write_csv(tmp_path, ROWS), "--programme", "rrk-vi")

    enrolments = Enrolment.objects.filter(programme=rrk)
    assert sorted(e.household.ref for e in enrolments) == ["HH-1", "HH-2", "HH-3"]
    assert all(e.status == "applied" and e.changes.count() == 1 for e in enrolments)


@pytest.mark.django_db
def test_it_refuses_an_unknown_programme(tmp_path, capsys):
    with pytest.raises(CommandError):
        run_import(write_csv(tmp_path, ROWS), "--programme", "NOPE")

    assert "--programme: unknown programme NOPE" in capsys.readouterr().err
    assert Household.objects.count() == 0


@pytest.mark.django_db
def test_it_records_the_import_as_the_named_user(tmp_path, world):
    rows = ["P-1,HH-9,head,Agim,Krasniqi,,M,1970,ALB,returnee,Klinë,XK,Klina,,"]

    run_import(write_csv(tmp_path, rows), "--as", "klara")

    household = Household.objects.get(ref="HH-9")
    assert AuditEntry.objects.get(model="registry.household", object_id=str(household.pk)).actor == world.klara


@pytest.mark.django_db
def test_it_rolls_back_the_whole_file_when_an_action_refuses_a_row(tmp_path, capsys):
    run_import(write_csv(tmp_path, ROWS))
    before = snapshot_db()
    rows = list(ROWS)
    rows[0] = rows[0].replace(",head,", ",spouse,")  # HH-1: Agim and Drita swap roles...
    rows[1] = rows[1].replace(",spouse,", ",head,")
    rows = [rows[5].replace("Nexhmije", "Nexhmija")] + rows[:5]  # ...after a good change to HH-3
    capsys.readouterr()

    # One head at a time: the file is fine as a whole, but the first update leaves HH-1 with
    # none, which the registry refuses; the change already made to HH-3 is rolled back with it.
    with pytest.raises(CommandError, match="nothing was imported"):
        run_import(write_csv(tmp_path, rows, name="swap.csv"))

    assert "household HH-1 (rows 3, 4, 5): A household has exactly one head" in capsys.readouterr().err
    assert snapshot_db() == before


@pytest.mark.django_db
def test_it_reports_likely_duplicates_inside_the_file_and_writes_them_all(tmp_path, capsys):
    # The same man entered twice by two partners: Albanian spelling and Serbian Cyrillic.
    twice = ROWS + ["P-7,HH-4,head,Агим,Краснићи,Раме,M,1970-03-14,ALB,returnee,Klina,XK,Klinë,,"]
    run_import(write_csv(tmp_path, twice))
    out = capsys.readouterr().out
    assert "rows 2 and 8 (P-1, P-7) are likely the same person" in out
    assert "P-2" not in out.split("to review:")[1]  # his wife is nobody's duplicate
    assert Person.objects.filter(ref__in=["P-1", "P-7"]).count() == 2  # reported, not refused


@pytest.mark.django_db
def test_it_reports_a_new_row_that_is_likely_someone_already_registered(tmp_path, capsys):
    run_import(write_csv(tmp_path, ROWS))
    capsys.readouterr()
    later = ["Q-1,HQ-1,head,Agim,Krasnici,Rame,M,1970-03-14,ALB,returnee,Gjakove,XK,Klina,,"]
    run_import(write_csv(tmp_path, later, name="later.csv"), "--dry-run")
    out = capsys.readouterr().out
    assert "row 2 (Q-1) is likely P-1 in the registry" in out
    assert not Person.objects.filter(ref="Q-1").exists()


@pytest.mark.django_db
def test_a_file_without_duplicates_reports_none(tmp_path, capsys):
    run_import(write_csv(tmp_path, ROWS))
    assert "duplicate" not in capsys.readouterr().out
    # Importing it again changes nothing and does not report people as duplicates of themselves.
    run_import(write_csv(tmp_path, ROWS))
    assert "duplicate" not in capsys.readouterr().out


@pytest.mark.django_db
def test_importing_the_file_again_after_a_merge_does_not_bring_the_duplicate_back(tmp_path, capsys):
    from accounts.models import User
    from merges.actions import merge_persons

    twice = ROWS + ["P-7,HH-4,head,Агим,Краснићи,Раме,M,1970-03-14,ALB,returnee,Klina,XK,Klinë,,"]
    path = write_csv(tmp_path, twice)
    run_import(path)
    manager = User.objects.create_user("mgr", password="correct horse battery", role="admin")
    Person.objects.get(ref="P-7").documents.create(kind="passport", number="P1234")  # removed with the merge
    merge = merge_persons(Person.objects.get(ref="P-1"), Person.objects.get(ref="P-7"), acting_user=manager,
                          with_households=True, reason="registered twice by two partners")
    before = snapshot_db()
    capsys.readouterr()

    run_import(path)
    captured = capsys.readouterr()
    assert f"row 8: P-7 was merged into P-1 (merge #{merge.pk}); row left out" in captured.err
    assert not Person.objects.filter(ref="P-7").exists() and not Household.objects.filter(ref="HH-4").exists()
    assert snapshot_db() == before
