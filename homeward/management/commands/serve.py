"""`homeward serve [--port N] [--host H] [--threads T] [--workers W] [--no-jobs]`: the web app and the
API, with static files (whitenoise), on granian; and, unless --no-jobs, a `homeward worker` for the
background jobs, stopped with the server.

Granian answers HTTP in compiled code and hands each request to Django in one of the worker's
threads. Under 20 clients on two cores the cheapest API request cost the server 3.4 ms of processor
time there, against 4.6 ms on waitress (pure Python), and its 95th percentile fell from 145 ms to
62 ms (bench/RESULTS.md, search section)."""

import socket
import subprocess
import sys

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve the web app and the API (granian; static files through whitenoise)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        # Only this machine by default: the data is personal, exposing it is a deliberate choice.
        parser.add_argument("--host", default="127.0.0.1")
        # A process runs Python on one core at a time: threads beyond a few only share it, and the
        # slowest answers wait longer (20 clients on two cores: p95 of a search 209 ms with 4
        # threads a process, 294 ms with 8). More help when the database is on another machine.
        parser.add_argument("--threads", type=int, default=4, help="threads per worker process")
        # One Python process runs Python code on one core at a time; a second worker process lets
        # a two-core server use both.
        parser.add_argument("--workers", type=int, default=1, help="worker processes sharing the port")
        # Jobs (the duplicate search...) wait in the database for a `homeward worker`; starting one
        # here makes `make run` complete. A deployment runs its worker as a service of its own.
        parser.add_argument("--no-jobs", action="store_true", help="do not start a background job worker")

    def handle(self, *args, port, host, threads, workers, no_jobs, **options):
        from granian import Granian
        from granian.constants import Interfaces
        from granian.log import LogLevels

        if not 0 < port < 65536:
            raise CommandError(f"--port: {port} is not a port number")
        if threads < 1 or workers < 1:
            raise CommandError("--threads and --workers: at least 1")
        # Granian binds the port in its own process; a port taken is found here first, so that the
        # operator reads which option is wrong rather than a worker's traceback.
        try:
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            socket.create_server((host, port), family=family).close()
        except OSError as e:
            raise CommandError(f"--port: cannot listen on {host}:{port} ({e.strerror or e})")
        server = Granian("homeward.wsgi:application", address=host, port=port, interface=Interfaces.WSGI,
                         workers=workers, blocking_threads=threads, websockets=False, backlog=1024,
                         log_level=LogLevels.warning)
        shown = f"[{host}]" if ":" in host else host
        self.stdout.write(f"Homeward is running at http://{shown}:{port}/ (Ctrl-C to stop)")
        self.stdout.flush()
        jobs = None if no_jobs else subprocess.Popen([sys.executable, "-m", "homeward.cli", "worker"])
        try:
            # Granian stops its workers and returns on Ctrl-C and on SIGTERM.
            server.serve()
        except KeyboardInterrupt:
            pass
        finally:
            if jobs is not None:
                jobs.terminate()
                try:
                    jobs.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    jobs.kill()
