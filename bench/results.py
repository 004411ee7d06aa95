"""bench/RESULTS.md holds one section per benchmark. A run rewrites only its own section, so the
figures of different benchmarks may come from different days: each section says when, where and
with which command it was measured."""

import re
from pathlib import Path

PATH = Path(__file__).resolve().parent / "RESULTS.md"
TITLE = "# Benchmark results"
HEADER = f"""{TITLE}

Written by the benchmarks in `bench/` (`make bench` runs them all). Each section is rewritten by its
own benchmark and says when, on which machine and with which command its figures were measured.
Earlier figures are in the Git history.
"""


def demote(markdown):
    """One heading level down, so that a benchmark's report sits under the file's title."""
    return re.sub(r"^(#+) ", r"#\1 ", markdown, flags=re.M)


def _block(name, markdown):
    return f"<!-- bench:{name} -->\n{demote(markdown).strip()}\n<!-- /bench:{name} -->"


def write_section(name, markdown, path=PATH):
    begin, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    if not text.startswith(TITLE):
        # The search benchmark once wrote the whole file: keep its figures as its section.
        text = HEADER + ("\n" + _block("search", text) + "\n" if text.startswith("# Search benchmark") else "")
    block = _block(name, markdown)
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def publish(name, markdown, *, output=None, full=False, small=None):
    """Where a benchmark's report goes: `output` when given; its section of RESULTS.md for a run
    at full size; else the file `small` under bench/data/, so a quick check never overwrites the
    real figures."""
    if output:
        output.write_text(markdown, encoding="utf-8")
    elif full:
        write_section(name, markdown)
    else:
        small.parent.mkdir(exist_ok=True)
        small.write_text(markdown, encoding="utf-8")
