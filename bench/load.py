"""Closed-loop HTTP load with the standard library only: N client threads, each with its own
keep-alive connection, each sending its next request as soon as the previous answer is read (with
no think time, the hardest case for a given number of clients).

A request counts when it *starts* inside the measured window; those started during the warm-up are
thrown away. Latency is from sending the request to having read the whole body.
"""

import http.client
import json
import random
import threading
import time
import urllib.parse
from dataclasses import dataclass, field


@dataclass
class Result:
    name: str
    clients: int
    window: float  # seconds measured (after warm-up)
    latencies: list = field(default_factory=list)  # seconds, successful requests
    errors: int = 0  # non-200 answers and failed connections, inside the window
    error_samples: list = field(default_factory=list)
    hits: int = 0  # API answers with count > 0
    checked: int = 0  # API answers whose count was read
    bytes: int = 0

    @property
    def count(self):
        return len(self.latencies) + self.errors

    def percentile(self, p):
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
        return ordered[rank]

    def summary(self):
        ms = 1000
        return {
            "scenario": self.name, "clients": self.clients, "requests": self.count, "errors": self.errors,
            "p50_ms": self.percentile(50) * ms, "p95_ms": self.percentile(95) * ms,
            "p99_ms": self.percentile(99) * ms, "max_ms": max(self.latencies, default=float("nan")) * ms,
            "throughput_rps": self.count / self.window if self.window else 0.0,
            "hit_rate": self.hits / self.checked if self.checked else None,
            "mean_kb": self.bytes / len(self.latencies) / 1024 if self.latencies else 0.0,
        }


def run(name, *, port, paths, headers, clients=20, seconds=30.0, warmup=5.0, max_requests=None,
        count_hits=False, think=0.0, seed=1, host="127.0.0.1"):
    """Drive GET requests to `paths` (drawn at random per client) for warm-up + `seconds`, or until
    `max_requests` have started inside the window. With `think`, each client pauses between 0.5 and
    1.5 times that many seconds after each answer, like a person reading the results."""
    result = Result(name=name, clients=clients, window=seconds)
    lock = threading.Lock()
    start = time.perf_counter()
    measure_from = start + warmup
    stop_at = measure_from + seconds
    started = [0]

    def take_slot(now):
        """True when this request is inside the window and within max_requests."""
        if now < measure_from:
            return False
        with lock:
            started[0] += 1
            return max_requests is None or started[0] <= max_requests

    def client(index):
        rng = random.Random(seed * 1000 + index)
        connection = http.client.HTTPConnection(host, port, timeout=60)
        while True:
            now = time.perf_counter()
            if now >= stop_at or (max_requests is not None and started[0] >= max_requests):
                break
            counted = take_slot(now)
            path = rng.choice(paths)
            began = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                body = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as e:
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=60)
                if counted:
                    with lock:
                        result.errors += 1
                        if len(result.error_samples) < 5:
                            result.error_samples.append(f"{type(e).__name__}: {e} on {path}")
                continue
            elapsed = time.perf_counter() - began
            if think:
                time.sleep(min(rng.uniform(0.5, 1.5) * think, max(0.0, stop_at - time.perf_counter())))
            if not counted:
                continue
            with lock:
                if status != 200:
                    result.errors += 1
                    if len(result.error_samples) < 5:
                        result.error_samples.append(f"HTTP {status} on {path}: {body[:200]!r}")
                    continue
                result.latencies.append(elapsed)
                result.bytes += len(body)
            if count_hits and index % 4 == 0:  # a sample is enough; parsing costs client CPU
                try:
                    hit = json.loads(body).get("count", 0) > 0
                except ValueError:
                    hit = False
                with lock:
                    result.checked += 1
                    result.hits += hit
        connection.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ended = time.perf_counter()
    # With max_requests the window may end early: throughput over the time actually measured.
    result.window = max(1e-9, min(ended, stop_at) - measure_from) if max_requests else seconds
    return result


def api_paths(terms, limit=25):
    return [f"/api/v1/households?{urllib.parse.urlencode({'q': t, 'limit': limit})}" for t in terms]


def page_paths(terms):
    return [f"/households/?{urllib.parse.urlencode({'q': t})}" for t in terms]


def wait_until_up(port, timeout=60.0, host="127.0.0.1"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection(host, port, timeout=5)
            connection.request("GET", "/login/")
            connection.getresponse().read()
            connection.close()
            return True
        except OSError:
            time.sleep(0.2)
    return False
