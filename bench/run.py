"""The search benchmark (issue 2): name search through the API and the household list page, with
20 concurrent clients on loopback, on SQLite and on PostgreSQL. Target: p95 under 150 ms, no errors.

    make bench                                   # 100,000 households, both databases
    .venv/bin/python bench/run.py --households 2000 --seconds 5      # a quick check

For each database: a fresh database (a file under bench/data/ for SQLite; a throw-away cluster for
PostgreSQL, removed at the end), `homeward migrate`, the synthetic registry (bench/generate.py),
users and search terms (bench/prepare.py), single-request query profiles (bench/profile.py), then
`homeward serve` and the load (bench/load.py) against each scenario.

A run at the full size (100,000 households) rewrites bench/RESULTS.md. A smaller run writes
bench/data/RESULTS-<N>.md instead, so a quick check never overwrites the real figures; --output
chooses another file.
"""

import argparse
import concurrent.futures
import contextlib
import datetime
import json
import os
import platform
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load, pg, report  # noqa: E402
from bench import results as results_file  # noqa: E402

BENCH = ROOT / "bench"
DATA = BENCH / "data"
PYTHON = ROOT / ".venv" / "bin" / "python"
HOMEWARD = ROOT / ".venv" / "bin" / "homeward"
FULL_SIZE = 100_000
TARGET_P95_MS = 150
SERVER_THREADS = 4  # `homeward serve`'s default: see its --threads


def log(message):
    print(f"[{datetime.datetime.now(datetime.UTC):%H:%M:%S}] {message}", flush=True)


def step(name, command, env, timings):
    started = time.monotonic()
    completed = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    timings[name] = time.monotonic() - started
    if completed.returncode != 0:
        raise RuntimeError(f"{name} failed ({shlex.join(map(str, command))}):\n{completed.stdout}\n{completed.stderr}")
    return completed.stdout


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env, port, log_path, workers):
    """`homeward serve`, as an operator would start it on this machine."""
    command = [str(HOMEWARD), "serve", "--port", str(port), "--threads", str(SERVER_THREADS),
               "--workers", str(workers)]
    out = open(log_path, "w")
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                               start_new_session=True)
    if not load.wait_until_up(port):
        stop_server(process)
        raise RuntimeError(f"the server did not start; see {log_path}")
    return process, command


def stop_server(process):
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def scenarios(prepared, think):
    """(name, paths, headers, count_hits, think seconds, context only) for each load scenario: the
    floor (the cheapest authenticated API request under the same load, to show what the server
    and the machine can do at all), the closed-loop scenarios the target is about, then (with
    think > 0) the caseworker's again with people who pause between searches."""
    terms = [t["q"] for t in prepared["terms"]]
    cookie = prepared["session_cookie"]

    def api(role):
        return load.api_paths(terms), {"Authorization": f"Bearer {prepared['users'][role]['token']}",
                                       "Accept": "application/json"}

    def page(role):
        return load.page_paths(terms), {"Cookie": f"{cookie}={prepared['users'][role]['session']}",
                                        "Accept": "text/html"}

    floor = ["/api/v1/programmes?limit=1"], api("caseworker")[1]
    out = [("Floor: API programme list, 1 item, caseworker", *floor, False, 0.0, True)]
    for role in ("caseworker", "admin"):
        out.append((f"API search, {role}", *api(role), True, 0.0, False))
        out.append((f"List page search, {role}", *page(role), False, 0.0, False))
    if think > 0:
        out.append((f"API search, caseworker, {think:g} s think time", *api("caseworker"), True, think, True))
        out.append((f"List page search, caseworker, {think:g} s think time", *page("caseworker"), False, think,
                    True))
    return out


def set_up(kind, url, args, env_base):
    """A migrated database with the synthetic registry, users, search terms and query profiles."""
    env = {**env_base, "DATABASE_URL": url}
    timings = {}
    section = {"database": kind, "url": url, "env": env, "timings": timings}
    log(f"{kind}: migrate")
    step("migrate", [HOMEWARD, "migrate", "--no-input", "-v", "0"], env, timings)
    if args.reuse and kind == "SQLite":
        section["generated"] = f"reused the registry generated by an earlier run ({args.households} households)"
    else:
        log(f"{kind}: generate {args.households} households")
        section["generated"] = step("generate", [PYTHON, BENCH / "generate.py", "--households", str(args.households)],
                                    env, timings).strip().splitlines()[-1]
    log(f"{kind}: {section['generated']}")
    prepared_path = DATA / f"prepared-{kind.lower()}.json"
    step("prepare", [PYTHON, BENCH / "prepare.py", "--output", prepared_path], env, timings)
    section["prepared"] = json.loads(prepared_path.read_text(encoding="utf-8"))
    return section


def measure(section, args):
    """Query profiles, then the load scenarios against `homeward serve`."""
    kind, env, prepared = section["database"], section["env"], section["prepared"]
    if not args.no_profile:
        log(f"{kind}: profile single requests")
        profile_path = DATA / f"profile-{kind.lower()}.json"
        step("profile", [PYTHON, BENCH / "profile.py", "--prepared", DATA / f"prepared-{kind.lower()}.json",
                         "--output", profile_path], env, section["timings"])
        section["profile"] = json.loads(profile_path.read_text(encoding="utf-8"))

    port = free_port()
    log(f"{kind}: serve on port {port}")
    server, command = start_server(env, port, DATA / f"serve-{kind.lower()}.log", args.workers)
    section["server"] = shlex.join(map(str, command)).replace(str(ROOT) + "/", "")
    results = []
    try:
        for name, paths, headers, count_hits, think, context in scenarios(prepared, args.think):
            log(f"{kind}: {name}: {args.clients} clients, {args.warmup:g} s warm-up + {args.seconds:g} s")
            result = load.run(name, port=port, paths=paths, headers=headers, clients=args.clients,
                              seconds=args.seconds, warmup=args.warmup, max_requests=args.requests,
                              count_hits=count_hits, think=think)
            summary = result.summary()
            summary["think"] = think
            summary["context"] = context
            summary["error_samples"] = result.error_samples
            results.append(summary)
            log(f"{kind}: {name}: {summary['requests']} requests, {summary['errors']} errors, "
                f"p50 {summary['p50_ms']:.0f} ms, p95 {summary['p95_ms']:.0f} ms, "
                f"{summary['throughput_rps']:.1f}/s")
    finally:
        stop_server(server)
    section["results"] = results
    del section["env"]
    return section


def loadavg():
    """The 1, 5 and 15 minute load averages: other work on the machine skews the figures."""
    return Path("/proc/loadavg").read_text().split()[:3]


def machine():
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")),
                 platform.processor() or "unknown")
    meminfo = Path("/proc/meminfo").read_text()
    mem_kb = next(int(line.split()[1]) for line in meminfo.splitlines() if line.startswith("MemTotal"))
    import sqlite3

    import django

    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)),
        "memory_gib": mem_kb / 1024 / 1024,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def main():
    parser = argparse.ArgumentParser(description="Search benchmark: API and list page under concurrent load.")
    parser.add_argument("--households", type=int, default=FULL_SIZE)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0, help="measured seconds per scenario")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds per scenario thrown away first")
    parser.add_argument("--requests", type=int, default=None, help="stop a scenario after this many requests")
    parser.add_argument("--databases", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument("--think", type=float, default=1.0,
                        help="also run the caseworker scenarios with this pause between a client's requests "
                             "(0: skip)")
    parser.add_argument("--pg-port", type=int, default=54331)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="`homeward serve --workers`: server processes (default: one per core)")
    parser.add_argument("--no-profile", action="store_true", help="skip the single-request query profiles")
    parser.add_argument("--output", type=Path, default=None)
    # Generating 100,000 households takes ~10 min; a re-measurement after a code change can start
    # from the SQLite registry of an earlier run (migrated first). Its figures go to bench/data/.
    parser.add_argument("--reuse", action="store_true", help="SQLite only: measure the registry of an earlier run")
    args = parser.parse_args()
    if args.households < 1 or args.clients < 1 or args.seconds <= 0 or args.warmup < 0:
        parser.error("--households and --clients must be positive, --seconds > 0, --warmup >= 0")
    wanted = [d.strip() for d in args.databases.split(",") if d.strip()]
    if not set(wanted) <= {"sqlite", "postgres"}:
        parser.error("--databases: only sqlite and postgres")
    if args.reuse:
        wanted = [d for d in wanted if d == "sqlite"]
    output = args.output or (BENCH / "RESULTS.md" if args.households == FULL_SIZE and not args.reuse
                             else DATA / f"RESULTS-{args.households}{'-reused' if args.reuse else ''}.md")

    DATA.mkdir(parents=True, exist_ok=True)
    env_base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env_base.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")
    env_base["HOMEWARD_DEBUG"] = "false"
    run = {
        "started": datetime.datetime.now(datetime.UTC),
        "command": shlex.join([".venv/bin/python", "bench/run.py", *sys.argv[1:]]),
        "args": vars(args),
        "machine": machine(),
        "target_p95_ms": TARGET_P95_MS,
        "sections": [],
        "skipped": [],
    }
    with contextlib.ExitStack() as stack:
        databases = []
        for kind in wanted:
            if kind == "sqlite":
                path = DATA / f"bench-{args.households}.sqlite3"
                if args.reuse and not path.exists():
                    parser.error(f"--reuse: no {path.relative_to(ROOT)} from an earlier run")
                for leftover in ([] if args.reuse else DATA.glob(f"{path.name}*")):
                    leftover.unlink()
                databases.append(("SQLite", f"sqlite:///{path}", run["machine"]["sqlite"]))
                continue
            reason = pg.missing_reason()
            if reason:
                log(f"PostgreSQL skipped: {reason}")
                run["skipped"].append(("PostgreSQL", reason))
                continue
            cluster = stack.enter_context(pg.Cluster(port=args.pg_port))
            log(f"PostgreSQL: throw-away cluster in {cluster.data}, port {cluster.port}")
            databases.append(("PostgreSQL", cluster.url, cluster.version()))
        # The databases are filled side by side (loading is the slow part), then measured one at
        # a time so that the measurements do not disturb each other.
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(databases) or 1) as pool:
            sections = list(pool.map(lambda d: set_up(d[0], d[1], args, env_base), databases))
        for section, (_kind, _url, version) in zip(sections, databases):
            section["version"] = version
            run["loadavg_before"] = run.get("loadavg_before") or loadavg()
            run["sections"].append(measure(section, args))
        run["loadavg_after"] = loadavg()
    run["finished"] = datetime.datetime.now(datetime.UTC)
    if output == results_file.PATH:
        results_file.write_section("search", report.markdown(run))
    else:
        output.write_text(report.markdown(run), encoding="utf-8")
    log(f"wrote {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")
    print(report.verdict(run).replace("**", ""))
    return 0

if __name__ == "__main__":
    sys.exit(main())
