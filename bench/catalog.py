"""Catalogue benchmark: `/sessions/?q=…&domain=…` over 10,000 sessions against the bare view of
bench/http.py, served side by side by the same daphne process (`make run`'s server, embedded
profile), measured in alternating batches in one run.

    .venv/bin/python bench/catalog.py [--sessions 10000] [--requests 1000] [--concurrency 8]

Bounded and loopback only. Prints a table and writes JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE] + [str(_HERE)]

from common import (  # noqa: E402
    ROOT,
    HttpClient,
    asdict_all,
    embedded_env,
    machine,
    measure_interleaved,
    print_table,
    seed_catalog,
    served_app,
    summarise,
    write_json,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=1000, help="requests per target (default 1000)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--batches", type=int, default=4)
    parser.add_argument("--max-seconds", type=float, default=30.0, help="time cap per target (default 30)")
    args = parser.parse_args()

    query = "/sessions/?q=python&domain=bench-0"
    targets = [("bare view", "/bench/bare/", b"ok"), ("catalogue", query, b"session-card")]
    db = Path(tempfile.mkdtemp(prefix="peerlearn-bench-cat-")) / "bench.sqlite3"
    before = machine()
    with served_app(PEERLEARN_BENCH="true", SQLITE_PATH=str(db)) as base:
        env = embedded_env(db.parent, SQLITE_PATH=str(db), DJANGO_SETTINGS_MODULE="peerlearn.settings")
        total_sessions = seed_catalog(env, args.sessions)
        client = HttpClient(base, args.concurrency)
        collected = measure_interleaved(
            client,
            targets,
            requests=args.requests,
            batches=args.batches,
            max_seconds=args.max_seconds,
            warmup=30,
        )

    rows = [summarise(name, path[:14], *collected[path]) for name, path, _ in targets]
    bare, page = rows
    ratio_rps = page.rps / bare.rps if bare.rps else float("nan")
    ratio_p95 = page.p95_ms / bare.p95_ms if bare.p95_ms else float("nan")
    print()
    print(f"PeerLearn catalogue benchmark: {total_sessions} sessions, {query}, concurrency {args.concurrency}")
    print_table(rows)
    print(f"catalogue / bare: throughput {ratio_rps:.2f}x, p95 latency {ratio_p95:.2f}x")
    path = write_json(
        "catalog",
        {
            "query": query,
            "sessions": total_sessions,
            "concurrency": args.concurrency,
            "machine": before,
            "results": asdict_all(rows),
            "ratio_rps": round(ratio_rps, 3),
            "ratio_p95": round(ratio_p95, 3),
        },
    )
    print(f"wrote {path.relative_to(ROOT)}")
    return 0 if not any(r.errors for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
