"""Delivered assistance kept as tallies by programme, type and day (reports.models.DeliveryTally),
and persons trained and certified counted by tallies of their households.

- Triggers on assistance_delivery append each change to what counts (a delivered delivery added or
  removed, or its programme, type, status, day, quantity or value changed) to DeliveryChange, in
  the same transaction as the write, by any path. Appended rows never make two writers wait for
  each other; a read folds them into DeliveryTally first (reports.tallies.fold_deliveries).
- The tallies start from the deliveries already recorded.
- A training's completion or certificate changed marks its household as changed (as migration
  0004 does for the other records persons trained and certified are counted from).
- Tallies of persons are read by figure and trait: their index leads with them.
"""

from django.db import migrations, models

COLUMNS = "programme_id, type_id, at, n, value_cents, quantity_cents"
DELIVERY_COLUMNS = ("programme_id", "type_id", "status", "date", "quantity", "value_eur")


def _change(row, sign):
    """An INSERT of the change `row` (NEW or OLD) makes, when it is delivered."""
    minus = "-" if sign < 0 else ""
    return (f"INSERT INTO reports_deliverychange ({COLUMNS}) SELECT {row}.programme_id, {row}.type_id, {row}.date, "
            f"{sign}, {minus}{_cents(f'COALESCE({row}.value_eur, 0)')}, {minus}{_cents(f'{row}.quantity')} "
            f"WHERE {row}.status = 'delivered'")


def _cents(value):
    return f"CAST(ROUND({value} * 100) AS BIGINT)"


def _mark(row):
    return (f"INSERT {{or_ignore}} INTO reports_changedhousehold (household_id) SELECT household_id "
            f"FROM assistance_delivery WHERE id = {row}.delivery_id {{on_conflict}}")


# (trigger name, table, event, columns (UPDATE OF), statements)
TRIGGERS = [
    ("delivery_counted", "assistance_delivery", "INSERT", (), [_change("NEW", 1)]),
    ("delivery_uncounted", "assistance_delivery", "DELETE", (), [_change("OLD", -1)]),
    ("delivery_recounted", "assistance_delivery", "UPDATE", DELIVERY_COLUMNS, [_change("OLD", -1), _change("NEW", 1)]),
    ("training_added", "assistance_trainingdetail", "INSERT", (), [_mark("NEW")]),
    ("training_removed", "assistance_trainingdetail", "DELETE", (), [_mark("OLD")]),
    ("training_changed", "assistance_trainingdetail", "UPDATE", ("delivery_id", "completed", "certificate"),
     [_mark("OLD"), _mark("NEW")]),
]


def _changed(columns, vendor):
    distinct = "IS NOT" if vendor == "sqlite" else "IS DISTINCT FROM"
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in columns)


def statements(vendor):
    out = []
    for name, table, event, columns, body in TRIGGERS:
        if vendor == "sqlite":
            body = "; ".join(b.format(or_ignore="OR IGNORE", on_conflict="") for b in body)
        else:
            body = "; ".join(b.format(or_ignore="", on_conflict="ON CONFLICT DO NOTHING") for b in body)
        of = f" OF {', '.join(columns)}" if columns else ""
        when = f" WHEN ({_changed(columns, vendor)})" if columns else ""
        if vendor == "sqlite":
            out.append(f"CREATE TRIGGER reports_{name} AFTER {event}{of} ON {table}{when} BEGIN {body}; END")
        else:
            out.append(f"CREATE FUNCTION reports_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                       f"BEGIN {body}; RETURN NULL; END $$")
            out.append(f"CREATE TRIGGER reports_{name} AFTER {event}{of} ON {table} FOR EACH ROW{when} "
                       f"EXECUTE FUNCTION reports_{name}()")
    return out


def create(apps, schema_editor):
    for statement in statements(schema_editor.connection.vendor):
        schema_editor.execute(statement)
    schema_editor.execute(
        f"INSERT INTO reports_deliverytally ({COLUMNS}) SELECT programme_id, type_id, date, COUNT(*), "
        f"SUM({_cents('COALESCE(value_eur, 0)')}), SUM({_cents('quantity')}) FROM assistance_delivery "
        "WHERE status = 'delivered' GROUP BY programme_id, type_id, date")


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for name, table, *_ in TRIGGERS:
        if vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS reports_{name}")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS reports_{name} ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS reports_{name}()")


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0005_tallies'),
        ('assistance', '0005_delivery_figures_values'),
    ]

    operations = [
        migrations.CreateModel(
            name='DeliveryChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('programme_id', models.BigIntegerField()),
                ('type_id', models.BigIntegerField()),
                ('at', models.DateField()),
                ('n', models.IntegerField()),
                ('value_cents', models.BigIntegerField()),
                ('quantity_cents', models.BigIntegerField()),
            ],
        ),
        migrations.CreateModel(
            name='DeliveryTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('programme_id', models.BigIntegerField()),
                ('type_id', models.BigIntegerField()),
                ('at', models.DateField()),
                ('n', models.IntegerField()),
                ('value_cents', models.BigIntegerField()),
                ('quantity_cents', models.BigIntegerField()),
            ],
        ),
        migrations.RemoveIndex(
            model_name='tally',
            name='reports_tally_read',
        ),
        migrations.AddIndex(
            model_name='tally',
            index=models.Index(fields=['tally_set', 'figure', 'trait', 'at', 'value', 'delta'], name='reports_tally_figure'),
        ),
        migrations.AddConstraint(
            model_name='deliverytally',
            constraint=models.UniqueConstraint(fields=('programme_id', 'type_id', 'at'), name='one_delivery_tally'),
        ),
        migrations.RunPython(create, drop),
    ]
