"""Pushes from synchronous code outside an ASGI server (gunicorn workers, Celery tasks, tests)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from apps.core import realtime


def _listen(group: str) -> tuple[Any, str]:
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group, channel)
    return layer, channel


def test_pushes_without_a_server_loop_share_one_long_lived_loop() -> None:
    layer, channel = _listen("realtime-test-a")
    loops: list[asyncio.AbstractEventLoop] = []

    def push(n: int) -> None:
        async def record() -> None:
            loops.append(asyncio.get_running_loop())

        realtime.run_async(record)
        assert realtime.broadcast("realtime-test-a", {"type": "x.y", "n": n})

    push(1)
    thread = threading.Thread(target=push, args=(2,))  # a request thread of a gunicorn worker, say
    thread.start()
    thread.join()
    got = [async_to_sync(layer.receive)(channel)["n"] for _ in range(2)]
    assert got == [1, 2]
    assert len(loops) == 2 and loops[0] is loops[1] and loops[0].is_running()


def test_a_forked_process_starts_its_own_push_loop(monkeypatch: Any) -> None:
    first = realtime._push_loop()
    assert realtime._push_loop() is first
    monkeypatch.setattr(realtime.os, "getpid", lambda: -1)  # as in a child after fork
    second = realtime._push_loop()
    assert second is not first

    async def answer() -> int:
        return 42

    assert asyncio.run_coroutine_threadsafe(answer(), second).result(5) == 42  # it runs
    monkeypatch.undo()
    realtime._push.update(pid=None, loop=None)
    second.call_soon_threadsafe(second.stop)


def test_a_push_that_hangs_times_out_instead_of_holding_the_request(monkeypatch: Any) -> None:
    monkeypatch.setattr(realtime, "WORKER_TIMEOUT", 0.2)
    never = asyncio.Event()

    async def stuck() -> None:
        await never.wait()

    try:
        realtime.run_async(stuck)
    except TimeoutError as exc:
        assert "still running" in str(exc)
    else:
        raise AssertionError("run_async returned while its coroutine was still waiting")
