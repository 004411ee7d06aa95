"""The delivery benchmark (issue 3): recording one delivery, the double-assistance guard included,
with 1,000,000 deliveries already stored. Target: p95 under 50 ms on SQLite and on PostgreSQL.

    make bench                                                   # all benchmarks, full size
    .venv/bin/python bench/deliveries.py --deliveries 20000      # a quick check

For each database: a fresh database (bench/data/deliveries-<N>.sqlite3; a throw-away PostgreSQL
cluster), `homeward migrate`, then this file again as a worker that

1. stores the history: households (one delivery history each, over 4 deliveries on average), one
   head per household, and N deliveries across the RRK programme and its phases, of every
   household- and person-level type, 85% delivered, 10% planned, 5% cancelled. Written with
   bulk_create, without status rows or audit rows: the guard reads neither;
2. records new deliveries one at a time, as a caseworker's save does: first through
   `assistance.actions.record_delivery` (the transaction, the household lock, the guard, the
   delivery, its status row and its audit row), then through `POST /api/v1/assistance` in-process
   (Django's test client: authentication, parsing, scoping, the same action, the JSON reply).
   Types are drawn so that the guard finds earlier deliveries of a blocked category (a second
   house: refused, nothing written), of a warned one (a second package), and of none.

The figure is the time of one call, from the call to its return, on an otherwise idle process.
"""

import argparse
import datetime
import json
import os
import platform
import random
import shlex
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FULL_SIZE = 1_000_000
TARGET_P95_MS = 50
BENCH = ROOT / "bench"
DATA = BENCH / "data"
PYTHON = ROOT / ".venv" / "bin" / "python"
HOMEWARD = ROOT / ".venv" / "bin" / "homeward"

# Types recorded in the measured calls, with weights: what a caseworker records most.
MEASURED = [("harmonized_package", 3), ("house_construction", 2), ("income_generation_grant", 1),
            ("vocational_training", 2), ("transport", 1), ("job_placement", 1)]


def log(message):
    print(f"[{datetime.datetime.now(datetime.UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))]


# The worker: runs inside Django against one database -----------------------------------------

def fill(deliveries, seed):
    from django.db import connection, transaction

    from assistance.models import AssistanceType, Delivery, DeliveryStatus
    from places.models import Country, Municipality
    from programmes.models import Organisation, Programme
    from registry.models import Household, Person

    rng = random.Random(seed)
    households = max(1, deliveries // 4)
    kosovo = Country.objects.get(code="XK")
    municipalities = list(Municipality.objects.values_list("pk", flat=True))
    iom = Organisation.objects.create(name="International Organization for Migration", short_name="IOM",
                                      kind="implementing_agency")
    rrk = Programme.objects.create(code="RRK", name="EU Return and Reintegration in Kosovo")
    phases = [Programme.objects.create(code=f"RRK-{n}", name=f"RRK phase {n}", parent=rrk)
              for n in ("III", "IV", "V", "VI")]
    types = list(AssistanceType.objects.exclude(sensitive=True))
    weights = [8 if t.category == "package" else 3 if t.recipient == "person" else 1 for t in types]
    statuses = [DeliveryStatus.DELIVERED] * 17 + [DeliveryStatus.PLANNED] * 2 + [DeliveryStatus.CANCELLED]
    started = time.monotonic()
    batch = 5000
    for first in range(0, households, batch):
        with transaction.atomic():
            made = Household.objects.bulk_create([
                Household(ref=f"BD-{n:07d}", current_country=kosovo, responsible_municipality_id=rng.choice(municipalities),
                          current_municipality_id=rng.choice(municipalities))
                for n in range(first, min(first + batch, households))])
            Person.objects.bulk_create([
                Person(household=h, ref=f"{h.ref}-1", relationship="head", given_name="Agim", family_name="Krasniqi",
                       sex="M", birth_year=1970, displacement_status="returnee") for h in made])
    heads = dict(Person.objects.values_list("household_id", "pk"))
    household_ids = list(heads)
    log(f"{len(household_ids)} households in {time.monotonic() - started:.0f} s")
    start_day = datetime.date(2017, 1, 1)
    for first in range(0, deliveries, batch):
        rows = []
        for _ in range(min(batch, deliveries - first)):
            kind = rng.choices(types, weights)[0]
            household_id = rng.choice(household_ids)
            rows.append(Delivery(
                programme=rng.choice(phases), household_id=household_id,
                person_id=heads[household_id] if kind.recipient == "person" else None, type=kind,
                status=rng.choice(statuses), date=start_day + datetime.timedelta(days=rng.randrange(3500)),
                value_eur=Decimal(rng.randrange(50, 30000)), partner=iom))
        with transaction.atomic():
            Delivery.objects.bulk_create(rows)
        if (first // batch) % 40 == 0:
            log(f"{first + len(rows)} deliveries, {time.monotonic() - started:.0f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would within a minute of a bulk load
    return {"households": len(household_ids), "deliveries": Delivery.objects.count(),
            "fill_seconds": time.monotonic() - started}


def measure(samples, seed):
    from django.test import Client

    from accounts.models import ApiToken, User
    from assistance.actions import GuardBlocked, record_delivery
    from assistance.models import AssistanceType, Delivery
    from programmes.models import Programme
    from registry.models import Household, Person

    rng = random.Random(seed + 1)
    user = User.objects.create_user("bench-caseworker", role="admin")
    token = ApiToken.issue(user, label="bench")
    programme = Programme.objects.get(code="RRK-VI")
    types = {t.code: t for t in AssistanceType.objects.all()}
    codes = [c for c, _ in MEASURED]
    weights = [w for _, w in MEASURED]
    heads = list(Person.objects.values_list("pk", "household_id"))
    today = datetime.date.today()
    out = {}

    def draw():
        code = rng.choices(codes, weights)[0]
        person_id, household_id = rng.choice(heads)
        return types[code], person_id, household_id

    # 1. The action, as the web form calls it.
    timings, outcomes = [], {"recorded": 0, "warned": 0, "blocked": 0}
    for _ in range(samples):
        kind, person_id, household_id = draw()
        person = Person.objects.get(pk=person_id) if kind.recipient == "person" else None
        household = None if person else Household.objects.get(pk=household_id)
        began = time.perf_counter()
        try:
            _, warnings = record_delivery(acting_user=user, programme=programme, type=kind, household=household,
                                          person=person, date=today, status="delivered", value_eur=Decimal(500),
                                          via="bench")
            outcomes["warned" if warnings else "recorded"] += 1
        except GuardBlocked:
            outcomes["blocked"] += 1
        timings.append(time.perf_counter() - began)
    out["action"] = summary(timings) | outcomes

    # 2. The API, in-process.
    client = Client(headers={"Authorization": f"Bearer {token}"})
    timings, outcomes = [], {"201": 0, "409": 0, "other": 0}
    for _ in range(samples):
        kind, person_id, household_id = draw()
        body = {"programme": programme.code, "type": kind.code, "status": "delivered", "date": today.isoformat(),
                "quantity": 1, "value_eur": 500,
                "household": None if kind.recipient == "person" else household_id,
                "person": person_id if kind.recipient == "person" else None}
        began = time.perf_counter()
        response = client.post("/api/v1/assistance", json.dumps(body), content_type="application/json")
        timings.append(time.perf_counter() - began)
        key = str(response.status_code)
        outcomes[key if key in outcomes else "other"] += 1
        if key not in ("201", "409"):
            log(f"API answered {response.status_code}: {response.content[:300]!r}")
    out["api"] = summary(timings) | outcomes
    out["deliveries_after"] = Delivery.objects.count()
    return out


def summary(timings):
    ms = [t * 1000 for t in timings]
    return {"calls": len(ms), "p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95),
            "p99_ms": percentile(ms, 99), "max_ms": max(ms, default=float("nan"))}


def worker(args):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")
    import django

    django.setup()
    result = fill(args.deliveries, args.seed)
    result |= measure(args.samples, args.seed)
    print(json.dumps(result))


# The driver: one fresh database per engine, the worker in it, the report ----------------------

def run_worker(kind, url, args):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"DATABASE_URL": url,
                                                                          "HOMEWARD_DEBUG": "false"}
    log(f"{kind}: migrate")
    subprocess.run([HOMEWARD, "migrate", "--no-input", "-v", "0"], env=env, cwd=ROOT, check=True)
    log(f"{kind}: fill {args.deliveries} deliveries, then {args.samples} measured calls per path")
    done = subprocess.run([PYTHON, __file__, "--worker", "--deliveries", str(args.deliveries), "--samples",
                           str(args.samples), "--seed", str(args.seed)], env=env, cwd=ROOT, check=True,
                          stdout=subprocess.PIPE, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(run):
    target = TARGET_P95_MS
    lines = [
        "# Delivery benchmark (issue 3)",
        "",
        f"Target: recording a delivery, the double-assistance guard included, with {FULL_SIZE:,} deliveries stored: "
        f"**p95 under {target} ms** on SQLite and PostgreSQL.",
        "",
        verdict(run),
        "",
        "## Run",
        "",
        f"- Date: {run['started']:%Y-%m-%d %H:%M} – {run['finished']:%H:%M} UTC",
        f"- Command: `{run['command']}`",
        f"- Machine: {run['machine']}",
        f"- Load average (1/5/15 min) when measuring started: {' '.join(run['loadavg'])}",
        "",
        "## What each figure measures",
        "",
        "- **action**: one call of `assistance.actions.record_delivery` (what the web form calls): the transaction, "
        "the household row lock, the guard's look-up of earlier deliveries of the same category in every "
        "programme and phase, the insert, its status row and its audit row; in-process, one at a time.",
        "- **API**: one `POST /api/v1/assistance` through Django's test client (no HTTP): token authentication, "
        "body parsing, the scoped look-up of the household or person, the same action and the JSON reply.",
        "- **recorded / warned / blocked** (API: 201 / 409): what the guard decided; a blocked call writes nothing "
        "and counts in the timings like the others.",
        "- p50 / p95 / p99 / max: milliseconds per call.",
        "",
    ]
    for section in run["sections"]:
        r = section["result"]
        lines += [
            f"## {section['database']}",
            "",
            f"- {section['version']}; stored: {r['households']:,} households, {r['deliveries']:,} deliveries "
            f"(filled in {r['fill_seconds']:.0f} s, bulk insert without status or audit rows)",
            "",
            "| path | calls | p50 ms | p95 ms | p99 ms | max ms | outcomes | p95 < target |",
            "|---|---:|---:|---:|---:|---:|---|:-:|",
        ]
        for name, key, outcome_keys in (("action", "action", ("recorded", "warned", "blocked")),
                                         ("API", "api", ("201", "409", "other"))):
            m = r[key]
            outcomes = ", ".join(f"{k} {m[k]}" for k in outcome_keys)
            ok = "yes" if m["p95_ms"] < target else "**no**"
            lines.append(f"| {name} | {m['calls']} | {m['p50_ms']:.1f} | {m['p95_ms']:.1f} | {m['p99_ms']:.1f} | "
                         f"{m['max_ms']:.1f} | {outcomes} | {ok} |")
        lines.append("")
    return "\n".join(lines)


def verdict(run):
    missed = [f"{s['database']} {path} (p95 {s['result'][key]['p95_ms']:.1f} ms)"
              for s in run["sections"] for path, key in (("action", "action"), ("API", "api"))
              if not s["result"][key]["p95_ms"] < TARGET_P95_MS]
    text = ("**Target met** on every path." if not missed else "**Target missed** in: " + "; ".join(missed) + ".")
    for name, reason in run["skipped"]:
        text += f" **{name} was skipped**: {reason}."
    return text


def machine():
    import sqlite3

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal")) / 1024 / 1024
    return (f"{cpu}, {os.cpu_count()} cores, {mem:.1f} GiB; Linux {platform.release()}; "
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")


def main():
    parser = argparse.ArgumentParser(description="Delivery benchmark: record_delivery with a large history.")
    parser.add_argument("--deliveries", type=int, default=FULL_SIZE)
    parser.add_argument("--samples", type=int, default=400, help="measured calls per path")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--pg-port", type=int, default=54332)
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.deliveries < 1 or args.samples < 1:
        parser.error("--deliveries and --samples must be positive")
    if args.worker:
        return worker(args)

    from bench import pg
    from bench import results as results_file

    DATA.mkdir(parents=True, exist_ok=True)
    run = {"started": datetime.datetime.now(datetime.UTC), "machine": machine(), "sections": [], "skipped": [],
           "command": shlex.join([".venv/bin/python", "bench/deliveries.py", *sys.argv[1:]]),
           "loadavg": Path("/proc/loadavg").read_text().split()[:3]}
    wanted = [d.strip() for d in args.databases.split(",") if d.strip()]
    for kind in wanted:
        if kind == "sqlite":
            path = DATA / f"deliveries-{args.deliveries}.sqlite3"
            for leftover in DATA.glob(f"{path.name}*"):
                leftover.unlink()
            import sqlite3

            result = run_worker("SQLite", f"sqlite:///{path}", args)
            run["sections"].append({"database": "SQLite", "version": f"SQLite {sqlite3.sqlite_version}",
                                    "result": result})
        elif kind == "postgres":
            reason = pg.missing_reason()
            if reason:
                run["skipped"].append(("PostgreSQL", reason))
                continue
            with pg.Cluster(port=args.pg_port) as cluster:
                result = run_worker("PostgreSQL", cluster.url, args)
                run["sections"].append({"database": "PostgreSQL", "version": cluster.version(), "result": result})
        else:
            parser.error(f"--databases: unknown {kind!r} (sqlite, postgres)")
    run["finished"] = datetime.datetime.now(datetime.UTC)
    text = report(run)
    results_file.publish("deliveries", text, output=args.output, full=args.deliveries == FULL_SIZE,
                         small=DATA / f"RESULTS-deliveries-{args.deliveries}.md")
    print(verdict(run).replace("**", ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
