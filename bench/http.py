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

# This file is called http.py: move its directory to the end of sys.path so the `http.client` that
# common.py imports is the standard library's, while `common` is still found next to it.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE] + [str(_HERE)]

import argparse  # noqa: E402
import os  # noqa: E402

from common import (  # noqa: E402
    HttpClient,
    asdict_all,
    machine,
    measure_interleaved,
    print_table,
    served_app,
    summarise,
    write_json,
)

TARGETS = [("bare view", "/bench/bare/", b"ok"), ("landing page", "/", b"</html>")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000, help="requests per target (default 2000)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (default 8)")
    parser.add_argument("--batches", type=int, default=4, help="alternating batches per target (default 4)")
    parser.add_argument("--max-seconds", type=float, default=20.0, help="time cap per target (default 20)")
    args = parser.parse_args()

    before = machine()
    with served_app(PEERLEARN_BENCH="true") as base:
        client = HttpClient(base, args.concurrency)
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
