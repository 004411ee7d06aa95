"""Planner statistics for SQLite, as PostgreSQL's autovacuum keeps them.

Without them SQLite guesses how selective each index is, and guesses wrong for a registry of
hundreds of thousands: it counted a caseworker's matches for a common name through the
municipality index, three times slower than through the name tokens. ANALYZE with an
analysis limit samples each index instead of reading it whole: about 30 ms for a million
persons and three million deliveries. The background worker runs it when it starts and then
every few hours; bulk loads (the demo, the benchmarks) run it when they finish.
"""

import datetime

from django.db import connection

EVERY = datetime.timedelta(hours=6)
SAMPLE_ROWS = 1000  # PRAGMA analysis_limit: rows read per index


def refresh():
    """Gather fresh statistics: ANALYZE (sampled) on SQLite, ANALYZE on PostgreSQL."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA analysis_limit={SAMPLE_ROWS}")
        cursor.execute("ANALYZE")
