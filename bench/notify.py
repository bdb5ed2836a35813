"""Notification fan-out benchmark: latency from one service call (``notify()`` for each of N users,
run inside the web process by a bench-only endpoint) to each of N WebSocket clients of N different
users receiving its toast — on the in-memory channel layer and on Redis, side by side in one run.

    bash scripts/services.sh start          # Redis on 127.0.0.1:63799 (REDIS_URL)
    .venv/bin/python bench/notify.py [--clients 500] [--rounds 5]

Two daphne processes serve the same SQLite file: one with the in-memory layer, one with
channels_redis. Each gets N authenticated sockets; rounds alternate between them so machine noise
hits both alike. ``--baseline DIR`` also serves an older checkout of the project (two more
daphnes, same database and users, rounds interleaved) and prints this tree's ratios to it.
Latency per client = time its message arrived - time the trigger request was sent (one clock:
the clients and the trigger live in this process). Bounded and loopback only.
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
import http.client  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402
from urllib.parse import urlsplit, urlunsplit  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

from common import stop_group  # noqa: E402
from wsclient import WSClient  # noqa: E402

PY = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def base_env(var_dir: Path, sqlite_path: Path, **extra: str) -> dict[str, str]:
    drop = {"DATABASE_URL", "REDIS_URL", "SQLITE_PATH", "DEBUG", "CELERY_TASK_ALWAYS_EAGER"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(
        PEERLEARN_VAR_DIR=str(var_dir),
        SQLITE_PATH=str(sqlite_path),
        PEERLEARN_BENCH="true",
        PEERLEARN_DISABLE_RATE_LIMITS="true",
        PYTHONWARNINGS="ignore",
        **extra,
    )
    return env


def redis_env(redis_url: str) -> dict[str, str]:
    return {"REDIS_URL": redis_url, "PEERLEARN_ALLOW_PARTIAL_PROFILE": "true"}


def other_redis_db(redis_url: str) -> str:
    """The same Redis server, the next database number (0-15)."""
    parts = urlsplit(redis_url)
    db = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(db + 1) % 16}"))


def prepare_database(var_dir: Path, sqlite_path: Path) -> None:
    subprocess.run(
        [PY, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=base_env(var_dir, sqlite_path),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def make_users(n: int, var_dir: Path, sqlite_path: Path) -> list[dict[str, Any]]:
    """N learners with a signed-in session each (no password hashing: bulk rows + session store).
    Runs in a child process so this script never configures Django itself. Their ids start at a
    random offset: every run's database is new, and with ids from 1 again a Redis database used
    by an earlier run would still list that run's (dead) sockets in the same user groups, so each
    toast would also be queued for them."""
    code = f"""
import json, django, random, uuid
django.setup()
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from apps.accounts.models import User
tag = uuid.uuid4().hex[:8]
base = random.randrange(10**6, 10**9)
users = User.objects.bulk_create([
    User(pk=base + i, email=f"bench-{{tag}}-{{i}}@example.in", full_name=f"Bench {{i}}", role="learner", password="!")
    for i in range({n})
])
users = list(User.objects.filter(email__startswith=f"bench-{{tag}}-"))
out = []
for u in users:
    s = SessionStore()
    s[SESSION_KEY] = str(u.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = u.get_session_auth_hash()
    s.create()
    out.append({{"id": u.pk, "cookie": f"{{settings.SESSION_COOKIE_NAME}}={{s.session_key}}"}})
print(json.dumps(out))
"""
    env = base_env(var_dir, sqlite_path, DJANGO_SETTINGS_MODULE="peerlearn.settings")
    res = subprocess.run([PY, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return list(json.loads(res.stdout.strip().splitlines()[-1]))


class Daphne:
    def __init__(self, name: str, env: dict[str, str], log_path: Path, *, tree: Path = ROOT) -> None:
        self.name = name
        self.port = free_port()
        self.log = log_path.open("w")
        self.proc = subprocess.Popen(
            [PY, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), "peerlearn.asgi:application"],
            cwd=tree,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"daphne {name} exited early; see {log_path}") from None
                time.sleep(0.2)
        raise RuntimeError(f"daphne {name} did not start")

    def stop(self) -> None:
        stop_group(self.proc, timeout=10)
        self.log.close()


def trigger(port: int, user_ids: list[int], tag: str, mode: str = "many") -> dict[str, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request(
        "POST",
        "/bench/notify/",
        body=json.dumps({"user_ids": user_ids, "tag": tag, "mode": mode}),
        headers={"Content-Type": "application/json"},
    )
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    if resp.status != 200:
        raise RuntimeError(f"trigger failed: {resp.status} {body[:200]!r}")
    return dict(json.loads(body))


async def connect_all(port: int, users: list[dict[str, Any]], batch: int = 10) -> list[WSClient]:
    clients: list[WSClient] = []
    for i in range(0, len(users), batch):
        chunk = users[i : i + batch]
        got = await asyncio.gather(
            *(WSClient.connect("127.0.0.1", port, "/ws/notifications/", cookie=u["cookie"]) for u in chunk)
        )
        for c in got:
            hello = await asyncio.wait_for(c.recv_json(), 10)
            assert hello["type"] == "hello", hello
            c.start_pump()
        clients.extend(got)
    return clients


async def wait_for(client: WSClient, tag: str, timeout: float) -> float | None:
    deadline = time.perf_counter() + timeout
    while True:
        left = deadline - time.perf_counter()
        if left <= 0:
            return None
        try:
            arrived, msg = await asyncio.wait_for(client.inbox.get(), left)
        except TimeoutError:
            return None
        if msg.get("type") == "_closed":
            return None
        if msg.get("type") == "notification" and msg["notification"]["title"] == f"bench {tag}":
            return float(arrived)


async def one_round(
    port: int, clients: list[WSClient], user_ids: list[int], tag: str, timeout: float, mode: str
) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    waiters = [asyncio.ensure_future(wait_for(c, tag, timeout)) for c in clients]
    await asyncio.sleep(0.05)
    t0 = time.perf_counter()
    server = await loop.run_in_executor(None, trigger, port, user_ids, tag, mode)
    call_done = time.perf_counter() - t0
    arrived = await asyncio.gather(*waiters)
    lat = [a - t0 for a in arrived if a is not None]
    return {"latencies": lat, "missing": sum(1 for a in arrived if a is None), "call_seconds": call_done, **server}


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def run(args: argparse.Namespace) -> dict[str, Any]:
    redis_url = args.redis_url or os.environ.get("REDIS_URL", "")
    var_dir = Path(tempfile.mkdtemp(prefix="peerlearn-notify-bench-"))
    sqlite_path = var_dir / "bench.sqlite3"
    prepare_database(var_dir, sqlite_path)
    users = make_users(args.clients, var_dir, sqlite_path)
    ids = [u["id"] for u in users]
    layers: list[tuple[str, dict[str, str]]] = [("in-memory", {})]
    if redis_url:
        layers.append(("redis", redis_env(redis_url)))
    else:
        print("REDIS_URL not set (bash scripts/services.sh start): measuring the in-memory layer only")
    # This tree, and optionally an older checkout of the project served side by side (same
    # database, same users, rounds interleaved) so both see the same machine noise.
    trees = [("", ROOT)]
    if args.baseline:
        trees.append(("baseline ", Path(args.baseline).resolve()))
    servers: dict[str, Daphne] = {}
    results: dict[str, dict[str, Any]] = {}
    clients: dict[str, list[WSClient]] = {}
    try:
        for label, tree in trees:
            for name, extra in layers:
                key = f"{label}{name}"
                if label and "REDIS_URL" in extra:  # its own Redis database: groups and queues apart
                    extra = {**extra, "REDIS_URL": other_redis_db(extra["REDIS_URL"])}
                env = base_env(var_dir, sqlite_path, **extra)
                log = var_dir / f"daphne-{key.replace(' ', '-')}.log"
                servers[key] = Daphne(key, env, log, tree=tree)
                clients[key] = await connect_all(servers[key].port, users)
                for mode in args.modes:
                    results[f"{key}/{mode}"] = {"latencies": [], "missing": 0, "server_seconds": [], "call_seconds": []}
        for r in range(args.rounds + 1):  # round 0 warms up (imports, connection pools)
            for name, _ in layers:
                for mode in args.modes:
                    for label, _ in trees:
                        key = f"{label}{name}"
                        res = await one_round(
                            servers[key].port,
                            clients[key],
                            ids,
                            f"{key}-{mode}-{r}".replace(" ", "-"),
                            args.timeout,
                            mode,
                        )
                        if r == 0:
                            continue
                        row = results[f"{key}/{mode}"]
                        row["latencies"].extend(res["latencies"])
                        row["missing"] += res["missing"]
                        row["server_seconds"].append(res["server_seconds"])
                        row["call_seconds"].append(res["call_seconds"])
    finally:
        for cs in clients.values():
            await asyncio.gather(*(c.close() for c in cs), return_exceptions=True)
        for s in servers.values():
            s.stop()
    summary = []
    for name, res in results.items():
        lat = res["latencies"]
        summary.append(
            {
                "layer": name,
                "clients": args.clients,
                "rounds": args.rounds,
                "received": len(lat),
                "missing": res["missing"],
                "p50_ms": round(pct(lat, 50) * 1000, 1),
                "p95_ms": round(pct(lat, 95) * 1000, 1),
                "max_ms": round(max(lat) * 1000, 1) if lat else None,
                "service_call_ms_median": round(statistics.median(res["server_seconds"]) * 1000, 1),
            }
        )
    by_name = {s["layer"]: s for s in summary}
    ratios = {
        s["layer"]: {
            "p50": round(s["p50_ms"] / base["p50_ms"], 2),
            "p95": round(s["p95_ms"] / base["p95_ms"], 2),
        }
        for s in summary
        if (base := by_name.get(f"baseline {s['layer']}"))
    }
    return {
        "summary": summary,
        "ratios_to_baseline": ratios,
        "baseline": args.baseline or None,
        "machine": {"cpus": os.cpu_count(), "loadavg": os.getloadavg()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--redis-url", default="")
    parser.add_argument(
        "--baseline",
        default="",
        help="an older checkout of the project (e.g. `git worktree add /tmp/before <commit>`) served "
        "side by side with this tree, rounds interleaved; prints this tree's p50/p95 as ratios to it",
    )
    parser.add_argument(
        "--modes",
        default="many,each",
        type=lambda v: [m for m in v.split(",") if m in {"many", "each"}],
        help="many = one notify_many() call; each = one notify() per user (own transaction each)",
    )
    args = parser.parse_args()
    out = asyncio.run(run(args))
    head = f"{'layer/mode':<25} {'clients':>7} {'rounds':>6} {'received':>8} {'missing':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'call ms':>8}"
    print(head)
    print("-" * len(head))
    for s in out["summary"]:
        print(
            f"{s['layer']:<25} {s['clients']:>7} {s['rounds']:>6} {s['received']:>8} {s['missing']:>7} "
            f"{s['p50_ms']:>8} {s['p95_ms']:>8} {s['max_ms']!s:>8} {s['service_call_ms_median']:>8}"
        )
    for name, ratio in out["ratios_to_baseline"].items():
        print(f"{name}: p50 {ratio['p50']:.2f}x, p95 {ratio['p95']:.2f}x the baseline's in the same run")
    print(
        "latency = trigger sent -> toast received, over all clients and rounds; 'call ms' = median server time of the service call(s) for all clients"
    )
    from common import write_json

    print("wrote", write_json("notify", out))


if __name__ == "__main__":
    main()
