"""Index the persons registered before matching existed (later ones are indexed as they are saved)."""

from django.db import migrations


def index_existing(apps, schema_editor):
    from matching.keys import index_persons

    Person = apps.get_model("registry", "Person")
    IdentityDocument = apps.get_model("registry", "IdentityDocument")
    ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 2000):
        index_persons(ids[start : start + 2000], Person.objects.all(), IdentityDocument.objects.all())


class Migration(migrations.Migration):
    dependencies = [("matching", "0001_initial")]

    operations = [migrations.RunPython(index_existing, migrations.RunPython.noop)]
