"""Builds of tallies say they are alive (TallySet.building_at); sets count their rows, to be
compacted when drains have appended many (TallySet.rows, appended), and the day they were last
read (read_on); and a type of assistance that becomes
sensitive, or stops being so, sends the sets of viewers not cleared for it back to be built again:
those sets were counted with or without its deliveries (reports.tallies)."""

from django.db import migrations, models

STALE = "UPDATE reports_tallyset SET ready = FALSE, building_at = NULL WHERE sensitive = FALSE"


def create(apps, schema_editor):
    when = "OLD.sensitive IS NOT NEW.sensitive" if schema_editor.connection.vendor == "sqlite" else (
        "OLD.sensitive IS DISTINCT FROM NEW.sensitive")
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"CREATE TRIGGER reports_type_sensitivity AFTER UPDATE OF sensitive ON "
                              f"assistance_assistancetype WHEN {when} BEGIN {STALE}; END")
        return
    schema_editor.execute(f"CREATE FUNCTION reports_type_sensitivity() RETURNS trigger LANGUAGE plpgsql AS $$ "
                          f"BEGIN {STALE}; RETURN NULL; END $$")
    schema_editor.execute(f"CREATE TRIGGER reports_type_sensitivity AFTER UPDATE OF sensitive ON "
                          f"assistance_assistancetype FOR EACH ROW WHEN ({when}) "
                          f"EXECUTE FUNCTION reports_type_sensitivity()")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS reports_type_sensitivity")
    else:
        schema_editor.execute("DROP TRIGGER IF EXISTS reports_type_sensitivity ON assistance_assistancetype")
        schema_editor.execute("DROP FUNCTION IF EXISTS reports_type_sensitivity()")


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0006_delivery_tallies'),
    ]

    operations = [
        migrations.AddField(
            model_name='tallyset',
            name='building_at',
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name='tallyset',
            name='rows',
            field=models.IntegerField(default=0),
        ),
        migrations.AddField(
            model_name='tallyset',
            name='appended',
            field=models.IntegerField(default=0),
        ),
        migrations.AddField(
            model_name='tallyset',
            name='read_on',
            field=models.DateField(null=True),
        ),
        migrations.RunPython(create, drop),
    ]
