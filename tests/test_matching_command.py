"""`homeward match`: duplicate pairs in the whole registry, as CSV ref_a,ref_b,score.

A small registry of families is built with planted duplicates (the same person registered again in
Serbian Cyrillic, in plain ASCII, with swapped names, a typo, a year instead of a date, no father's
name); the command must find nearly all of them and little else."""

import csv
import datetime
import io
import random

import pytest
from django.core.management import CommandError, call_command

from homeward.text import strip_diacritics, to_cyrillic
from places.models import Country, Municipality
from registry.models import Household, Person

# (Albanian, Serbian Latin) spellings.
FAMILIES = [("Krasniqi", "Krasnići"), ("Gashi", "Gaši"), ("Berisha", "Beriša"), ("Hoxha", "Hodža"),
            ("Shala", "Šala"), ("Thaçi", "Tači"), ("Bytyçi", "Bitići"), ("Rexhepi", "Redžepi"),
            ("Kelmendi", "Kelmendi"), ("Morina", "Morina"), ("Qerimi", "Ćerimi"), ("Zeka", "Zeka")]
MEN = [("Agim", "Agim"), ("Xhevdet", "Dževdet"), ("Qëndrim", "Ćendrim"), ("Shpend", "Špend"),
       ("Fatmir", "Fatmir"), ("Ilir", "Ilir"), ("Bujar", "Bujar"), ("Lulzim", "Lulzim")]
WOMEN = [("Nexhmije", "Nedžmije"), ("Shpresa", "Špresa"), ("Drita", "Drita"), ("Vjosa", "Vjosa"),
         ("Teuta", "Teuta"), ("Mimoza", "Mimoza")]


def make(household, ref, given, family, sex, relationship, *, father="", dob=None, year=None):
    return Person.objects.create(
        household=household, ref=ref, relationship=relationship, given_name=given, family_name=family,
        father_name=father, sex=sex, date_of_birth=dob, birth_year=year or (dob.year if dob else None),
        displacement_status="idp")


def new_household(ref, origin, phone=""):
    return Household.objects.create(ref=ref, current_country=Country.objects.get(code="XK"),
                                    origin_municipality=origin, responsible_municipality=origin, phone=phone)


def typo(name, rng):
    # Change one vowel into another: never creates an Albanian digraph (gj, xh, sh...).
    spots = [i for i, c in enumerate(name) if c in "aeiou" and i > 0]
    i = rng.choice(spots)
    return name[:i] + rng.choice([v for v in "aeiou" if v != name[i]]) + name[i + 1 :]


@pytest.fixture
def registry(db):
    """Twelve families of three; sixteen of their members registered a second time, four namesakes."""
    rng = random.Random(5)
    places = list(Municipality.objects.order_by("code")[:6])
    people = []  # (person, spellings)
    for n, family in enumerate(FAMILIES):
        origin = places[n % len(places)]
        household = new_household(f"H-{n}", origin, phone=f"+383 44 {100000 + n}")
        head, wife, son = MEN[n % len(MEN)], WOMEN[n % len(WOMEN)], MEN[(n + 3) % len(MEN)]
        born = 1950 + n
        members = [
            (head, "M", "head", "", datetime.date(born, 1 + n % 12, 3 + n)),
            (wife, "F", "spouse", "", datetime.date(born + 4, 2 + n % 10, 10 + n)),
            (son, "M", "child", head[0], datetime.date(born + 25, 3 + n % 9, 1 + n)),
        ]
        for i, (given, sex, relationship, father, dob) in enumerate(members):
            person = make(household, f"P-{n}-{i}", given[0], family[0], sex, relationship, father=father, dob=dob)
            people.append((person, given, family))
    planted = set()
    variants = [("cyrillic",), ("ascii",), ("swapped",), ("typo",), ("year",), ("slip",), ("cyrillic", "year"),
                ("ascii", "swapped"), ("typo", "year"), ("cyrillic", "slip")]
    chosen = rng.sample(people, 20)
    for k, (person, given, family) in enumerate(chosen[:16]):
        g, f, dob, year, father = given[0], family[0], person.date_of_birth, None, person.father_name
        for variant in variants[k % len(variants)]:
            if variant == "cyrillic":
                g, f, father = to_cyrillic(given[1]), to_cyrillic(family[1]), to_cyrillic(father)
            elif variant == "ascii":
                g, f = strip_diacritics(g), strip_diacritics(f)
            elif variant == "swapped":
                g, f = f, g
            elif variant == "typo":
                g = typo(g, rng)
            elif variant == "year":
                dob, year, father = None, person.date_of_birth.year, ""
            elif variant == "slip":
                dob = dob.replace(day=dob.month, month=dob.day) if dob.day <= 12 else dob.replace(day=dob.day - 1)
        # Registered again elsewhere: another office, and half the time no municipality of origin.
        household = new_household(f"H-DUP-{k}", person.household.origin_municipality if k % 2 else None)
        copy = make(household, f"D-{k}", g, f, person.sex, "head", father=father, dob=dob, year=year)
        planted.add(tuple(sorted((person.ref, copy.ref))))
    # Namesakes who are not duplicates: a grandson named after his grandfather, a cousin of the
    # same name born four years later with another father.
    for k, (person, given, family) in enumerate(chosen[16:]):
        household = new_household(f"H-NAME-{k}", person.household.origin_municipality)
        later = datetime.timedelta(days=4 * 365 + 100 if k % 2 else 40 * 365)
        make(household, f"N-{k}", person.given_name, person.family_name, person.sex, "head", father="Rrustem",
             dob=person.date_of_birth + later)
    return planted


def run_match(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("match", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def read_pairs(text):
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["ref_a", "ref_b", "score"]
    return rows[1:]


def test_it_finds_the_planted_duplicates_and_little_else(registry, tmp_path):
    target = tmp_path / "pairs.csv"
    run_match("--output", str(target))
    rows = read_pairs(target.read_text(encoding="utf-8"))
    found = {(a, b) for a, b, _score in rows}
    hits = found & registry
    precision, recall = len(hits) / max(len(found), 1), len(hits) / len(registry)
    assert recall >= 0.9, sorted(registry - found)
    assert precision >= 0.9, sorted(found - registry)


def test_it_writes_each_pair_once_with_a_score_between_0_and_1(registry):
    out, _err = run_match()
    rows = read_pairs(out)
    pairs = [(a, b) for a, b, _score in rows]
    assert len(pairs) == len(set(pairs)) and all(a < b for a, b in pairs)
    scores = [float(s) for _a, _b, s in rows]
    assert all(0.5 <= s <= 1 for s in scores)
    assert scores == sorted(scores, reverse=True)


def test_a_higher_threshold_keeps_only_the_surest_pairs(registry):
    everything = read_pairs(run_match()[0])
    scores = sorted(float(r[2]) for r in everything)
    cut = scores[len(scores) // 2]
    surest = read_pairs(run_match("--threshold", str(cut))[0])
    assert {tuple(r) for r in surest} == {tuple(r) for r in everything if float(r[2]) >= cut}
    assert 0 < len(surest) < len(everything)


def test_it_is_the_same_on_a_second_run_and_after_rebuilding_keys(registry):
    assert run_match()[0] == run_match("--rebuild-keys")[0] == run_match()[0]


def test_it_refuses_a_threshold_that_is_not_a_score(registry):
    for bad in ("abc", "1.5", "-0.1"):
        with pytest.raises(CommandError, match="--threshold"):
            run_match("--threshold", bad)


def test_a_person_without_a_ref_is_written_by_id(registry):
    person = Person.objects.get(ref="P-0-0")
    copy = Person.objects.get(pk=person.pk)
    copy.pk, copy.ref = None, ""
    copy.save()
    rows = read_pairs(run_match()[0])
    assert (f"#{copy.pk}", "P-0-0") in {(a, b) for a, b, _s in rows}


def test_the_batch_reports_its_progress_as_each_kind_of_key_is_done(registry):
    from matching import candidates
    from matching.keys import KINDS

    calls = []
    candidates.registry_pairs(progress=lambda done, total: calls.append((done, total)))
    assert calls == [(done, len(KINDS)) for done in range(1, len(KINDS) + 1)]


def test_the_batch_blocks_as_the_index_the_check_reads_does(registry):
    # The batch builds its blocks in memory from the records; scoring the MatchKey rows' blocks
    # instead must give the same pairs, a shared phone and identity document included.
    from itertools import groupby

    from matching import candidates
    from matching.keys import rebuild_keys
    from matching.models import MatchKey
    from matching.score import NameFrequencies, score_blocks
    from registry.models import IdentityDocument

    a, b = Person.objects.get(ref="P-1-1"), Person.objects.get(ref="P-7-2")
    for person in (a, b):
        IdentityDocument.objects.create(person=person, kind="id_card", number="K-1234567")
    Person.objects.filter(pk=Person.objects.get(ref="P-3-0").pk).update(phone="+383 49 555 111")
    Person.objects.filter(pk=Person.objects.get(ref="D-2").pk).update(phone="049555111")
    rebuild_keys()
    rows = candidates.registry_pairs(threshold=0)  # every pair sharing a block

    records, refs, _extras = candidates._records()
    keys = MatchKey.objects.order_by("key", "person_id").values_list("key", "person_id")
    blocks = [(key, sorted(pk for _key, pk in group)) for key, group in groupby(keys, key=lambda row: row[0])]
    assert {key for key, _ids in blocks if key.startswith(("tel:", "doc:"))}
    expected = score_blocks(blocks, records, NameFrequencies.of_records(records.values()), 0)
    assert {(a, b): value for a, b, value in rows} == {
        tuple(sorted((refs[i], refs[j]))): value for (i, j), value in expected.items()}
    found = {(a, b) for a, b, _value in rows}
    assert {("P-1-1", "P-7-2"), ("D-2", "P-3-0")} <= found and len(found) > len(registry)


def test_blocks_too_large_to_compare_are_reported_once_per_kind_of_key(registry, monkeypatch):
    from matching import candidates

    # A limit of 2 makes every block of three or more "too large".
    monkeypatch.setattr("matching.management.commands.match.BLOCK_LIMIT", 2)
    monkeypatch.setattr(candidates, "find_pairs", _with_limit(candidates.find_pairs, 2))
    out, err = run_match()
    warnings = err.strip().splitlines()
    assert warnings and all(line.startswith("warning: skipped ") and "over 2 persons" in line for line in warnings)
    kinds = [line.split("'")[1] for line in warnings]
    assert len(kinds) == len(set(kinds)) and "tel" in kinds
    assert read_pairs(out)  # the smaller blocks are still compared


def _with_limit(find_pairs, limit):
    def limited(*args, **kwargs):
        kwargs["block_limit"] = limit
        return find_pairs(*args, **kwargs)
    return limited
