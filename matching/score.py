"""How alike two person records are: a deterministic score from 0 to 1.

Each field is compared at a few levels, and each level adds or removes evidence, counted in bits
(a Fellegi-Sunter match weight, log2 of how much more often the level is seen between two records
of one person than between two different people, set by hand from how registrations in Kosovo go
wrong). The total W becomes a score with 1 / (1 + 2^-(W - 14)): 14 bits of evidence make even
odds, 0.5. The score is symmetric, in 0..1, and only the fields below count.

| field          | exact | close | similar | different | missing |
|----------------|-------|-------|---------|-----------|---------|
| family name    |  +8   |  +5   |  +1.5   |    -8     |    0    |
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
A different family name is not conclusive (marriage), a different given name nearly is.

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

import functools
import math
from dataclasses import dataclass

from matching.keys import phonetic

EVEN_ODDS_BITS = 14
LIKELY = 0.9
POSSIBLE = 0.5
DEFAULT_THRESHOLD = POSSIBLE

EXACT, CLOSE, SIMILAR, DIFFERENT, MISSING = "exact", "close", "similar", "different", "missing"
NAME_WEIGHTS = {
    "family": {EXACT: 8, CLOSE: 5, SIMILAR: 1.5, DIFFERENT: -8, MISSING: 0},
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
        for j in range(max(0, i - window), min(len(b), i + window + 1)):
            if not taken[j] and b[j] == c:
                taken[j] = True
                matched_a.append(c)
                break
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
    """True when one letter was replaced, added, dropped, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :] or (a[i : i + 2] == b[i : i + 2][::-1] and a[i + 2 :] == b[i + 2 :])
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    return longer[i + 1 :] == shorter[i:]


@functools.lru_cache(maxsize=500_000)
def name_level(a, b):
    """Compare two names given as tuples of orthographic words."""
    if not a or not b:
        return MISSING
    ja, jb = "".join(a), "".join(b)
    if ja == jb or sorted(a) == sorted(b):
        return EXACT
    similarity = jaro_winkler(ja, jb)
    slip = one_edit(ja, jb)
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


def birth_weight(a, b):
    if not a.year or not b.year:
        return MISSING, 0
    gap = abs(a.year - b.year)
    if not (_is_year_only(a) or _is_year_only(b)):
        # Both full dates: the same person's records agree, or differ by one slip. Two unrelated
        # full dates are strong evidence of two people, whatever the years.
        if (a.year, a.month, a.day) == (b.year, b.month, b.day):
            return "same date", 8
        if _one_slip(a, b):
            return "one slip", 4
        if gap <= MAX_YEAR_GAP:
            return "other date", -3 if gap == 0 else -5
        return "far apart", FAR_APART
    if gap == 0:
        return "same year", 3
    if gap == 1:
        return "a year apart", -1
    if gap <= MAX_YEAR_GAP:
        return "2-3 years apart", -4
    return "far apart", FAR_APART


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

    @classmethod
    def of_records(cls, records):
        from collections import Counter

        counts = Counter()
        for r in records:
            counts["given", "".join(r.given)] += 1
            counts["family", "".join(r.family)] += 1
        return cls(dict(counts), len(records))

    def exact_bits(self, role, key):
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


def _names(a, b, frequencies):
    straight = [("given", name_level(a.given, b.given), a.given, b.given),
                ("family", name_level(a.family, b.family), a.family, b.family)]
    straight = [(f, level, _bits(f, level, x, y, frequencies)) for f, level, x, y in straight]
    crossed = [(name_level(x, y), x, y) for x, y in ((a.given, b.family), (a.family, b.given))]
    crossed = sorted((level, _crossed_bits(level, x, y, frequencies)) for level, x, y in crossed)
    if sum(bits for _level, bits in crossed) - SWAP_PENALTY > sum(bits for _f, _level, bits in straight):
        return [(field, f"{level}, swapped", bits - SWAP_PENALTY / 2)
                for field, (level, bits) in zip(("given", "family"), crossed)]
    return straight


def compare(a, b, frequencies=None):
    """Compare two matching.keys.Record values; `frequencies` (NameFrequencies) weighs exact names."""
    fields = _names(a, b, frequencies)
    level = name_level(a.father, b.father)
    fields.append(("father", level, NAME_WEIGHTS["father"][level]))
    fields.append(("date_of_birth", *birth_weight(a, b)))
    if a.sex and b.sex:
        fields.append(("sex", "same" if a.sex == b.sex else "different", 1 if a.sex == b.sex else -4))
    if a.place and b.place:
        fields.append(("origin", "same" if a.place == b.place else "different", 2 if a.place == b.place else -1))
    total = sum(bits for _f, _level, bits in fields)
    return Comparison(tuple(fields), round(_logistic(total - EVEN_ODDS_BITS), 4))


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
