from django.db import migrations


def load(apps, schema_editor):
    from places.loading import load as load_reference

    load_reference(*(apps.get_model("places", n) for n in ("Country", "District", "Municipality", "Community")))


class Migration(migrations.Migration):
    dependencies = [("places", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
