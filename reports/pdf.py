"""The donor report as a PDF, in English, Albanian or Serbian (Cyrillic or Latin): the programme's
facts, reach with a bar chart per breakdown, and the results framework with targets against
actuals. Drawn with fpdf2's own primitives (rectangles and text), no plotting library.

The PDF core fonts know only Latin-1, which has no ë's cousins č, ć, đ, š, ž nor Cyrillic, so the
report embeds a TrueType font found on the machine (FONT_PATHS, DejaVu Sans first; Debian's
fonts-dejavu-core package installs it). The figures are those of reports.exports.gather: the
API's, suppressed for donors.
"""

from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext as _

from reports.exports import FIGURES, decimal_text, dimension_labels, framework_rows, key_labels, organisations
from reports.models import Level

# (regular, bold) pairs, tried in order: Debian/Ubuntu DejaVu, Fedora DejaVu, Liberation, Noto.
FONT_PATHS = [
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf", "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
     "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"),
]
FONT = "body"
DARK, LIGHT, GREY, TEXT = (31, 78, 121), (157, 195, 230), (200, 200, 200), (33, 33, 33)
ROW = 6  # mm


class FontMissing(RuntimeError):
    pass


def font_files(candidates=None):
    for regular, bold in candidates or FONT_PATHS:
        if Path(regular).is_file() and Path(bold).is_file():
            return regular, bold
    raise FontMissing(
        "The PDF report needs a TrueType font with Albanian, Serbian Latin and Cyrillic letters; none of "
        + ", ".join(regular for regular, _bold in candidates or FONT_PATHS)
        + " exists. Install DejaVu Sans (Debian: apt-get install fonts-dejavu-core).")


def plain(number):
    """A figure, or a dash for a withheld cell."""
    return "—" if number is None else decimal_text(number)


def report(figures, lang="en", compress=True, fonts=None):
    """The PDF's bytes. `compress=False` leaves the page content readable (the tests read it)."""
    from fpdf import FPDF

    regular, bold = font_files(fonts)
    pdf = FPDF(format="A4")
    pdf.set_compression(compress)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_font(FONT, "", regular)
    pdf.add_font(FONT, "B", bold)
    pdf.set_text_color(*TEXT)
    with translation.override(lang):
        pdf.set_title(f"{figures.programme.code} — {_('Donor report')}")
        pdf.set_lang(lang)
        _title_page(pdf, figures)
        _reach(pdf, figures)
        _framework(pdf, figures)
    return bytes(pdf.output())


def _line(pdf, text, size=10, style="", height=ROW):
    pdf.set_font(FONT, style, size)
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


def _heading(pdf, text, size=14):
    pdf.ln(3)
    _line(pdf, text, size, "B", height=size * 0.5)
    pdf.ln(1)


def _fact(pdf, label, value):
    pdf.set_font(FONT, "B", 10)
    pdf.cell(55, ROW, label)
    pdf.set_font(FONT, "", 10)
    pdf.multi_cell(0, ROW, value or "—", new_x="LMARGIN", new_y="NEXT")


def _title_page(pdf, figures):
    programme, basis, totals = figures.programme, figures.basis, figures.totals
    pdf.add_page()
    pdf.ln(20)
    _line(pdf, _("Donor report"), 12)
    _line(pdf, f"{programme.code} — {programme.name}", 20, "B", height=10)
    pdf.ln(6)

    def names(relation):
        return ", ".join(o.name for o in organisations(programme, relation))

    _fact(pdf, _("Report date"), basis.on.isoformat())
    _fact(pdf, _("From"), basis.since.isoformat() if basis.since else "")
    _fact(pdf, _("Start date"), programme.start_date.isoformat() if programme.start_date else "")
    _fact(pdf, _("End date"), programme.end_date.isoformat() if programme.end_date else "")
    _fact(pdf, _("Donors"), names("donors"))
    _fact(pdf, _("Implementers"), names("implementers"))
    _fact(pdf, _("Partners"), names("partners"))
    _fact(pdf, _("Phases"), _("with all its phases") if figures.include_phases else _("this programme only"))
    if programme.description:
        pdf.ln(3)
        _line(pdf, programme.description)
    _heading(pdf, _("Reach"))
    _fact(pdf, _("Households"), plain(totals["households"]))
    _fact(pdf, _("Direct"), plain(totals["direct"]))
    _fact(pdf, _("Indirect"), plain(totals["indirect"]))
    _fact(pdf, _("Participants"), plain(totals["participants"]["total"]))
    _fact(pdf, _("Community projects"), plain(totals["community_projects_completed"]))
    _fact(pdf, _("Catchment population"), plain(totals["catchment_population"]))
    if totals["suppressed"] or any(r["suppressed"] for f in figures.by.values() for r in f["rows"]):
        pdf.ln(2)
        _line(pdf, _("Figures under 5 persons are not shown, nor the figures from which they could be worked out."), 9)


def _fit(pdf, text, width):
    """The text cut, with an ellipsis, to what fits in a cell of `width` mm in the current font."""
    room = width - 2 * pdf.c_margin - 1
    if pdf.get_string_width(text) <= room:
        return text
    while text and pdf.get_string_width(text + "…") > room:
        text = text[:-1]
    return text + "…"


def _legend(pdf, items):
    pdf.set_font(FONT, "", 8)
    for colour, label in items:
        pdf.set_fill_color(*colour)
        pdf.rect(pdf.get_x(), pdf.get_y() + 1.5, 3, 3, style="F")
        pdf.set_x(pdf.get_x() + 4)
        pdf.cell(pdf.get_string_width(label) + 6, ROW, label)
    pdf.ln(ROW)


def _reach(pdf, figures):
    pdf.add_page()
    _heading(pdf, _("Reach"), 16)
    _legend(pdf, [(DARK, _("Direct")), (LIGHT, _("Indirect"))])
    label_w, bar_w, number_w = 60, 55, 25
    for dimension, result in figures.by.items():
        rows = result["rows"]
        if pdf.will_page_break(ROW * (len(rows) + 3)):
            pdf.add_page()
        _heading(pdf, dimension_labels()[dimension], 12)
        pdf.set_font(FONT, "B", 7)
        pdf.cell(label_w + bar_w, ROW, "")
        for name in (_("Households"), _("Direct"), _("Indirect")):
            pdf.cell(number_w, ROW, _fit(pdf, name, number_w), align="R")
        pdf.ln(ROW)
        labels = key_labels(dimension)
        top = max((r["direct"] + r["indirect"] for r in rows if not r["suppressed"]), default=0) or 1
        for row in rows:
            if pdf.will_page_break(ROW):
                pdf.add_page()
            pdf.set_font(FONT, "", 9)
            pdf.cell(label_w, ROW, _fit(pdf, labels.get(row["key"], row["key"]), label_w))
            x, y = pdf.get_x(), pdf.get_y()
            if row["suppressed"]:
                pdf.set_font(FONT, "", 8)
                pdf.cell(bar_w, ROW, _("not shown"))
            else:
                direct, indirect = bar_w * row["direct"] / top, bar_w * row["indirect"] / top
                pdf.set_fill_color(*DARK)
                if direct:
                    pdf.rect(x, y + 1, direct, ROW - 2, style="F")
                pdf.set_fill_color(*LIGHT)
                if indirect:
                    pdf.rect(x + direct, y + 1, indirect, ROW - 2, style="F")
                pdf.set_x(x + bar_w)
            pdf.set_font(FONT, "", 9)
            for name in FIGURES:
                pdf.cell(number_w, ROW, plain(row[name]), align="R")
            pdf.ln(ROW)
        if not rows:
            _line(pdf, _("Nobody reached yet."), 9)


def _framework(pdf, figures):
    pdf.add_page()
    _heading(pdf, _("Results framework"), 16)
    if not figures.framework:
        _line(pdf, _("This programme has no results framework yet."))
        return
    _legend(pdf, [(GREY, _("Target")), (DARK, _("Actual"))])
    levels = dict(Level.choices)
    bar_w = 70
    for depth, node, indicator, target in framework_rows(figures.framework):
        indent = 4 * depth
        if indicator is None:
            if pdf.will_page_break(ROW * 4):
                pdf.add_page()
            pdf.ln(2)
            pdf.set_x(pdf.l_margin + indent)
            pdf.set_font(FONT, "B", 10)
            pdf.multi_cell(0, ROW, f"{levels.get(node['level'], node['level'])} {node['code']}: {node['statement']}",
                           new_x="LMARGIN", new_y="NEXT")
            continue
        if target is None or target is indicator["targets"][0]:
            pdf.set_x(pdf.l_margin + indent + 2)
            pdf.set_font(FONT, "", 9)
            baseline = plain(indicator["baseline"]) if indicator["baseline"] is not None else "—"
            pdf.multi_cell(0, ROW, f"{indicator['code']} {indicator['name']} ({indicator['unit']}) · "
                                   f"{_('Baseline')}: {baseline} · {_('Actual')}: {plain(indicator['actual'])}",
                           new_x="LMARGIN", new_y="NEXT")
        if target is None:
            continue
        if pdf.will_page_break(ROW):
            pdf.add_page()
        pdf.set_x(pdf.l_margin + indent + 6)
        pdf.set_font(FONT, "", 8)
        pdf.cell(45, ROW, f"{target['period_start'].isoformat()} – {target['period_end'].isoformat()}")
        x, y = pdf.get_x(), pdf.get_y()
        goal, actual = float(target["target"] or 0), float(target["actual"] or 0)
        top = max(goal, actual) or 1
        pdf.set_fill_color(*GREY)
        if goal:
            pdf.rect(x, y + 1, bar_w * goal / top, ROW - 2, style="F")
        pdf.set_fill_color(*DARK)
        if actual:
            pdf.rect(x, y + 2, bar_w * actual / top, ROW - 4, style="F")
        pdf.set_x(x + bar_w + 2)
        pdf.cell(0, ROW, f"{plain(target['actual'])} / {plain(target['target'])}", new_x="LMARGIN", new_y="NEXT")
