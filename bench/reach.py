"""The reach benchmark (issue 4): reach with every disaggregation and the whole results framework
of a programme with 1,000,000 persons and 3,000,000 deliveries, on SQLite and PostgreSQL.
Targets: the whole report under 2 s; a drill-down page under 300 ms.

    make bench                                                   # all benchmarks, full size
    .venv/bin/python bench/reach.py --persons 20000              # a quick check
    .venv/bin/python bench/reach.py --reuse --databases sqlite   # re-measure the last SQLite fill
    .venv/bin/python bench/reach.py --databases postgres --pg-url postgres://… --fill-only   # then --reuse

For each database: a fresh database (bench/data/reach-<N>.sqlite3; a throw-away PostgreSQL
cluster), `homeward migrate`, then this file again as a worker that

1. stores the records: synthetic households drawn as in the search benchmark (bench/generate.py,
   about 3.9 persons each, every community, sex, age and displacement status), the RRK programme
   with four phases, 3 deliveries per person on average of every household- and person-level
   type (85% delivered), a house detail with its milestones for each house, 400 activities with
   registered attendees, and a results framework of 12 indicators (persons and households
   assisted with their disaggregations, deliveries, value, houses handed over, trainings,
   activities, participants, community projects, a ratio and a manual indicator), each with a
   target for 2024, 2025 and 2026. Bulk inserts, no audit rows: nobody acted on these records.
2. measures, in-process, as the M&E officer (programme-wide figures):
   - **report**: what the results page and the API compute for one request: reach in total and
     by each of the five dimensions, and the whole framework (every indicator's actual, its
     three targets' actuals and its breakdowns), all phases included, as of 2026-06-30;
   - **drill-down**: the records behind an indicator, through Django's test client, as an
     administrator: the API (`GET /api/v1/programmes/RRK/results/{indicator}/records`) and the web
     page, first and 200th page, of "persons assisted" (everyone) and of the persons given a grant
     or a job placement (about one in twenty); and the web page of the results by municipality.
"""

import argparse
import datetime
import json
import os
import shlex
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.deliveries import HOMEWARD, PYTHON, log, machine, percentile  # noqa: E402

FULL_SIZE = 1_000_000
DELIVERIES_PER_PERSON = 3
TARGET_REPORT_S = 2.0
TARGET_DRILL_MS = 300
DATA = ROOT / "bench" / "data"
ON = datetime.date(2026, 6, 30)


# The worker: runs inside Django against one database -----------------------------------------

def fill(persons, seed):
    import random

    from django.db import connection, transaction

    from accounts.models import Role, User
    from activities.models import Activity, Attendance
    from assistance.models import (
        AssistanceType, Delivery, DeliveryStatus, HouseDetail, HouseMilestone, MILESTONE_ORDER, TrainingDetail,
    )
    from bench.generate import Registry
    from homeward import statistics
    from places.models import Municipality
    from programmes.models import Organisation, Programme
    from registry.models import Household, Person

    rng = random.Random(seed)
    started = time.monotonic()
    iom = Organisation.objects.create(name="International Organization for Migration", short_name="IOM",
                                      kind="implementing_agency")
    rrk = Programme.objects.create(code="RRK", name="EU Return and Reintegration in Kosovo",
                                   start_date=datetime.date(2017, 11, 11))
    phases = [Programme.objects.create(code=f"RRK-{n}", name=f"RRK phase {n}", parent=rrk)
              for n in ("III", "IV", "V", "VI")]
    registry = Registry(seed)
    written = 0
    n = 0
    while written < persons:
        drawn = []
        while written < persons and len(drawn) < 2000:
            n += 1
            household, members = registry.household(n)
            members = members[:persons - written]
            written += len(members)
            drawn.append((household, members))
        with transaction.atomic():
            Household.objects.bulk_create([h for h, _ in drawn])
            people = []
            for household, members in drawn:
                for person in members:
                    person.household_id = household.pk
                    people.append(person)
            Person.objects.bulk_create(people)
        if n % 50_000 < 2000:
            log(f"{written} persons, {time.monotonic() - started:.0f} s")
    members = {}
    for pk, household_id in Person.objects.values_list("pk", "household_id").iterator(chunk_size=20_000):
        members.setdefault(household_id, []).append(pk)
    household_ids = list(members)
    log(f"{len(household_ids)} households, {written} persons in {time.monotonic() - started:.0f} s")

    user = User.objects.create_user("bench-me", password="bench-password-not-secret", role=Role.ME)
    municipalities = list(Municipality.objects.values_list("pk", flat=True))
    types = list(AssistanceType.objects.exclude(sensitive=True).exclude(category="shelter"))
    weights = [8 if t.category == "package" else 3 if t.recipient == "person" else 1 for t in types]
    houses = list(AssistanceType.objects.filter(category="shelter"))
    statuses = [DeliveryStatus.DELIVERED] * 17 + [DeliveryStatus.PLANNED] * 2 + [DeliveryStatus.CANCELLED]
    first_day, days = datetime.date(2017, 11, 11), 3100
    total = persons * DELIVERIES_PER_PERSON
    batch = 20_000
    made = 0
    now = datetime.datetime.now(datetime.UTC)
    columns = ("version", "status", "date", "quantity", "value_eur", "notes", "override_reason", "created_at",
               "household_id", "partner_id", "person_id", "programme_id", "type_id")
    insert = (f"INSERT INTO assistance_delivery ({', '.join(columns)}) "
              f"VALUES ({', '.join(['%s'] * len(columns))})")
    phase_ids = [p.pk for p in phases]
    trainings = {t.pk for t in types if t.code in ("vocational_training", "business_training")}
    house_ids = [t.pk for t in houses]
    while made < total:
        rows = []
        for _ in range(min(batch, total - made)):
            household_id = rng.choice(household_ids)
            # A house is the rarest and largest assistance: about one delivery in 100.
            kind = None if rng.random() < 0.01 else rng.choices(types, weights)[0]
            person_id = rng.choice(members[household_id]) if kind is not None and kind.recipient == "person" else None
            rows.append((1, rng.choice(statuses), first_day + datetime.timedelta(days=rng.randrange(days)), 1,
                         rng.randrange(50, 30000), "", "", now, household_id, iom.pk, person_id,
                         rng.choice(phase_ids), kind.pk if kind is not None else rng.choice(house_ids)))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(insert, rows)
        made += len(rows)
        if (made // batch) % 25 == 0:
            log(f"{made} deliveries, {time.monotonic() - started:.0f} s")
    # Details for houses and trainings, milestones for houses: read back in one pass.
    details, courses, milestones = [], [], []
    for pk, type_id, status, date, value in (Delivery.objects.filter(type_id__in=[*house_ids, *trainings])
                                             .values_list("pk", "type_id", "status", "date", "value_eur")
                                             .iterator(chunk_size=20_000)):
        if type_id in trainings:
            done = rng.random() < 0.85
            courses.append(TrainingDetail(delivery_id=pk, course="Welding", provider="VTC", start_date=date,
                                          completed=done, certificate=done and rng.random() < 0.8))
            continue
        house = HouseDetail(delivery_id=pk, municipality_id=rng.choice(municipalities), site="Plot", cost_eur=value)
        details.append(house)
        reached = len(MILESTONE_ORDER) if status == DeliveryStatus.DELIVERED else 3
        for milestone in MILESTONE_ORDER[:reached]:
            milestones.append(HouseMilestone(house_id=pk, milestone=milestone, date=date, recorded_by=user))
            date += datetime.timedelta(days=rng.randint(15, 40))
    with transaction.atomic():
        HouseDetail.objects.bulk_create(details, batch_size=5000)
        TrainingDetail.objects.bulk_create(courses, batch_size=5000)
        HouseMilestone.objects.bulk_create(milestones, batch_size=5000)
    log(f"{len(details)} houses, {len(courses)} trainings, {time.monotonic() - started:.0f} s")

    kinds = ["training", "information_meeting", "workshop", "conference"]
    with transaction.atomic():
        activities = Activity.objects.bulk_create([
            Activity(type=kinds[i % 4], title=f"Activity {i}", date=first_day + datetime.timedelta(days=rng.randrange(days)),
                     programme=rng.choice(phases), municipality_id=rng.choice(municipalities),
                     participants_female=rng.randrange(20), participants_male=rng.randrange(20))
            for i in range(400)])
        attendance = []
        everyone = range(len(household_ids))
        for activity in activities:
            for i in rng.sample(everyone, 120):
                attendance.append(Attendance(activity=activity, person_id=members[household_ids[i]][0],
                                             attended=rng.random() < 0.9, certified=rng.random() < 0.3))
        Attendance.objects.bulk_create(attendance, batch_size=5000, ignore_conflicts=True)
    framework(rrk, user)
    statistics.refresh()  # as autovacuum (PostgreSQL) or the worker (SQLite) would soon after a bulk load
    return {"households": len(household_ids), "persons": written, "deliveries": Delivery.objects.count(),
            "fill_seconds": time.monotonic() - started}


def framework(programme, user):
    from assistance.models import AssistanceType
    from reports.models import Indicator, Level, ManualValue, Measure, Result, Target

    types = {t.code: t for t in AssistanceType.objects.all()}
    goal = Result.objects.create(programme=programme, level=Level.GOAL, code="1",
                                 statement="Sustainable return and reintegration")
    outcome = Result.objects.create(programme=programme, level=Level.OUTCOME, code="1.1", parent=goal,
                                    statement="Returnees live in adequate housing and earn an income")
    output = Result.objects.create(programme=programme, level=Level.OUTPUT, code="1.1.1", parent=outcome,
                                   statement="Houses, packages, grants and training delivered")
    every = ["municipality", "sex", "community", "displacement_status", "age_group"]
    rows = [
        ("P1", Measure.PERSONS_ASSISTED, (), every, outcome),
        ("P2", Measure.HOUSEHOLDS_ASSISTED, ("harmonized_package",), ["municipality"], outcome),
        ("P3", Measure.PERSONS_ASSISTED, ("income_generation_grant", "job_placement"), ["sex", "age_group"], output),
        ("D1", Measure.DELIVERIES, (), [], output),
        ("V1", Measure.VALUE_EUR, (), [], output),
        ("H1", Measure.HOUSES_HANDED_OVER, (), [], output),
        ("T1", Measure.PERSONS_TRAINED, ("vocational_training",), ["sex"], output),
        ("T2", Measure.PERSONS_CERTIFIED, ("vocational_training",), [], output),
        ("A1", Measure.ACTIVITIES, (), [], output),
        ("A2", Measure.ACTIVITY_PARTICIPANTS, (), [], output),
        ("C1", Measure.PROJECTS_COMPLETED, (), [], output),
        ("M1", Measure.MANUAL, (), [], goal),
    ]
    made = {}
    for i, (code, measure, type_codes, by, result) in enumerate(rows):
        indicator = Indicator.objects.create(programme=programme, result=result, code=code, name=f"{measure} {code}",
                                             unit="persons", measure=measure, disaggregations=by, position=i)
        indicator.assistance_types.set([types[c] for c in type_codes if c in types])
        made[code] = indicator
        for year in (2024, 2025, 2026):
            Target.objects.create(indicator=indicator, period_start=datetime.date(year, 1, 1),
                                  period_end=datetime.date(year, 12, 31), value=1000)
    ratio = Indicator.objects.create(programme=programme, result=output, code="R1", name="Share certified",
                                     unit="%", measure=Measure.RATIO, numerator=made["T2"], denominator=made["T1"])
    Target.objects.create(indicator=ratio, period_start=datetime.date(2026, 1, 1),
                          period_end=datetime.date(2026, 12, 31), value=80)
    ManualValue.objects.create(indicator=made["M1"], period_start=datetime.date(2025, 1, 1),
                               period_end=datetime.date(2025, 12, 31), value=38,
                               evidence="Municipal action plans, signed copies", recorded_by=user)


def build_tallies():
    """The running tallies the report reads (reports.tallies), built as `homeward tallies build RRK`
    builds them: each set not built yet. Returns {"sets", "built", "seconds", "longest_s"}."""
    from programmes.models import Programme
    from reports import tallies
    from reports.models import FigureCache

    # "counted" is a first count: no kept copy of the figures from an earlier run.
    FigureCache.objects.all().delete()
    # The bulk fill's writes went through the triggers: build_wanted takes its marks and its changes
    # to deliveries in first, not the first measured request.
    wanted, times = 0, []
    for parts, since, seconds in tallies.build_wanted(Programme.objects.get(code="RRK")):
        wanted += 1
        if seconds is not None:
            times.append(seconds)
            log(f"tallies {parts} from {since or 'the first record'}: {seconds:.1f} s")
    return {"sets": wanted, "built": len(times), "seconds": sum(times), "longest_s": max(times, default=0)}


def measure(samples):
    from django.test import Client

    from accounts.models import User
    from programmes.models import Programme
    from reports.models import DIMENSIONS
    from reports.reach import Basis, built_once, reach
    from reports.results import framework as compute_framework

    user = User.objects.get(username="bench-me")
    programme = Programme.objects.get(code="RRK")

    def report():
        # One request: its figures share their sets of direct beneficiaries, as a request's do
        # (reports.middleware).
        timings = {}
        start = time.perf_counter()
        with built_once():
            basis = Basis.of(user, programme, include_phases=True, on=ON)
            figures = {"total": reach(basis)}
            timings["reach total"] = time.perf_counter() - start
            for by in DIMENSIONS:
                t = time.perf_counter()
                figures[by] = reach(basis, by=by)
                timings[f"reach by {by}"] = time.perf_counter() - t
            t = time.perf_counter()
            figures["framework"] = compute_framework(programme, basis)
            timings["framework"] = time.perf_counter() - t
        timings["report"] = time.perf_counter() - start
        return figures, timings

    from reports.cache import enabled

    figures, counted = report()
    runs = [report()[1] for _ in range(samples)]
    parts = {key: [r[key] for r in runs] for key in runs[0]}

    # The drill-down lists the records the viewer may see: an administrator sees them all.
    admin = User.objects.filter(username="bench-admin").first() or User.objects.create_user(
        "bench-admin", password="bench-password-not-secret", role="admin")
    client = Client()
    client.force_login(admin)
    api = "/api/v1/programmes/RRK/results/{}/records?date=2026-06-30"
    web = "/programmes/RRK/results/{}/records/?date=2026-06-30"
    drill = {"records API, P1 (everyone)": api.format("P1"),
             "records API, P1, 200th page": api.format("P1") + "&offset=9950",
             "records API, P3 (1 in 20)": api.format("P3"),
             "records API, P3, 200th page": api.format("P3") + "&offset=9950",
             "records page, P1": web.format("P1"),
             "records page, P1, page 200": web.format("P1") + "&page=200",
             "records page, P3": web.format("P3"),
             "results page by municipality": "/programmes/RRK/results/?by=municipality&date=2026-06-30"}
    from jobs.runner import run_next

    drills, firsts = {}, {}
    for name, url in drill.items():
        times = []
        for i in range(max(5, samples * 4) + 1):
            t = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - t
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            if i:
                times.append(elapsed)
            else:
                # What the worker does meanwhile: a deep page queues the counting of its anchors.
                t = time.perf_counter()
                while run_next():
                    pass
                firsts[name] = (elapsed, time.perf_counter() - t)
        drills[name] = times
    total = figures["total"]
    return {"kept": enabled(),
            "report": {k: {"counted_s": counted[k], "median_s": percentile(v, 50), "max_s": max(v)}
                       for k, v in parts.items()},
            "drill": {k: {"calls": len(v), "first_ms": firsts[k][0] * 1000, "worker_ms": firsts[k][1] * 1000,
                          "p50_ms": percentile([x * 1000 for x in v], 50),
                          "p95_ms": percentile([x * 1000 for x in v], 95)} for k, v in drills.items()},
            "figures": {"households": total["households"], "direct": total["direct"], "indirect": total["indirect"],
                        "indicators": sum(len(n["indicators"]) for n in _nodes(figures["framework"]))}}


def _nodes(nodes):
    for node in nodes:
        yield node
        yield from _nodes(node["children"])


def worker(args):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")
    import django

    django.setup()
    result = {} if args.reuse else fill(args.persons, args.seed)
    if args.fill_only:
        print(json.dumps(result))
        return
    if args.reuse:
        from assistance.models import Delivery
        from registry.models import Household, Person

        result = {"households": Household.objects.count(), "persons": Person.objects.count(),
                  "deliveries": Delivery.objects.count(), "fill_seconds": None}
    result["tallies"] = build_tallies()
    result |= measure(args.samples)
    print(json.dumps(result))


# The driver -------------------------------------------------------------------------------------

def run_worker(kind, url, args, migrate=True):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"DATABASE_URL": url,
                                                                          "HOMEWARD_DEBUG": "false"}
    if migrate:
        log(f"{kind}: migrate")
        subprocess.run([HOMEWARD, "migrate", "--no-input", "-v", "0"], env=env, cwd=ROOT, check=True)
    log(f"{kind}: {'re-measure' if args.reuse else f'fill {args.persons} persons'}")
    command = [PYTHON, __file__, "--worker", "--persons", str(args.persons), "--samples", str(args.samples),
               "--seed", str(args.seed)] + (["--reuse"] if args.reuse else []) + (["--fill-only"] if args.fill_only else [])
    done = subprocess.run(command, env=env, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(run):
    lines = [
        "# Reach and results benchmark (issue 4)",
        "",
        f"Target: reach with all disaggregations and the whole results framework of a programme with "
        f"{FULL_SIZE:,} persons and {FULL_SIZE * DELIVERIES_PER_PERSON:,} deliveries **under {TARGET_REPORT_S:g} s**, "
        f"a drill-down page **under {TARGET_DRILL_MS} ms**, on SQLite and PostgreSQL.",
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
        "- **report**: one request's figures, in-process, as the M&E officer (programme-wide): reach in "
        "total, reach by each of municipality, sex, community, displacement status and age group, and the whole "
        "framework (13 indicators: each actual, each target period's actual, each breakdown), the programme and "
        "its four phases, as of 2026-06-30.",
        "- **counted**: the first request, with no kept copy of the figures: reach, persons and households "
        "assisted, persons trained and certified read from the running tallies (built before measuring, as "
        "`homeward tallies build` builds them); deliveries, value and quantity from the tallies of deliveries; "
        "the other indicators counted from the records. With a registry of 100,000 persons or more "
        "(reports/cache.py) the figures are then kept until a record changes; below that, counted on every "
        "request.",
        "- **kept**: the requests after it, median and worst: with a large registry the kept figures (nothing "
        "changed since, so they are exact); below it, counted again each time.",
        "- **drill-down**: one `GET` through Django's test client (no HTTP), as an administrator (who may see every "
        "record): the API's and the web page's first and 200th page (50 records each) of the persons behind "
        "\"persons assisted\" (P1, every person) and behind P3 (a grant or a job placement, about one person in "
        "twenty); with the figures kept, the number of records is the kept figure's and only the page is read. "
        "And the results web page with reach by municipality and the framework.",
        "- **first call**: the first `GET` of each drill-down, not in p50/p95; **worker after it**: the background "
        "jobs it queued, run as the worker would before the next call (a deep page of a large registry queues the "
        "counting of its page anchors, reports.indicators.anchors; until they are kept, deep pages are walked from "
        "the first record).",
        "",
    ]
    for section in run["sections"]:
        r = section["result"]
        fill = f" (filled in {r['fill_seconds']:.0f} s)" if r.get("fill_seconds") else " (an earlier fill, re-measured)"
        f = r["figures"]
        kept = r.get("tallies")
        if kept and kept["built"]:
            kept = (f"{kept['built']} of the report's {kept['sets']} sets built before measuring, in {kept['seconds']:.0f} s "
                    f"(the longest {kept['longest_s']:.0f} s)")
        elif kept:
            kept = f"all {kept['sets']} of the report's sets built in an earlier run"
        lines += [
            f"## {section['database']}",
            "",
            f"- {section['version']}; stored: {r['households']:,} households, {r['persons']:,} persons, "
            f"{r['deliveries']:,} deliveries{fill}",
            f"- Running tallies (reports/tallies.py, `homeward tallies build RRK`): {kept or 'none'}",
            f"- Figures computed: {f['households']:,} households, {f['direct']:,} direct and {f['indirect']:,} "
            f"indirect beneficiaries; {f['indicators']} indicators",
            "",
            f"- Figures kept (registry over the threshold): {'yes' if r['kept'] else 'no'}",
            "",
            "| part | counted s | kept, median s | kept, max s |",
            "|---|---:|---:|---:|",
        ]
        for name, m in r["report"].items():
            label = f"**{name}**" if name == "report" else name
            lines.append(f"| {label} | {m['counted_s']:.2f} | {m['median_s']:.3f} | {m['max_s']:.3f} |")
        lines += ["", "| drill-down | first call ms | worker after it ms | calls | p50 ms | p95 ms |",
                  "|---|---:|---:|---:|---:|---:|"]
        for name, m in r["drill"].items():
            lines.append(f"| {name} | {m['first_ms']:.0f} | {m['worker_ms']:.0f} | {m['calls']} | {m['p50_ms']:.0f} | "
                         f"{m['p95_ms']:.0f} |")
        lines.append("")
    return "\n".join(lines)


def verdict(run):
    missed = []
    for s in run["sections"]:
        r = s["result"]
        if not r["report"]["report"]["max_s"] < TARGET_REPORT_S:
            missed.append(f"{s['database']} report (worst {r['report']['report']['max_s']:.2f} s)")
        if not r["report"]["report"]["counted_s"] < TARGET_REPORT_S:
            missed.append(f"{s['database']} first count ({r['report']['report']['counted_s']:.1f} s)")
        for name, m in r["drill"].items():
            if not m["p95_ms"] < TARGET_DRILL_MS:
                missed.append(f"{s['database']} {name} (p95 {m['p95_ms']:.0f} ms)")
    text = "**Target met** everywhere." if not missed else "**Target missed** in: " + "; ".join(missed) + "."
    for name, reason in run["skipped"]:
        text += f" **{name} was skipped**: {reason}."
    return text


def main():
    parser = argparse.ArgumentParser(description="Reach and results framework benchmark.")
    parser.add_argument("--persons", type=int, default=FULL_SIZE)
    parser.add_argument("--samples", type=int, default=5, help="measured report runs")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--pg-port", type=int, default=54333)
    parser.add_argument("--reuse", action="store_true", help="SQLite only: re-measure the last fill of this size")
    parser.add_argument("--fill-only", action="store_true", help="fill the database, measure nothing (SQLite, "
                        "or PostgreSQL with --pg-url)")
    parser.add_argument("--pg-url", help="PostgreSQL: a database to keep instead of a throw-away cluster: "
                        "filled with --fill-only, re-measured with --reuse")
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.persons < 100 or args.samples < 1:
        parser.error("--persons must be at least 100 and --samples positive")
    if args.worker:
        return worker(args)

    import datetime as dt
    import sqlite3

    from bench import pg
    from bench import results as results_file

    DATA.mkdir(parents=True, exist_ok=True)
    run = {"started": dt.datetime.now(dt.UTC), "machine": machine(), "sections": [], "skipped": [],
           "command": shlex.join([".venv/bin/python", "bench/reach.py", *sys.argv[1:]]),
           "loadavg": Path("/proc/loadavg").read_text().split()[:3]}
    for kind in [d.strip() for d in args.databases.split(",") if d.strip()]:
        if kind == "sqlite":
            path = DATA / f"reach-{args.persons}.sqlite3"
            if args.reuse:
                if not path.exists():
                    parser.error(f"--reuse: {path} does not exist; run once without --reuse")
            else:
                for leftover in DATA.glob(f"{path.name}*"):
                    leftover.unlink()
            result = run_worker("SQLite", f"sqlite:///{path}", args, migrate=not args.reuse)
            if args.fill_only:
                log(f"filled {path}: {result}")
                return 0
            run["sections"].append({"database": "SQLite", "version": f"SQLite {sqlite3.sqlite_version}",
                                    "result": result})
        elif kind == "postgres" and args.pg_url:
            result = run_worker("PostgreSQL", args.pg_url, args, migrate=not args.reuse)
            if args.fill_only:
                log(f"filled {args.pg_url}: {result}")
                return 0
            import psycopg

            with psycopg.connect(args.pg_url) as connection:
                version = connection.execute("SHOW server_version").fetchone()[0]
            run["sections"].append({"database": "PostgreSQL", "version": f"PostgreSQL {version}", "result": result})
        elif kind == "postgres":
            if args.reuse:
                run["skipped"].append(("PostgreSQL", "--reuse keeps no PostgreSQL cluster"))
                continue
            reason = pg.missing_reason()
            if reason:
                run["skipped"].append(("PostgreSQL", reason))
                continue
            with pg.Cluster(port=args.pg_port) as cluster:
                result = run_worker("PostgreSQL", cluster.url, args)
                run["sections"].append({"database": "PostgreSQL", "version": cluster.version(), "result": result})
        else:
            parser.error(f"--databases: unknown {kind!r} (sqlite, postgres)")
    run["finished"] = dt.datetime.now(dt.UTC)
    text = report(run)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    elif args.persons == FULL_SIZE:
        # One section per database: a run on one database (or a re-measure of an earlier SQLite
        # fill) leaves the other's figures as they were.
        for section in run["sections"]:
            alone = {**run, "sections": [section], "skipped": []}
            results_file.write_section(f"reach-{section['database'].lower()}", report(alone))
    else:
        (DATA / f"RESULTS-reach-{args.persons}{'-reused' if args.reuse else ''}.md").write_text(text, encoding="utf-8")
    print(verdict(run).replace("**", ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
