"""How alike two person records are: a deterministic score from 0 to 1.

Each field is compared at a few levels, and each level adds or removes evidence, counted in bits
(a Fellegi-Sunter match weight, log2 of how much more often the level is seen between two records
of one person than between two different people, set by hand from how registrations in Kosovo go
wrong). The total W becomes a score with 1 / (1 + 2^-(W - E)): E bits of evidence make even
odds, 0.5. E is 14, or log2(n) when the name frequencies come from a registry of n > 2^14 persons:
two records taken at random are one person about 1/n as often, so among a million persons (20
bits) the same common name and year of birth no longer make a likely pair. The score is
symmetric, in 0..1, and only the fields below count.

| field          | exact | close | similar | different | missing |
|----------------|-------|-------|---------|-----------|---------|
| family name    |  +8   |  +5   |  +1.5   |    -3     |    0    |
| given name     |  +7   | +4.5  |  +1.5   |   -10     |    0    |
| father's name  |  +4   | +2.5  |  +0.5   |    -3     |    0    |

An exact agreement on a given or family name weighs by how common the name is in the registry
(`NameFrequencies`): log2(1/u), u its share of persons, smoothed toward the table's value with
1000 pseudo-persons, kept between 2 bits and the table's value + 3. Sharing Krasniqi (several
percent of Kosovo) says less than sharing Ćoralić. Without frequencies the table's values count.

Names compare on their orthographic keys (matching.keys): exact = same key (word order free);
close = Jaro-Winkler >= 0.92, or >= 0.85 with the same phonetic key, or one slip (a letter
replaced, added, dropped or two swapped) in a name of 5 letters or more, or one name is part of the
other (Ana / Ana Marija); similar = Jaro-Winkler >= 0.85, or one slip in a shorter name. Given and
family names are also compared crosswise (a form filled in the wrong order) and the better reading
counts, less 1 bit; a crossed comparison weighs the mean of the given and family weights.
A different family name is weak evidence: about one pair in eight of one person's records differ in
it (a married woman under her father's family name in one registration and her husband's in
another; the father's given name written as the family name, Bajrami for Krasniqi; documents of
Roma, Ashkali and Egyptian families that disagree), while no relative shares a given name and a
date of birth under another family name. A different given name nearly is conclusive: twins share
everything else (family and father's name, date of birth, origin, often sex).

Date of birth, both full dates: same date +8; one slip (a digit of the year, the day, the month,
or day and month swapped) +4; another date in the same year -3, within 3 years -5. A side knowing
only the year: same year +3; a year apart -1; two or three years apart -4. Further apart than 3
years -15 always (a namesake of another generation, however rare the name); missing 0.
1 January compares as a year only: it is the usual placeholder for an unknown date.
Sex: same +1, different -4. Municipality of origin (by gazetteer id, so Gjakovë = Đakovica): same
+2, different -1 (displaced people give their origin differently), missing 0.

Phone numbers, addresses and other household-shared values never count: members of one household
share them, so they are no evidence of being the same person (they only propose candidates).
"""

import bisect
import contextlib
import functools
import gc
import math
from array import array
from dataclasses import dataclass

from rapidfuzz.distance import OSA, JaroWinkler

from matching.keys import phonetic

EVEN_ODDS_BITS = 14
LIKELY = 0.9
POSSIBLE = 0.5
DEFAULT_THRESHOLD = POSSIBLE

EXACT, CLOSE, SIMILAR, DIFFERENT, MISSING = "exact", "close", "similar", "different", "missing"
NAME_WEIGHTS = {
    "family": {EXACT: 8, CLOSE: 5, SIMILAR: 1.5, DIFFERENT: -3, MISSING: 0},
    "given": {EXACT: 7, CLOSE: 4.5, SIMILAR: 1.5, DIFFERENT: -10, MISSING: 0},
    "father": {EXACT: 4, CLOSE: 2.5, SIMILAR: 0.5, DIFFERENT: -3, MISSING: 0},
}
SWAP_PENALTY = 1
# Born further apart than this, two records lose 15 bits and can never reach "possible" (names,
# father, sex and origin together give at most 28): checks leave such people out in SQL.
MAX_YEAR_GAP = 3
FAR_APART = -15


def jaro(a, b):
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    window = max(len(a), len(b)) // 2 - 1
    taken = [False] * len(b)
    matched_a = []
    for i, c in enumerate(a):
        # The first letter c of b within the window not matched yet (str.find: the batch compares
        # a million pairs of names).
        high = min(len(b), i + window + 1)
        j = b.find(c, max(0, i - window), high)
        while j >= 0 and taken[j]:
            j = b.find(c, j + 1, high)
        if j >= 0:
            taken[j] = True
            matched_a.append(c)
    m = len(matched_a)
    if not m:
        return 0.0
    matched_b = [c for c, t in zip(b, taken) if t]
    transpositions = sum(x != y for x, y in zip(matched_a, matched_b)) / 2
    return (m / len(a) + m / len(b) + (m - transpositions) / m) / 3


def jaro_winkler(a, b, scale=0.1):
    # The greedy matching above can differ slightly with the order of its arguments; ordering
    # the pair makes the comparison, and so every score, symmetric.
    a, b = sorted((a, b))
    j = jaro(a, b)
    prefix = 0
    for x, y in zip(a[:4], b[:4]):
        if x != y:
            break
        prefix += 1
    return j + prefix * scale * (1 - j)


def one_edit(a, b):
    """True when one letter was replaced, added, dropped, or two neighbours swapped: an optimal
    string alignment distance of 1."""
    return OSA.distance(a, b, score_cutoff=1) == 1


def _surely_below(a, b, limit):
    """True when jaro_winkler(a, b) < limit for sure (a, b in order). RapidFuzz's Jaro rounds the
    transpositions down where ours halves them, so it is never lower than ours, and above 0.7 it
    adds the same prefix bonus; it tells the plainly different names apart in C. (Without its
    score_cutoff, which answers 0 for some short words at the cutoff: "b" and "ba" at 0.85.)"""
    return JaroWinkler.similarity(a, b) < limit - 1e-9


@functools.lru_cache(maxsize=500_000)
def name_level(a, b):
    """Compare two names given as tuples of orthographic words."""
    if not a or not b:
        return MISSING
    ja, jb = "".join(a), "".join(b)
    if ja == jb or sorted(a) == sorted(b):
        return EXACT
    slip = one_edit(ja, jb)
    if not slip and _surely_below(*sorted((ja, jb)), 0.85):
        # Most names compared are plainly different: no need to work out how different.
        return CLOSE if set(a) <= set(b) or set(b) <= set(a) else DIFFERENT
    similarity = jaro_winkler(ja, jb)
    # One slip in a short name may be another name (Ana, Ena): only similar then.
    if similarity >= 0.92 or (similarity >= 0.85 and phonetic(ja) == phonetic(jb)) or (slip and len(ja) >= 5):
        return CLOSE
    if set(a) <= set(b) or set(b) <= set(a):
        return CLOSE
    if similarity >= 0.85 or slip:
        return SIMILAR
    return DIFFERENT


def _is_year_only(r):
    return r.month is None or (r.month, r.day) == (1, 1)


def _one_slip(a, b):
    ya, yb = f"{a.year:04d}", f"{b.year:04d}"
    year_typo = sum(x != y for x, y in zip(ya, yb)) == 1
    same = (a.year == b.year) + (a.month == b.month) + (a.day == b.day)
    swapped = a.year == b.year and (a.month, a.day) == (b.day, b.month)
    return swapped or (same == 2 and (a.year == b.year or year_typo))


# Date of birth levels and their bits (the module docstring's table).
BIRTH_WEIGHTS = {"same date": 8, "one slip": 4, "other date": -3, "other date, years apart": -5,
                 "same year": 3, "a year apart": -1, "2-3 years apart": -4, "far apart": FAR_APART}


def birth_weight(a, b):
    if not a.year or not b.year:
        return MISSING, 0
    gap = abs(a.year - b.year)
    if not (_is_year_only(a) or _is_year_only(b)):
        # Both full dates: the same person's records agree, or differ by one slip. Two unrelated
        # full dates are strong evidence of two people, whatever the years.
        if (a.year, a.month, a.day) == (b.year, b.month, b.day):
            level = "same date"
        elif _one_slip(a, b):
            level = "one slip"
        elif gap <= MAX_YEAR_GAP:
            level = "other date" if gap == 0 else "other date, years apart"
        else:
            level = "far apart"
    elif gap == 0:
        level = "same year"
    elif gap == 1:
        level = "a year apart"
    elif gap <= MAX_YEAR_GAP:
        level = "2-3 years apart"
    else:
        level = "far apart"
    # Both "other date" levels show as one to the reviewer.
    return level.split(",")[0], BIRTH_WEIGHTS[level]


@dataclass(frozen=True)
class Comparison:
    """The evidence for one pair, field by field: [(field, level, bits)] and the score."""

    fields: tuple
    score: float

    @property
    def band(self):
        return band(self.score)


class NameFrequencies:
    """How many persons bear each given and family name (by orthographic key), out of `total`."""

    SMOOTHING = 1000
    MIN_BITS = 2
    EXTRA_BITS = 3

    def __init__(self, counts, total):
        self.counts = counts  # {("given" or "family", key): persons}
        self.total = total
        self._bits = {}  # the batch asks for the same few thousand names millions of times

    @classmethod
    def of_records(cls, records):
        from collections import Counter

        counts = Counter()
        for r in records:
            counts["given", "".join(r.given)] += 1
            counts["family", "".join(r.family)] += 1
        return cls(dict(counts), len(records))

    @property
    def even_odds_bits(self):
        # The prior: among n persons, two taken at random are one person about 1/n as often, so a
        # registry larger than 2^14 needs log2(n) bits for even odds: more namesakes to tell apart.
        return max(EVEN_ODDS_BITS, math.log2(max(self.total, 1)))

    def exact_bits(self, role, key):
        bits = self._bits.get((role, key))
        if bits is None:
            bits = self._bits[role, key] = self._exact_bits(role, key)
        return bits

    def _exact_bits(self, role, key):
        default = NAME_WEIGHTS[role][EXACT]
        share = (self.counts.get((role, key), 0) + self.SMOOTHING * 2.0 ** -default) / (self.total + self.SMOOTHING)
        return min(max(-math.log2(share), self.MIN_BITS), default + self.EXTRA_BITS)


def _bits(role, level, a, b, frequencies):
    if level == EXACT and frequencies is not None:
        # The commoner spelling of the two decides (they differ only in word order).
        return min(frequencies.exact_bits(role, "".join(a)), frequencies.exact_bits(role, "".join(b)))
    return NAME_WEIGHTS[role][level]


def _crossed_bits(level, a, b, frequencies):
    # A crossed comparison pairs one record's given name with the other's family name, so it
    # weighs as the mean of both: the same whichever record comes first.
    return (_bits("given", level, a, b, frequencies) + _bits("family", level, a, b, frequencies)) / 2


def _names(a_given, a_family, b_given, b_family, frequencies):
    straight = [("given", name_level(a_given, b_given), a_given, b_given),
                ("family", name_level(a_family, b_family), a_family, b_family)]
    straight = [(f, level, _bits(f, level, x, y, frequencies)) for f, level, x, y in straight]
    crossed = [(name_level(x, y), x, y) for x, y in ((a_given, b_family), (a_family, b_given))]
    crossed = sorted((level, _crossed_bits(level, x, y, frequencies)) for level, x, y in crossed)
    if sum(bits for _level, bits in crossed) - SWAP_PENALTY > sum(bits for _f, _level, bits in straight):
        return [(field, f"{level}, swapped", bits - SWAP_PENALTY / 2)
                for field, (level, bits) in zip(("given", "family"), crossed)]
    return straight


def compare(a, b, frequencies=None):
    """Compare two matching.keys.Record values; `frequencies` (NameFrequencies) weighs exact names."""
    fields = _names(a.given, a.family, b.given, b.family, frequencies)
    level = name_level(a.father, b.father)
    fields.append(("father", level, NAME_WEIGHTS["father"][level]))
    fields.append(("date_of_birth", *birth_weight(a, b)))
    if a.sex and b.sex:
        fields.append(("sex", "same" if a.sex == b.sex else "different", 1 if a.sex == b.sex else -4))
    if a.place and b.place:
        fields.append(("origin", "same" if a.place == b.place else "different", 2 if a.place == b.place else -1))
    total = sum(bits for _f, _level, bits in fields)
    even = EVEN_ODDS_BITS if frequencies is None else frequencies.even_odds_bits
    return Comparison(tuple(fields), round(_logistic(total - even), 4))


def _logistic(bits):
    if bits < -60:
        return 0.0
    return 1 / (1 + math.pow(2, -bits))


def score(a, b, frequencies=None):
    return compare(a, b, frequencies).score


def band(value):
    if value >= LIKELY:
        return "likely"
    if value >= POSSIBLE:
        return "possible"
    return None


# The batch: every pair in every block -----------------------------------------------------------

# Blocks larger than this are skipped (a block of n persons is n(n-1)/2 comparisons); the pairs in
# them still meet in the finer blocks (name word with year or date) of matching.keys.
BLOCK_LIMIT = 1000
# The most the fields other than the given and family names add to a pair: the father's name
# exact, the same date of birth, the same sex and the same origin.
REST_MAX_BITS = NAME_WEIGHTS["father"][EXACT] + BIRTH_WEIGHTS["same date"] + 1 + 2
# The most the given and family names give two records whose given names differ and whose given
# name differs from the other's family name: the straight reading at most a different given name
# and the commonest exact family name, the crossed one at most a different and an exact crossed
# pair, less the penalty.
_EXACT_MOST = {role: NAME_WEIGHTS[role][EXACT] + NameFrequencies.EXTRA_BITS for role in ("given", "family")}
_DIFFERENT_GIVEN_BITS = max(
    NAME_WEIGHTS["given"][DIFFERENT] + _EXACT_MOST["family"],
    (NAME_WEIGHTS["given"][DIFFERENT] + NAME_WEIGHTS["family"][DIFFERENT]) / 2
    + (_EXACT_MOST["given"] + _EXACT_MOST["family"]) / 2 - SWAP_PENALTY)
# When the names leave more than this for the date, sex and origin to add, only the same full date
# can (one slip of the date and the same sex and origin add at most this).
SAME_DATE_ONLY = BIRTH_WEIGHTS["one slip"] + 1 + 2
# And with more than this, only two full dates can (the same year and sex and origin add at most this).
TWO_DATES_ONLY = BIRTH_WEIGHTS["same year"] + 1 + 2
_YEAR_ONLY_BITS = [BIRTH_WEIGHTS["same year"], BIRTH_WEIGHTS["a year apart"], BIRTH_WEIGHTS["2-3 years apart"],
                   BIRTH_WEIGHTS["2-3 years apart"]]


class Columns:
    """The records of a batch as columns of small integers by position (0, 1, ... in the order of
    their ids): names, fathers' names, sexes and places by id, the year (0 when unknown), month and
    day (0 for a year only or 1 January, as birth_weight reads them). Arrays rather than objects:
    forked workers read them without copying pages, and a million persons take a few MiB."""

    def __init__(self):
        self.ids = []
        self.names = [()]  # name id → tuple of orthographic words; 0 is no name
        self._name_ids = {(): 0}
        self._value_ids = {}  # sex and place values → small ids; 0 is none
        self.given, self.family, self.father = array("i"), array("i"), array("i")
        self.year, self.month, self.day = array("i"), array("b"), array("b")
        self.date = array("i")  # yyyymmdd of a full date, else 0
        self.sex, self.place = array("i"), array("i")
        self._pairs = self._ga = None

    @classmethod
    def of(cls, records):
        """The columns of `records` (id → Record) in the order of their ids, built a column at a
        time (a million records: under 3 s, where a record at a time took about 5)."""
        from itertools import chain

        columns = cls()
        columns.ids = sorted(records)
        if not records:
            return columns
        given, family, father, year, month, day, sex, place = zip(*map(records.__getitem__, columns.ids))
        name_ids, names = columns._name_ids, columns.names
        for name in dict.fromkeys(chain(given, family, father)):
            if name not in name_ids:
                name_ids[name] = len(names)
                names.append(name)
        columns.given, columns.family, columns.father = (array("i", map(name_ids.__getitem__, column))
                                                         for column in (given, family, father))
        columns.year = array("i", [y or 0 for y in year])
        # A full date: not a year only, not 1 January (as birth_weight reads them).
        dates = [(m, d, y * 10000 + m * 100 + d) if y and m is not None and (m, d) != (1, 1) else (0, 0, 0)
                 for y, m, d in zip(year, month, day)]
        months, days, full = zip(*dates)
        columns.month, columns.day, columns.date = array("b", months), array("b", days), array("i", full)
        value_ids = columns._value_ids
        for value in dict.fromkeys(chain(sex, place)):
            if value and value not in value_ids:
                value_ids[value] = len(value_ids) + 1
        columns.sex, columns.place = (array("i", [value_ids.get(v, 0) if v else 0 for v in column])
                                      for column in (sex, place))
        return columns

    def name_pairs(self):
        """{given name id * len(names) + family name id: records with that pair of names}."""
        if self._pairs is None:
            from collections import Counter

            stride = len(self.names)
            self._pairs = Counter(g * stride + f for g, f in zip(self.given, self.family))
        return self._pairs

    def ga_keys(self):
        """{name_pairs() key: the `ga:` key of that pair of names}. Worked out once, before the
        workers fork."""
        if self._ga is None:
            from matching.keys import ga_key

            stride, names = len(self.names), self.names
            self._ga = {key: ga_key(names[key // stride], names[key % stride]) for key in self.name_pairs()}
        return self._ga

    def frequencies(self):
        """NameFrequencies of the records (what NameFrequencies.of_records counts), by name id."""
        from collections import Counter

        counts = Counter()
        for role, column in (("given", self.given), ("family", self.family)):
            for i, n in Counter(column).items():
                counts[role, "".join(self.names[i])] += n
        return NameFrequencies(dict(counts), len(self.ids))


def _full_date_bits(ya, ma, da, yb, mb, db):
    # birth_weight for two full dates, on integers.
    if ya == yb and ma == mb and da == db:
        return BIRTH_WEIGHTS["same date"]
    gap = abs(ya - yb)
    if gap == 0:
        if (ma, da) == (db, mb) or ma == mb or da == db:
            return BIRTH_WEIGHTS["one slip"]
        return BIRTH_WEIGHTS["other date"]
    if ma == mb and da == db and sum(x != y for x, y in zip(f"{ya:04d}", f"{yb:04d}")) == 1:
        return BIRTH_WEIGHTS["one slip"]
    return BIRTH_WEIGHTS["other date, years apart"] if gap <= MAX_YEAR_GAP else FAR_APART


class _Batch:
    """Scores the pairs of blocks of positions in `columns`, keeping those at or above `threshold`.

    What makes it fast enough for a million persons, without changing a score:
    - the members of a block are grouped by given and family name, then by father's name: the
      name evidence of two groups is worked out once (and remembered across blocks), and two
      groups whose names cannot reach the threshold even with everything else agreeing are
      never paired (brothers in a block of one family name and year: a different given name is
      -10 bits; namesakes of different fathers in a registry of a million);
    - within two groups only persons born at most MAX_YEAR_GAP years apart (or without a year)
      are paired, the others could never reach "possible";
    - where the names and fathers' names leave only the same full date able to make a pair, the
      two groups are joined on the date, and pairs of fathers are not gone through;
    - in a block of another kind than `ga:` (`block(..., elsewhere=True)`), two groups of one
      `ga:` block that is scored in the same run are left alone: that block pairs them;
    - the rest of the evidence (date, sex, origin) is a few integer comparisons; a pair met again
      in another block is scored again (cheaper than remembering every pair) but kept once."""

    NAMES_REMEMBERED = 4_000_000

    def __init__(self, columns, frequencies, threshold, share=(0, 1), covered=None):
        self.c = columns
        # The `ga:` keys whose blocks are scored in the same run (see block's `elsewhere`).
        self.covered = covered
        self._cover = {}
        self.frequencies = frequencies
        self.even = EVEN_ODDS_BITS if frequencies is None else frequencies.even_odds_bits
        self.threshold = threshold
        # The bits a pair needs to score `threshold` once rounded to 4 decimals (a hair less,
        # for the float sums): pairs that cannot have them are not scored.
        t = threshold - 0.00005
        self.need = -math.inf if t <= 0 else self.even + math.log2(t / (1 - t)) - 1e-9 if t < 1 else math.inf
        self.gap = MAX_YEAR_GAP if threshold >= POSSIBLE else 10**6
        self.part, self.parts = share
        self.found = {}
        self._names = {}
        self._fathers = {}
        self._levels = {}
        self.stride = len(columns.names)

    def _name_bits(self, ka, kb, key):
        """The bits of the given and family names of groups ka and kb, added as compare adds them
        (or -inf when they cannot reach what a pair needs)."""
        if len(self._names) > self.NAMES_REMEMBERED:
            self._names.clear()
        names, stride = self.c.names, self.stride
        ga, fa = divmod(ka, stride)
        gb, fb = divmod(kb, stride)
        if (_DIFFERENT_GIVEN_BITS < self.need - REST_MAX_BITS and self._level(ga, gb) == DIFFERENT
                and self._level(ga, fb) == DIFFERENT):
            # Different given names, and not a crossed reading either: most pairs of a block.
            bits = -math.inf
        else:
            fields = _names(names[ga], names[fa], names[gb], names[fb], self.frequencies)
            bits = fields[0][2] + fields[1][2]
        self._names[key] = bits
        return bits

    def _level(self, a, b):
        key = a * self.stride + b if a <= b else b * self.stride + a
        level = self._levels.get(key)
        if level is None:
            level = self._levels[key] = name_level(self.c.names[a], self.c.names[b])
        return level

    def _father_bits(self, fa, fb):
        key = fa * self.stride + fb
        bits = self._fathers.get(key)
        if bits is None:
            bits = self._fathers[key] = NAME_WEIGHTS["father"][name_level(self.c.names[fa], self.c.names[fb])]
        return bits

    def _covering(self, key):
        """The `ga:` key of the group of given and family name `key` when its block is scored in
        this run, else None."""
        ga = self._cover.get(key, False)
        if ga is False:
            ga = self.c.ga_keys()[key]
            ga = self._cover[key] = ga if ga in self.covered else None
        return ga

    def block(self, ids, elsewhere=False):
        """Score the pairs of one block (positions). With `elsewhere` (a block of another kind than
        `ga:`), two groups with the same `ga:` key are left alone when that block is in `covered`:
        both are in it, where they are paired by the same rules and get the same score."""
        c, stride = self.c, self.stride
        given, family, father = c.given, c.family, c.father
        groups = {}  # given and family name → father's name → members
        for i in ids:
            key = given[i] * stride + family[i]
            fathers = groups.get(key)
            if fathers is None:
                groups[key] = {father[i]: [i]}
            else:
                members = fathers.get(father[i])
                if members is None:
                    fathers[father[i]] = [i]
                else:
                    members.append(i)
        year = c.year
        for fathers in groups.values():
            for fa, members in fathers.items():
                # Undated members first (year 0), then by year: pairs are taken within a window.
                if len(members) > 1:
                    members.sort(key=year.__getitem__)
                fathers[fa] = (members, [year[i] for i in members])
        groups = list(groups.items())
        dated = [None] * len(groups)  # each group's members with a full date, by date, when needed
        cover = [self._covering(key) for key, _fathers in groups] if elsewhere and self.covered else None
        # What the names need for a pair to be worth scoring: the threshold less the most the
        # other fields can add.
        need_names = self.need - REST_MAX_BITS
        memo, square = self._names, stride * stride
        pairs = []
        for x in range(len(groups)):
            ka, fathers_a = groups[x]
            ga = cover and cover[x]
            for y in range(x, len(groups)):
                if ga and cover[y] == ga:
                    continue
                kb, fathers_b = groups[y]
                key = ka * square + kb if ka <= kb else kb * square + ka
                bits = memo.get(key)
                if bits is None:
                    bits = self._name_bits(ka, kb, key)
                if bits >= need_names:
                    if dated[y] is None:
                        dated[y] = self._dated(fathers_b)
                    self._fathers_pairs(fathers_a, fathers_b, dated[y], x == y, bits, pairs)
        if pairs:
            self._score(pairs)

    def _fathers_pairs(self, fathers_a, fathers_b, dated_b, same, names, pairs):
        """Pairs of two groups (by given and family name; `fathers_*` maps each father's name to its
        members): by father's name where the fathers leave the date some room, and by the same
        full date for the others (most fathers of a common name's namesakes), so that pairs of
        fathers whose children must share a date are never gone through one by one."""
        # The sum in compare's order (given, family, father, date, sex, origin): the same float.
        need = self.need - (REST_MAX_BITS - NAME_WEIGHTS["father"][EXACT])
        date, father, year = self.c.date, self.c.father, self.c.year
        if self.need - (names + NAME_WEIGHTS["father"][EXACT]) <= SAME_DATE_ONLY:
            total, memo, stride, gap = self.need, self._fathers, self.stride, self.gap
            b_items = list(fathers_b.items())
            for x, (fa, a) in enumerate(fathers_a.items()):
                single = len(a[0]) == 1
                for y in range(x if same else 0, len(b_items)):
                    fb, b = b_items[y]
                    if fa and fb:
                        bits = memo.get(fa * stride + fb)
                        bits = names + (self._father_bits(fa, fb) if bits is None else bits)
                    else:
                        bits = names
                    if total - bits > SAME_DATE_ONLY:
                        continue
                    if same and x == y:
                        if not single:
                            self._pairs(a, b, True, bits, pairs)
                    elif single and len(b[0]) == 1:
                        # Two persons (most fathers' names are one person's): _pairs, unrolled.
                        i, j = a[0][0], b[0][0]
                        if total - bits > TWO_DATES_ONLY and not (date[i] and date[j]):
                            continue
                        if not year[i] or not year[j] or abs(year[i] - year[j]) <= gap:
                            pairs.append((i, j, bits))
                    else:
                        self._pairs(a, b, False, bits, pairs)
        # The rest: persons of the same full date whose fathers leave only that.
        if same:
            candidates = ((i, j) for members in dated_b.values() for k, i in enumerate(members)
                          for j in members[k + 1 :])
        else:
            candidates = ((i, j) for members, _years in fathers_a.values() for i in members if date[i] in dated_b
                          for j in dated_b[date[i]])
        for i, j in candidates:
            fa, fb = father[i], father[j]
            bits = names + self._father_bits(fa, fb) if fa and fb else names
            if bits >= need and self.need - bits > SAME_DATE_ONLY:
                pairs.append((i, j, bits))

    def _dated(self, fathers):
        date, by_date = self.c.date, {}
        for members, _years in fathers.values():
            for i in members:
                if date[i]:
                    by_date.setdefault(date[i], []).append(i)
        return by_date

    def _pairs(self, a, b, same, bits, pairs):
        """Append (i, j, bits) for the members of `a` and `b` (each (members by year, their years,
        0 first for no year)) born at most `gap` years apart or without a year."""
        gap, date = self.gap, self.c.date
        short = self.need - bits  # what the date, sex and origin must add
        if short > SAME_DATE_ONLY:
            # Only the same full date can do it (namesakes of one year, in a large registry).
            self._same_dates(a, b, same, bits, pairs)
            return
        da, ya = a
        if short > TWO_DATES_ONLY:
            # Only two full dates can do it.
            da = [i for i in da if date[i]]
            ya = [self.c.year[i] for i in da]
            if not same:
                db = [j for j in b[0] if date[j]]
                b = db, [self.c.year[j] for j in db]
        if same:
            n = len(da)
            for x in range(n - 1):
                i, y = da[x], ya[x]
                if not y:
                    pairs.extend((i, j, bits) for j in da[x + 1 :])
                    continue
                y, k = y + gap, x + 1
                while k < n and ya[k] <= y:
                    pairs.append((i, da[k], bits))
                    k += 1
            return
        db, yb = b
        if len(da) == 1 and len(db) == 1:
            if not ya[0] or not yb[0] or abs(ya[0] - yb[0]) <= gap:
                pairs.append((da[0], db[0], bits))
            return
        undated = bisect.bisect_right(yb, 0)
        low, n = undated, len(db)
        for i, y in zip(da, ya):
            if not y:
                pairs.extend((i, j, bits) for j in db)
                continue
            if undated:
                pairs.extend((i, j, bits) for j in db[:undated])
            while low < n and yb[low] < y - gap:
                low += 1
            k = low
            while k < n and yb[k] <= y + gap:
                pairs.append((i, db[k], bits))
                k += 1

    def _same_dates(self, a, b, same, bits, pairs):
        date = self.c.date
        by_date = {}
        for j in b[0]:
            if date[j]:
                by_date.setdefault(date[j], []).append(j)
        if same:
            for members in by_date.values():
                for x, i in enumerate(members):
                    pairs.extend((i, j, bits) for j in members[x + 1 :])
            return
        for i in a[0]:
            if date[i] in by_date:
                pairs.extend((i, j, bits) for j in by_date[date[i]])

    def _score(self, pairs):
        """Score (i, j, bits of the names) and keep those at or above the threshold."""
        c, found, need, parts, part = self.c, self.found, self.need, self.parts, self.part
        year, month, day, sex, place = c.year, c.month, c.day, c.sex, c.place
        for i, j, total in pairs:
            if i > j:
                i, j = j, i
            if parts > 1 and (i + j) % parts != part:
                continue
            ya, yb = year[i], year[j]
            if ya and yb:
                ma, mb = month[i], month[j]
                if ma and mb:
                    total += _full_date_bits(ya, ma, day[i], yb, mb, day[j])
                else:
                    gap = abs(ya - yb)
                    total += _YEAR_ONLY_BITS[gap] if gap <= MAX_YEAR_GAP else FAR_APART
            sa, sb = sex[i], sex[j]
            if sa and sb:
                total += 1 if sa == sb else -4
            pa, pb = place[i], place[j]
            if pa and pb:
                total += 2 if pa == pb else -1
            if total >= need:
                value = round(_logistic(total - self.even), 4)
                if value >= self.threshold:
                    found[i, j] = value

    def results(self):
        """{(id a, id b): score} with a < b."""
        ids = self.c.ids
        return {(ids[i], ids[j]): value for (i, j), value in self.found.items()}


def score_blocks(blocks, records, frequencies=None, threshold=DEFAULT_THRESHOLD, *, block_limit=BLOCK_LIMIT,
                 skipped=None, progress=None, progress_every=2000, share=(0, 1)):
    """{(a, b): score} for every pair a < b sharing a block whose score reaches `threshold`.
    `blocks` yields (key, sorted ids), `records` maps id → Record: blocks made elsewhere (the
    MatchKey table, another engine's blocking: docs/matching-at-scale.md), scored by the same
    _Batch as find_pairs, which builds the blocks in memory.
    `share` (k, n) scores only the pairs whose positions in sorted(records) add up to k modulo n:
    n workers (or machines), each its share, none scoring another's pairs."""
    columns = Columns.of(records)
    position = {pk: i for i, pk in enumerate(columns.ids)}
    batch = _Batch(columns, frequencies, threshold, share)
    for done, (key, ids) in enumerate(blocks, start=1):
        if progress and done % progress_every == 0:
            progress(done)
        if len(ids) > block_limit:
            if skipped:
                skipped(key, len(ids))
            continue
        ids = [position[pk] for pk in ids if pk in position]
        if len(ids) > 1:
            batch.block(ids)
    return batch.results()


def find_pairs(records, extras=None, frequencies=None, threshold=DEFAULT_THRESHOLD, *, block_limit=BLOCK_LIMIT,
               skipped=None, workers=1, progress=None):
    """score_blocks over blocks built in memory: `records` maps id → Record, `extras` id → (phones,
    documents) that only propose candidates. The batch of `homeward match` (read from the
    registry, matching.candidates.registry_pairs), of a file and of the tests.
    With several workers (forked processes sharing the records), each builds and scores the
    blocks of the kinds of key it takes up (matching.keys.KINDS, the costliest first); a pair met
    in blocks of two kinds is found once. `progress(kinds done, kinds)` is called as each kind
    of key is done."""
    from matching.keys import KINDS

    extras = extras or {}
    with without_collector():
        columns = Columns.of(records)
        if frequencies is None:
            frequencies = columns.frequencies()
        covered = _covered(columns, block_limit)
        shared = (records, extras, columns, frequencies, threshold, block_limit, covered)
        # The costliest kinds first, so that with several workers the last ones even out the load.
        kinds = sorted(KINDS, key=lambda kind: -KIND_COST.get(kind, 0))
        found, too_large = {}, []
        if workers <= 1:
            batch = None
            for done, kind in enumerate(kinds, start=1):
                batch, part, large = _find(shared, kind, batch)
                found.update(part)
                too_large += large
                if progress:
                    progress(done, len(kinds))
        else:
            import multiprocessing

            global _SHARED
            _SHARED = shared
            gc.freeze()  # the collector in a worker would touch, and so copy, every page of the parent
            try:
                with multiprocessing.get_context("fork").Pool(workers) as pool:
                    for done, (part, large) in enumerate(pool.imap_unordered(_find_kind, kinds), start=1):
                        found.update(part)
                        too_large += large
                        if progress:
                            progress(done, len(kinds))
            finally:
                _SHARED = None
                gc.unfreeze()
    if skipped:
        for key, size in too_large:
            skipped(key, size)
    return found


@contextlib.contextmanager
def without_collector():
    """Build or read a batch's millions of small objects, none in a cycle, without the garbage
    collector, which would only walk them again and again."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


# Seconds each kind of key took at 1,000,000 synthetic records (bench/match.py): only the order in
# which workers take them up.
KIND_COST = {"ga": 45, "wy": 30, "wd": 12, "ff": 12, "tel": 12, "doc": 2}


def _covered(columns, block_limit):
    """The `ga:` keys of blocks that will be scored (2 to block_limit records): pairs in them need
    not be paired again in blocks of other kinds (_Batch.block's `elsewhere`)."""
    from collections import Counter

    ga, sizes = columns.ga_keys(), Counter()
    for key, n in columns.name_pairs().items():
        sizes[ga[key]] += n
    return {key for key, n in sizes.items() if key and 1 < n <= block_limit}


def _find(shared, kind, batch=None):
    """Build and score the blocks of one kind of key; returns the batch (its remembered name
    evidence serves the next kind), {(id a, id b): score} and the blocks too large to score."""
    records, extras, columns, frequencies, threshold, block_limit, covered = shared
    if batch is None:
        batch = _Batch(columns, frequencies, threshold, covered=covered)
    batch.found = {}
    too_large = []
    blocks, text = kind_blocks(kind, columns, records, extras)
    for key, ids in blocks.items():
        if len(ids) > block_limit:
            too_large.append((text(key), len(ids)))
        elif len(ids) > 1:
            batch.block(ids, elsewhere=kind != "ga")
    return batch, batch.results(), too_large


_SHARED = None
_WORKER_BATCH = None  # a worker's _Batch, kept from one kind to the next


def _find_kind(kind):
    global _WORKER_BATCH
    _WORKER_BATCH, found, too_large = _find(_SHARED, kind, _WORKER_BATCH)
    return found, too_large


def kind_blocks(kind, columns, records, extras):
    """The blocks of one kind of key over the records of `columns`: ({block: [positions]},
    text(block) → the key as matching.keys.blocking_keys writes it). The same blocks as the key
    strings make, each record in a block once, but keyed by numbers built from parts worked out
    once per pair of names: a million persons' key strings took longer than scoring the blocks."""
    from collections import defaultdict

    from matching.keys import KEY_LENGTH, _iso_date, _name_keys, blocking_keys, document_keys, ff_prefix, phone_keys

    blocks, ids, names = defaultdict(list), columns.ids, columns.names
    given, family, father, year, date = columns.given, columns.family, columns.father, columns.year, columns.date
    stride, parts, texts = len(names), {}, []  # texts: a part's text by its number

    def number(text):
        n = parts.get(text)
        if n is None:
            n = parts[text] = len(texts)
            texts.append(text)
        return n

    def as_written(position):
        # Names long enough for a key to be cut at KEY_LENGTH: the key strings themselves.
        for key in blocking_keys(records[ids[position]], kinds=(kind,)):
            blocks[key].append(position)

    if kind in ("tel", "doc"):
        for position, pk in enumerate(ids):
            phones, documents = extras.get(pk, ((), ()))
            for key in phone_keys(phones) if kind == "tel" else document_keys(documents):
                blocks[key].append(position)
        return blocks, str
    if kind == "ga":
        ga = columns.ga_keys()
        for position in range(len(ids)):
            both = ga[given[position] * stride + family[position]]
            if both:
                blocks[both].append(position)
        return blocks, str

    cache = {}
    if kind == "ff":
        # ff:<family>:<father>:<initial>: a number for the family and father, and the initial.
        for position in range(len(ids)):
            g, f, fa = given[position], family[position], father[position]
            if not (g and f and fa):
                continue
            pair = f * stride + fa
            n = cache.get(pair)
            if n is None:
                prefix = ff_prefix(names[f], names[fa])
                n = cache[pair] = number(prefix) if len(prefix) < KEY_LENGTH else -1
            initial = ord(names[g][0][0])
            if n < 0 or initial >= 1 << 16:
                as_written(position)
            else:
                blocks[n << 16 | initial].append(position)
        return blocks, lambda key: key if isinstance(key, str) else texts[key >> 16] + chr(key & 0xFFFF)

    # wy:<word>:<year>:<initial> and wd:<word>:<date>: a number for the part before the year or
    # date (and after it), then the year or the date as yyyymmdd.
    wy = kind == "wy"
    for position in range(len(ids)):
        when = year[position] if wy else date[position]
        if not when:
            continue
        key = given[position] * stride + family[position]
        numbers = cache.get(key)
        if numbers is None:
            years, dates, _both, long = _name_keys(names[given[position]], names[family[position]])
            numbers = cache[key] = None if long else tuple(number(part) for part in (years if wy else dates))
        if numbers is None or when >= 10**8 or (wy and when >= 10**4):
            as_written(position)
        elif wy:
            for n in numbers:
                blocks[n * 10**4 + when].append(position)
        else:
            for n in numbers:
                blocks[n * 10**8 + when].append(position)

    def text(key):
        if isinstance(key, str):
            return key
        if wy:
            (before, after), when = texts[key // 10**4], key % 10**4
            return f"{before}{when}{after}"
        when = key % 10**8
        return texts[key // 10**8] + _iso_date(when // 10**4, when // 100 % 100, when % 100)

    return blocks, text


# The same comparisons for another engine ---------------------------------------------------------

def splink_row(pk, record):
    """One Record as the input row of splink_settings(): orthographic keys joined, the date in parts
    (month and day None for a year only or 1 January, as the score reads them)."""
    year_only = _is_year_only(record) if record.year else True
    return {"unique_id": pk, "given": "".join(record.given) or None, "family": "".join(record.family) or None,
            "father": "".join(record.father) or None, "year": record.year,
            "month": None if year_only else record.month, "day": None if year_only else record.day,
            "sex": record.sex or None, "place": record.place}


def _level(label, sql, bits):
    # Splink reads a level's weight as log2(m / u): any m and u in that ratio give these bits.
    m, u = (0.9, 0.9 / 2**bits) if bits >= 0 else (0.9 * 2**bits, 0.9)
    return {"sql_condition": sql, "label_for_charts": label, "m_probability": m, "u_probability": u}


def _null(column):
    return {"sql_condition": f'"{column}_l" IS NULL OR "{column}_r" IS NULL', "label_for_charts": MISSING,
            "is_null_level": True}


def _name_comparison(field):
    weights, c = NAME_WEIGHTS[field], field
    similar = f'jaro_winkler_similarity("{c}_l", "{c}_r")'
    return {"output_column_name": field, "comparison_levels": [
        _null(c),
        _level(EXACT, f'"{c}_l" = "{c}_r"', weights[EXACT]),
        _level(CLOSE, f'{similar} >= 0.92 OR (length("{c}_l") >= 5 AND damerau_levenshtein("{c}_l", "{c}_r") <= 1)',
               weights[CLOSE]),
        _level(SIMILAR, f'{similar} >= 0.85 OR damerau_levenshtein("{c}_l", "{c}_r") <= 1', weights[SIMILAR]),
        _level(DIFFERENT, "ELSE", weights[DIFFERENT]),
    ]}


def _birth_comparison():
    full = '"month_l" IS NOT NULL AND "month_r" IS NOT NULL'
    same = '"year_l" = "year_r" AND "month_l" = "month_r" AND "day_l" = "day_r"'
    slip = ('("year_l" = "year_r" AND "month_l" = "day_r" AND "day_l" = "month_r") OR ('
            'CAST("year_l" = "year_r" AS INTEGER) + CAST("month_l" = "month_r" AS INTEGER) '
            '+ CAST("day_l" = "day_r" AS INTEGER) = 2 AND ("year_l" = "year_r" '
            'OR damerau_levenshtein(CAST("year_l" AS VARCHAR), CAST("year_r" AS VARCHAR)) = 1))')
    gap = 'abs("year_l" - "year_r")'
    w = BIRTH_WEIGHTS
    return {"output_column_name": "date_of_birth", "comparison_levels": [
        _null("year"),
        _level("same date", f"{full} AND {same}", w["same date"]),
        _level("one slip", f"{full} AND ({slip})", w["one slip"]),
        _level("other date", f"{full} AND {gap} = 0", w["other date"]),
        _level("other date, years apart", f"{full} AND {gap} <= {MAX_YEAR_GAP}", w["other date, years apart"]),
        _level("same year", f"NOT ({full}) AND {gap} = 0", w["same year"]),
        _level("a year apart", f"NOT ({full}) AND {gap} = 1", w["a year apart"]),
        _level("2-3 years apart", f"NOT ({full}) AND {gap} <= {MAX_YEAR_GAP}", w["2-3 years apart"]),
        _level("far apart", "ELSE", w["far apart"]),
    ]}


def _exact_comparison(column, same, different):
    return {"output_column_name": column, "comparison_levels": [
        _null(column), _level("same", f'"{column}_l" = "{column}_r"', same), _level("different", "ELSE", different)]}


def splink_settings(blocking_rules=(), persons=None):
    """A Splink settings dictionary (link type dedupe_only) with this module's comparisons and
    weights, fixed, not trained: a batch on Splink's Spark or DuckDB backend scores as Homeward
    does, from one definition. Input rows: splink_row(). Approximations of SQL: name levels by
    Jaro-Winkler and one edit (not the phonetic key, part-of-name and crossed readings), and exact
    names weigh their table value, not their frequency. Even odds where Homeward has them for a
    registry of `persons` (NameFrequencies.even_odds_bits)."""
    even = max(EVEN_ODDS_BITS, math.log2(persons)) if persons else EVEN_ODDS_BITS
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": 1 / (1 + 2**even),
        "blocking_rules_to_generate_predictions": [{"blocking_rule": rule} for rule in blocking_rules],
        "comparisons": [_name_comparison("given"), _name_comparison("family"), _name_comparison("father"),
                        _birth_comparison(), _exact_comparison("sex", 1, -4), _exact_comparison("place", 2, -1)],
        "retain_matching_columns": True,
    }
