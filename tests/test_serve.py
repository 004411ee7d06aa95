"""`homeward serve` as an operator starts it: it answers on its port, with several worker
processes too, and stops cleanly on SIGTERM."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_it_serves_the_login_page_and_stops_on_sigterm(workers, tmp_path):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}"}
    server = subprocess.Popen(
        [sys.executable, "-m", "homeward.cli", "serve", "--port", str(port), "--workers", workers, "--threads", "2",
         "--no-jobs"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, body = get(f"http://127.0.0.1:{port}/login/")
                break
            except OSError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "the server did not answer within 30 s"
                time.sleep(0.2)
        assert status == 200 and 'name="password"' in body
        # Every worker answers: a burst of requests all succeed.
        assert all(get(f"http://127.0.0.1:{port}/login/")[0] == 200 for _ in range(10))
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=20)[0]
    assert f"http://127.0.0.1:{port}/" in output
    with pytest.raises(OSError):
        get(f"http://127.0.0.1:{port}/login/")


def child_pids(parent_pid, needle):
    """Live (not zombie) processes whose parent is `parent_pid` and whose command line holds `needle`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(fields[1]) == parent_pid and needle in cmdline and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def alive(pid):
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc to find the worker")
def test_it_runs_a_job_worker_beside_the_server_and_stops_it_too(tmp_path):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}"}
    subprocess.run([sys.executable, "-m", "homeward.cli", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen([sys.executable, "-m", "homeward.cli", "serve", "--port", str(port)],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while not child_pids(server.pid, "worker"):
            assert server.poll() is None and time.monotonic() < deadline, "no job worker started"
            time.sleep(0.2)
        time.sleep(1)
        workers = child_pids(server.pid, "worker")
        assert workers and all(alive(pid) for pid in workers), "the job worker did not stay up"
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=20)
    assert not any(alive(pid) for pid in workers)
