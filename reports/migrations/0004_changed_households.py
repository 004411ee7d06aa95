"""Households whose records changed since the kept tallies last read them (docs/kept-figures.md),
marked by the database: triggers on every table whose rows change a household's contribution to the
figures, in the same transaction as the write, whichever path makes it (forms, API, imports,
merges, bulk writes).

- a delivery added, changed or removed: its household (both, when it moved);
- an attendance added, changed or removed: its person's household;
- an activity's programme, date or type changed: every attendee's household;
- a person added, moved, removed, or a trait the figures group by changed (sex, community,
  displacement status, date or year of birth): the household (both, when they moved);
- a household's current or origin municipality changed: the household.
"""

from django.db import migrations, models

MARK = "INSERT {or_ignore} INTO reports_changedhousehold (household_id) {select} {on_conflict}"
PERSON_TRAITS = ("household_id", "sex", "community_id", "displacement_status", "date_of_birth", "birth_year")
DELIVERY_COLUMNS = ("programme_id", "household_id", "person_id", "type_id", "status", "date", "quantity", "value_eur")
ACTIVITY_COLUMNS = ("programme_id", "date", "type")
HOUSEHOLD_COLUMNS = ("current_municipality_id", "origin_municipality_id")


def _changed(columns, vendor):
    distinct = "IS NOT" if vendor == "sqlite" else "IS DISTINCT FROM"
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in columns)


# (trigger name, table, event, columns (UPDATE OF), marks: households as SELECT lists or values)
def _triggers(vendor):
    attendee = "SELECT household_id FROM registry_person WHERE id = {row}.person_id"
    attendees = ("SELECT p.household_id FROM activities_attendance a JOIN registry_person p ON p.id = a.person_id"
                 " WHERE a.activity_id = NEW.id")
    return [
        ("delivery_added", "assistance_delivery", "INSERT", (), ["SELECT NEW.household_id"]),
        ("delivery_removed", "assistance_delivery", "DELETE", (), ["SELECT OLD.household_id"]),
        ("delivery_changed", "assistance_delivery", "UPDATE", DELIVERY_COLUMNS,
         ["SELECT OLD.household_id", "SELECT NEW.household_id"]),
        ("attendance_added", "activities_attendance", "INSERT", (), [attendee.format(row="NEW")]),
        ("attendance_removed", "activities_attendance", "DELETE", (), [attendee.format(row="OLD")]),
        ("attendance_changed", "activities_attendance", "UPDATE", ("activity_id", "person_id", "attended", "certified"),
         [attendee.format(row="OLD"), attendee.format(row="NEW")]),
        ("activity_changed", "activities_activity", "UPDATE", ACTIVITY_COLUMNS, [attendees]),
        ("person_added", "registry_person", "INSERT", (), ["SELECT NEW.household_id"]),
        ("person_removed", "registry_person", "DELETE", (), ["SELECT OLD.household_id"]),
        ("person_changed", "registry_person", "UPDATE", PERSON_TRAITS,
         ["SELECT OLD.household_id", "SELECT NEW.household_id"]),
        ("household_changed", "registry_household", "UPDATE", HOUSEHOLD_COLUMNS, ["SELECT NEW.id"]),
    ]


def sqlite_statements():
    statements = []
    for name, table, event, columns, marks in _triggers("sqlite"):
        body = "; ".join(MARK.format(or_ignore="OR IGNORE", select=m, on_conflict="") for m in marks)
        of = f" OF {', '.join(columns)}" if columns else ""
        when = f" WHEN {_changed(columns, 'sqlite')}" if columns else ""
        statements.append(f"CREATE TRIGGER reports_changed_{name} AFTER {event}{of} ON {table}{when} BEGIN {body}; END")
    return statements


def postgresql_statements():
    statements = []
    for name, table, event, columns, marks in _triggers("postgresql"):
        body = "; ".join(MARK.format(or_ignore="", select=m, on_conflict="ON CONFLICT DO NOTHING") for m in marks)
        statements.append(f"""CREATE FUNCTION reports_changed_{name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN {body}; RETURN NULL; END $$""")
        of = f" OF {', '.join(columns)}" if columns else ""
        when = f" WHEN ({_changed(columns, 'postgresql')})" if columns else ""
        statements.append(f"""CREATE TRIGGER reports_changed_{name} AFTER {event}{of} ON {table}
            FOR EACH ROW{when} EXECUTE FUNCTION reports_changed_{name}()""")
    return statements


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": sqlite_statements, "postgresql": postgresql_statements}[vendor]()
    for statement in statements:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for name, table, *_ in _triggers(vendor):
        if vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS reports_changed_{name}")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS reports_changed_{name} ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS reports_changed_{name}()")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_figure_cache_day"),
        ("assistance", "0005_delivery_figures_values"),
        ("activities", "0001_initial"),
        ("registry", "0004_household_tokens"),
    ]

    operations = [
        migrations.CreateModel(
            name="ChangedHousehold",
            fields=[("household_id", models.BigIntegerField(primary_key=True, serialize=False))],
        ),
        migrations.RunPython(create, drop),
    ]
