"""The registry file import (contract section 3): households and persons from CSV or XLSX.

All or nothing: every row is validated before anything is written, and a file with any problem
writes nothing and reports every bad row and column. Rows are keyed on the person's `ref` and
households on `household_ref` (kept as Household.ref), so importing the same file twice changes
nothing:

- a row whose person does not exist yet is created (a new household through
  registry.actions.create_household, a new member of an existing one through add_member);
- a row whose person exists and whose values are the same is left alone (no write, no audit row);
- a row whose person exists with different values updates the person through update_person
  (and the household through update_household when its place columns changed). Only the columns
  present in the file are compared, so a file without a `phone` column never erases phones
  entered in the app; a blank `id_number` never removes a document.

Columns the contract does not know are reported as warnings and ignored: files exported from
other systems often carry extra columns, and a misspelt required column is still caught as missing.

Writes are made by an acting user: `--as USER`, or else the "import" account, an active admin
cleared for sensitive data with no usable password, created by the first import that writes, so
the audit trail shows who imported.

The registry's rules still apply row by row while writing (a household has one head at every
step), so swapping the head of an existing household in one file is refused as a whole; make
that change in the app.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from homeward.concurrency import StaleVersion
from registry.models import Household, IdentityDocument, Person
from registry.parsing import Lookups, _text, new_household, parse_household_place, parse_person

REQUIRED = ["ref", "household_ref", "relationship", "given_name", "family_name", "sex", "displacement_status",
            "current_country"]
OPTIONAL = ["father_name", "date_of_birth", "community", "origin_municipality", "current_municipality", "phone",
            "id_number"]
COLUMNS = REQUIRED + OPTIONAL
HOUSEHOLD_COLUMNS = ["origin_municipality", "current_country", "current_municipality"]
# Person model fields each column fills, for comparing a row with the stored person.
PERSON_COLUMNS = {
    "relationship": ["relationship"], "given_name": ["given_name"], "family_name": ["family_name"],
    "father_name": ["father_name"], "sex": ["sex"], "date_of_birth": ["date_of_birth", "birth_year"],
    "community": ["community"], "displacement_status": ["displacement_status"], "phone": ["phone"],
}
# Model validation errors on fields that are not columns are reported on the column they come from.
FIELD_COLUMN = {"birth_year": "date_of_birth"}
IMPORT_USERNAME = "import"


class FileProblem(Exception):
    pass


@dataclass
class ImportResult:
    households_created: int = 0
    persons_created: int = 0
    households_updated: int = 0
    persons_updated: int = 0
    persons_unchanged: int = 0
    enrolled: int = 0
    problems: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    duplicates: list = field(default_factory=list)  # lines for the operator; they do not block
    dry_run: bool = False

    @property
    def ok(self):
        return not self.problems

    def summary(self):
        verb = "Would import" if self.dry_run else "Imported"
        line = (f"{verb} {self.households_created} households, {self.persons_created} persons "
                f"({self.persons_updated} updated, {self.persons_unchanged} unchanged)")
        if self.households_updated:
            line += f"; {self.households_updated} households updated"
        if self.enrolled:
            line += f"; {self.enrolled} households enrolled"
        if self.dry_run:
            line += "; nothing written (dry run)"
        return line


@dataclass
class Row:
    number: int  # the spreadsheet row a user sees, the header being row 1
    cells: dict
    person: Person = None
    place: dict = None
    existing: Person = None
    changes: dict = None
    id_number_change: bool = False
    bad_columns: set = field(default_factory=set)


# Reading ------------------------------------------------------------------------------------


def read_table(path):
    """(header, [(row number, [cells])]) from a CSV or XLSX file; raises FileProblem."""
    path = Path(path)
    if not path.is_file():
        raise FileProblem(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = _read_csv(path)
    elif suffix == ".xlsx":
        rows = _read_xlsx(path)
    else:
        raise FileProblem(f"{path.name}: use a .csv or .xlsx file")
    numbered = [(i + 1, cells) for i, cells in enumerate(rows)]
    if not numbered:
        raise FileProblem(f"{path.name}: the file is empty")
    header = [_text(c).lstrip("\ufeff").strip().lower() for c in numbered[0][1]]
    body = numbered[1:]
    # An HXL row (#affected +name...) under the header is for humanitarian data tools, not data.
    if body and any(_text(c).startswith("#") for c in body[0][1]):
        body = body[1:]
    # Blank rows are skipped: spreadsheets often carry formatted but empty rows at the end.
    body = [(n, cells) for n, cells in body if any(_text(c) for c in cells)]
    return header, body


def _read_csv(path):
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise FileProblem(f"{path.name}: the file is not UTF-8 (byte {e.start}); save it as CSV UTF-8")
    first_line = text.split("\n", 1)[0]
    # Spreadsheets set to a European locale save CSV with ";" between cells.
    delimiter = max([",", ";", "\t"], key=first_line.count)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _read_xlsx(path):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a file that is not a workbook
        raise FileProblem(f"{path.name}: not a readable XLSX file ({e.__class__.__name__})")
    try:
        return [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


# Validation ---------------------------------------------------------------------------------


def _problem(result, row, column, message):
    result.problems.append(f"row {row}, column {column}: {message}")


def _model_errors(error, result, row):
    for name, messages in error.message_dict.items():
        column = FIELD_COLUMN.get(name, name)
        for message in messages:
            _problem(result, row.number, column, message)


def _validate_rows(header, body, result):
    """Parsed rows, with every problem of every row collected in `result`."""
    missing = [c for c in REQUIRED if c not in header]
    for column in missing:
        result.problems.append(f"column {column}: this required column is missing")
    for column in sorted(set(h for h in header if h) - set(COLUMNS)):
        result.warnings.append(f"column {column}: not a registry column, ignored")
    seen = [h for h in header if h]
    for column in sorted(set(c for c in seen if seen.count(c) > 1)):
        result.problems.append(f"column {column}: appears more than once")
    if result.problems:
        return []

    lookups = Lookups()
    rows, first_row_of = [], {}
    for number, cells in body:
        values = {name: (cells[i] if i < len(cells) else None) for i, name in enumerate(header) if name}
        row = Row(number, values)
        errors = []
        row.person = parse_person(values, lookups, errors)
        row.place = parse_household_place(values, lookups, errors)
        for column in ("ref", "household_ref"):
            if not _text(values.get(column)):
                errors.append((column, "This field is required."))
        if len(row.person.id_number) > IdentityDocument._meta.get_field("number").max_length:
            errors.append(("id_number", "Ensure this value has at most 60 characters."))
        for column, message in errors:
            _problem(result, number, column, message)
            row.bad_columns.add(column)
        if not errors:
            try:
                # Lengths, name letters, dates: the model's own rules, before anything is written.
                row.person.full_clean(exclude=["household"], validate_unique=False)
                new_household(row.place, ref=_text(values["household_ref"])).full_clean(validate_unique=False)
            except ValidationError as e:
                _model_errors(e, result, row)
        ref = row.person.ref
        if ref and ref in first_row_of:
            _problem(result, number, "ref", f"{ref} is also on row {first_row_of[ref]}")
        elif ref:
            first_row_of[ref] = number
        rows.append(row)
    return rows


def _households(rows, result, present):
    """Rows grouped by household_ref; problems when a household's rows disagree."""
    groups = {}
    for row in rows:
        groups.setdefault(_text(row.cells.get("household_ref")), []).append(row)
    groups.pop("", None)
    for ref, members in groups.items():
        first = members[0]
        for row in members[1:]:
            for column in HOUSEHOLD_COLUMNS:
                if column not in present or column in row.bad_columns | first.bad_columns:
                    continue
                if row.place.get(column) != first.place.get(column):
                    _problem(result, row.number, column,
                             f"household {ref} has {_show(first.place.get(column))} on row {first.number} "
                             f"but {_show(row.place.get(column))} here")
    return groups


def _show(value):
    return str(value) if value is not None else "nothing"


def _plan(rows, groups, result, present, acting_user):
    """Match rows with stored persons and households; count what would be created or updated."""
    refs = [r.person.ref for r in rows]
    stored = {}
    for chunk in _chunks(refs):
        for p in Person.objects.filter(ref__in=chunk).select_related("household"):
            stored[p.ref] = p
    households = {}
    for chunk in _chunks(list(groups)):
        for h in Household.objects.filter(ref__in=chunk):
            households[h.ref] = h
    visible = set(Household.objects.visible_to(acting_user).filter(
        pk__in=[h.pk for h in households.values()] + [p.household_id for p in stored.values()]
    ).values_list("pk", flat=True))
    documents = {}
    if "id_number" in present:
        for doc in IdentityDocument.objects.filter(person__in=stored.values(), kind="personal_number"):
            documents.setdefault(doc.person_id, []).append(doc.number)
    person_fields = [f for c in PERSON_COLUMNS if c in present for f in PERSON_COLUMNS[c]]

    plan = {}
    for ref, members in groups.items():
        household = households.get(ref)
        if household is not None and household.pk not in visible:
            _problem(result, members[0].number, "household_ref", f"{ref} belongs to a household outside your scope")
            continue
        for row in members:
            row.existing = stored.get(row.person.ref)
            if row.existing is None:
                continue
            if row.existing.household_id not in visible:
                _problem(result, row.number, "ref", f"{row.person.ref} belongs to a person outside your scope")
            elif household is None or row.existing.household_id != household.pk:
                _problem(result, row.number, "household_ref",
                         f"{row.person.ref} is already a member of household {row.existing.household.ref}")
            row.changes = {f: getattr(row.person, f) for f in person_fields
                           if _value(row.person, f) != _value(row.existing, f)}
            number = row.person.id_number
            row.id_number_change = bool(number) and number not in documents.get(row.existing.pk, [])
        # The household's final members: stored ones not in the file keep their relationship.
        final = {p.ref: p.relationship for p in (household.members.all() if household else [])}
        final.update({row.person.ref: row.person.relationship for row in members})
        heads = sum(1 for r in final.values() if r == Person.Relationship.HEAD)
        if heads != 1 and not any("relationship" in r.bad_columns for r in members):
            head_rows = [str(r.number) for r in members if r.person.relationship == Person.Relationship.HEAD]
            where = f" (rows {', '.join(head_rows)})" if len(head_rows) > 1 else ""
            _problem(result, members[0].number, "relationship",
                     f"household {ref} needs exactly one head, it has {heads}{where}")
        place_changes = {}
        if household is not None:
            place_changes = {c: members[0].place[c] for c in HOUSEHOLD_COLUMNS
                             if c in present and members[0].place[c] != getattr(household, c)}
        plan[ref] = (household, members, place_changes)
    return plan


def _value(obj, name):
    # Compare foreign keys by id, without loading the related row for every person.
    return getattr(obj, obj._meta.get_field(name).attname)


def _chunks(items, size=500):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _count(plan, result, programme):
    for household, members, place_changes in plan.values():
        if household is None:
            result.households_created += 1
        elif place_changes:
            result.households_updated += 1
        for row in members:
            if row.existing is None:
                result.persons_created += 1
            elif row.changes or row.id_number_change:
                result.persons_updated += 1
            else:
                result.persons_unchanged += 1
        if programme is not None and (household is None or not household.enrolments.filter(
                programme=programme).exists()):
            result.enrolled += 1


# Writing ------------------------------------------------------------------------------------


def import_user():
    """The account imports are made by when no user is named: active (the scoping rules show
    nothing to inactive users) but unable to log in."""
    from accounts.models import Role, User

    user, created = User.objects.get_or_create(
        username=IMPORT_USERNAME, defaults={"role": Role.ADMIN, "sensitive": True,
                                            "first_name": "Registry", "last_name": "import"})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _write(plan, acting_user, programme):
    for ref, (household, members, place_changes) in plan.items():
        try:
            _write_household(ref, household, members, place_changes, acting_user, programme)
        except ValidationError as e:
            rows = ", ".join(str(r.number) for r in members)
            raise ValidationError({f"household {ref} (rows {rows})": e.messages})


def _write_household(ref, household, members, place_changes, acting_user, programme):
    from programmes.actions import enrol
    from registry import actions

    via = "import"
    if household is None:
        household = new_household(members[0].place, ref=ref)
        people = [row.person for row in members]
        actions.create_household(acting_user=acting_user, household=household, members=people, via=via)
    else:
        if place_changes:
            actions.update_household(household, place_changes, expected_version=household.version,
                                     acting_user=acting_user, via=via)
        for row in members:
            if row.existing is None:
                actions.add_member(household, row.person, acting_user=acting_user, via=via)
            elif row.changes:
                actions.update_person(row.existing, row.changes, expected_version=row.existing.version,
                                      acting_user=acting_user, via=via)
    for row in members:
        person = row.existing or row.person
        if row.person.id_number and (row.existing is None or row.id_number_change):
            actions.set_personal_number(person, row.person.id_number, acting_user=acting_user, via=via)
    if programme is not None and not household.enrolments.filter(programme=programme).exists():
        enrol(household, programme, acting_user=acting_user, via=via)


def import_registry(path, *, programme=None, dry_run=False, acting_user=None):
    """Validate the file at `path` and, when every row is good and not `dry_run`, write it in one
    transaction. `programme` is a programme code: every household in the file is enrolled."""
    result = ImportResult(dry_run=dry_run)
    try:
        header, body = read_table(path)
    except FileProblem as e:
        result.problems.append(str(e))
        return result
    if acting_user is None:
        acting_user = _existing_import_user()
    if not acting_user.can_edit_registry:
        result.problems.append(f"{acting_user.username}: the {acting_user.role} role cannot change the registry")
    programme_obj = _programme(programme, acting_user, result)
    present = set(header)
    rows = _skip_merged(_validate_rows(header, body, result), result)
    if not rows and not result.problems:
        result.problems.append("the file has no data rows")
    groups = _households(rows, result, present)
    if not rows:
        return result
    # Planning matches rows with the database; it runs even after row problems so that one
    # report lists them all (a file with a bad date and a household without a head).
    plan = _plan(rows, groups, result, present, acting_user)
    if result.problems:
        result.problems.sort(key=_row_number)  # stable: a row's problems stay in column order
        return result
    _count(plan, result, programme_obj)
    result.duplicates = likely_duplicates(rows, acting_user)
    if dry_run:
        return result
    try:
        with transaction.atomic():
            if acting_user.pk is None:
                acting_user = import_user()
            _write(plan, acting_user, programme_obj)
    except ValidationError as e:
        # The plan checked what it could; an action refusing a write still leaves nothing behind.
        if hasattr(e, "error_dict"):
            result.problems.extend(f"{k}: {m}" for k, ms in e.message_dict.items() for m in ms)
        else:
            result.problems.extend(e.messages)
    except StaleVersion as e:
        result.problems.append(f"{e}; nothing was written, import the file again")
    return result


def _row_number(problem):
    match = re.match(r"row (\d+),", problem)
    return int(match.group(1)) if match else 0


def _existing_import_user():
    from accounts.models import Role, User

    # Until something is written, not even the import account is created: an unsaved admin
    # plans the import (dry runs and refused files leave the database as it was).
    return User.objects.filter(username=IMPORT_USERNAME).first() or User(
        username=IMPORT_USERNAME, role=Role.ADMIN, sensitive=True, is_active=True)


def _programme(code, acting_user, result):
    from programmes.models import Programme

    if not code:
        return None
    programme = Programme.objects.filter(code__iexact=code.strip()).first()
    if programme is None:
        result.problems.append(f"--programme: unknown programme {code}")
    elif programme.sensitive and not acting_user.sensitive:
        result.problems.append(f"--programme: only users cleared for sensitive data enrol in {programme.code}")
    return programme


# Duplicates ------------------------------------------------------------------------------------

def _skip_merged(rows, result):
    """Rows of persons merged into someone else since the file was made: importing them again would
    bring the duplicate back. They are left out, each with a warning naming the person kept."""
    from merges.actions import merged_refs

    refs = {r.person.ref for r in rows if r.person is not None and r.person.ref}
    merged = merged_refs(refs - set(Person.objects.filter(ref__in=refs).values_list("ref", flat=True)))
    if not merged:
        return rows
    for row in rows:
        if row.person is not None and row.person.ref in merged:
            kept, merge = merged[row.person.ref]
            result.warnings.append(f"row {row.number}: {row.person.ref} was merged into {kept} (merge #{merge}); "
                                   "row left out")
    return [r for r in rows if r.person is None or r.person.ref not in merged]


def likely_duplicates(rows, acting_user):
    """Report lines for the new persons of the file that are probably someone already there:
    another row of the file, or a person in the registry the importing user may see (the same
    rules as the registration check, matching.candidates). Reported, not refused: a namesake born
    the same year is not a duplicate, and only a person comparing both records can tell."""
    from matching.candidates import BLOCK_LIMIT, Query, check
    from matching.keys import Record, blocking_keys
    from matching.score import LIKELY, POSSIBLE, compare

    new = [row for row in rows if row.existing is None]
    records = {}
    for row in new:
        origin = row.place.get("origin_municipality")
        records[row.number] = Record.of(
            given_name=row.person.given_name, family_name=row.person.family_name, father_name=row.person.father_name,
            date_of_birth=row.person.date_of_birth, birth_year=row.person.birth_year, sex=row.person.sex,
            origin_id=origin.pk if origin is not None else None)
    lines = []
    # Inside the file: rows sharing a blocking key are compared pairwise.
    blocks = {}
    for row in new:
        for key in blocking_keys(records[row.number]):
            blocks.setdefault(key, []).append(row)
    seen = set()
    for block in blocks.values():
        if len(block) > BLOCK_LIMIT:
            continue  # a key shared by hundreds of rows (one very common name and year) says little
        for i, a in enumerate(block):
            for b in block[i + 1:]:
                pair = (a.number, b.number)
                if pair in seen:
                    continue
                seen.add(pair)
                comparison = compare(records[a.number], records[b.number])
                if comparison.score >= POSSIBLE:
                    lines.append((comparison.score, f"rows {a.number} and {b.number} ({a.person.ref}, {b.person.ref}) "
                                                    f"are {_band(comparison.score, LIKELY)} the same person "
                                                    f"(score {comparison.score:.2f})"))
    # Against the registry.
    outside = 0
    for row in new:
        found = check(acting_user, Query(records[row.number], documents=(row.person.id_number,)), via="import")
        for candidate in found.candidates[:3]:
            lines.append((candidate.score, f"row {row.number} ({row.person.ref}) is {_band(candidate.score, LIKELY)} "
                                           f"{candidate.person.ref} in the registry (score {candidate.score:.2f})"))
        outside += found.outside_scope
    lines.sort(key=lambda line: -line[0])
    result = [text for _score, text in lines]
    if outside:
        result.append(f"{outside} row(s) likely match persons registered outside your scope; ask the programme "
                      "manager or the data protection officer to compare them")
    return result


def _band(score, likely):
    return "likely" if score >= likely else "possibly"
