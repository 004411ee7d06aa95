"""Flag every phase of a sensitive programme sensitive, as programmes.actions now does when a
programme is flagged. Before, flagging a programme left its existing phases unflagged, and the
scoping function (which reads each programme's own flag) showed their enrolments to users not
cleared for sensitive data."""

from django.db import migrations
from django.db.models import F


def flag_phases(apps, schema_editor):
    Programme = apps.get_model("programmes", "Programme")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    parents = dict(Programme.objects.values_list("pk", "parent_id"))
    sensitive = set(Programme.objects.filter(sensitive=True).values_list("pk", flat=True))

    def under_sensitive(pk):
        seen = set()
        parent = parents.get(pk)
        while parent is not None and parent not in seen:
            if parent in sensitive:
                return True
            seen.add(parent)
            parent = parents.get(parent)
        return False

    phases = [pk for pk in parents if pk not in sensitive and under_sensitive(pk)]
    for phase in Programme.objects.filter(pk__in=phases).order_by("pk"):
        Programme.objects.filter(pk=phase.pk).update(sensitive=True, version=F("version") + 1)
        AuditEntry.objects.create(action="update", model="programmes.programme", object_id=str(phase.pk),
                                  object_repr=f"{phase.code} — {phase.name}"[:200],
                                  changes={"sensitive": [False, True]}, reason="phase of a sensitive programme",
                                  via="migration")


class Migration(migrations.Migration):

    dependencies = [
        ("programmes", "0003_organisation_version"),
        ("audit", "0002_append_only_trigger"),
    ]

    operations = [migrations.RunPython(flag_phases, migrations.RunPython.noop)]
