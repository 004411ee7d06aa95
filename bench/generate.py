"""A synthetic registry for the benchmark: N households (about 3.9 persons each) with Albanian,
Serbian (Latin and Cyrillic), Roma/Ashkali/Egyptian, Bosniak, Gorani and Turkish names, spread over
Kosovo's 38 municipalities and the places displaced families live abroad.

Written fast with bulk_create in batches, one transaction per batch, straight into Household, Person
and PersonToken. This deliberately bypasses registry.actions, so no audit rows are written: the rows
are invented, nobody acted on a real person, and an audit trail of a synthetic load would only
slow it down and bloat the table. Tokens come from Person.name_tokens(), exactly as
registry.actions.write_tokens writes them, so search sees these rows as it sees real ones.

    DATABASE_URL=sqlite:////abs/bench.sqlite3 .venv/bin/python bench/generate.py --households 2000
"""

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")
    import django

    django.setup()

from django.db import connection, transaction  # noqa: E402

from bench import names  # noqa: E402
from homeward import statistics  # noqa: E402
from homeward.text import to_cyrillic  # noqa: E402
from places.models import Community, Country, Municipality  # noqa: E402
from registry.models import Household, Person, PersonToken  # noqa: E402

REF_PREFIX = "BH"

# Share of households by community (community code, name pool, weight).
COMMUNITIES = [
    ("ALB", names.ALBANIAN, 52), ("SRB", names.SERBIAN, 25), ("ROM", names.RAE, 6), ("ASH", names.RAE, 6),
    ("EGY", names.RAE, 4), ("BOS", names.BOSNIAK, 3), ("GOR", names.GORANI, 2), ("TUR", names.TURKISH, 2),
]
RAE_CODES = {"ROM", "ASH", "EGY"}

# Where each community's households come from: municipality code → weight, on top of a small
# base weight that puts some households in every one of the 38 municipalities.
HOMES = {
    "ALB": {"M01": 12, "M23": 8, "M28": 6, "M33": 5, "M16": 5, "M09": 5, "M19": 5, "M02": 4, "M14": 3, "M15": 3,
            "M25": 3, "M27": 3, "M22": 3, "M03": 3, "M04": 3, "M05": 3, "M29": 2, "M35": 2, "M20": 2, "M17": 2,
            "M18": 2, "M06": 2, "M24": 2, "M30": 1, "M34": 1, "M32": 1, "M21": 1},
    "SRB": {"M10": 10, "M11": 6, "M12": 5, "M13": 5, "M07": 6, "M31": 4, "M36": 2, "M37": 2, "M38": 2, "M08": 3,
            "M01": 1, "M04": 1, "M06": 1, "M16": 1, "M17": 1, "M18": 1, "M23": 1, "M34": 1},
    "RAE": {"M05": 8, "M06": 5, "M19": 6, "M28": 5, "M23": 4, "M16": 4, "M09": 5, "M04": 3, "M07": 2, "M10": 2,
            "M33": 2},
    "BOS": {"M23": 5, "M16": 4, "M17": 3, "M09": 2, "M10": 2},
    "GOR": {"M24": 10},
    "TUR": {"M26": 5, "M23": 5, "M01": 1},
}
BASE_WEIGHT = 0.15

STATUSES = {
    "ALB": {"returnee": 45, "avrr": 20, "repatriated": 25, "host": 8, "asylum_seeker": 2},
    "SRB": {"idp": 45, "returnee": 35, "refugee": 15, "host": 5},
    "RAE": {"idp": 30, "returnee": 25, "repatriated": 25, "refugee": 10, "avrr": 8, "asylum_seeker": 2},
    "other": {"returnee": 50, "repatriated": 30, "idp": 20},
}
REFUGE_COUNTRIES = ["RS", "RS", "RS", "ME", "MK"]
ASYLUM_COUNTRIES = ["DE", "DE", "CH", "FR", "SE", "BE", "AT"]
NORTH = ["M10", "M11", "M12", "M13"]

# Household sizes 1..8 and how often each occurs (mean about 3.9).
SIZES = [1, 2, 3, 4, 5, 6, 7, 8]
SIZE_WEIGHTS = [10, 15, 18, 22, 16, 10, 6, 3]
THIS_YEAR = 2026


def zipf_weights(n, s=0.9):
    return [1 / (rank + 1) ** s for rank in range(n)]


class Registry:
    """Draws households; all randomness comes from one seeded generator, so a size and a seed
    always give the same registry (and the load test draws the same names)."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.municipalities = {m.code: m.pk for m in Municipality.objects.all()}
        self.countries = {c.code: c.pk for c in Country.objects.filter(code__in=["XK", *REFUGE_COUNTRIES,
                                                                                  *ASYLUM_COUNTRIES])}
        self.communities = {c.code: c.pk for c in Community.objects.all()}
        self.community_codes = [c[0] for c in COMMUNITIES]
        self.community_weights = [c[2] for c in COMMUNITIES]
        self.pools = {c[0]: c[1] for c in COMMUNITIES}
        self.pool_weights = {
            id(pool): {part: zipf_weights(len(pool[part]), 0.9 if part == "family" else 0.5)
                       for part in ("male", "female", "family")}
            for pool in (c[1] for c in COMMUNITIES)
        }
        codes = sorted(self.municipalities)
        self.homes = {}
        for group, extra in HOMES.items():
            self.homes[group] = (codes, [BASE_WEIGHT + extra.get(c, 0) for c in codes])

    def pick(self, pool, part):
        return self.rng.choices(pool[part], self.pool_weights[id(pool)][part])[0]

    def weighted(self, table):
        keys = list(table)
        return self.rng.choices(keys, [table[k] for k in keys])[0]

    def place(self, group, status):
        """(origin municipality, current country, current municipality) codes."""
        codes, weights = self.homes[group if group in self.homes else "ALB"]
        origin = self.rng.choices(codes, weights)[0]
        if status == "refugee":
            return origin, self.rng.choice(REFUGE_COUNTRIES), None
        if status == "asylum_seeker":
            return origin, self.rng.choice(ASYLUM_COUNTRIES), None
        if status == "idp":
            if group == "SRB" and self.rng.random() < 0.6:
                return origin, "RS", None  # displaced to Serbia proper
            if group == "SRB":
                return origin, "XK", self.rng.choice(NORTH)
            return origin, "XK", self.rng.choices(codes, weights)[0]
        return origin, "XK", origin

    def birth(self, year):
        """(date_of_birth, birth_year): many people know only the year."""
        year = min(max(year, 1925), THIS_YEAR - 1)
        if self.rng.random() < 0.3:
            return None, year
        day = datetime.date(year, 1, 1) + datetime.timedelta(days=self.rng.randrange(365))
        return day, year

    def household(self, n):
        rng = self.rng
        community = rng.choices(self.community_codes, self.community_weights)[0]
        group = "RAE" if community in RAE_CODES else community
        pool = self.pools[community]
        cyrillic = community == "SRB" and rng.random() < 0.5
        status = self.weighted(STATUSES.get(group, STATUSES["other"]))
        origin, country, current = self.place(group, status)
        ref = f"{REF_PREFIX}-{n:07d}"
        household = Household(
            ref=ref,
            origin_municipality_id=self.municipalities[origin],
            current_country_id=self.countries[country],
            current_municipality_id=self.municipalities[current] if current else None,
            responsible_municipality_id=self.municipalities[current or origin],
            accommodation=rng.choice(["private", "private", "rented", "host_family", "collective_centre"]),
        )

        size = rng.choices(SIZES, SIZE_WEIGHTS)[0]
        family = self.pick(pool, "family")
        head_sex = "M" if rng.random() < 0.8 else "F"
        head_year = int(rng.triangular(1940, 1998, 1975))
        head_given = self.pick(pool, "male" if head_sex == "M" else "female")
        grandfather = self.pick(pool, "male")
        members = [("head", head_given, family, grandfather if rng.random() < 0.6 else "", head_sex, head_year)]
        if size >= 2 and rng.random() < 0.85:
            sex = "F" if head_sex == "M" else "M"
            spouse_family = family if rng.random() < 0.9 else self.pick(pool, "family")
            members.append(("spouse", self.pick(pool, "male" if sex == "M" else "female"), spouse_family,
                            self.pick(pool, "male") if rng.random() < 0.5 else "", sex,
                            head_year + rng.randint(-3, 8)))
        father = head_given if head_sex == "M" else ""
        while len(members) < size:
            roll = rng.random()
            if roll < 0.08 and head_year > 1960:
                members.append(("parent", self.pick(pool, "female"), family, "", "F", head_year - rng.randint(20, 35)))
                continue
            relationship = "grandchild" if roll < 0.13 and head_year < 1965 else "child"
            sex = rng.choice("MF")
            offset = rng.randint(40, 60) if relationship == "grandchild" else rng.randint(18, 42)
            members.append((relationship, self.pick(pool, "male" if sex == "M" else "female"), family,
                            father, sex, head_year + offset))

        persons = []
        community_id = self.communities[community]
        for i, (relationship, given, fam, father_name, sex, year) in enumerate(members, start=1):
            if cyrillic:
                given, fam, father_name = to_cyrillic(given), to_cyrillic(fam), to_cyrillic(father_name)
            dob, birth_year = self.birth(year)
            persons.append(Person(
                ref=f"{ref}-{i}", relationship=relationship, given_name=given, family_name=fam,
                father_name=father_name, sex=sex, date_of_birth=dob, birth_year=birth_year,
                community_id=community_id, displacement_status=status,
            ))
        return household, persons


def generate(households, *, seed=2026, batch=2000, verbose=False):
    """Write `households` synthetic households; returns (households, persons, tokens) written."""
    if Household.objects.filter(ref=f"{REF_PREFIX}-{1:07d}").exists():
        raise SystemExit("This database already holds a synthetic registry; generate into a fresh one.")
    registry = Registry(seed)
    token_cache = {}
    totals = [0, 0, 0]
    started = time.monotonic()
    for first in range(1, households + 1, batch):
        drawn = [registry.household(n) for n in range(first, min(first + batch, households + 1))]
        with transaction.atomic():
            Household.objects.bulk_create([h for h, _ in drawn])
            persons = []
            for household, members in drawn:
                for person in members:
                    person.household_id = household.pk
                    persons.append(person)
            Person.objects.bulk_create(persons)
            tokens = []
            for person in persons:
                key = (person.given_name, person.family_name, person.father_name)
                if key not in token_cache:
                    token_cache[key] = [t[:100] for t in person.name_tokens()]
                tokens.extend(PersonToken(person_id=person.pk, household_id=person.household_id, token=t)
                              for t in token_cache[key])
            PersonToken.objects.bulk_create(tokens, batch_size=5000)
        totals[0] += len(drawn)
        totals[1] += len(persons)
        totals[2] += len(tokens)
        if verbose:
            print(f"  {totals[0]:>7} households, {totals[1]:>7} persons, {totals[2]:>8} tokens"
                  f"  {time.monotonic() - started:6.1f} s", file=sys.stderr, flush=True)
    # Fresh planner statistics, as autovacuum (PostgreSQL) or the worker (SQLite) would gather
    # soon after a bulk load.
    statistics.refresh()
    if connection.vendor == "postgresql" and not connection.in_atomic_block:  # (a test's transaction: no VACUUM)
        # And the visibility map, which autovacuum also sets within a minute of a table growing by a
        # fifth (PostgreSQL 13+): without it an index-only scan (the search index of households)
        # reads every row's page again to learn whether the row is visible.
        with connection.cursor() as cursor:
            for table in ("registry_household", "registry_person", "registry_persontoken", "registry_householdtoken"):
                cursor.execute(f"VACUUM {table}")
    return tuple(totals)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--batch", type=int, default=2000)
    args = parser.parse_args()
    started = time.monotonic()
    h, p, t = generate(args.households, seed=args.seed, batch=args.batch, verbose=True)
    print(f"generated {h} households, {p} persons, {t} tokens in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
