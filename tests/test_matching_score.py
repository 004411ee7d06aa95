"""The duplicate score: symmetric, 0..1, and agreeing with what a caseworker would say about a pair."""

import datetime

from hypothesis import assume, example, given
from hypothesis import strategies as st

from matching.keys import Record, name_key
from matching.score import LIKELY, POSSIBLE, NameFrequencies, band, compare, jaro_winkler, score

NAMES = ["Agim", "Arben", "Krasniqi", "Krasnići", "Краснићи", "Berisha", "Drita", "Dritë", "Petrović",
         "Ana Marija", "Hoxha", "Hodža", "Ilir", "Nexhmije", "Xhemajli", ""]


def person(given="Agim", family="Krasniqi", father="", dob=None, year=None, sex="M", place=None):
    return Record.of(given_name=given, family_name=family, father_name=father,
                     date_of_birth=datetime.date.fromisoformat(dob) if dob else None, birth_year=year, sex=sex,
                     origin_id=place)


records = st.builds(
    person,
    given=st.sampled_from(NAMES) | st.text(max_size=12),
    family=st.sampled_from(NAMES) | st.text(max_size=12),
    father=st.sampled_from(NAMES),
    dob=st.none() | st.dates(datetime.date(1900, 1, 1), datetime.date(2025, 12, 31)).map(datetime.date.isoformat),
    year=st.none() | st.integers(1900, 2025),
    sex=st.sampled_from(["F", "M", ""]),
    place=st.none() | st.integers(1, 38),
)


frequencies = st.builds(
    NameFrequencies,
    st.dictionaries(st.tuples(st.sampled_from(["given", "family"]), st.sampled_from([name_key(n) for n in NAMES])),
                    st.integers(0, 5000)),
    st.integers(5000, 10**6),
)


@given(records, records, st.none() | frequencies)
def test_the_score_is_symmetric_and_between_0_and_1(a, b, counts):
    assert score(a, b, counts) == score(b, a, counts)
    assert 0 <= score(a, b, counts) <= 1


@given(records, records, st.none() | frequencies)
def test_people_born_more_than_3_years_apart_are_never_candidates(a, b, counts):
    # The checks leave them out in SQL and the batch skips them: that must lose nothing.
    assume(a.year and b.year and abs(a.year - b.year) > 3)
    assert score(a, b, counts) < POSSIBLE


def test_sharing_a_common_name_is_weaker_evidence_than_sharing_a_rare_one():
    counts = NameFrequencies({("family", "krasnici"): 40_000, ("family", "coralic"): 30,
                              ("given", "agim"): 8_000}, 1_000_000)
    common = score(person(family="Krasniqi", year=1970), person(family="Krasnići", year=1970), counts)
    rare = score(person(family="Ćoralić", year=1970), person(family="Coralic", year=1970), counts)
    assert common < rare
    assert score(person(family="Krasniqi", year=1970), person(family="Krasnići", year=1970)) > common


def test_it_wants_more_evidence_for_the_same_pair_in_a_larger_registry():
    # Same name, same year, same sex and origin: likely among 10,000 persons, where such namesakes
    # are few; not even possible among a million, where there are hundreds of them.
    names = {("given", "agim"): 1, ("family", "krasnici"): 4}
    a, b = person(year=1975, place=3), person(family="Krasnići", year=1975, place=3)
    small = score(a, b, NameFrequencies({k: n * 100 for k, n in names.items()}, 10_000))
    large = score(a, b, NameFrequencies({k: n * 10_000 for k, n in names.items()}, 1_000_000))
    assert small >= POSSIBLE
    assert large < POSSIBLE


@given(st.text(max_size=15), st.text(max_size=15))
def test_jaro_winkler_is_symmetric_and_bounded(a, b):
    assert jaro_winkler(a, b) == jaro_winkler(b, a)
    assert 0 <= jaro_winkler(a, b) <= 1
    assert jaro_winkler(a, a) == 1


def test_jaro_winkler_gives_the_published_values():
    # The textbook examples (Winkler 1990).
    assert round(jaro_winkler("martha", "marhta"), 3) == 0.961
    assert round(jaro_winkler("dwayne", "duane"), 2) == 0.84
    assert round(jaro_winkler("dixon", "dicksonx"), 3) == 0.813


def test_one_person_in_albanian_and_in_serbian_cyrillic_is_likely():
    albanian = person("Agim", "Krasniqi", father="Bajram", dob="1970-05-02", place=19)
    cyrillic = person("Агим", "Краснићи", father="Бајрам", dob="1970-05-02", place=19)
    assert band(score(albanian, cyrillic)) == "likely"


def test_a_year_only_registration_still_matches_the_full_date():
    assert score(person(dob="1970-05-02"), person(year=1970)) >= LIKELY


def test_swapped_given_and_family_names_are_still_likely():
    assert score(person("Agim", "Krasniqi", year=1970), person("Krasnici", "Agim", year=1970)) >= LIKELY


def test_typos_cost_a_little_not_everything():
    exact = score(person(dob="1970-05-02", father="Bajram"), person(dob="1970-05-02", father="Bajram"))
    typo = score(person(dob="1970-05-02", father="Bajram"), person("Agin", "Krasniki", dob="1970-05-02",
                                                                     father="Bajram"))
    assert POSSIBLE <= typo < exact


def test_a_missing_fathers_name_is_no_evidence_either_way():
    with_father = person(year=1970, father="Bajram")
    assert score(with_father, person(year=1970)) == score(person(year=1970), person(year=1970))
    assert score(with_father, person(year=1970, father="Ramadan")) < score(with_father, person(year=1970))


def test_a_date_slip_is_forgiven_but_a_different_generation_is_not():
    assert score(person(dob="1970-05-02"), person(dob="1970-02-05")) >= POSSIBLE  # day and month swapped
    assert score(person(dob="1970-05-02"), person(dob="1979-05-02")) >= POSSIBLE  # one digit of the year
    grandson = person(dob="1995-03-01")
    assert band(score(person(dob="1950-03-01"), grandson)) is None


def test_siblings_are_not_duplicates():
    brother = person("Arben", father="Bajram", year=1972, place=19)
    assert band(score(person("Agim", father="Bajram", year=1970, place=19), brother)) is None
    sister = person("Drita", sex="F", father="Bajram", year=1970, place=19)
    assert band(score(person("Agim", father="Bajram", year=1970, place=19), sister)) is None


def test_twins_are_not_duplicates():
    # Everything but the given name agrees: only that name tells twins apart.
    first = person("Agim", father="Bajram", dob="1990-06-15", place=19)
    assert band(score(first, person("Arben", father="Bajram", dob="1990-06-15", place=19))) is None


def test_a_woman_under_her_maiden_and_her_married_name_is_a_possible_duplicate():
    maiden = person("Drita", "Berisha", sex="F", dob="1980-04-12", place=19)
    assert score(maiden, person("Drita", "Krasniqi", sex="F", dob="1980-04-12", place=19)) >= POSSIBLE
    # The same given name and year under another family name is no such evidence.
    maiden = person("Drita", "Berisha", sex="F", year=1980, place=19)
    assert band(score(maiden, person("Drita", "Krasniqi", sex="F", year=1980, place=19))) is None


def test_the_same_name_in_another_municipality_scores_lower():
    same_place = score(person(year=1970, place=19), person(year=1970, place=19))
    other_place = score(person(year=1970, place=19), person(year=1970, place=18))
    assert other_place < same_place


def test_the_comparison_explains_itself_field_by_field():
    fields = {f: level for f, level, _bits in compare(person(year=1970), person("Agim", "Hoxha", year=1970)).fields}
    assert fields["given"] == "exact" and fields["family"] == "different"
    assert fields["date_of_birth"] == "same year"


@given(st.text(alphabet="abcdeijk", min_size=1, max_size=8), st.integers(0, 7), st.sampled_from("abcxyz"))
def test_one_changed_letter_is_one_slip(word, at, letter):
    from matching.score import one_edit

    at = at % len(word)
    changed = word[:at] + letter + word[at + 1 :]
    assert one_edit(word, changed) == (changed != word)
    assert one_edit(word, word[:at] + word[at + 1 :])  # a dropped letter
    assert not one_edit(word, word + "xy")


def _reference_one_edit(a, b):
    """One slip, worked out letter by letter."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :] or (a[i : i + 2] == b[i : i + 2][::-1] and a[i + 2 :] == b[i + 2 :])
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    return longer[i + 1 :] == shorter[i:]


@given(st.text(alphabet="abcdeijk", max_size=9), st.text(alphabet="abcdeijk", max_size=9))
def test_one_slip_is_what_the_letter_by_letter_reading_says(a, b):
    from matching.score import one_edit

    assert one_edit(a, b) == _reference_one_edit(a, b)


# The batch (score_blocks, find_pairs) skips work, never a pair: it finds what compare says. ------

def _reference_jaro_winkler_level(a, b):
    """name_level without its shortcut for plainly different names: Jaro-Winkler always worked out."""
    from matching.keys import phonetic
    from matching.score import CLOSE, DIFFERENT, SIMILAR

    ja, jb = "".join(a), "".join(b)
    similarity, slip = jaro_winkler(ja, jb), _reference_one_edit(ja, jb)
    if similarity >= 0.92 or (similarity >= 0.85 and phonetic(ja) == phonetic(jb)) or (slip and len(ja) >= 5):
        return CLOSE
    if set(a) <= set(b) or set(b) <= set(a):
        return CLOSE
    return SIMILAR if similarity >= 0.85 or slip else DIFFERENT


words = st.text(alphabet="abcdeijkmnrst", min_size=1, max_size=9)


@given(st.lists(words, min_size=1, max_size=2).map(tuple), st.lists(words, min_size=1, max_size=2).map(tuple))
def test_the_shortcut_for_different_names_gives_the_level_jaro_winkler_gives(a, b):
    from matching.score import name_level

    assume("".join(a) != "".join(b) and sorted(a) != sorted(b))
    assert name_level(a, b) == _reference_jaro_winkler_level(a, b)


@given(st.text(alphabet="abcdeijkmnrst", min_size=1, max_size=12), st.text(alphabet="abcdeijkmnrst", min_size=1,
                                                                            max_size=12))
@example("b", "ba")  # RapidFuzz with a score_cutoff answered 0 for these, at exactly 0.85
@example("abaababb", "bbabbbaaab")
def test_names_the_shortcut_calls_different_are_below_0_85_by_our_jaro_winkler(a, b):
    from matching.score import _surely_below

    a, b = sorted((a, b))
    if _surely_below(a, b, 0.85):
        assert jaro_winkler(a, b) < 0.85


def _everyone(records):
    # Every pair the batch may keep: born at most 3 years apart, or without a year.
    ids = sorted(records)
    return [(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :]
            if not (records[a].year and records[b].year and abs(records[a].year - records[b].year) > 3)]


@given(st.lists(records, min_size=2, max_size=12), st.none() | frequencies, st.sampled_from([0.5, 0.9, 0.2]))
def test_the_batch_finds_every_pair_of_a_block_that_compare_scores_at_the_threshold(people, counts, threshold):
    from matching.score import score_blocks

    records = dict(enumerate(people, start=10))
    found = score_blocks([("k", sorted(records))], records, counts, threshold)
    pairs = _everyone(records) if threshold >= POSSIBLE else [
        (a, b) for a in sorted(records) for b in sorted(records) if a < b]
    expected = {(a, b): score(records[a], records[b], counts) for a, b in pairs}
    assert found == {pair: value for pair, value in expected.items() if value >= threshold}


def test_the_batch_meets_namesakes_of_a_common_name_only_on_the_same_date_in_a_large_registry():
    from matching.score import score_blocks

    # Among a million persons Agim Krasniqi is a few hundred people: only the same full date (or
    # more evidence) makes two of them a pair, and the batch must still find that pair.
    counts = NameFrequencies({("given", "agim"): 20_000, ("family", "krasnici"): 40_000}, 1_000_000)
    records = {1: person(dob="1970-05-02", place=3), 2: person(dob="1970-05-02", place=3),
               3: person(dob="1970-06-02", place=3), 4: person(year=1970, place=3), 5: person(year=1971)}
    found = score_blocks([("ga:agm:krsnc", [1, 2, 3, 4, 5])], records, counts)
    assert found == {(1, 2): score(records[1], records[2], counts)}
    assert score(records[1], records[3], counts) < POSSIBLE and score(records[1], records[4], counts) < POSSIBLE


def test_workers_share_the_pairs_of_a_block_without_scoring_one_twice():
    from matching.score import score_blocks

    records = {i: person(year=1970 + i % 2, father="Bajram" if i % 3 else "") for i in range(1, 9)}
    shares = [score_blocks([("k", list(records))], records, share=(k, 3)) for k in range(3)]
    whole = score_blocks([("k", list(records))], records)
    assert sum(len(s) for s in shares) == len(whole) > 0
    assert {pair: value for s in shares for pair, value in s.items()} == whole


# The in-memory batch's blocks (find_pairs) are the blocks of the key strings. ---------------------

LONG = "Abdurrahmanbegovićzadehhasanovićmehmedbašićkaradžićpetrovićnikolićjovanović"
people_with_extras = st.lists(st.tuples(
    records | st.builds(person, given=st.just(LONG), family=st.sampled_from(NAMES + [LONG]),
                        father=st.sampled_from(NAMES + [LONG]), year=st.none() | st.integers(1900, 2025)),
    st.lists(st.sampled_from(["+383 44 123 456", "044123456", "049 000 111", "12", ""]), max_size=2),
    st.lists(st.sampled_from(["K-1234567", "k1234567", "P 99", ""]), max_size=2)), min_size=1, max_size=12)


@given(people_with_extras)
def test_the_batch_builds_the_blocks_the_key_strings_give(people):
    from collections import defaultdict

    from matching.keys import KINDS, blocking_keys
    from matching.score import Columns, kind_blocks

    records_ = {pk: r for pk, (r, _p, _d) in enumerate(people, start=1)}
    extras = {pk: (tuple(p), tuple(d)) for pk, (_r, p, d) in enumerate(people, start=1)}
    columns = Columns.of(records_)
    for kind in KINDS:
        expected = defaultdict(list)
        for pk in sorted(records_):
            for key in blocking_keys(records_[pk], *extras[pk], kinds=(kind,)):
                expected[key].append(pk)
        blocks, text = kind_blocks(kind, columns, records_, extras)
        assert {text(key): [columns.ids[i] for i in ids] for key, ids in blocks.items()} == expected


@given(people_with_extras, st.none() | frequencies)
def test_find_pairs_finds_every_pair_sharing_a_key_that_compare_scores_possible(people, counts):
    # Blocks of other kinds leave alone the pairs of a `ga:` block: nothing may be lost by that.
    from matching.keys import blocking_keys
    from matching.score import find_pairs

    records_ = {pk: r for pk, (r, _p, _d) in enumerate(people, start=1)}
    extras = {pk: (tuple(p), tuple(d)) for pk, (_r, p, d) in enumerate(people, start=1)}
    keys = {pk: blocking_keys(records_[pk], *extras[pk]) for pk in records_}
    # Without frequencies given, find_pairs counts the names of the records themselves.
    counts = counts or NameFrequencies.of_records(records_.values())
    expected = {}
    for a in records_:
        for b in records_:
            if a < b and keys[a] & keys[b]:
                value = score(records_[a], records_[b], counts)
                if value >= POSSIBLE:
                    expected[a, b] = value
    assert find_pairs(records_, extras, counts) == expected


def test_a_typo_that_changes_the_ga_key_is_still_found_in_the_other_blocks():
    from matching.keys import blocking_keys
    from matching.score import find_pairs

    # 1 and 2 differ by a typo that changes the family name's phonetic key, so they share no `ga:`
    # block; each has a namesake of another generation, so both `ga:` blocks are scored. Their
    # pair is found through a `wy:` block, where only pairs of one `ga:` block are left alone.
    records_ = {1: person(family="Krasniqi", dob="1970-05-02"), 2: person(family="Krasnigi", dob="1970-05-02"),
                3: person(family="Krasniqi", year=1930), 4: person(family="Krasnigi", year=1940)}
    ga = {pk: {k for k in blocking_keys(r) if k.startswith("ga:")} for pk, r in records_.items()}
    assert not ga[1] & ga[2] and ga[1] == ga[3] and ga[2] == ga[4]
    assert (1, 2) in find_pairs(records_)
