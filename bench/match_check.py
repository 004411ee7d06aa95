"""The registration check benchmark (issue 5, item 2): how long `POST /api/v1/persons/match` takes to
answer with 1,000,000 persons stored. Target: p95 under 50 ms.

    .venv/bin/python bench/match_check.py                     # SQLite, 1,000,000 persons
    .venv/bin/python bench/match_check.py --persons 500000 --checks 200      # a quick check

Data: a copy of the search benchmark's SQLite (bench/data/bench-100000.sqlite3: 100,000 households,
about 389,000 persons; made by `make bench` when missing), never the file itself. The copy is
migrated and filled up to --persons with households copied in SQL (new refs) whose members take
their given name, date of birth and place from other persons: new people with the registry's names,
not copies. Then every person's blocking keys and the name frequencies are written
(matching.keys.rebuild_keys, as `homeward match --rebuild-keys` does).

Checks: --checks sequential calls of what the API view does, parse_query and candidates.check, in
this process (no HTTP, so the figure is the server's work, without the 1-2 ms of a loopback
request). Half the queries are stored persons registered again by another partner
(bench/match_data.py: another spelling or script, slips, year only, another place name), half are new
people drawn from the same name pools. Each query runs as the bench admin (sees everyone) and as the
bench caseworker (scoped to the Prishtina district, so most candidates are outside scope and the
audit rule of matching.candidates writes rows).
"""

import argparse
import contextlib
import datetime
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / "bench" / "data"
SOURCE = DATA / "bench-100000.sqlite3"
PYTHON = ROOT / ".venv" / "bin" / "python"
TARGET_P95_MS = 50


def log(message):
    print(f"[{datetime.datetime.now(datetime.UTC):%H:%M:%S}] {message}", flush=True)


def fill(persons):
    """Copy households (and members, recombined) until `persons` persons are stored."""
    from django.db import connection, transaction

    from registry.models import Person

    have = Person.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(id) FROM registry_household")
        households = cursor.fetchone()[0]
        cursor.execute("SELECT MAX(id) FROM registry_person")
        last_person = cursor.fetchone()[0]
    copy = 0
    while have < persons:
        copy += 1
        h_offset, p_offset = copy * households, copy * last_person
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO registry_household (id, version, ref, origin_place, current_place, accommodation, phone,"
                " notes, created_at, updated_at, current_country_id, current_municipality_id,"
                " origin_municipality_id, responsible_municipality_id, responsible_organisation_id)"
                " SELECT h.id + %s, 1, h.ref || '-C' || %s, '', '', h.accommodation, '', '', h.created_at,"
                " h.updated_at, h.current_country_id, h.current_municipality_id, o.origin_municipality_id,"
                " h.responsible_municipality_id, h.responsible_organisation_id"
                " FROM registry_household h JOIN registry_household o ON o.id = (h.id * 7 + %s) %% %s + 1"
                " WHERE h.id <= %s",
                [h_offset, copy, copy * 13, households, households])
            # Given name, date of birth and birth year from another person of the same sex: a new
            # person, not a duplicate of a stored one.
            cursor.execute(
                "INSERT INTO registry_person (id, version, ref, relationship, given_name, family_name, father_name,"
                " sex, date_of_birth, birth_year, displacement_status, phone, created_at, updated_at,"
                " community_id, household_id)"
                " SELECT p.id + %s, 1, p.ref || '-C' || %s, p.relationship, q.given_name, p.family_name,"
                " p.father_name, p.sex, q.date_of_birth, q.birth_year, p.displacement_status, '', p.created_at,"
                " p.updated_at, p.community_id, p.household_id + %s"
                " FROM registry_person p JOIN registry_person q ON q.id = (p.id * 31 + %s) %% %s + 1"
                " WHERE p.id <= %s",
                [p_offset, copy, h_offset, copy * 101, last_person, last_person])
        have = Person.objects.count()
    with connection.cursor() as cursor:
        # Persons beyond the target are removed from the end (their keys are not written yet).
        cursor.execute("SELECT id FROM registry_person ORDER BY id LIMIT 1 OFFSET %s", [persons - 1])
        cursor.execute("DELETE FROM registry_person WHERE id > %s", [cursor.fetchone()[0]])
    return Person.objects.count()


@contextlib.contextmanager
def without_indexes(table):
    """Drop the table's indexes for a bulk load and build them again after (SQLite): sorting once
    is much faster than inserting ten million keys into a B-tree one by one."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                       [table])
        indexes = cursor.fetchall()
        for name, _sql in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for _name, sql in indexes:
                cursor.execute(sql)
            cursor.execute("ANALYZE")


def queries(n, seed):
    """n query dicts (the API's wire fields): stored persons registered again, and new people."""
    from bench.match_data import Synthetic
    from places.models import Municipality
    from registry.models import Person

    draw = Synthetic(seed)
    rng = draw.rng
    codes = dict(Municipality.objects.values_list("pk", "code"))
    top = Person.objects.order_by("-pk").values_list("pk", flat=True).first()
    out = []
    while len(out) < n:
        if len(out) % 2 == 0:
            person = (Person.objects.filter(pk__gte=rng.randrange(1, top)).select_related("household")
                      .order_by("pk").first())
            day = person.date_of_birth or datetime.date(person.birth_year or 1980, 6, 15)
            origin = codes.get(person.household.origin_municipality_id) or "M01"
            truth = {"given_name": person.given_name, "family_name": person.family_name,
                     "father_name": person.father_name, "sex": person.sex, "date_of_birth": day,
                     "origin": origin, "current": origin, "phone": ""}
            kind = "existing"
        else:
            truth = rng.choice(draw.household())
            kind = "new"
        r = draw.registration(truth, careful=False)
        out.append((kind, {"given_name": r["given_name"], "family_name": r["family_name"],
                           "father_name": r["father_name"], "sex": r["sex"],
                           "date_of_birth": r["date_of_birth"] or (str(r["birth_year"]) if r["birth_year"] else ""),
                           "origin_municipality": r["place"], "phone": r["phone"]}))
    return out


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def measure(args):
    from accounts.models import User
    from matching.candidates import check, parse_query

    users = {role: User.objects.get(username=f"bench-{role}") for role in ("admin", "caseworker")}
    drawn = queries(args.checks, args.seed)
    rows = []
    for role, user in users.items():
        for warm in drawn[:20]:  # warm the caches and SQLite's pages; not counted
            check(user, parse_query(warm[1], []), via="bench")
        for kind, data in drawn:
            started = time.perf_counter()
            errors = []
            query = parse_query(data, errors)
            result = check(user, query, via="bench") if not errors else None
            ms = (time.perf_counter() - started) * 1000
            rows.append({"role": role, "kind": kind, "ms": ms, "errors": bool(errors),
                         "found": len(result.candidates) if result else 0})
    return rows


def summary(rows):
    out = []
    for role in dict.fromkeys(r["role"] for r in rows):
        for kind in ("existing", "new", "all"):
            sel = [r for r in rows if r["role"] == role and (kind == "all" or r["kind"] == kind)]
            ms = [r["ms"] for r in sel]
            out.append({"role": role, "kind": kind, "checks": len(sel), "p50": percentile(ms, 50),
                        "p95": percentile(ms, 95), "p99": percentile(ms, 99), "max": max(ms),
                        "mean": statistics.fmean(ms), "hits": sum(r["found"] > 0 for r in sel) / len(sel)})
    return out


def markdown(run):
    lines = [
        "# Registration check benchmark (issue 5, item 2)",
        "",
        f"Written by `bench/match_check.py`. Target: the duplicate check answers with **p95 under "
        f"{TARGET_P95_MS} ms with 1,000,000 persons stored**.",
        "",
    ]
    alls = [s for s in run["summary"] if s["kind"] == "all"]
    for s in alls:
        verdict = "met" if s["p95"] < TARGET_P95_MS and run["persons"] >= 1_000_000 else "**missed**"
        lines.append(f"- {run['database']}, {s['role']}: p95 {s['p95']:.1f} ms: {verdict}")
    lines += [
        "",
        "## Run",
        "",
        f"- Date: {run['started']} – {run['finished']} UTC",
        f"- Command: `{run['command']}`",
        f"- Machine: {run['machine']}",
        f"- Load average (1/5/15 min) before the checks {run['load_before']}, after {run['load_after']}.",
        f"- Data: {run['persons']:,} persons in {run['households']:,} households, {run['keys']:,} blocking keys "
        f"(a copy of bench/data/{run['source']} filled up in SQL; set-up {run['setup_s']:.0f} s, of which "
        f"writing the keys {run['keys_s']:.0f} s with the key table's indexes dropped during the load and built "
        "again after).",
        "",
        "## What each figure measures",
        "",
        "- One **check** is what `POST /api/v1/persons/match` does after authentication: "
        "matching.candidates.parse_query (with the municipality look-up) and matching.candidates.check "
        "(keys, candidate query, scoring, the scoping query, and for the caseworker the audit row when a "
        "person outside scope comes close), measured in this process with time.perf_counter; no HTTP.",
        "- Checks run one after another (no concurrency); 20 warm-up checks per user are not counted.",
        "- **existing**: a stored person registered again (another spelling or script, slips, year only, "
        "another place name); **new**: a person drawn from the same name pools, most often not stored.",
        "- **hits**: share of checks that showed at least one candidate to the user.",
        "",
        "| database | user | queries | checks | p50 ms | p95 ms | p99 ms | max ms | mean ms | hits |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in run["summary"]:
        lines.append(f"| {run['database']} | {s['role']} | {s['kind']} | {s['checks']} | {s['p50']:.1f} | "
                     f"{s['p95']:.1f} | {s['p99']:.1f} | {s['max']:.1f} | {s['mean']:.1f} | {s['hits']:.0%} |")
    return "\n".join(lines) + "\n"


def prepare(source, path):
    """Copy the search benchmark's SQLite to `path` and migrate the copy."""
    if not source.exists():
        raise SystemExit(f"{source} is missing: run `make bench` (bench/run.py) first.")
    shutil.copyfile(source, path)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}"}
    subprocess.run([str(ROOT / ".venv" / "bin" / "homeward"), "migrate", "--no-input", "-v", "0"], env=env,
                   cwd=ROOT, check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--checks", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--source", type=Path, default=SOURCE, help="the SQLite to copy")
    parser.add_argument("--reuse", action="store_true", help="use the filled copy of an earlier run")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    path = DATA / f"match-check-{args.persons}.sqlite3"
    started = datetime.datetime.now(datetime.UTC)
    t0 = time.monotonic()
    if not (args.reuse and path.exists()):
        log(f"copying {args.source.name} to {path.name} and migrating")
        prepare(args.source, path)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")
    import django

    django.setup()
    from matching.keys import rebuild_keys
    from matching.models import MatchKey
    from registry.models import Household, Person

    keys_s = 0.0
    if not (args.reuse and MatchKey.objects.exists()):
        log("filling")
        fill(args.persons)
        log(f"{Person.objects.count()} persons; writing keys")
        k0 = time.monotonic()
        with without_indexes("matching_matchkey"):
            rebuild_keys(batch_size=5000)
        keys_s = time.monotonic() - k0
    setup_s = time.monotonic() - t0
    from bench.run import loadavg, machine

    m = machine()
    load_before = " ".join(loadavg())
    log(f"checking (load {load_before})")
    rows = measure(args)
    run = {
        "started": f"{started:%Y-%m-%d %H:%M}", "finished": f"{datetime.datetime.now(datetime.UTC):%H:%M}",
        "command": " ".join([".venv/bin/python", "bench/match_check.py", *sys.argv[1:]]),
        "machine": f"{m['cpu']}, {m['cores']} cores, {m['memory_gib']:.1f} GiB; Python {m['python']}, "
                   f"Django {m['django']}, SQLite {m['sqlite']}",
        "database": "SQLite", "source": args.source.name, "persons": Person.objects.count(),
        "households": Household.objects.count(),
        "keys": MatchKey.objects.count(), "setup_s": setup_s, "keys_s": keys_s,
        "load_before": load_before, "load_after": " ".join(loadavg()), "summary": summary(rows),
    }
    text = markdown(run)
    from bench import results

    results.publish("match-check", text, output=args.output, full=args.persons >= 1_000_000 and args.checks >= 1000,
                    small=DATA / "RESULTS-match-check.md")
    print(text)


if __name__ == "__main__":
    main()
