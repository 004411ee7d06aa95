"""Attendance lists from a spreadsheet (CSV UTF-8 or XLSX): who came to an activity, who was certified.

Columns (first row): `person_ref` (or `ref`: the person's external reference, Person.ref), `attended`
and `certified` (yes/no, true/false, 1/0, x; an empty `attended` means yes, an empty `certified` no).

All or nothing, like the registry import: every row is checked first, every bad row and column is
reported ("row 3, column person_ref: ..."), and a file with any problem writes nothing. A person the
importing user may not see is reported exactly like one that does not exist. Importing the same file
twice changes nothing.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError

from activities.actions import set_attendance
from registry.importer import FileProblem, read_table
from registry.models import Person
from registry.parsing import _text

REF_COLUMNS = ("person_ref", "ref", "person ref")
TRUE = {"yes", "y", "true", "1", "x", "po", "da", "да"}  # English, Albanian, Serbian
FALSE = {"no", "n", "false", "0", "jo", "ne", "не"}


@dataclass
class AttendanceResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.problems

    def summary(self):
        return f"{self.created} attendees added, {self.updated} updated, {self.unchanged} unchanged"


def _flag(value, default):
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if not text:
        return default
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValueError("use yes or no")


def import_attendance(activity, path, acting_user, *, via="import"):
    result = AttendanceResult()
    if not acting_user.can_edit_registry:
        result.problems.append(f"{acting_user.username}: the {acting_user.role} role cannot record attendance")
        return result
    try:
        header, body = read_table(path)
    except FileProblem as e:
        result.problems.append(str(e))
        return result
    ref_column = next((c for c in REF_COLUMNS if c in header), None)
    if ref_column is None:
        result.problems.append("row 1, column person_ref: the column is missing")
        return result
    if not body:
        result.problems.append("the file has no data rows")
        return result
    at = {name: header.index(name) for name in (ref_column, "attended", "certified") if name in header}

    def cell(cells, name):
        i = at.get(name)
        return cells[i] if i is not None and i < len(cells) else None

    refs = {_text(cell(cells, ref_column)) for _n, cells in body}
    visible = {p.ref: p for p in Person.objects.visible_to(acting_user).filter(ref__in=refs)}
    entries, first_row = [], {}
    for number, cells in body:
        ref = _text(cell(cells, ref_column))
        person = visible.get(ref)
        if not ref:
            result.problems.append(f"row {number}, column {ref_column}: the person's reference is required")
        elif person is None:
            result.problems.append(f"row {number}, column {ref_column}: unknown person {ref}")
        elif ref in first_row:
            result.problems.append(f"row {number}, column {ref_column}: {ref} is already on row {first_row[ref]}")
        first_row.setdefault(ref, number)
        flags = []
        for name, default in (("attended", True), ("certified", False)):
            try:
                flags.append(_flag(cell(cells, name), default))
            except ValueError as e:
                result.problems.append(f"row {number}, column {name}: {e}, not {_text(cell(cells, name))!r}")
        if flags == [False, True]:
            result.problems.append(f"row {number}, column certified: certified, but did not attend")
        if person is not None and len(flags) == 2 and first_row[ref] == number:
            entries.append((person, *flags))
    if result.problems:
        return result
    try:
        result.created, result.updated, result.unchanged = set_attendance(
            activity, entries, acting_user=acting_user, via=via)
    except PermissionDenied as e:
        result.problems.append(str(e))
    except ValidationError as e:
        result.problems.extend(m for ms in e.message_dict.values() for m in ms)
    return result
