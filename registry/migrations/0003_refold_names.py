"""Names folded anew since folding changed in two ways (homeward.text.fold_tokens):
- a key folds to itself: "qh", and an "h" after a pair such as "chh" or "shh", fold further
  ("qh" → "c", not "ch");
- case is folded before the letters are: eight letters whose lower case the Cyrillic table did not
  know (Turkish dotless ı, the old Cyrillic letter forms ᲀ–ᲅ, capital ẞ) now fold as their
  capitals do (Altın → altin).
Only names with such letters can have changed; their search tokens and duplicate-detection keys
are written again, so that a search folds them as it folds the text typed."""

from django.db import migrations
from django.db.models import Q

# Folding changed only for names with these (SQLite's LIKE folds the case of ASCII letters only).
PATTERNS = ("qh", "hh", "хх", "Хх", "хХ", "ХХ", "ı", "ᲀ", "ᲁ", "ᲂ", "ᲃ", "ᲄ", "ᲅ", "ẞ")


def refold(apps, schema_editor):
    from homeward.text import fold_tokens
    from matching.keys import index_persons

    Person = apps.get_model("registry", "Person")
    PersonToken = apps.get_model("registry", "PersonToken")
    IdentityDocument = apps.get_model("registry", "IdentityDocument")
    candidates = Q()
    for field in ("given_name", "family_name", "father_name"):
        for pattern in PATTERNS:
            candidates |= Q(**{f"{field}__icontains": pattern})
    changed = []
    for person in Person.objects.filter(candidates).order_by("pk"):
        tokens = sorted(set(fold_tokens(f"{person.given_name} {person.family_name} {person.father_name}")))
        stored = sorted(PersonToken.objects.filter(person_id=person.pk).values_list("token", flat=True))
        if tokens != stored:
            PersonToken.objects.filter(person_id=person.pk).delete()
            PersonToken.objects.bulk_create(PersonToken(person_id=person.pk, household_id=person.household_id,
                                                        token=t[:100]) for t in tokens)
            changed.append(person.pk)
    for start in range(0, len(changed), 2000):
        index_persons(changed[start:start + 2000], Person.objects.all(), IdentityDocument.objects.all())


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_vulnerability_categories"), ("matching", "0004_review_pairs")]

    operations = [migrations.RunPython(refold, migrations.RunPython.noop)]
