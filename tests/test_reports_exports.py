"""Report exports (XLSX, CSV with HXL, IATI XML, PDF): what a donor or a manager checks in the file.

The figures in every format must be the API's own (/reports/reach, /programmes/{code}/results), with
the same small cells withheld from a donor. The world: tests/conftest.py plus, in RRK, Agim's
training in Klinë (one household: 1 direct, 2 indirect, a small cell), six families of three in
Lipjan with a food package each (6 households, 18 direct) and five couples in Prizren where only the
head had legal aid (5 households, 5 direct, 5 indirect); RRK-VI, a phase, has its own delivery and
activity. A results framework with one indicator and two target periods hangs under RRK.
"""

import csv
import datetime
import io
import re
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from audit.models import AuditEntry
from places.models import Municipality
from programmes.models import Programme
from reports import exports, pdf
from reports.actions import create_indicator, create_result, set_target
from reports.models import DIMENSIONS, Indicator, Result
from tests.conftest import make_household
from tests.test_api_client import ApiClient
from tests.test_reports_reach import activity, deliver, kind, member

DAY = "2024-06-30"
SCHEMA = Path(__file__).resolve().parent.parent / "var" / "iati-schema-2.03" / "iati-activities-schema.xsd"


@pytest.fixture
def programme(world):
    w = world
    w.rrk.implementers.set([w.iom])
    w.rrk.partners.set([w.bozur])
    w.rrk.start_date, w.rrk.end_date = datetime.date(2023, 1, 1), datetime.date(2025, 12, 31)
    w.rrk.description = "Return and reintegration of displaced families in Kosovo."
    w.rrk.save()
    deliver(w, w.rrk, "vocational_training", person=member(w.h_kline, "Agim"))
    lipjan, prizren = Municipality.objects.get(code="M04"), Municipality.objects.get(code="M23")
    for i in range(6):
        family = make_household(f"H-LP-{i}", responsible=lipjan, current_municipality=lipjan, members=[
            ("Besim", "Gashi", "M", "head", 1980), ("Lule", "Gashi", "F", "spouse", 1982),
            ("Dren", "Gashi", "M", "child", 2015)])
        deliver(w, w.rrk, "food_package", household=family)
    for i in range(5):
        couple = make_household(f"H-PZ-{i}", responsible=prizren, current_municipality=prizren, members=[
            ("Fatime", "Morina", "F", "head", 1960), ("Hamdi", "Morina", "M", "spouse", 1958)])
        deliver(w, w.rrk, "legal_assistance", person=member(couple, "Fatime"))
    deliver(w, w.rrk6, "food_package", household=w.h_dragash, date=datetime.date(2024, 6, 15))
    activity(w, w.rrk6, female=12, male=9)

    goal = create_result(Result(programme=w.rrk, level="goal", code="1", statement="Sustainable return"),
                         acting_user=w.marko)
    outcome = create_result(Result(programme=w.rrk, level="outcome", code="1.1", parent=goal,
                                   statement="Returnees have an income"), acting_user=w.marko)
    output = create_result(Result(programme=w.rrk, level="output", code="1.1.1", parent=outcome,
                                  statement="Returnees assisted"), acting_user=w.marko)
    assisted = create_indicator(Indicator(result=output, code="T1", name="Persons assisted", unit="persons",
                                          measure="persons_assisted", baseline=0,
                                          baseline_date=datetime.date(2023, 1, 1), disaggregations=["sex"]),
                                assistance_types=[kind("food_package"), kind("legal_assistance")], acting_user=w.marko)
    set_target(assisted, datetime.date(2024, 1, 1), datetime.date(2024, 6, 30), 20, acting_user=w.marko)
    set_target(assisted, datetime.date(2024, 7, 1), datetime.date(2024, 12, 31), 30, acting_user=w.marko)
    return w


@pytest.fixture
def as_user(token_for):
    return lambda user: ApiClient(token_for(user))


def export(client, fmt, **params):
    return client.get(f"/programmes/RRK/export/{fmt}", **{"date": DAY, **params})


def api_reach(client, by=None, phases=True):
    params = {"programme": "RRK", "include_phases": "true" if phases else "false", "date": DAY}
    return client.get("/reports/reach", **params, **({"by": by} if by else {})).json()


def api_targets(client):
    """(indicator code, period start, target, actual) of the API's results framework."""
    body = client.get("/programmes/RRK/results", date=DAY).json()
    found = []

    def walk(nodes):
        for node in nodes:
            for indicator in node["indicators"]:
                found.extend((indicator["code"], t["period_start"], float(t["target"]), float(t["actual"]))
                             for t in indicator["targets"])
            walk(node["children"])

    walk(body["results"])
    return found


def cells(body):
    return {r["key"]: (r["households"], r["direct"], r["indirect"]) for r in body["rows"]}


def totals(body):
    return body["households"], body["direct"], body["indirect"]


# XLSX -----------------------------------------------------------------------------------------

def test_it_exports_the_api_figures_to_a_workbook(programme, as_user):
    client = as_user(programme.mira)
    response = export(client, "xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="RRK-2024-06-30.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Reach", "Results", "Participants"]

    sheet = list(book["Reach"].iter_rows(values_only=True))
    total = next(row for row in sheet if row[0] == "Total")
    assert tuple(total[1:4]) == totals(api_reach(client)) == (13, 26, 7)
    tables = {}
    for row in sheet:
        if row[0] in [str(label) for label in exports.dimension_labels().values()]:
            current = tables.setdefault(row[0], {})
        elif len(row) > 4 and row[1] is not None and tables and isinstance(row[2], int):
            current[row[1]] = tuple(row[2:5])
    for dimension, label in exports.dimension_labels().items():
        assert tables[str(label)] == cells(api_reach(client, by=dimension)), dimension
    assert tables["Municipality"]["M04"] == (6, 18, 0)  # numbers, not text
    assert book["Reach"]["A1"].font.bold and book["Reach"].column_dimensions["A"].width > 8

    results = list(book["Results"].iter_rows(values_only=True))
    assert results[0][:4] == ("Level", "Code", "Statement", "Indicator")
    rows = [(r[3], r[7].date().isoformat(), r[9], r[10]) for r in results[1:] if r[3]]
    assert rows == api_targets(client) == [("T1", "2024-01-01", 20, 25), ("T1", "2024-07-01", 30, 0)]

    participants = dict(book["Participants"].iter_rows(values_only=True, max_col=2))
    assert (participants["Female"], participants["Male"], participants["Total"]) == (12, 9, 21)


# CSV with HXL -----------------------------------------------------------------------------------

def read_csv(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def test_it_writes_a_csv_whose_second_row_is_hxl(programme, as_user):
    client = as_user(programme.mira)
    response = export(client, "csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    header, tags, *rows = read_csv(response)
    assert header[:3] == ["programme", "date", "since"]
    assert all(re.fullmatch(r"#[a-z][a-z0-9_]*(\+[a-z][a-z0-9_]*)*", tag) for tag in tags), tags
    assert dict(zip(header, tags))["households"] == "#reached+hh"
    by = {}
    for row in (dict(zip(header, r)) for r in rows):
        assert row["programme"] == "RRK" and row["date"] == DAY
        by.setdefault(row["dimension"], {})[row["key"]] = tuple(int(row[f]) for f in ("households", "direct",
                                                                                       "indirect"))
    assert by.pop("total") == {"": totals(api_reach(client))}
    assert by == {dimension: cells(api_reach(client, by=dimension)) for dimension in DIMENSIONS}


def test_it_withholds_the_same_small_cells_from_a_donor_in_every_format(programme, as_user):
    client = as_user(programme.dona)
    api = api_reach(client, by="municipality")
    # Klinë (one household) is a small cell; Prizren goes too, or Klinë could be recovered from the total.
    assert [(r["key"], r["suppressed"]) for r in api["rows"]] == [("M04", False), ("M18", True), ("M23", True), ("M24", True)]

    header, _tags, *rows = read_csv(export(client, "csv"))
    rows = {(r["dimension"], r["key"]): r for r in (dict(zip(header, row)) for row in rows)}
    assert (rows["municipality", "M18"]["direct"], rows["municipality", "M18"]["suppressed"]) == ("", "1")
    assert (rows["municipality", "M04"]["direct"], rows["municipality", "M04"]["suppressed"]) == ("18", "0")
    for dimension in DIMENSIONS:
        for cell in api_reach(client, by=dimension)["rows"]:
            row = rows[dimension, cell["key"]]
            assert row["suppressed"] == ("1" if cell["suppressed"] else "0"), (dimension, cell)
            assert row["direct"] == ("" if cell["direct"] is None else str(cell["direct"]))

    sheet = load_workbook(io.BytesIO(export(client, "xlsx").content))["Reach"]
    municipality_rows = {row[1]: tuple(row[2:5]) for row in sheet.iter_rows(values_only=True)
                         if row[1] in ("M04", "M18", "M23")}
    assert municipality_rows == {"M04": (6, 18, 0), "M18": (None, None, None), "M23": (None, None, None)}

    # The M&E officer sees them all.
    assert cells(api_reach(as_user(programme.mira), by="municipality"))["M18"] == (1, 1, 2)


# Access, parameters, audit -------------------------------------------------------------------------

def test_it_answers_404_for_a_programme_out_of_reach_in_every_format(programme, as_user, client):
    Programme.objects.create(code="OTHER", name="Not funded by Dona's donor")
    for fmt in exports.FORMATS:
        assert as_user(programme.klara).get(f"/programmes/CT/export/{fmt}").status_code == 404
        assert as_user(programme.dona).get(f"/programmes/OTHER/export/{fmt}").status_code == 404
        assert as_user(programme.ada).get(f"/programmes/NOPE/export/{fmt}").status_code == 404
    # Unreadable is 404 even with a bad format: the answer does not tell that the programme exists.
    assert as_user(programme.dona).get("/programmes/OTHER/export/docx").status_code == 404
    client.force_login(programme.klara)
    assert client.get("/programmes/CT/export/pdf/").status_code == 404
    assert not AuditEntry.objects.filter(action="export").exists()
    assert as_user(programme.sara).get("/programmes/CT/export/csv").status_code == 200


def test_it_names_the_bad_parameter(programme, as_user, client):
    api = as_user(programme.ada)
    for params, field in ((("docx", {}), "fmt"), (("pdf", {"lang": "de"}), "lang"),
                          (("csv", {"since": "2024-07-01"}), "since"), (("csv", {"date": "30.06.2024"}), "date")):
        fmt, extra = params
        response = export(api, fmt, **extra)
        assert response.status_code == 422, (params, response.content)
        assert [e["field"] for e in response.json()["errors"]] == [field]
    client.force_login(programme.ada)
    response = client.get("/programmes/RRK/export/pdf/", {"lang": "de"})
    assert response.status_code == 400 and response.content.decode().startswith("lang:")
    assert client.get("/programmes/RRK/export/docx/").content.decode().startswith("fmt:")


def test_it_audits_each_export_with_its_format(programme, as_user, client):
    export(as_user(programme.dona), "csv")
    client.force_login(programme.marko)
    assert client.get("/programmes/RRK/export/xlsx/", {"date": DAY, "phases": "0"}).status_code == 200
    rows = [(e.actor.username, e.model, e.object_id, e.changes["format"][1], e.via)
            for e in AuditEntry.objects.filter(action="export").order_by("pk")]
    assert rows == [("dona", "programmes.programme", str(programme.rrk.pk), "csv", "api"),
                    ("marko", "programmes.programme", str(programme.rrk.pk), "xlsx", "web")]


def test_it_counts_the_programme_alone_when_asked(programme, as_user):
    client = as_user(programme.mira)
    header, _tags, *rows = read_csv(export(client, "csv", phases="false"))
    total = dict(zip(header, rows[0]))
    # Without RRK-VI the Hoxha family's food package is left out.
    assert tuple(int(total[f]) for f in ("households", "direct", "indirect")) == totals(
        api_reach(client, phases=False)) == (12, 24, 7)


def test_it_describes_the_export_route_in_the_openapi_document(world):
    assert "/api/v1/programmes/{code}/export/{fmt}" in ApiClient().get("/openapi.json").json()["paths"]


# IATI ----------------------------------------------------------------------------------------------

def iati_schema():
    from lxml import etree

    # Fail, not skip: exports that were never validated must not pass as tested.
    assert SCHEMA.is_file(), f"{SCHEMA} is missing: run scripts/fetch-iati-schema (make test does)"
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


def test_it_writes_iati_activities_that_the_2_03_schema_accepts(programme, as_user):
    from lxml import etree

    client = as_user(programme.mira)
    response = export(client, "iati")
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    document = etree.fromstring(response.content)
    schema = iati_schema()
    assert schema.validate(document), schema.error_log
    assert document.get("version") == "2.03"
    rrk, phase = document.findall("iati-activity")
    assert rrk.findtext("iati-identifier").endswith("-RRK") and phase.findtext("iati-identifier").endswith("-RRK-VI")
    assert phase.find("related-activity[@type='1']").get("ref") == rrk.findtext("iati-identifier")
    assert rrk.find("related-activity[@type='2']").get("ref") == phase.findtext("iati-identifier")
    assert [(o.get("role"), o.findtext("narrative")) for o in rrk.findall("participating-org")] == [
        ("1", "European Union"), ("4", "International Organization for Migration"), ("4", "Božur")]
    assert rrk.find("recipient-country").get("code") == "XK"
    assert rrk.find("activity-status").get("code") == "2"
    assert [r.get("type") for r in rrk.findall("result")] == ["1"]  # only the output has an indicator
    periods = [(p.find("period-start").get("iso-date"), float(p.find("target").get("value")),
                float(p.find("actual").get("value"))) for p in rrk.findall("result/indicator/period")]
    assert [("T1", *p) for p in periods] == api_targets(client)
    assert rrk.find("result/indicator/baseline").attrib == {"year": "2023", "value": "0", "iso-date": "2023-01-01"}


def test_it_leaves_out_phases_the_caller_may_not_read(programme, as_user):
    from lxml import etree

    Programme.objects.create(code="RRK-CT", name="Sensitive component", parent=programme.rrk, sensitive=True)
    document = etree.fromstring(export(as_user(programme.mira), "iati").content)
    assert [a.findtext("iati-identifier").rsplit("-", 1)[-1] for a in document.findall("iati-activity")] == ["RRK", "VI"]
    assert iati_schema().validate(document)
    document = etree.fromstring(export(as_user(programme.mira), "iati", phases="false").content)
    assert len(document.findall("iati-activity")) == 1 and document.find(".//related-activity") is None


# PDF -------------------------------------------------------------------------------------------------

def pdf_text(data):
    """The strings an uncompressed fpdf2 PDF shows, in order, decoded through each font's ToUnicode map."""
    objects = dict(re.findall(rb"(?m)^(\d+) 0 obj\n(.*?)\nendobj", data, re.S))
    maps = {}
    for name, number in re.findall(rb"/(F\d+) (\d+) 0 R", data):
        cmap = objects[re.search(rb"/ToUnicode (\d+) 0 R", objects[number]).group(1)]
        pairs = re.findall(rb"<([0-9A-Fa-f]+)> <([0-9A-Fa-f]+)>", cmap.split(b"beginbfchar", 1)[1])
        maps[name] = {int(code, 16): bytes.fromhex(text.decode()).decode("utf-16-be") for code, text in pairs}
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
    texts, font = [], None
    for name, literal in re.findall(rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", data, re.S):
        if name:
            font = maps[name]
            continue
        raw = re.sub(rb"\\(.)", lambda m: escapes.get(m.group(1), m.group(1)), literal, flags=re.S)
        texts.append("".join(font[int.from_bytes(raw[i:i + 2], "big")] for i in range(0, len(raw), 2)))
    return texts


def follows(texts, label, numbers):
    """Whether `label` is printed followed by these numbers (a table row)."""
    expected = [str(n) if n is not None else "—" for n in numbers]
    return any(texts[i + 1:i + 1 + len(expected)] == expected for i, t in enumerate(texts) if t == label)


def test_it_prints_the_api_figures_in_the_pdf(programme, as_user):
    client = as_user(programme.mira)
    response = export(client, "pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == 'attachment; filename="RRK-2024-06-30-en.pdf"'
    figures = exports.gather(programme.mira, programme.rrk, on=datetime.date(2024, 6, 30))
    texts = pdf_text(pdf.report(figures, lang="en", compress=False))
    households, direct, indirect = totals(api_reach(client))
    assert follows(texts, "Households", [households]) and follows(texts, "Direct", [direct])
    assert follows(texts, "Indirect", [indirect]) and follows(texts, "Participants", [21])
    labels = {m.code: m.display_name("en") for m in Municipality.objects.all()}
    for key, numbers in cells(api_reach(client, by="municipality")).items():
        assert follows(texts, labels[key], numbers), key
    assert follows(texts, "Female", cells(api_reach(client, by="sex"))["F"])
    assert "25 / 20" in texts and "0 / 30" in texts  # actual against target, per period


def test_it_writes_the_pdf_in_albanian_and_serbian(programme):
    figures = exports.gather(programme.dona, programme.rrk, on=datetime.date(2024, 6, 30))
    albanian = pdf_text(pdf.report(figures, lang="sq", compress=False))
    assert "Korniza e rezultateve" in albanian and "Results framework" not in albanian
    assert "Lipjan/Lipljan" in albanian
    cyrillic = pdf_text(pdf.report(figures, lang="sr", compress=False))
    assert "Lipjan/Липљан" in cyrillic and "Оквир резултата" in cyrillic
    # The donor's copy withholds the small cells, and says so in Albanian.
    with translation.override("sq"):
        fewer = gettext("not shown")
    assert fewer == "nuk shfaqet"
    assert follows(albanian, "Klinë/Klina", [fewer, "—", "—", "—"])
    assert follows(albanian, "Lipjan/Lipljan", [6, 18, 0])


def test_it_names_the_font_paths_it_tried_when_none_is_installed(programme):
    with pytest.raises(pdf.FontMissing, match="/nowhere/Sans.ttf"):
        pdf.font_files([("/nowhere/Sans.ttf", "/nowhere/Sans-Bold.ttf")])


# The page --------------------------------------------------------------------------------------------

def test_the_results_page_links_to_each_export(programme, client):
    client.force_login(programme.marko)
    html = client.get("/programmes/RRK/results/", {"date": DAY}).content.decode()
    for fmt in ("xlsx", "csv", "iati"):
        assert f'href="/programmes/RRK/export/{fmt}/?phases=1&amp;date={DAY}' in html
    assert f'/programmes/RRK/export/pdf/?phases=1&amp;date={DAY}&amp;lang=sq"' in html
    response = client.get(f"/programmes/RRK/export/pdf/?phases=1&date={DAY}&lang=sr-latn")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_an_export_counting_a_sensitive_phase_is_audited_as_sensitive(programme, client):
    Programme.objects.create(code="RRK-CT", name="Counter-trafficking component", parent=programme.rrk,
                             sensitive=True)
    for user in (programme.marko, programme.sara):
        client.force_login(user)
        assert client.get("/programmes/RRK/export/csv/", {"date": DAY}).status_code == 200
    flags = dict(AuditEntry.objects.filter(action="export").values_list("actor__username", "sensitive"))
    # Marko is not cleared: RRK-CT is not in his figures. Sara's export counts it.
    assert flags == {"marko": False, "sara": True}
