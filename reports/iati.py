"""A programme as IATI 2.03 activity XML (iatistandard.org), for donors' aid transparency portals.

Built with the standard library's ElementTree (no lxml at run time); the tests validate the output
against the official 2.03 XSD (fetched by scripts/fetch-iati-schema, not kept in the repository).

Mapping:
- one `iati-activity` per programme; with phases, each phase (any depth) is an activity of its
  own with `hierarchy` 2, 3... and `related-activity` links (type 1 parent, type 2 child). Phases
  the caller may not read (sensitive, not cleared) are left out, links included.
- `iati-identifier`: the reporting organisation's ref, a dash, the programme code.
- `reporting-org`: settings.IATI_REPORTING_ORG_REF / _TYPE / _NAME when set; else the
  programme's first implementer with the placeholder ref REPORTING_ORG_REF (set the real one).
- `participating-org`: donors role 1 (funding), implementers and partners role 4 (implementing);
  government bodies get organisation type 10. A phase that names none has its parent's.
- `activity-status` from the dates against the report date: 1 pipeline (not started), 2
  implementation, 3 finalisation (ended). `activity-date`: start 1 planned / 2 actual, end 3
  planned / 4 actual.
- `recipient-country` XK; `sector` DAC 5-digit 15190 (facilitation of orderly, safe, regular and
  responsible migration and mobility).
- `result` per result of the framework that has indicators: type 1 output, 2 outcome, 3 impact
  (a goal); each indicator with `baseline` (year of its date, else of the programme's start) and
  one `period` per target with `target` and `actual` values, counted as the API's
  /programmes/{code}/results counts them (the programme with its phases, up to the report date).
  Measure 2 (percentage) for ratios and indicators in %, else 1 (unit).
"""

import datetime
import xml.etree.ElementTree as ET

from django.conf import settings
from django.utils import timezone

from programmes.models import Organisation, Programme
from reports.exports import decimal_text, organisations
from reports.reach import Basis, NotVisible
from reports.results import flatten, framework

VERSION = "2.03"
REPORTING_ORG_REF = "XX-HOMEWARD"  # a placeholder until settings name the publisher's IATI ref
DEFAULT_ORG_TYPE = "40"  # multilateral: the IOM / UNHCR style agencies that run these programmes
COUNTRY = "XK"
SECTOR = "15190"
RESULT_TYPE = {"output": "1", "outcome": "2", "goal": "3"}
ORG_TYPE = {Organisation.Kind.GOVERNMENT: "10"}
ROLE_FUNDING, ROLE_IMPLEMENTING = "1", "4"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def reporting_org(programme):
    implementer = next(iter(organisations(programme, "implementers")), None)
    name = getattr(settings, "IATI_REPORTING_ORG_NAME", "") or (implementer.name if implementer else "Homeward")
    return (getattr(settings, "IATI_REPORTING_ORG_REF", "") or REPORTING_ORG_REF,
            getattr(settings, "IATI_REPORTING_ORG_TYPE", "") or DEFAULT_ORG_TYPE, name)


def document(user, programme, *, include_phases=True, on=None, since=None):
    """The bytes of an `iati-activities` document. Raises NotVisible for the programme itself."""
    on = on or datetime.date.today()
    org = reporting_org(programme)
    # Checked first so that a programme out of reach is a 404 whatever its phases.
    bases = [(programme, 1, Basis.of(user, programme, include_phases=include_phases, on=on, since=since))]
    if include_phases:
        for phase, depth in phases(programme):
            try:
                bases.append((phase, depth, Basis.of(user, phase, include_phases=True, on=on, since=since)))
            except NotVisible:
                continue
    shown = {p.pk for p, _depth, _basis in bases}
    root = ET.Element("iati-activities", {"version": VERSION,
                                          "generated-datetime": timezone.now().replace(microsecond=0).isoformat()})
    for p, depth, basis in bases:
        root.append(activity(p, depth, basis, org, shown))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def phases(programme, depth=2):
    """(phase, hierarchy level) of every phase under `programme`, parents before their phases."""
    for phase in Programme.objects.filter(parent=programme).order_by("start_date", "code"):
        yield phase, depth
        yield from phases(phase, depth + 1)


def identifier(org, programme):
    return f"{org[0]}-{programme.code}"


def narrative(parent, tag, text, **attributes):
    element = ET.SubElement(parent, tag, attributes)
    ET.SubElement(element, "narrative").text = text
    return element


def activity(programme, depth, basis, org, shown):
    element = ET.Element("iati-activity", {
        XML_LANG: "en", "default-currency": "EUR", "hierarchy": str(depth),
        "last-updated-datetime": timezone.now().replace(microsecond=0).isoformat()})
    ET.SubElement(element, "iati-identifier").text = identifier(org, programme)
    narrative(element, "reporting-org", org[2], ref=org[0], type=org[1])
    narrative(element, "title", programme.name)
    narrative(element, "description", programme.description.strip() or programme.name, type="1")
    participants = [(o, ROLE_FUNDING) for o in organisations(programme, "donors")]
    participants += [(o, ROLE_IMPLEMENTING) for o in organisations(programme, "implementers")]
    participants += [(o, ROLE_IMPLEMENTING) for o in organisations(programme, "partners")]
    for organisation, role in participants:
        attributes = {"role": role}
        if organisation.kind in ORG_TYPE:
            attributes["type"] = ORG_TYPE[organisation.kind]
        narrative(element, "participating-org", organisation.name, **attributes)
    if not participants:
        # The schema wants at least one: the reporting organisation implements it.
        narrative(element, "participating-org", org[2], ref=org[0], role=ROLE_IMPLEMENTING, type=org[1])
    ET.SubElement(element, "activity-status", code=status(programme, basis.on))
    for kind, day in dates(programme, basis.on):
        ET.SubElement(element, "activity-date", {"type": kind, "iso-date": day.isoformat()})
    ET.SubElement(element, "recipient-country", code=COUNTRY, percentage="100")
    ET.SubElement(element, "sector", vocabulary="1", code=SECTOR, percentage="100")
    if programme.parent_id and programme.parent_id in shown:
        ET.SubElement(element, "related-activity", ref=identifier(org, programme.parent), type="1")
    for phase in Programme.objects.filter(parent=programme, pk__in=shown).order_by("start_date", "code"):
        ET.SubElement(element, "related-activity", ref=identifier(org, phase), type="2")
    for node in flatten(framework(programme, basis)):
        if node["indicators"]:
            element.append(result(node, programme))
    return element


def status(programme, on):
    if programme.start_date is None or programme.start_date > on:
        return "1"
    if programme.end_date and programme.end_date < on:
        return "3"
    return "2"


def dates(programme, on):
    found = []
    if programme.start_date:
        found.append(("2" if programme.start_date <= on else "1", programme.start_date))
    else:
        # The schema wants a date: the day the programme was entered stands for its planned start.
        found.append(("1", timezone.localdate(programme.created_at)))
    if programme.end_date:
        found.append(("4" if programme.end_date < on else "3", programme.end_date))
    return found


def result(node, programme):
    element = ET.Element("result", type=RESULT_TYPE[node["level"]])
    narrative(element, "title", f"{node['code']} {node['statement']}")
    for figures in node["indicators"]:
        percent = figures["measure"] == "ratio" or figures["unit"].strip() == "%"
        indicator = ET.SubElement(element, "indicator", measure="2" if percent else "1", ascending="1")
        narrative(indicator, "title", f"{figures['code']} {figures['name']} ({figures['unit']})")
        if figures["baseline"] is not None:
            day = figures["baseline_date"] or programme.start_date
            attributes = {"year": str(day.year if day else timezone.localdate(programme.created_at).year),
                          "value": decimal_text(figures["baseline"])}
            if figures["baseline_date"]:
                attributes["iso-date"] = figures["baseline_date"].isoformat()
            ET.SubElement(indicator, "baseline", attributes)
        for target in figures["targets"]:
            period = ET.SubElement(indicator, "period")
            ET.SubElement(period, "period-start", {"iso-date": target["period_start"].isoformat()})
            ET.SubElement(period, "period-end", {"iso-date": target["period_end"].isoformat()})
            ET.SubElement(period, "target", value=decimal_text(target["target"]))
            if target["actual"] is not None:
                ET.SubElement(period, "actual", value=decimal_text(target["actual"]))
    return element
