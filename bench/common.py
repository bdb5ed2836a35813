"""Shared helpers for the benchmarks: serve the app the way `make run` does, time requests,
print a table and write JSON to bench/results/.

Benchmarks are bounded (fixed request counts and a time cap) and talk to loopback only.
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PY = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def embedded_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """The embedded profile (what `make run` uses), in a throwaway var dir."""
    drop = {"DATABASE_URL", "REDIS_URL", "SQLITE_PATH", "CELERY_TASK_ALWAYS_EAGER", "DEBUG"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(PEERLEARN_VAR_DIR=str(var_dir), PYTHONWARNINGS="ignore", **extra)
    return env


CATALOG_SEED = """
import django, random
django.setup()
from datetime import timedelta
from django.utils import timezone
from apps.accounts.models import MentorStatus, Role
from apps.accounts.services import create_user
from apps.catalog.models import Session
from apps.taxonomy.models import Domain
n = {n}
random.seed(7)
domains = [Domain.objects.get_or_create(slug=f"bench-{{i}}", defaults={{"name": f"Bench domain {{i}}"}})[0] for i in range(8)]
mentors = [create_user(email=f"bench-mentor-{{i}}@example.in", password=None, full_name=f"Bench Mentor {{i}}",
                       role=Role.MENTOR, email_verified=True, mentor_status=MentorStatus.APPROVED) for i in range(50)]
words = ["python", "django", "statistics", "algebra", "figma", "spanish", "interview", "sql", "react", "physics"]
base = timezone.now() + timedelta(hours=2)
rows = []
for i in range(n):
    mentor = mentors[i % len(mentors)]
    start = base + timedelta(hours=2 * (i // len(mentors)))
    topic = words[i % len(words)]
    rows.append(Session(mentor=mentor, domain=domains[i % len(domains)], title=f"{{topic.title()}} clinic #{{i}}",
        description=f"Practice {{topic}} with worked examples.", topics=[topic, random.choice(words)], start=start,
        duration_minutes=60, end=start + timedelta(minutes=60), price_paise=random.choice([0, 9900, 49900]),
        capacity=random.randint(1, 5)))
Session.objects.bulk_create(rows, batch_size=1000)
print(Session.objects.count())
"""


def seed_catalog(env: dict[str, str], sessions: int) -> int:
    """Bulk-create ``sessions`` upcoming sessions of 50 approved bench mentors over 8 bench domains
    (direct rows, no workflows) in the database ``env`` names; returns the catalogue's size."""
    out = subprocess.run(
        [PY, "-c", CATALOG_SEED.format(n=sessions)], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return int(out.stdout.strip().splitlines()[-1])


def stop_group(proc: subprocess.Popen[Any], *, timeout: float) -> None:
    """SIGTERM a server started with ``start_new_session=True`` (our scripts' traps stop their
    children); after ``timeout`` seconds, kill its whole process group."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@contextmanager
def served_app(**extra_env: str) -> Iterator[str]:
    """Migrate and seed a fresh var dir, then start scripts/run.sh (daphne + Celery worker/beat,
    exactly what `make run` starts) on a free loopback port. Yields the base URL."""
    var_dir = Path(tempfile.mkdtemp(prefix="peerlearn-bench-"))
    env = embedded_env(var_dir, **extra_env)
    port = free_port()
    log = (var_dir / "server.log").open("w")
    try:
        for cmd in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
            subprocess.run([PY, "manage.py", *cmd], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        proc = subprocess.Popen(
            ["bash", "scripts/run.sh", "127.0.0.1", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if "PeerLearn is running" in (var_dir / "server.log").read_text():
                break
            if proc.poll() is not None:
                raise RuntimeError("server exited early:\n" + (var_dir / "server.log").read_text()[-3000:])
            time.sleep(0.2)
        else:
            raise RuntimeError("server did not start within 60 s")
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            stop_group(proc, timeout=20)  # run.sh's trap stops daphne and the worker
    finally:
        log.close()
        shutil.rmtree(var_dir, ignore_errors=True)


@dataclass
class Stats:
    name: str
    path: str
    requests: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float


def summarise(name: str, path: str, latencies: list[float], errors: int, seconds: float) -> Stats:
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000

    return Stats(
        name=name,
        path=path,
        requests=len(latencies),
        errors=errors,
        seconds=round(seconds, 3),
        rps=round(len(latencies) / seconds, 1) if seconds else 0.0,
        p50_ms=round(pct(50), 2),
        p95_ms=round(pct(95), 2),
        p99_ms=round(pct(99), 2),
        mean_ms=round(statistics.fmean(ordered) * 1000, 2) if ordered else float("nan"),
    )


def print_table(rows: list[Stats]) -> None:
    head = f"{'target':<14} {'path':<14} {'requests':>8} {'errors':>6} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
    print(head)
    print("-" * len(head))
    for r in rows:
        print(
            f"{r.name:<14} {r.path:<14} {r.requests:>8} {r.errors:>6} {r.rps:>8.1f} "
            f"{r.p50_ms:>8.2f} {r.p95_ms:>8.2f} {r.p99_ms:>8.2f}"
        )


def machine() -> dict[str, object]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "loadavg_before": os.getloadavg(),
    }


def write_json(name: str, payload: dict[str, object]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"{name}-{stamp}.json"
    path.write_text(json.dumps(payload, indent=2, default=str))
    return path


def asdict_all(rows: list[Stats]) -> list[dict[str, object]]:
    return [asdict(r) for r in rows]


def measure_interleaved(
    client: Any,
    targets: list[tuple[str, str, bytes]],
    *,
    requests: int,
    batches: int,
    max_seconds: float,
    warmup: int,
) -> dict[str, tuple[list[float], int, float]]:
    """Measure each (name, path, expected body) target in alternating batches so machine noise
    hits them alike. ``client.run(path, expect, count, deadline)`` returns (latencies, errors,
    seconds). Each target gets ``requests`` requests or ``max_seconds``, whichever ends first."""
    for _, path, expect in targets:  # warm up: imports, template loading, DB page cache
        client.run(path, expect, warmup, time.monotonic() + 20)
    collected: dict[str, tuple[list[float], int, float]] = {path: ([], 0, 0.0) for _, path, _ in targets}
    budget = {path: max_seconds for _, path, _ in targets}
    per_batch = max(1, requests // batches)
    for _ in range(batches):
        for _, path, expect in targets:
            if budget[path] <= 0:
                continue
            lat, err, secs = client.run(path, expect, per_batch, time.monotonic() + budget[path])
            budget[path] -= secs
            old = collected[path]
            collected[path] = (old[0] + lat, old[1] + err, old[2] + secs)
    return collected


# Callers move bench/ to the end of sys.path first, so `http` here is the standard library.
class HttpClient:
    """Fires `count` GETs at one path with `concurrency` threads, each on its own keep-alive
    connection. Records per-request latency; a wrong status or body counts as an error."""

    def __init__(self, base: str, concurrency: int) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.concurrency = concurrency

    def run(self, path: str, expect: bytes, count: int, deadline: float) -> tuple[list[float], int, float]:
        latencies: list[float] = []
        errors = 0
        lock = threading.Lock()
        remaining = [count]

        def worker() -> None:
            nonlocal errors
            conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            mine: list[float] = []
            bad = 0
            while True:
                with lock:
                    if remaining[0] <= 0 or time.monotonic() > deadline:
                        break
                    remaining[0] -= 1
                t0 = time.perf_counter()
                try:
                    conn.request("GET", path, headers={"Host": "127.0.0.1"})
                    resp = conn.getresponse()
                    body = resp.read()
                    ok = resp.status == 200 and expect in body
                except (OSError, http.client.HTTPException):
                    ok = False
                    conn.close()
                    conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                elapsed = time.perf_counter() - t0
                if ok:
                    mine.append(elapsed)
                else:
                    bad += 1
            conn.close()
            with lock:
                latencies.extend(mine)
                errors += bad

        threads = [threading.Thread(target=worker) for _ in range(self.concurrency)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return latencies, errors, time.perf_counter() - start
