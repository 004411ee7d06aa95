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


def score_blocks(blocks, records, frequencies=None, threshold=DEFAULT_THRESHOLD, *, block_limit=BLOCK_LIMIT,
                 skipped=None, progress=None, progress_every=2000, share=(0, 1)):
    """{(a, b): score} for every pair a < b sharing a block whose score reaches `threshold`.
    `blocks` yields (key, sorted ids), `records` maps id → Record. The one definition of the batch,
    used over the database (matching.candidates.registry_pairs) and in memory (find_pairs).
    `share` (k, n) scores only the pairs with (a + b) % n == k: n workers, each its share."""
    prune = threshold >= POSSIBLE
    part, parts = share
    found, seen = {}, set()
    for done, (key, ids) in enumerate(blocks, start=1):
        if progress and done % progress_every == 0:
            progress(done)
        if len(ids) > block_limit:
            if skipped:
                skipped(key, len(ids))
            continue
        for i, a in enumerate(ids):
            ra = records.get(a)
            if ra is None:
                continue
            for b in ids[i + 1 :]:
                if parts > 1 and (a + b) % parts != part:
                    continue
                rb = records.get(b)
                if rb is None:
                    continue
                if prune and ra.year and rb.year and abs(ra.year - rb.year) > MAX_YEAR_GAP:
                    continue  # can never reach "possible"
                # A pair sharing several keys is met in each of their blocks; the score is the same.
                if (a, b) in seen:
                    continue
                seen.add((a, b))
                value = compare(ra, rb, frequencies).score
                if value >= threshold:
                    found[(a, b)] = value
    return found


def find_pairs(records, extras=None, frequencies=None, threshold=DEFAULT_THRESHOLD, *, block_limit=BLOCK_LIMIT,
               skipped=None, workers=1):
    """score_blocks over blocks built in memory: `records` maps id → Record, `extras` id → (phones,
    documents) that only propose candidates. The batch without a database, for a file or a test."""
    from matching.keys import blocking_keys

    extras = extras or {}
    blocks = {}
    for pk in sorted(records):
        for key in blocking_keys(records[pk], *extras.get(pk, ((), ()))):
            blocks.setdefault(key, []).append(pk)
    if frequencies is None:
        frequencies = NameFrequencies.of_records(records.values())
    if workers <= 1:
        return score_blocks(iter(blocks.items()), records, frequencies, threshold, block_limit=block_limit,
                            skipped=skipped)
    import multiprocessing

    # Forked workers share the records and blocks read-only; each goes through every block and
    # scores its share of the pairs, so no pair is scored twice.
    global _SHARED
    _SHARED = (blocks, records, frequencies, threshold, block_limit, workers)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            found = {}
            for part in pool.map(_score_share, range(workers)):
                found.update(part)
    finally:
        _SHARED = None
    return found


_SHARED = None


def _score_share(worker):
    blocks, records, frequencies, threshold, block_limit, workers = _SHARED
    return score_blocks(iter(blocks.items()), records, frequencies, threshold, block_limit=block_limit,
                        share=(worker, workers))


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
