from django.db import migrations


def load(apps, schema_editor):
    from assistance.catalogue import GUARD_RULES, HARMONIZED_PACKAGE, TYPES

    AssistanceType = apps.get_model("assistance", "AssistanceType")
    PackageItem = apps.get_model("assistance", "PackageItem")
    GuardRule = apps.get_model("assistance", "GuardRule")
    for code, en, sq, sr, category, unit, recipient, sensitive in TYPES:
        AssistanceType.objects.update_or_create(code=code, defaults={
            "name_en": en, "name_sq": sq, "name_sr_latn": sr, "category": category, "unit": unit,
            "recipient": recipient, "sensitive": sensitive})
    package = AssistanceType.objects.get(code="harmonized_package")
    for code, quantity in HARMONIZED_PACKAGE:
        PackageItem.objects.update_or_create(package=package, item=AssistanceType.objects.get(code=code),
                                             defaults={"quantity": quantity})
    for category, mode in GUARD_RULES:
        GuardRule.objects.update_or_create(category=category, defaults={"mode": mode})


class Migration(migrations.Migration):
    dependencies = [("assistance", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
