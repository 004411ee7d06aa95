"""Comparison keys and blocking keys for duplicate detection.

Two levels of key, both built on homeward.text's search folding so a name compares the same way in
search and in matching:

- `name_key`: the orthographic key. Serbian Cyrillic is transliterated, diacritics dropped, and the
  Albanian and Serbian spellings of one sound written alike (ë→e, ç/č/ć/q→c, gj/đ/dj→dj, xh/dž→dz,
  sh/š→s, zh/ž→z, dh→d, th→t, y→i, rr/ll and other doubled letters single). Krasniqi, Krasnići,
  Краснићи and KRASNICI all give `krasnici`.
- `phonetic`: a coarser key that survives the usual typing slips: the first letter, then the
  consonants without vowels, h, j and repeats (krasnici → krsnc; Krasniq, the indefinite Albanian
  form, gives the same). It is used only to find candidates; the score compares the orthographic
  keys with Jaro-Winkler.

Places are not spellings: Gjakovë and Đakovica are two names (aliases) of one municipality, so
places compare by the gazetteer's municipality id (`place_id`), never by their letters.

Blocking keys (`blocking_keys`) are short strings stored in MatchKey; two persons become candidates
when they share one. Each kind is chosen so that one key matches few people even among 1,000,000
(a check also leaves out, in SQL, people born more than 3 years apart: they can never score
"possible"):

- `ga:<given>:<family>`  the phonetic keys of the first given and first family name, in
  alphabetical order so swapped names meet: spelling variants and small typos, any date of birth;
- `wy:<name word>:<year>:<initial>`  any word of the given or family name with the year of birth and
  the initial of the other name: a typo that changes one name's phonetic key;
- `wd:<name word>:<date>`  any name word with the full date of birth: one name changed (a married
  woman's family name), badly mistyped or left out (the only name keys of a record that lacks one);
- `ff:<family>:<father>:<initial>`  family and father's name with the given name's initial: a
  mistyped name without a date of birth;
- `tel:<last 8 digits>` and `doc:<number>`  phone numbers (the person's and the household's) and
  identity document numbers. These only bring people together for a look: a shared household
  phone is no evidence of being the same person, and the score never counts it.
"""

import functools
import re
from typing import NamedTuple

from homeward.text import fold_tokens

_NOT_DIGIT = re.compile(r"\D+")
_NOT_KEY = re.compile(r"[^A-Z0-9]+")
_QUIET = re.compile(r"[aeiouhj]")
_REPEAT = re.compile(r"(.)\1+")
MIN_PHONE_DIGITS = 6
KEY_LENGTH = 80


@functools.lru_cache(maxsize=200_000)
def name_words(text):
    """The orthographic keys of each word of a name (Krasniqi → ("krasnici",)). Cached: the same
    few thousand names recur across a million persons."""
    return tuple(fold_tokens(text or ""))


def name_key(text):
    """One orthographic key for a whole name: Krasniqi = Krasnići = Краснићи = krasnici."""
    return "".join(fold_tokens(text))


@functools.lru_cache(maxsize=200_000)
def phonetic(word):
    """A typo-tolerant key of one folded word: its first letter and its consonant skeleton."""
    if not word:
        return ""
    word = word.replace("dj", "d").replace("dz", "z")
    return _REPEAT.sub(r"\1", word[0] + _QUIET.sub("", word[1:]))


@functools.lru_cache(maxsize=100_000)
def phone_key(text):
    digits = _NOT_DIGIT.sub("", text or "")
    # The last eight digits are the subscriber number whether written +383 44..., 00383 44... or 044...
    return digits[-8:] if len(digits) >= MIN_PHONE_DIGITS else ""


def document_key(text):
    return _NOT_KEY.sub("", (text or "").upper())


def place_id(text):
    """The municipality named by `text` (code or any name, any script) as an id, or None."""
    from places.models import Municipality

    municipality = Municipality.objects.lookup(text) if (text or "").strip() else None
    return municipality.pk if municipality is not None else None


class Record(NamedTuple):
    """What the score compares: names as lists of orthographic words, the date of birth in parts
    (month and day None when only the year is known), sex, and the municipality of origin's id.
    A named tuple: a batch makes a million of them, and a frozen dataclass takes several times as
    long to build."""

    given: tuple
    family: tuple
    father: tuple = ()
    year: int | None = None
    month: int | None = None
    day: int | None = None
    sex: str = ""
    place: int | None = None

    @classmethod
    def of(cls, *, given_name, family_name, father_name="", date_of_birth=None, birth_year=None, sex="",
           origin_id=None):
        # Positional: a batch makes a million of them, and keywords cost a third of the time.
        if date_of_birth:
            return cls(name_words(given_name), name_words(family_name), name_words(father_name), date_of_birth.year,
                       date_of_birth.month, date_of_birth.day, sex or "", origin_id)
        return cls(name_words(given_name), name_words(family_name), name_words(father_name), birth_year, None, None,
                   sex or "", origin_id)

    @classmethod
    def of_person(cls, person):
        """`person` needs its household loaded (select_related) for the place of origin."""
        return cls.of(
            given_name=person.given_name, family_name=person.family_name, father_name=person.father_name,
            date_of_birth=person.date_of_birth, birth_year=person.birth_year, sex=person.sex,
            origin_id=person.household.origin_municipality_id,
        )


@functools.lru_cache(maxsize=100_000)
def _name_keys(given, family):
    """What the keys take from the given and family names alone: the `wy:` keys as (before the
    year, after it), the `wd:` keys before the date, the `ga:` key, and whether a key could be
    longer than KEY_LENGTH. Cached: a batch of a million persons has a few hundred thousand
    pairs of names, and a record's keys are then a few string joins."""
    years, dates = {}, {}
    for words, other in ((given, family), (family, given)):
        for word in words:
            if len(word) < 2:
                continue
            if other:
                years[f"wy:{phonetic(word)}:", f":{other[0][0]}"] = None
            # No other name needed: a record that lost one (an old list, a file) still meets its
            # person by the name it kept and the date.
            dates[f"wd:{phonetic(word)}:"] = None
    long = any(len(k) > KEY_LENGTH - 20 for k in [*dates, *(before for before, _after in years)])
    return tuple(years), tuple(dates), ga_key(given, family), long


def ga_key(given, family):
    """The `ga:` key of a given and a family name (word tuples), or None without both."""
    if not (given and family):
        return None
    return ("ga:" + ":".join(sorted((phonetic(given[0]), phonetic(family[0])))))[:KEY_LENGTH]


@functools.lru_cache(maxsize=50_000)
def _iso_date(year, month, day):
    return f"{year:04d}-{month:02d}-{day:02d}"


KINDS = ("ga", "wy", "ff", "wd", "tel", "doc")


def ff_prefix(family, father):
    """The `ff:` key before the given name's initial."""
    return f"ff:{phonetic(family[0])}:{phonetic(father[0])}:"


def blocking_keys(record, phones=(), documents=(), kinds=KINDS):
    """The set of blocking keys of a record (see the module docstring), or of some `kinds` of
    them only (the batch shares the kinds out between its workers)."""
    years, dates, both, long = _name_keys(record.given, record.family)
    keys = set()
    year = record.year
    if year and ("wy" in kinds or "wd" in kinds):
        text = str(year)
        if "wy" in kinds:
            for before, after in years:
                keys.add(before + text + after)
        if "wd" in kinds and record.month and (record.month, record.day) != (1, 1):
            text = _iso_date(year, record.month, record.day)
            for before in dates:
                keys.add(before + text)
        if long:
            keys = {k[:KEY_LENGTH] for k in keys}
    if both:
        if "ga" in kinds:
            keys.add(both)
        if record.father and "ff" in kinds:
            keys.add((ff_prefix(record.family, record.father) + record.given[0][0])[:KEY_LENGTH])
    if "tel" in kinds:
        keys |= phone_keys(phones)
    if "doc" in kinds:
        keys |= document_keys(documents)
    return keys


def phone_keys(phones):
    """The `tel:` keys of some phone numbers."""
    return {"tel:" + key for phone in phones if (key := phone_key(phone))}


def document_keys(documents):
    """The `doc:` keys of some identity document numbers."""
    return {("doc:" + key)[:KEY_LENGTH] for number in documents if (key := document_key(number))}


def write_keys(person):
    """(Re)write the blocking keys of one saved person. Call after every create or change of a
    person's names, date of birth, phone or documents, inside the same transaction."""
    from registry.models import IdentityDocument, Person

    index_persons([person.pk], Person.objects.all(), IdentityDocument.objects.all())


def write_household_keys(household):
    """After a household's phone or place changed: its members' keys include the household phone."""
    from registry.models import Person

    rebuild_keys(Person.objects.filter(household=household))


_PERSON_VALUES = ["pk", "given_name", "family_name", "father_name", "date_of_birth", "birth_year", "sex", "phone",
                  "household__origin_municipality_id", "household__phone"]


def index_persons(ids, persons, documents, table="matching_matchkey"):
    """Replace the keys of the persons `ids` (a batch), reading them from the Person queryset
    `persons` and their numbers from the IdentityDocument queryset `documents`. Plain rows and
    one executemany: model instances cost more than the keys themselves at a million persons.
    Shared with the migration that indexes persons registered before matching existed."""
    from django.db import connection, transaction

    if not ids:
        return 0
    numbers = {}
    for person_id, number in documents.filter(person_id__in=ids).values_list("person_id", "number"):
        numbers.setdefault(person_id, []).append(number)
    rows = []
    for pk, given, family, father, day, year, sex, phone, origin, household_phone in (
            persons.filter(pk__in=ids).values_list(*_PERSON_VALUES)):
        record = Record.of(given_name=given, family_name=family, father_name=father, date_of_birth=day,
                           birth_year=year, sex=sex, origin_id=origin)
        keys = blocking_keys(record, phones=(phone, household_phone), documents=numbers.get(pk, ()))
        rows.extend((pk, k) for k in sorted(keys))
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        placeholders = ", ".join(["%s"] * len(ids))
        cursor.execute(f"DELETE FROM {quote(table)} WHERE {quote('person_id')} IN ({placeholders})", list(ids))
        cursor.executemany(f"INSERT INTO {quote(table)} ({quote('person_id')}, {quote('key')}) VALUES (%s, %s)", rows)
    return len(rows)


def rebuild_keys(persons=None, batch_size=2000, missing_only=False):
    """Write the keys of `persons` (default: everyone, and then the name frequencies too) in
    batches; returns how many persons. With missing_only, only persons that have no key yet."""
    from matching.models import MatchKey
    from registry.models import IdentityDocument, Person

    if persons is None and not missing_only:
        store_names(count_names(Person.objects.all()))
    persons = Person.objects.all() if persons is None else persons
    if missing_only:
        persons = persons.exclude(pk__in=MatchKey.objects.values("person_id"))
    ids = list(persons.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        index_persons(ids[start : start + batch_size], Person.objects.all(), IdentityDocument.objects.all())
    return len(ids)


def count_names(persons):
    """NameFrequencies of the Person queryset `persons`, read as plain rows."""
    from collections import Counter

    from matching.score import NameFrequencies

    counts, total = Counter(), 0
    for given, family in persons.order_by().values_list("given_name", "family_name").iterator(chunk_size=10000):
        counts["given", "".join(name_words(given))] += 1
        counts["family", "".join(name_words(family))] += 1
        total += 1
    return NameFrequencies(dict(counts), total)


def store_names(frequencies, model=None):
    """Replace the stored name frequencies (NameFrequency) with `frequencies`."""
    from django.db import transaction

    if model is None:
        from matching.models import NameFrequency as model
    rows = [model(role=role, key=key[:100], persons=n) for (role, key), n in frequencies.counts.items() if key]
    rows.append(model(role="total", key="", persons=frequencies.total))
    with transaction.atomic():
        model.objects.all().delete()
        model.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)


def stored_names(record):
    """The stored frequencies of the record's given and family names, in either role: enough to
    score it against anyone (matching.score weighs only exact agreements by frequency)."""
    from django.db.models import Q

    from matching.models import NameFrequency
    from matching.score import NameFrequencies

    keys = {"".join(record.given), "".join(record.family)} - {""}
    rows = NameFrequency.objects.filter(Q(role="total") | Q(role__in=["given", "family"], key__in=keys))
    counts = {(role, key): n for role, key, n in rows.values_list("role", "key", "persons")}
    total = counts.pop(("total", ""), 0)
    return NameFrequencies(counts, total) if total else None
