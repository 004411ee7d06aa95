"""A programme's figures as files that leave the system: XLSX, CSV with HXL hashtags, IATI XML
(reports.iati) and a PDF donor report (reports.pdf).

Every format is built from the same figures the API answers (`gather`): reach from
reports.reach and the results framework from reports.results, with small cells suppressed for
donors exactly as /reports/reach suppresses them. `produce` is the one way in for the web page
and the API: it checks that the caller may read the programme (NotVisible, answered as 404), and
writes one audit row per export, since the figures leave the system.

CSV with HXL (Humanitarian Exchange Language, hxlstandard.org): the second row carries one
hashtag per column so HXL tools (HDX, the HXL Proxy) read the file without a mapping. One row per
reach cell: a "total" row, then one per key of each dimension. Core hashtags used: #activity
(the programme), #date, #meta, #adm2, #reached; core attributes +code, +name, +reported, +start,
+hh (households) and +ind (individuals). HXL has no core attribute for direct and indirect
beneficiaries nor for our breakdown columns; the standard allows one's own lower-case attributes,
so those are +direct, +indirect, +dimension, +key and +suppressed:

    programme       #activity+code          the programme's code
    date            #date+reported          the report date
    since           #date+start             the start of the period, empty for "from the start"
    dimension       #meta+dimension         total, municipality, sex, community,
                                            displacement_status or age_group
    key             #meta+key               the row's key as the API gives it (M18, F, ROM, idp, 0-4...)
    adm2            #adm2+code              the municipality's code, on municipality rows only
    households      #reached+hh             households with a direct beneficiary
    direct          #reached+ind+direct     direct beneficiaries
    indirect        #reached+ind+indirect   indirect beneficiaries
    suppressed      #meta+suppressed        1 where a donor's small cell is withheld (figures empty)
"""

import csv
import datetime
import io
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Role
from audit.models import AuditEntry, record
from places.models import DISPLACEMENT_STATUSES, Community, Municipality
from programmes.models import Programme
from registry.models import Person
from reports.models import DIMENSIONS, Level
from reports.reach import UNKNOWN, Basis, reach
from reports.results import framework
from reports.suppression import suppress

# fmt → (content type, file name ending)
FORMATS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "csv": ("text/csv; charset=utf-8", ".csv"),
    "iati": ("application/xml", "-iati.xml"),
    "pdf": ("application/pdf", ".pdf"),
}
LANGUAGES = ("en", "sq", "sr", "sr-latn")
FIGURES = ("households", "direct", "indirect")


@dataclass
class Figures:
    """What one viewer may export of one programme: the API's figures, suppressed for donors."""

    programme: object
    basis: Basis
    include_phases: bool
    totals: dict  # reach without breakdown: households, direct, indirect, participants, ...
    by: dict  # dimension → reach by that dimension (rows)
    framework: list


def counted(basis, by=None):
    """reach() as /reports/reach answers it: `suppressed` flags, small cells withheld for donors."""
    figures = reach(basis, by=by)
    figures["suppressed"] = False
    for row in figures["rows"]:
        row["suppressed"] = False  # as the API's rows default it
    if basis.user.role == Role.DONOR:
        suppress(figures)
    return figures


def gather(user, programme, *, include_phases=True, on=None, since=None):
    """Raises reports.reach.NotVisible for a programme the user may not read."""
    basis = Basis.of(user, programme, include_phases=include_phases, on=on, since=since)
    return Figures(programme=programme, basis=basis, include_phases=include_phases, totals=counted(basis),
                   by={d: counted(basis, by=d) for d in DIMENSIONS}, framework=framework(programme, basis))


def produce(user, programme, fmt, *, include_phases=True, on=None, since=None, lang="en", via="web"):
    """(content bytes, content type, file name) of one export, audited. `fmt` and `lang` are
    checked by the caller (FORMATS, LANGUAGES). Raises NotVisible like gather()."""
    from reports import iati, pdf

    on = on or datetime.date.today()
    if fmt == "iati":
        content = iati.document(user, programme, include_phases=include_phases, on=on, since=since)
    else:
        figures = gather(user, programme, include_phases=include_phases, on=on, since=since)
        if fmt == "xlsx":
            content = workbook(figures, lang=lang)
        elif fmt == "csv":
            content = hxl_csv(figures)
        elif fmt == "pdf":
            content = pdf.report(figures, lang=lang)
        else:
            raise ValueError(fmt)
    content_type, ending = FORMATS[fmt]
    suffix = f"-{lang}" if fmt == "pdf" else ""
    name = f"{programme.code}-{on.isoformat()}{suffix}{ending}"
    changes = {"format": [None, fmt], "date": [None, on.isoformat()], "include_phases": [None, include_phases]}
    if since:
        changes["since"] = [None, since.isoformat()]
    if fmt in ("xlsx", "pdf"):
        changes["lang"] = [None, lang]
    # A cleared user's export with phases counts a sensitive phase's records too.
    phases = Programme.objects.phase_ids([programme]) if include_phases else {programme.pk}
    sensitive = programme.sensitive or (
        user.sensitive and Programme.objects.filter(pk__in=phases, sensitive=True).exists())
    record(user, AuditEntry.Action.EXPORT, programme, changes=changes, sensitive=sensitive, via=via)
    return content, content_type, name


def organisations(programme, relation):
    """The donors, implementers or partners of a programme; a phase that names none has its
    parent's (a donor funding a programme funds its phases, as reports.reach.may_read reads it)."""
    node = programme
    while node is not None:
        found = list(getattr(node, relation).all())
        if found:
            return found
        node = node.parent
    return []


# Labels for people reading a report (the API and the CSV keep the keys) ----------------------

def dimension_labels():
    return {"municipality": _("Municipality"), "sex": _("Sex"), "community": _("Community"),
            "displacement_status": _("Displacement status"), "age_group": _("Age group")}


def key_labels(dimension):
    """key → label for the rows of one dimension, in the active language."""
    if dimension == "municipality":
        labels = {m.code: m.display_name() for m in Municipality.objects.all()}
    elif dimension == "community":
        labels = {c.code: str(c) for c in Community.objects.all()}
    elif dimension == "sex":
        labels = {value: str(label) for value, label in Person.Sex.choices}
    elif dimension == "displacement_status":
        labels = {value: str(label) for value, label in DISPLACEMENT_STATUSES}
    else:
        labels = {}
    labels[UNKNOWN] = _("unknown")
    return labels


def framework_rows(nodes, depth=0):
    """The framework flattened: (depth, result node, indicator or None, target or None), one row
    per result, then one per indicator target (one for an indicator without targets)."""
    for node in nodes:
        yield depth, node, None, None
        for indicator in node["indicators"]:
            for target in indicator["targets"] or [None]:
                yield depth, node, indicator, target
        yield from framework_rows(node["children"], depth + 1)


def decimal_text(value):
    """A figure as reports print it: 12 and 12.5, never 12.00 or 1.2E+1."""
    text = str(value) if isinstance(value, int) else f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def number(value):
    """Decimal figures as numbers a spreadsheet adds up: whole values as int."""
    if value is None:
        return None
    return int(value) if value == int(value) else float(value)


# XLSX ---------------------------------------------------------------------------------------

def workbook(figures, lang="en"):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    bold = Font(bold=True)
    book = Workbook()
    with translation.override(lang):
        reach_sheet = book.active
        reach_sheet.title = "Reach"
        _reach_sheet(reach_sheet, figures, bold)
        _results_sheet(book.create_sheet("Results"), figures, bold)
        _participants_sheet(book.create_sheet("Participants"), figures, bold)
    for sheet in book.worksheets:
        _fit_columns(sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _heading(sheet, values, bold):
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        cell.font = bold


def _reach_sheet(sheet, figures, bold):
    programme, basis, totals = figures.programme, figures.basis, figures.totals
    _heading(sheet, [f"{programme.code} — {programme.name}"], bold)
    sheet.append([_("Report date"), basis.on])
    sheet.append([_("From"), basis.since])
    sheet.append([_("Phases"), _("with all its phases") if figures.include_phases else _("this programme only")])
    sheet.append([])
    _heading(sheet, ["", _("Households"), _("Direct"), _("Indirect")], bold)
    sheet.append([_("Total"), *(totals[f] for f in FIGURES)])
    if totals["suppressed"] or any(r["suppressed"] for f in figures.by.values() for r in f["rows"]):
        sheet.append([_("Figures under 5 persons are not shown, nor the figures from which they could be worked out.")])
    for dimension, result in figures.by.items():
        labels = key_labels(dimension)
        sheet.append([])
        _heading(sheet, [dimension_labels()[dimension], _("Code"), _("Households"), _("Direct"), _("Indirect")], bold)
        for row in result["rows"]:
            sheet.append([labels.get(row["key"], row["key"]), row["key"], *(row[f] for f in FIGURES)])
    for row in sheet.iter_rows(min_row=2, max_row=3, max_col=2):
        row[1].number_format = "yyyy-mm-dd"


def _results_sheet(sheet, figures, bold):
    levels = {value: str(label) for value, label in Level.choices}
    _heading(sheet, [_("Level"), _("Code"), _("Statement"), _("Indicator"), _("Name"), _("Unit"), _("Baseline"),
                     _("Period start"), _("Period end"), _("Target"), _("Actual")], bold)
    for _depth, node, indicator, target in framework_rows(figures.framework):
        if indicator is None:
            sheet.append([levels.get(node["level"], node["level"]), node["code"], node["statement"]])
            continue
        period = [target["period_start"], target["period_end"], number(target["target"]),
                  number(target["actual"])] if target else [None, None, None, number(indicator["actual"])]
        sheet.append([levels.get(node["level"], node["level"]), node["code"], node["statement"], indicator["code"],
                      indicator["name"],
                      indicator["unit"], number(indicator["baseline"]), *period])
        for cell in sheet[sheet.max_row][7:9]:
            cell.number_format = "yyyy-mm-dd"


def _participants_sheet(sheet, figures, bold):
    participants = figures.totals["participants"]
    _heading(sheet, [_("Participants"), ""], bold)
    sheet.append([_("Female"), participants["female"]])
    sheet.append([_("Male"), participants["male"]])
    sheet.append([_("unknown"), participants["unknown"]])
    sheet.append([_("Total"), participants["total"]])
    sheet.append([])
    _heading(sheet, [_("Community projects"), ""], bold)
    sheet.append([_("Completed"), figures.totals["community_projects_completed"]])
    sheet.append([_("Catchment population"), figures.totals["catchment_population"]])


def _fit_columns(sheet):
    from openpyxl.utils import get_column_letter

    widths = {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is not None:
                text = cell.value.isoformat() if isinstance(cell.value, datetime.date) else str(cell.value)
                widths[cell.column] = max(widths.get(cell.column, 0), len(text))
    for column, width in widths.items():
        # A long title or statement should not make its column a screen wide.
        sheet.column_dimensions[get_column_letter(column)].width = min(60, max(8, width + 2))


# CSV with HXL -------------------------------------------------------------------------------

HXL_COLUMNS = [
    ("programme", "#activity+code"),
    ("date", "#date+reported"),
    ("since", "#date+start"),
    ("dimension", "#meta+dimension"),
    ("key", "#meta+key"),
    ("adm2", "#adm2+code"),
    ("households", "#reached+hh"),
    ("direct", "#reached+ind+direct"),
    ("indirect", "#reached+ind+indirect"),
    ("suppressed", "#meta+suppressed"),
]


def hxl_rows(figures):
    """The reach cells as dicts keyed by the CSV's column names."""
    common = {"programme": figures.programme.code, "date": figures.basis.on.isoformat(),
              "since": figures.basis.since.isoformat() if figures.basis.since else ""}
    cells = [("total", "", figures.totals)]
    cells += [(dimension, row["key"], row) for dimension, result in figures.by.items() for row in result["rows"]]
    for dimension, key, cell in cells:
        yield {**common, "dimension": dimension, "key": key,
               "adm2": key if dimension == "municipality" and key != UNKNOWN else "",
               **{f: "" if cell[f] is None else cell[f] for f in FIGURES},
               "suppressed": 1 if cell["suppressed"] else 0}


def hxl_csv(figures):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([name for name, _tag in HXL_COLUMNS])
    writer.writerow([tag for _name, tag in HXL_COLUMNS])
    for row in hxl_rows(figures):
        writer.writerow([row[name] for name, _tag in HXL_COLUMNS])
    return out.getvalue().encode("utf-8")
