"""HTTP benchmark: the landing page `/`, a session's detail page and a mentor's profile (the first
of each that the landing page links to) against a bare Django view, served side by side by the
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
import re  # noqa: E402
import urllib.parse  # noqa: E402
from http.client import HTTPConnection  # noqa: E402

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

BARE = ("bare view", "/bench/bare/", b"ok")


def targets(base: str) -> list[tuple[str, str, bytes]]:
    """The bare view, the landing page, and the first session and mentor it links to."""
    url = urllib.parse.urlsplit(base)
    conn = HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)
    conn.request("GET", "/")
    html = conn.getresponse().read().decode()
    conn.close()
    found = [("landing page", "/", b"</html>")]
    for name, pattern in (
        ("session detail", r'href="(/sessions/\d+/)"'),
        ("mentor profile", r'href="(/mentors/\d+/)"'),
    ):
        m = re.search(pattern, html)
        if m is None:
            raise RuntimeError(f"the landing page links to no {name}")
        found.append((name, m.group(1), b"</html>"))
    return [BARE, *found]


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
        chosen = targets(base)
        collected = measure_interleaved(
            client,
            chosen,
            requests=args.requests,
            batches=args.batches,
            max_seconds=args.max_seconds,
            warmup=50,
        )

    rows = [summarise(name, path, *collected[path]) for name, path, _ in chosen]
    bare, pages = rows[0], rows[1:]
    ratios = {page.name: page.rps / bare.rps if bare.rps else float("nan") for page in pages}
    ratio_rps = ratios["landing page"]
    ratio_p50 = pages[0].p50_ms / bare.p50_ms if bare.p50_ms else float("nan")
    print()
    print(f"PeerLearn HTTP benchmark: daphne (as `make run`), concurrency {args.concurrency}, keep-alive")
    print_table(rows)
    for name, ratio in ratios.items():
        print(f"{name} / bare: throughput {ratio:.2f}x (target 0.5x: {'met' if ratio >= 0.5 else 'NOT met'})")
    print(f"landing / bare: p50 latency {ratio_p50:.2f}x")
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
            "ratio_over_bare_rps": {name: round(r, 3) for name, r in ratios.items()},
            "machine": {**before, "loadavg_after": os.getloadavg()},
        },
    )
    print(f"JSON: {out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out}")
    return 1 if any(r.errors for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
