"""bench/RESULTS.md from one run of bench/run.py."""

from collections import Counter

KIND_NAMES = {
    "family": "family name as written",
    "full": "given and family name",
    "plain": "without diacritics",
    "script": "in the other script (Latin ↔ Cyrillic)",
    "prefix": "a 3–5 letter prefix",
    "ref": "a household ref",
}


def ms(value):
    return "–" if value is None or value != value else f"{value:.0f}"


def verdict(run):
    # The target is about the closed-loop searches; the floor and think-time scenarios are context.
    results = [(s["database"], r) for s in run["sections"] for r in s["results"]
               if not (r.get("think") or r.get("context"))]
    if not results:
        return "**No scenario ran.**"
    target = run["target_p95_ms"]
    missed = [f"{db} / {r['scenario']} (p95 {ms(r['p95_ms'])} ms, {r['errors']} errors)"
              for db, r in results if r["errors"] or not r["p95_ms"] < target]
    if not missed:
        text = f"**Target met**: every scenario had p95 under {target} ms and no errors."
    else:
        text = f"**Target missed** (p95 under {target} ms, no errors) in: " + "; ".join(missed) + "."
    for name, reason in run["skipped"]:
        text += f" **{name} was skipped**: {reason}."
    return text


def results_table(section, target):
    lines = [
        "| scenario | requests | errors | p50 ms | p95 ms | p99 ms | max ms | req/s | API hits | mean KiB | p95 < target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|:-:|",
    ]
    for r in section["results"]:
        hits = "–" if r["hit_rate"] is None else f"{r['hit_rate']:.0%}"
        ok = "yes" if r["p95_ms"] < target and not r["errors"] else "**no**"
        if r.get("think") or r.get("context"):
            ok = f"({ok})"
        lines.append(f"| {r['scenario']} | {r['requests']} | {r['errors']} | {ms(r['p50_ms'])} | {ms(r['p95_ms'])} | "
                     f"{ms(r['p99_ms'])} | {ms(r['max_ms'])} | {r['throughput_rps']:.1f} | {hits} | "
                     f"{r['mean_kb']:.1f} | {ok} |")
    samples = [s for r in section["results"] for s in r.get("error_samples", [])]
    if samples:
        lines += ["", "Error samples:", ""] + [f"- `{s}`" for s in samples[:10]]
    return lines


def profile_lines(section):
    profile = section.get("profile")
    if not profile:
        return []
    lines = [
        "",
        "Single requests, one at a time, in-process (Django test client: middleware, view, SQL; no HTTP, "
        "no concurrency), over the first terms of the same mix:",
        "",
        "| scenario | requests | p50 ms | p95 ms | max ms | share in SQL | queries per request |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for p in profile:
        lines.append(f"| {p['scenario']} | {p['requests']} | {ms(p['p50_ms'])} | {ms(p['p95_ms'])} | "
                     f"{ms(p['max_ms'])} | {p['sql_share']:.0%} | {p['queries_per_request']:.1f} |")
    for p in profile:
        lines += ["", f"<details><summary>{section['database']}: costliest queries of “{p['scenario']}”"
                      f" (single requests)</summary>", ""]
        kinds = ", ".join(f"{k} {v['p50_ms']:.0f}/{v['max_ms']:.0f}" for k, v in sorted(p["by_kind"].items()))
        lines += [f"Request time by kind of term, p50/max ms: {kinds}.", ""]
        for q in p["costly_queries"]:
            lines += [
                f"- {q['count']} runs, mean {q['mean_ms']:.1f} ms, max {q['max_ms']:.1f} ms, "
                f"{q['share_of_request_time']:.0%} of request time:",
                "",
                "```sql",
                q["slowest_sql"],
                "```",
                "",
                "```",
                q["plan"],
                "```",
                "",
            ]
        lines.append("</details>")
    return lines


def markdown(run):
    m = run["machine"]
    args = run["args"]
    target = run["target_p95_ms"]
    out = [
        "# Search benchmark (issue 2)",
        "",
        "Written by `bench/run.py`; every run at the full size rewrites this section (smaller runs write "
        "`bench/data/RESULTS-<N>.md`). Earlier figures are in the Git history.",
        "",
        f"Target: with {args['clients']} concurrent clients on loopback, name search through the API and the "
        f"household list page answers with **p95 under {target} ms and no errors**, on SQLite and PostgreSQL.",
        "",
        verdict(run),
        "",
        "## Run",
        "",
        f"- Date: {run['started']:%Y-%m-%d %H:%M} – {run['finished']:%H:%M} UTC",
        f"- Command: `{run['command']}`",
        f"- Machine: {m['cpu']}, {m['cores']} cores ({m['usable_cores']} usable), "
        f"{m['memory_gib']:.1f} GiB memory (from /proc); Linux {m['kernel']}",
        f"- Software: Python {m['python']}, Django {m['django']}, SQLite {m['sqlite']}"
        + "".join(f", {s['version']}" for s in run["sections"] if s["database"] == "PostgreSQL"),
        f"- Load: {args['clients']} client threads in the benchmark process, each with its own keep-alive "
        f"connection to 127.0.0.1, sending its next request as soon as the last answer is read (closed loop, "
        f"no think time). Per scenario {args['warmup']:g} s of warm-up (not counted), then "
        f"{args['seconds']:g} s measured" + (f" or {args['requests']} requests" if args["requests"] else "")
        + ". The clients, the server and the database share the same machine's cores.",
        f"- Load average (1/5/15 min) before the first scenario {' '.join(run.get('loadavg_before') or [])}, "
        f"after the last {' '.join(run.get('loadavg_after') or [])}: other work on the machine "
        "takes CPU from the server.",
        "",
        "## What each figure measures",
        "",
        "- **requests**: requests started inside the measured window (warm-up excluded).",
        "- **errors**: answers other than 200, and failed or reset connections, inside the window.",
        "- **p50 / p95 / p99 / max**: latency in milliseconds of the successful requests, from sending the "
        "request to having read the whole response body, as the client sees it (queueing in the server included).",
        "- **req/s**: requests in the window divided by its length (throughput).",
        "- **API hits**: share of sampled API answers with `count` > 0 (checks that searches find people).",
        "- **mean KiB**: mean response body size.",
        "- **think time** scenarios (when present): the same 20 clients, but each pauses 0.5–1.5 × the "
        "think time after every answer, like people reading results; context only, the target is about "
        "the closed loop (verdict in parentheses).",
        "- **Floor**: `GET /api/v1/programmes?limit=1` with the caseworker's token under the same closed-loop "
        "load: the token, a count and one row, no search. What the server, Django and the machine do at "
        "best with 20 clients on these cores; context only (verdict in parentheses).",
        "- **API search**: `GET /api/v1/households?q=…&limit=25` with `Authorization: Bearer <token>` "
        "(count and first page of 25 households with members).",
        "- **List page search**: `GET /households/?q=…` with a logged-in session cookie (the full HTML page).",
        "- **caseworker**: a caseworker scoped to the municipalities "
        + ", ".join(run["sections"][0]["prepared"]["users"]["caseworker"]["scope"] if run["sections"] else [])
        + " (Prishtina district), so every query also runs the scoping filter; **admin** sees every household "
        "(no scoping filter, the largest result sets).",
        "",
    ]
    if run["sections"]:
        terms = run["sections"][0]["prepared"]["terms"]
        counts = Counter(t["kind"] for t in terms)
        out += ["## Search terms", "",
                f"{len(terms)} terms drawn from random generated persons; each client picks terms at random:", ""]
        for kind, n in counts.most_common():
            examples = ", ".join(f"`{t['q']}`" for t in [t for t in terms if t["kind"] == kind][:4])
            out.append(f"- {KIND_NAMES.get(kind, kind)}: {n / len(terms):.0%} (e.g. {examples})")
        out.append("")
    for section in run["sections"]:
        t = section["timings"]
        out += [
            f"## {section['database']}",
            "",
            f"- Data: {section['generated']} (`bench/generate.py`; bulk insert without audit rows, "
            "see its docstring)",
            f"- Set-up: migrate {t.get('migrate', 0):.0f} s, generate {t.get('generate', 0):.0f} s",
            f"- Server: `{section['server']}`",
            "",
        ]
        out += results_table(section, target)
        out += profile_lines(section)
        out.append("")
    for name, reason in run["skipped"]:
        out += [f"## {name}", "", f"Skipped: {reason}.", ""]
    return "\n".join(out) + "\n"
