"""`homeward match [--threshold T] [--output FILE]` (contract section 2): likely duplicates in the whole registry."""

import csv

from django.core.management.base import BaseCommand, CommandError

from matching.candidates import BLOCK_LIMIT, registry_pairs
from matching.score import DEFAULT_THRESHOLD, LIKELY


class _Verbatim:
    """The command's stdout without the newline Django's wrapper adds to every write (csv ends its own lines)."""

    def __init__(self, out):
        self.out = out

    def write(self, text):
        self.out.write(text, ending="")


class Command(BaseCommand):
    help = (f"Find duplicate persons in the whole registry and write CSV ref_a,ref_b,score, best first. "
            f"Scores are 0..1: {LIKELY} and over is likely, {DEFAULT_THRESHOLD} and over possible.")

    def add_arguments(self, parser):
        parser.add_argument("--threshold", default=str(DEFAULT_THRESHOLD),
                            help=f"the lowest score written, 0..1 (default {DEFAULT_THRESHOLD})")
        parser.add_argument("--output", metavar="FILE", help="write the CSV to FILE (default: standard output)")
        parser.add_argument("--rebuild-keys", action="store_true",
                            help="recompute every person's blocking keys first (otherwise only missing ones)")

    def handle(self, *args, threshold, output, rebuild_keys, **options):
        raw = threshold
        try:
            threshold = float(raw)
        except ValueError:
            threshold = -1.0
        if not 0 <= threshold <= 1:
            raise CommandError(f"--threshold: give a number from 0 to 1, not {raw!r}")

        skipped = {}  # kind of key → sizes of the blocks skipped

        rows = registry_pairs(threshold, rebuild=rebuild_keys,
                              skipped=lambda key, size: skipped.setdefault(key.split(":", 1)[0], []).append(size))
        # One line per kind: a registry of a million has dozens of common names over the limit.
        for kind, sizes in sorted(skipped.items()):
            self.stderr.write(f"warning: skipped {len(sizes)} block(s) of over {BLOCK_LIMIT} persons sharing one "
                              f"'{kind}' key (the largest {max(sizes)}); their names and dates still meet in "
                              "other blocks")
        try:
            stream = open(output, "w", newline="", encoding="utf-8") if output else _Verbatim(self.stdout)
        except OSError as e:
            raise CommandError(f"--output: cannot write {output}: {e.strerror}")
        try:
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(["ref_a", "ref_b", "score"])
            writer.writerows((a, b, f"{value:.4f}") for a, b, value in rows)
        finally:
            if output:
                stream.close()
        if output:
            self.stderr.write(f"{len(rows)} pair(s) at score {threshold} or over written to {output}")
