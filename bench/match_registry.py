"""`homeward match` over stored persons (issue 5, item 3): the batch as the command and the "match"
background job run it, reading a registry of 1,000,000 persons from the database.

    .venv/bin/python bench/match_registry.py                       # 1,000,000 persons, SQLite
    .venv/bin/python bench/match_registry.py --persons 100000      # a quick check
    .venv/bin/python bench/match_registry.py --reuse               # measure the last fill again

Data: the synthetic records of the duplicate detection benchmark (bench/match_data.py, seed 2026:
the same records bench/match.py matches in memory), stored in bench/data/match-registry-<N>.sqlite3:
each record a person in a household of its own (as if each registration came from a different
office), with its phone, identity document and municipality of origin (the place name as written,
looked up as Municipality.objects.lookup would). Bulk inserts, no audit rows. Then every person's
blocking keys are written, as `homeward match --rebuild-keys` does once after a bulk import.

Measured in a fresh process (`--child`): `homeward match --output FILE` through call_command, from
the command's start to the CSV written: persons read from the database, keys made in memory,
pairs scored in HOMEWARD_MATCH_WORKERS forked workers (2), labelled and written. Wall time,
processor time (the process and its workers, user and system) and peak memory (as bench/match.py
counts it: the process's VmHWM plus its largest worker's). Then the pairs are compared, one by one,
with those bench/match.py's in-memory run finds on the same records (`--child homeward`): the
command must find exactly the same.
"""

import argparse
import csv
import datetime
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.match import DATA, PYTHON, _cpu_seconds, log, loadavg, peak_mib, write_csv  # noqa: E402

HOMEWARD = ROOT / ".venv" / "bin" / "homeward"
FULL_SIZE = 1_000_000


def fill(rows):
    """Store each CSV row as a person in a household of its own: person id = rec_id + 1, ref R<rec_id>."""
    from django.db import connection, transaction

    from bench.match_data import place_index
    from homeward.text import plain
    from places.models import Country, Municipality

    index, pk_of = place_index(), dict(Municipality.objects.values_list("code", "pk"))
    kosovo = Country.objects.get(code="XK").pk
    now = datetime.datetime.now(datetime.UTC).isoformat(sep=" ")
    households, persons, documents = [], [], []
    for row in rows:
        pk = int(row["rec_id"]) + 1
        place = pk_of.get(index.get(plain(row["place"]))) if row["place"] else None
        households.append((pk, f"MH{pk - 1}", now, now, kosovo, place, place))
        persons.append((pk, f"R{pk - 1}", row["given_name"], row["family_name"], row["father_name"], row["sex"],
                        row["date_of_birth"] or None, int(row["birth_year"]) if row["birth_year"] else None,
                        row["phone"], now, now, pk))
        if row["document"]:
            documents.append((row["document"], pk))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO registry_household (id, version, ref, origin_place, current_place, accommodation, phone,"
            " notes, created_at, updated_at, current_country_id, origin_municipality_id,"
            " responsible_municipality_id) VALUES (%s, 1, %s, '', '', 'private', '', '', %s, %s, %s, %s, %s)",
            households)
        cursor.executemany(
            "INSERT INTO registry_person (id, version, ref, relationship, given_name, family_name, father_name,"
            " sex, date_of_birth, birth_year, displacement_status, phone, created_at, updated_at, household_id)"
            " VALUES (%s, 1, %s, 'head', %s, %s, %s, %s, %s, %s, 'idp', %s, %s, %s, %s)", persons)
        cursor.executemany("INSERT INTO registry_identitydocument (kind, number, person_id) VALUES ('other', %s, %s)",
                           documents)


def set_up(args, source, path):
    """A migrated SQLite with the records and their keys; returns (set-up seconds, keys seconds)."""
    started = time.monotonic()
    path.unlink(missing_ok=True)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}"}
    subprocess.run([str(HOMEWARD), "migrate", "--no-input", "-v", "0"], env=env, cwd=ROOT, check=True)
    os.environ["DATABASE_URL"] = env["DATABASE_URL"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")
    import django

    django.setup()
    from bench.match import read
    from bench.match_check import without_indexes
    from matching.keys import rebuild_keys

    fill(read(source))
    log("persons stored; writing their keys")
    keys_started = time.monotonic()
    with without_indexes("matching_matchkey"):
        rebuild_keys(batch_size=5000)
    return time.monotonic() - started, time.monotonic() - keys_started


def child(path, output):
    """`homeward match --output` in this process, timed."""
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    started, cpu = time.monotonic(), _cpu_seconds()
    call_command("match", output=str(output))
    seconds, cpu = time.monotonic() - started, _cpu_seconds() - cpu
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "peak_mib": peak_mib(),
                      "workers": settings.HOMEWARD_MATCH_WORKERS}))


def run_child(script, *arguments):
    completed = subprocess.run([str(PYTHON), str(script), *arguments], cwd=ROOT, capture_output=True, text=True)
    if completed.returncode != 0:
        raise SystemExit(f"{script} {arguments[0]} failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def pairs_of_command(path):
    """The command's CSV as {(rec_id a, rec_id b)}: refs are R<rec_id>."""
    with open(path, encoding="utf-8", newline="") as f:
        return {tuple(sorted((int(row["ref_a"][1:]), int(row["ref_b"][1:])))) for row in csv.DictReader(f)}


def pairs_of_file(path):
    with open(path) as f:
        return {tuple(sorted(map(int, line.split()))) for line in f}


def markdown(run):
    c, m = run["command_run"], run["memory_run"]
    same = run["same_pairs"]
    return "\n".join([
        "# `homeward match` over a stored registry (issue 5, item 3)",
        "",
        "Written by `bench/match_registry.py`: the batch as `homeward match` and the \"match\" job run it, "
        "reading the persons from the database. Not a target of its own: the duplicate detection "
        "benchmark's 60 s is about the matching (bench/match.py, records in memory); this shows what "
        "reading them from the registry adds, and that the command finds the same pairs.",
        "",
        "## Run",
        "",
        f"- Date: {run['started']} – {run['finished']} UTC",
        f"- Command: `{run['command']}`",
        f"- Machine: {run['machine']}",
        f"- Load average (1/5/15 min) before the command {run['load_before']}, after {run['load_after']}.",
        f"- Data: {run['persons']:,} persons (bench/match_data.py, seed {run['seed']}), each in a household of "
        f"its own, {run['keys']:,} blocking keys; "
        + ("stored by an earlier run (`--reuse`)." if run["reused"] else
           f"set-up {run['setup_s']:.0f} s, of which writing the keys {run['keys_s']:.0f} s (once, after a bulk "
           "import)."),
        "",
        "## What each figure measures",
        "",
        "- **homeward match**: `call_command(\"match\", output=…)` in a fresh process after Django's set-up, to "
        "the CSV written: the persons read from SQLite, their keys made in memory, the pairs scored in "
        f"{c['workers']} forked workers, labelled with refs and written. **processor s**: user and system time "
        "of the process and its workers. **peak MiB**: the process's VmHWM plus its largest worker's (the "
        "worker's figure counts the pages it shares with the process, so the sum is an upper bound).",
        "- **in memory**: bench/match.py's engine (`--child homeward`) on the same records read from the CSV "
        "file, for comparison.",
        "- **same pairs**: the command's pairs (refs back to record ids) equal the in-memory run's, pair by pair.",
        "",
        "| run | pairs | seconds | processor s | peak MiB |",
        "|---|---:|---:|---:|---:|",
        f"| homeward match | {c['pairs']:,} | {c['seconds']:.1f} | {c['cpu_seconds']:.1f} | {c['peak_mib']:.0f} |",
        f"| in memory (bench/match.py) | {m['pairs']:,} | {m['seconds']:.1f} | {m['cpu_seconds']:.1f} | "
        f"{m['peak_mib']:.0f} |",
        "",
        f"Same pairs: {'yes' if same else '**no**'}.",
        "",
    ])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", nargs=2, metavar=("SQLITE", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--persons", type=int, default=FULL_SIZE)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true", help="measure the filled database of an earlier run")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    if args.child:
        return child(*args.child)
    from bench.match import machine as match_machine
    from bench.match_data import synthetic

    DATA.mkdir(exist_ok=True)
    started = datetime.datetime.now(datetime.UTC)
    path, source = DATA / f"match-registry-{args.persons}.sqlite3", DATA / f"match-registry-{args.persons}.csv"
    log(f"drawing {args.persons:,} records")
    write_csv(synthetic(args.persons, args.seed), source)
    setup_s = keys_s = 0.0
    if not (args.reuse and path.exists()):
        log(f"storing them in {path.name}")
        setup_s, keys_s = set_up(args, source, path)
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")
        import django

        django.setup()
    from matching.models import MatchKey

    keys = MatchKey.objects.count()
    load_before = loadavg()
    log(f"homeward match (load {load_before})")
    command_csv, memory_pairs = DATA / "match-registry-command.csv", DATA / "match-registry-memory.pairs"
    command_run = run_child(__file__, "--child", str(path), str(command_csv))
    load_after = loadavg()
    log(f"  {json.dumps(command_run)}; in memory")
    memory_run = run_child(ROOT / "bench" / "match.py", "--child", "homeward", str(source), str(memory_pairs))
    found, expected = pairs_of_command(command_csv), pairs_of_file(memory_pairs)
    command_run["pairs"] = len(found)
    m = match_machine()
    run = {
        "started": f"{started:%Y-%m-%d %H:%M}", "finished": f"{datetime.datetime.now(datetime.UTC):%H:%M}",
        "command": " ".join([".venv/bin/python", "bench/match_registry.py", *sys.argv[1:]]),
        "machine": f"{m['cpu']}, {m['cores']} cores, {m['memory_gib']:.1f} GiB; Python {m['python']}, "
                   f"Django {m['django']}, SQLite {m['sqlite']}",
        "persons": args.persons, "seed": args.seed, "keys": keys, "reused": args.reuse and not setup_s, "setup_s": setup_s, "keys_s": keys_s,
        "load_before": load_before, "load_after": load_after, "command_run": command_run,
        "memory_run": memory_run, "same_pairs": found == expected,
    }
    text = markdown(run)
    from bench import results

    results.publish("match-registry", text, output=args.output, full=args.persons == FULL_SIZE,
                    small=DATA / f"RESULTS-match-registry-{args.persons}.md")
    for leftover in (command_csv, memory_pairs, source):
        leftover.unlink(missing_ok=True)
    print(text)


if __name__ == "__main__":
    main()
