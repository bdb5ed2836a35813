"""SPEC §13: two web processes sharing Redis — a notification sent from one reaches a WebSocket
held by the other. Real daphne processes, real Redis, a throwaway SQLite file shared by both.
Runs only when REDIS_URL is set (``bash scripts/services.sh start`` prints it)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis: set REDIS_URL")

BENCH = Path(__file__).resolve().parents[3] / "bench"


def _bench_modules():  # type: ignore[no-untyped-def]
    if str(BENCH) not in sys.path:
        sys.path.append(str(BENCH))  # appended: bench/http.py must not shadow the stdlib
    import notify as bench_notify  # bench/notify.py
    from wsclient import WSClient

    return bench_notify, WSClient


def test_notification_from_one_process_reaches_socket_on_the_other() -> None:
    bench, ws_client = _bench_modules()
    redis_url = os.environ["REDIS_URL"]
    var_dir = Path(tempfile.mkdtemp(prefix="peerlearn-2web-"))
    sqlite_path = var_dir / "shared.sqlite3"
    bench.prepare_database(var_dir, sqlite_path)
    alice, bob = bench.make_users(2, var_dir, sqlite_path)
    env = bench.base_env(var_dir, sqlite_path, **bench.redis_env(redis_url))
    web1 = bench.Daphne("web1", env, var_dir / "web1.log")
    web2 = bench.Daphne("web2", env, var_dir / "web2.log")

    async def scenario() -> tuple[dict[str, object], list[str]]:
        a = await ws_client.connect("127.0.0.1", web2.port, "/ws/notifications/", cookie=alice["cookie"])
        b = await ws_client.connect("127.0.0.1", web2.port, "/ws/notifications/", cookie=bob["cookie"])
        assert (await a.recv_json())["type"] == "hello"
        assert (await b.recv_json())["type"] == "hello"
        # Stay idle past redis-py 8's default 5 s socket timeout: the sockets must survive it
        # (settings: socket_timeout=None for the channel layer).
        await asyncio.sleep(7)
        loop = asyncio.get_running_loop()
        # The service call runs in web1; Alice's socket lives in web2.
        sent = await loop.run_in_executor(None, bench.trigger, web1.port, [alice["id"]], "cross-process")
        assert sent["sent"] == 1
        msg = await asyncio.wait_for(a.recv_json(), 10)
        # Bob (other user, same process) gets nothing.
        leaked: list[str] = []
        with contextlib.suppress(TimeoutError):
            leaked.append(await asyncio.wait_for(b.recv(), 0.5))
        await a.close()
        await b.close()
        return msg, leaked

    try:
        msg, leaked = asyncio.run(scenario())
    finally:
        web1.stop()
        web2.stop()
    assert msg["type"] == "notification"
    assert msg["notification"]["title"] == "bench cross-process"  # type: ignore[index]
    assert msg["unread"] == 1
    assert leaked == []


def test_anonymous_socket_is_refused_by_the_real_server() -> None:
    bench, ws_client = _bench_modules()
    var_dir = Path(tempfile.mkdtemp(prefix="peerlearn-2web-"))
    sqlite_path = var_dir / "shared.sqlite3"
    bench.prepare_database(var_dir, sqlite_path)
    web = bench.Daphne(
        "web", bench.base_env(var_dir, sqlite_path, **bench.redis_env(os.environ["REDIS_URL"])), var_dir / "w.log"
    )

    async def scenario() -> str:
        try:
            c = await ws_client.connect("127.0.0.1", web.port, "/ws/notifications/")
        except Exception as exc:  # handshake refused
            return type(exc).__name__
        try:
            await asyncio.wait_for(c.recv(), 5)
        except Exception as exc:
            return type(exc).__name__
        return "open"

    try:
        outcome = asyncio.run(scenario())
    finally:
        web.stop()
    assert outcome in {"WSClosedError", "IncompleteReadError"}
