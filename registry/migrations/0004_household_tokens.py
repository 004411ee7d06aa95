"""The search index of households (registry.models.HouseholdToken), kept by the database; and
households listed newest first by their key alone (registry.models.Household.Meta).

Triggers derive it from the households' PersonToken rows and copy each household's responsibility
into it:
- a person's token added: its word is added for the household, unless already there;
- a token removed (a name changed, a person moved by a merge, deleted): the word goes when no other
  member of the household has it;
- a household's responsibility changed: its rows follow.
Every write goes through them, in its own transaction, whichever path makes it. On PostgreSQL a
write to a household's tokens first locks the household's row: two members renamed at once could
otherwise each see the other's word still there and both remove it.
"""

import django.db.models.deletion
from django.db import migrations, models


COLUMNS = "token, household_id, responsible_municipality_id, responsible_organisation_id"
# The household's copy of a word, from the household's own row.
ADD = f"""INSERT {{or_ignore}} INTO registry_householdtoken ({COLUMNS})
    SELECT {{word}}, h.id, h.responsible_municipality_id, h.responsible_organisation_id
    FROM registry_household h WHERE h.id = {{household}} {{on_conflict}}"""
REMOVE = """DELETE FROM registry_householdtoken WHERE token = {word} AND household_id = {household}
    AND NOT EXISTS (SELECT 1 FROM registry_persontoken t WHERE t.token = {word} AND t.household_id = {household})"""
FOLLOW = """UPDATE registry_householdtoken SET responsible_municipality_id = NEW.responsible_municipality_id,
    responsible_organisation_id = NEW.responsible_organisation_id WHERE household_id = NEW.id"""
# Rows the household itself changed: Django's save() sets every column, changed or not.
MOVED = """OLD.responsible_municipality_id IS DISTINCT FROM NEW.responsible_municipality_id
    OR OLD.responsible_organisation_id IS DISTINCT FROM NEW.responsible_organisation_id"""
RENAMED = "OLD.token IS DISTINCT FROM NEW.token OR OLD.household_id IS DISTINCT FROM NEW.household_id"
FILL = f"""INSERT INTO registry_householdtoken ({COLUMNS})
    SELECT DISTINCT t.token, h.id, h.responsible_municipality_id, h.responsible_organisation_id
    FROM registry_persontoken t JOIN registry_household h ON h.id = t.household_id"""


def sqlite_statements():
    add = ADD.format(or_ignore="OR IGNORE", on_conflict="", word="NEW.token", household="NEW.household_id")
    remove = REMOVE.format(word="OLD.token", household="OLD.household_id")
    moved = MOVED.replace("IS DISTINCT FROM", "IS NOT")
    renamed = RENAMED.replace("IS DISTINCT FROM", "IS NOT")
    return [
        f"CREATE TRIGGER registry_householdtoken_add AFTER INSERT ON registry_persontoken BEGIN {add}; END",
        f"CREATE TRIGGER registry_householdtoken_remove AFTER DELETE ON registry_persontoken BEGIN {remove}; END",
        f"""CREATE TRIGGER registry_householdtoken_rename AFTER UPDATE OF token, household_id ON registry_persontoken
            WHEN {renamed} BEGIN {remove}; {add}; END""",
        f"""CREATE TRIGGER registry_householdtoken_follow AFTER UPDATE OF responsible_municipality_id,
            responsible_organisation_id ON registry_household WHEN {moved} BEGIN {FOLLOW}; END""",
        FILL,
    ]


def postgresql_statements():
    def lock(household):
        return f"PERFORM 1 FROM registry_household WHERE id = {household} FOR UPDATE"

    add = ADD.format(or_ignore="", on_conflict="ON CONFLICT (token, household_id) DO NOTHING", word="NEW.token",
                     household="NEW.household_id")
    remove = REMOVE.format(word="OLD.token", household="OLD.household_id")
    functions = {
        "add": f"{lock('NEW.household_id')}; {add};",
        "remove": f"{lock('OLD.household_id')}; {remove};",
        "rename": f"{lock('OLD.household_id')}; {lock('NEW.household_id')}; {remove}; {add};",
        "follow": f"{FOLLOW};",
    }
    statements = [f"""CREATE FUNCTION registry_householdtoken_{name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN {body} RETURN NULL; END $$""" for name, body in functions.items()]
    return statements + [
        """CREATE TRIGGER registry_householdtoken_add AFTER INSERT ON registry_persontoken
            FOR EACH ROW EXECUTE FUNCTION registry_householdtoken_add()""",
        """CREATE TRIGGER registry_householdtoken_remove AFTER DELETE ON registry_persontoken
            FOR EACH ROW EXECUTE FUNCTION registry_householdtoken_remove()""",
        f"""CREATE TRIGGER registry_householdtoken_rename AFTER UPDATE OF token, household_id ON registry_persontoken
            FOR EACH ROW WHEN ({RENAMED}) EXECUTE FUNCTION registry_householdtoken_rename()""",
        f"""CREATE TRIGGER registry_householdtoken_follow AFTER UPDATE OF responsible_municipality_id,
            responsible_organisation_id ON registry_household
            FOR EACH ROW WHEN ({MOVED}) EXECUTE FUNCTION registry_householdtoken_follow()""",
        FILL,
    ]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": sqlite_statements, "postgresql": postgresql_statements}[vendor]()
    for statement in statements:
        schema_editor.execute(statement, params=None)


def drop_triggers(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for name in ("add", "remove", "rename"):
        on = " ON registry_persontoken" if postgresql else ""
        schema_editor.execute(f"DROP TRIGGER registry_householdtoken_{name}{on}", params=None)
    on = " ON registry_household" if postgresql else ""
    schema_editor.execute(f"DROP TRIGGER registry_householdtoken_follow{on}", params=None)
    if postgresql:
        for name in ("add", "remove", "rename", "follow"):
            schema_editor.execute(f"DROP FUNCTION registry_householdtoken_{name}()", params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('places', '0002_reference_data'),
        ('programmes', '0004_phases_of_sensitive_programmes'),
        ('registry', '0003_refold_names'),
    ]

    operations = [
        migrations.AlterModelOptions(name="household", options={"ordering": ["-pk"]}),
        migrations.CreateModel(
            name='HouseholdToken',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('token', models.CharField(max_length=100)),
                ('household', models.ForeignKey(on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='registry.household')),
                ('responsible_municipality', models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='places.municipality')),
                ('responsible_organisation', models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='programmes.organisation')),
            ],
            options={
                'indexes': [models.Index(fields=['token', 'responsible_municipality', 'responsible_organisation', 'household'], name='registry_householdtoken_find')],
                'constraints': [models.UniqueConstraint(fields=('token', 'household'), name='registry_householdtoken_once')],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
