"""`homeward serve [--port N] [--host H] [--threads T] [--workers W] [--no-jobs]`: the web app and the
API, with static files (whitenoise), on waitress; and, unless --no-jobs, a `homeward worker` for the
background jobs, stopped with the server."""

import os
import signal
import socket
import subprocess
import sys

from django.core.management.base import BaseCommand, CommandError


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Serve the web app and the API (waitress; static files through whitenoise)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        # Only this machine by default: the data is personal, exposing it is a deliberate choice.
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--threads", type=int, default=16, help="threads per worker process")
        # One Python process runs Python code on one core at a time; a second worker process lets
        # a two-core server use both. Needs fork (Linux, macOS).
        parser.add_argument("--workers", type=int, default=1, help="worker processes sharing the port")
        # Jobs (the duplicate search...) wait in the database for a `homeward worker`; starting one
        # here makes `make run` complete. A deployment runs its worker as a service of its own.
        parser.add_argument("--no-jobs", action="store_true", help="do not start a background job worker")

    def handle(self, *args, port, host, threads, workers, no_jobs, **options):
        from waitress import serve

        from homeward.wsgi import application

        if not 0 < port < 65536:
            raise CommandError(f"--port: {port} is not a port number")
        if threads < 1 or workers < 1:
            raise CommandError("--threads and --workers: at least 1")
        if workers > 1 and not hasattr(os, "fork"):
            raise CommandError("--workers: more than one worker needs fork(), which this system lacks")
        try:
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            listener = socket.create_server((host, port), family=family, backlog=1024)
        except OSError as e:
            raise CommandError(f"--port: cannot listen on {host}:{port} ({e.strerror or e})")
        shown = f"[{host}]" if ":" in host else host
        self.stdout.write(f"Homeward is running at http://{shown}:{port}/ (Ctrl-C to stop)")
        self.stdout.flush()

        def run():
            serve(application, sockets=[listener], threads=threads, ident="homeward")

        jobs = None if no_jobs else subprocess.Popen([sys.executable, "-m", "homeward.cli", "worker"])
        signal.signal(signal.SIGTERM, _interrupt)  # stop as on Ctrl-C, so the job worker stops too
        try:
            if workers == 1:
                run()
            else:
                self.prefork(run, workers)
        except KeyboardInterrupt:
            pass
        finally:
            if jobs is not None:
                jobs.terminate()
                try:
                    jobs.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    jobs.kill()

    def prefork(self, run, workers):
        from django.db import connections

        # Each worker opens its own database connections; none may be inherited across fork.
        connections.close_all()
        children = []
        for _ in range(workers):
            pid = os.fork()
            if pid == 0:
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                try:
                    run()
                finally:
                    os._exit(0)
            children.append(pid)

        try:
            # Serve as long as every worker lives; one dying takes the others down, so a
            # supervisor (systemd, the shell) sees the failure instead of a half-capacity server.
            os.wait()
        finally:
            for pid in children:
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
            for pid in children:
                try:
                    os.waitpid(pid, 0)
                except ChildProcessError:
                    pass
