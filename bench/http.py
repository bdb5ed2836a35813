"""HTTP benchmark: the landing page `/` against a bare Django view, served side by side by the
same daphne process that `make run` starts (embedded profile, seeded demo data).

    make bench            # or: .venv/bin/python bench/http.py [--requests 2000] [--concurrency 8]

Bounded and loopback only: a fixed number of requests per target (default 2000), at most
--max-seconds per target, from a thread-pool client with keep-alive connections. The two targets
are measured in alternating batches so that machine noise hits both alike; the ratio is the
figure to compare between runs. Prints a table and writes JSON to bench/results/.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is called http.py: move its directory to the end of sys.path so `http.client` below is
# the standard library's, while `common` is still found next to it.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE] + [str(_HERE)]

import argparse  # noqa: E402
import http.client  # noqa: E402
import os  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

from common import (  # noqa: E402
    asdict_all,
    machine,
    measure_interleaved,
    print_table,
    served_app,
    summarise,
    write_json,
)

TARGETS = [("bare view", "/bench/bare/", b"ok"), ("landing page", "/", b"</html>")]


class Client:
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000, help="requests per target (default 2000)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (default 8)")
    parser.add_argument("--batches", type=int, default=4, help="alternating batches per target (default 4)")
    parser.add_argument("--max-seconds", type=float, default=20.0, help="time cap per target (default 20)")
    args = parser.parse_args()

    before = machine()
    with served_app(PEERLEARN_BENCH="true") as base:
        client = Client(base, args.concurrency)
        collected = measure_interleaved(
            client,
            TARGETS,
            requests=args.requests,
            batches=args.batches,
            max_seconds=args.max_seconds,
            warmup=50,
        )

    rows = [summarise(name, path, *collected[path]) for name, path, _ in TARGETS]
    bare, page = rows
    ratio_rps = page.rps / bare.rps if bare.rps else float("nan")
    ratio_p50 = page.p50_ms / bare.p50_ms if bare.p50_ms else float("nan")
    print()
    print(f"PeerLearn HTTP benchmark: daphne (as `make run`), concurrency {args.concurrency}, keep-alive")
    print_table(rows)
    print(f"landing / bare: throughput {ratio_rps:.2f}x, p50 latency {ratio_p50:.2f}x")
    out = write_json(
        "http",
        {
            "benchmark": "http",
            "server": "daphne via scripts/run.sh (embedded profile, seeded demo data)",
            "concurrency": args.concurrency,
            "requests_per_target": args.requests,
            "results": asdict_all(rows),
            "ratio_landing_over_bare_rps": round(ratio_rps, 3),
            "ratio_landing_over_bare_p50": round(ratio_p50, 3),
            "machine": {**before, "loadavg_after": os.getloadavg()},
        },
    )
    print(f"JSON: {out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out}")
    return 1 if any(r.errors for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
