"""`homeward worker [--once] [--poll SECONDS]`: run queued background jobs, oldest first."""

import datetime
import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection

from homeward import statistics
from jobs import runner


def _stop_on_sigterm(signum, frame):
    # A service manager stops the worker with SIGTERM: unwind like Ctrl-C so the running job is
    # recorded as failed rather than left "running".
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = ("Run queued background jobs (duplicate search...), oldest first. Needs no broker: the "
            "queue is a table. Running jobs left behind by a worker that died are marked failed on start.")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run at most one queued job, then exit")
        parser.add_argument("--poll", default="2", metavar="SECONDS",
                            help="how long to wait between looks at an empty queue (default 2)")
        parser.add_argument("--stale-minutes", default=str(int(runner.STALE_AFTER.total_seconds() // 60)),
                            metavar="N", help="a running job silent for N minutes lost its worker (default 30)")

    def handle(self, *args, once, poll, stale_minutes, **options):
        poll = self._positive("--poll", poll)
        stale = self._positive("--stale-minutes", stale_minutes)
        failed = runner.fail_stale(datetime.timedelta(minutes=stale))
        if failed:
            self.stderr.write(f"{failed} job(s) left running by a stopped worker marked failed")
        previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
        try:
            self._work(once, poll)
        except KeyboardInterrupt:
            self.stderr.write("worker stopped")
        finally:
            signal.signal(signal.SIGTERM, previous)

    def _work(self, once, poll):
        analysed = None
        while True:
            if connection.vendor == "sqlite" and (analysed is None or time.monotonic() - analysed
                                                  >= statistics.EVERY.total_seconds()):
                # PostgreSQL's autovacuum keeps planner statistics; on SQLite the worker does.
                statistics.refresh()
                analysed = time.monotonic()
            job = runner.claim()
            if job is None:
                if once:
                    self.stdout.write("no job queued")
                    return
                time.sleep(poll)
                # A long-lived process: drop a connection the database closed meanwhile (a
                # restart, an idle timeout), as Django does around each request.
                close_old_connections()
                continue
            self.stdout.write(f"job {job.pk} ({job.kind}) started")
            try:
                job = runner.run(job)
            except KeyboardInterrupt:
                # Stopped in the middle of a job: record it, so it does not look running forever.
                runner.stop(job)
                self.stderr.write(f"job {job.pk} ({job.kind}) stopped with the worker: marked failed")
                raise
            self.stdout.write(f"job {job.pk} ({job.kind}) {job.status}" + (f": {job.error}" if job.error else ""))
            if once:
                return
            close_old_connections()

    @staticmethod
    def _positive(name, raw):
        try:
            value = float(raw)
        except ValueError:
            value = -1
        if value <= 0:
            raise CommandError(f"{name}: give a number above 0, not {raw!r}")
        return value
