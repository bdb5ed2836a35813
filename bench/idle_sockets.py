"""Idle sockets benchmark: one web server process (daphne, as ``make run`` serves /ws/, embedded
profile) holds N idle authenticated notification WebSockets for a while; reports the server's
memory per socket, its CPU use while the sockets idle, and that a notification still reaches a
sample of them at the end (latency from the service call to each toast).

    .venv/bin/python bench/idle_sockets.py [--sockets 2000] [--seconds 120] [--sample 200]

Authenticated = a real session cookie for a real user: N users and their sessions are written
with Django's session store into this run's own throwaway SQLite file. All N sockets live in this
one asyncio process (bench/wsclient.py, which answers the server's keep-alive pings); loopback
only, bounded in count and time. Memory is the server's resident set (/proc) before the sockets and
after they are all open; CPU is the server's user+system time over the hold divided by its length.
Prints a table and writes JSON to bench/results/.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/http.py would shadow the stdlib `http` package: move this directory to the end of sys.path.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE] + [str(_HERE)]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from typing import Any  # noqa: E402

from common import write_json  # noqa: E402
from notify import Daphne, base_env, connect_all, make_users, one_round, pct, prepare_database  # noqa: E402
from wsclient import WSClient  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def raise_fd_limit(needed: int) -> int:
    """Soft open-files limit up to the hard one (the server inherits it from this process)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else max(soft, needed)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft < needed:
        raise SystemExit(f"open-files limit {soft} < {needed} needed (raise the hard limit: ulimit -Hn)")
    return int(soft)


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * PAGE


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


async def run(args: argparse.Namespace) -> dict[str, Any]:
    fd_limit = raise_fd_limit(args.sockets + 500)
    var_dir = Path(tempfile.mkdtemp(prefix="peerlearn-idle-bench-"))
    sqlite_path = var_dir / "bench.sqlite3"
    prepare_database(var_dir, sqlite_path)
    t = time.perf_counter()
    users = make_users(args.sockets, var_dir, sqlite_path)
    print(f"{len(users)} users with sessions created in {time.perf_counter() - t:.1f} s")
    server = Daphne("embedded", base_env(var_dir, sqlite_path), var_dir / "daphne.log")
    clients: list[WSClient] = []
    try:
        pid = server.proc.pid
        # As scripts/run.sh does: a first request starts the in-process runner; let its start-up pass end.
        urllib.request.urlopen(f"http://127.0.0.1:{server.port}/healthz", timeout=30).read()
        warm = await connect_all(server.port, users[:1])  # load the socket code paths once
        await asyncio.gather(*(c.close() for c in warm))
        await asyncio.sleep(3)
        rss_before, fds_before = rss_bytes(pid), open_fds(pid)
        t = time.perf_counter()
        clients = await connect_all(server.port, users, batch=args.connect_batch)
        connect_seconds = time.perf_counter() - t
        await asyncio.sleep(3)
        rss_open = rss_bytes(pid)
        print(
            f"{len(clients)} sockets open in {connect_seconds:.1f} s; server RSS "
            f"{rss_before / 2**20:.1f} -> {rss_open / 2**20:.1f} MiB; holding {args.seconds:.0f} s"
        )
        cpu0, wall0 = cpu_seconds(pid), time.perf_counter()
        samples = []
        while (elapsed := time.perf_counter() - wall0) < args.seconds:
            await asyncio.sleep(min(10.0, args.seconds - elapsed))
            samples.append({"t": round(time.perf_counter() - wall0, 1), "rss_mib": round(rss_bytes(pid) / 2**20, 1)})
        hold = time.perf_counter() - wall0
        cpu_hold = cpu_seconds(pid) - cpu0
        rss_end, fds_open = rss_bytes(pid), open_fds(pid)
        alive = sum(1 for c in clients if c.is_open)

        picked = random.Random(7).sample(range(len(clients)), min(args.sample, len(clients)))
        res = await one_round(
            server.port, [clients[i] for i in picked], [users[i]["id"] for i in picked], "idle", 30.0, "many"
        )
        lat = res["latencies"]
    finally:
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
        server.stop()
    n = len(clients)
    return {
        "sockets": n,
        "still_open_after_hold": alive,
        "hold_seconds": round(hold, 1),
        "connect_seconds": round(connect_seconds, 1),
        "rss_before_mib": round(rss_before / 2**20, 1),
        "rss_open_mib": round(rss_open / 2**20, 1),
        "rss_end_mib": round(rss_end / 2**20, 1),
        "kib_per_socket_open": round((rss_open - rss_before) / n / 1024, 1),
        "kib_per_socket_end": round((rss_end - rss_before) / n / 1024, 1),
        "server_fds": {"before": fds_before, "holding": fds_open, "limit": fd_limit},
        "idle_cpu_percent": round(100 * cpu_hold / hold, 2),
        "rss_samples": samples,
        "notify_sample": {
            "sockets": len(picked),
            "received": len(lat),
            "missing": res["missing"],
            "p50_ms": round(pct(lat, 50) * 1000, 1),
            "p95_ms": round(pct(lat, 95) * 1000, 1),
            "max_ms": round(max(lat) * 1000, 1) if lat else None,
        },
        "machine": {"cpus": os.cpu_count(), "loadavg": os.getloadavg()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sockets", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=120.0, help="how long the sockets idle")
    parser.add_argument("--sample", type=int, default=200, help="sockets notified at the end")
    parser.add_argument("--connect-batch", type=int, default=50, help="sockets opened concurrently")
    args = parser.parse_args()
    if not 1 <= args.sockets <= 5000 or not 1 <= args.seconds <= 900:
        raise SystemExit("bounded: 1-5000 sockets, 1-900 s")
    out = asyncio.run(run(args))
    s = out["notify_sample"]
    print()
    print(
        f"{'sockets':>7} {'open after':>10} {'hold s':>6} {'RSS before':>10} {'RSS open':>9} {'KiB/socket':>10} {'idle CPU %':>10} {'notified':>8} {'p50 ms':>7} {'p95 ms':>7}"
    )
    print(
        f"{out['sockets']:>7} {out['still_open_after_hold']:>10} {out['hold_seconds']:>6} "
        f"{out['rss_before_mib']:>9}M {out['rss_open_mib']:>8}M {out['kib_per_socket_open']:>10} "
        f"{out['idle_cpu_percent']:>10} {s['received']:>4}/{s['sockets']:<3} {s['p50_ms']:>7} {s['p95_ms']:>7}"
    )
    print(
        f"KiB/socket = server RSS delta / sockets once all are open ({out['kib_per_socket_end']} at the end of the "
        "hold); idle CPU = server user+system time over the hold / its length; p50/p95 = service call -> toast"
    )
    print("wrote", write_json("idle_sockets", out))


if __name__ == "__main__":
    main()
