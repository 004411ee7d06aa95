"""A throw-away PostgreSQL cluster for the benchmark, set up the way .ci/run does it: initdb as the
postgres user, a private port, the socket in /tmp, trust authentication, removed afterwards."""

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path


def find_bin():
    """The newest installed PostgreSQL's bin directory, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: [int(x) if x.isdigit() else x for x in Path(p).parts[-3].split(".")])
    return Path(found[-1]).parent if found else None


def missing_reason():
    """Why PostgreSQL cannot be benchmarked here, or None when it can."""
    if find_bin() is None:
        return "no PostgreSQL binaries (/usr/lib/postgresql/*/bin/initdb not found)"
    if os.getuid() == 0:
        try:
            subprocess.run(["id", "postgres"], check=True, capture_output=True)
        except subprocess.CalledProcessError:
            return "running as root but there is no postgres user to run initdb as"
    return None


class Cluster:
    def __init__(self, port=54331, database="homeward_bench"):
        self.bin = find_bin()
        self.port = port
        self.database = database
        self.data = None

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/{self.database}"

    def _run(self, *args):
        command = [str(self.bin / args[0]), *args[1:]]
        if os.getuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self):
        self.data = tempfile.mkdtemp(prefix="homeward-bench-pg.")
        if os.getuid() == 0:
            shutil.chown(self.data, "postgres")
        self._run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        # Durability off, as in CI: this cluster lives for one run. Reads, which is what the
        # benchmark measures, do not depend on these settings.
        options = (f"-p {self.port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        self._run("pg_ctl", "-D", self.data, "-o", options, "-l", f"{self.data}/server.log", "-w", "start")
        self._run("createdb", "-h", "/tmp", "-p", str(self.port), "-U", "postgres", self.database)
        return self

    def version(self):
        out = subprocess.run([str(self.bin / "postgres"), "--version"], capture_output=True, text=True)
        return out.stdout.strip()

    def stop(self):
        if self.data is None:
            return
        try:
            self._run("pg_ctl", "-D", self.data, "-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.data, ignore_errors=True)
        self.data = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
