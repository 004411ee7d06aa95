"""Where a search request spends its time: each scenario's requests run one at a time in-process
(Django's test client: the whole middleware and view, no HTTP, no concurrency), with every SQL
query captured and timed. Queries are grouped by shape (literals replaced by ?), and the costliest
shapes are EXPLAINed (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite).

Run by bench/run.py after prepare.py; writes JSON.
"""

import argparse
import json
import os
import re
import sys
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")
    import django

    django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")
IN_LISTS = re.compile(r"IN \((?:\?, )*\?\)")


def shape(sql):
    return IN_LISTS.sub("IN (…)", LITERALS.sub("?", sql))


def explain(sql):
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        rows = cursor.fetchall()
    if connection.vendor == "postgresql":
        return "\n".join(r[0] for r in rows)
    return "\n".join(f"{r[0]:>3} {r[1]:>3}  {r[-1]}" for r in rows)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))] if ordered else None


def profile(prepared, sample=60, top=4):
    terms = prepared["terms"][:sample]
    cookie = prepared["session_cookie"]
    scenarios = []
    for role in ("caseworker", "admin"):
        user = prepared["users"][role]
        api = Client(headers={"Authorization": f"Bearer {user['token']}"})
        page = Client()
        page.cookies[cookie] = user["session"]
        scenarios.append((f"API search, {role}", api, "/api/v1/households?{}", {"limit": 25}))
        scenarios.append((f"List page search, {role}", page, "/households/?{}", {}))

    out = []
    for name, client, template, extra in scenarios:
        client.get(template.format(urllib.parse.urlencode({"q": "warm", **extra})))  # imports, caches
        totals, per_kind, statuses = [], defaultdict(list), defaultdict(int)
        shapes = defaultdict(lambda: {"count": 0, "total_ms": 0.0, "max_ms": 0.0, "example": None, "max_sql": None})
        queries_per_request = []
        for t in terms:
            path = template.format(urllib.parse.urlencode({"q": t["q"], **extra}))
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                response = client.get(path)
                elapsed = (time.perf_counter() - began) * 1000
            statuses[response.status_code] += 1
            totals.append(elapsed)
            per_kind[t["kind"]].append(elapsed)
            queries_per_request.append(len(captured.captured_queries))
            for q in captured.captured_queries:
                s = shapes[shape(q["sql"])]
                ms = float(q["time"]) * 1000
                s["count"] += 1
                s["total_ms"] += ms
                if ms >= s["max_ms"]:
                    s["max_ms"], s["max_sql"] = ms, q["sql"]
                s["example"] = s["example"] or q["sql"]
        request_ms = sum(totals)
        ranked = sorted(shapes.items(), key=lambda kv: -kv[1]["total_ms"])
        costly = []
        for text, s in ranked[:top]:
            entry = {"shape": text, "count": s["count"], "total_ms": s["total_ms"],
                     "mean_ms": s["total_ms"] / s["count"], "max_ms": s["max_ms"],
                     "share_of_request_time": s["total_ms"] / request_ms if request_ms else 0.0,
                     "slowest_sql": s["max_sql"]}
            try:
                entry["plan"] = explain(s["max_sql"])
            except Exception as e:  # a plan is a help, not the point: keep the figures
                entry["plan"] = f"(EXPLAIN failed: {e})"
            costly.append(entry)
        sql_ms = sum(s["total_ms"] for s in shapes.values())
        out.append({
            "scenario": name,
            "requests": len(terms),
            "statuses": dict(statuses),
            "p50_ms": percentile(totals, 50), "p95_ms": percentile(totals, 95), "max_ms": max(totals),
            "mean_ms": request_ms / len(terms),
            "sql_share": sql_ms / request_ms if request_ms else 0.0,
            "queries_per_request": sum(queries_per_request) / len(queries_per_request),
            "by_kind": {k: {"n": len(v), "p50_ms": percentile(v, 50), "max_ms": max(v)} for k, v in per_kind.items()},
            "costly_queries": costly,
        })
    return out


def main():
    parser = argparse.ArgumentParser(description="Single-request query profiles of the search scenarios.")
    parser.add_argument("--prepared", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--sample", type=int, default=60)
    args = parser.parse_args()
    prepared = json.loads(Path(args.prepared).read_text(encoding="utf-8"))
    result = profile(prepared, sample=args.sample)
    Path(args.output).write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
