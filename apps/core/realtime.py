"""Send events to Channels groups from synchronous code. Never raises: the database is the truth,
a push is a courtesy (a socket that misses it re-reads the state when it reconnects)."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from .layers import Send, group_send_many

log = logging.getLogger(__name__)

WORKER_TIMEOUT = 30.0  # seconds a push from a thread with its own running loop may take


def run_async(fn: Callable[[], Awaitable[None]]) -> None:
    """Run ``fn()`` to completion from synchronous code.

    Normally through ``async_to_sync``: in a thread Django started for a synchronous view that runs
    it on the server's event loop, where the sockets live. A thread that is itself running an event
    loop (test code under Playwright's sync API, a synchronous call made inside a coroutine) cannot
    wait on its own loop — ``async_to_sync`` refuses — so there the coroutine runs on a loop of its
    own in a short-lived worker thread, and this call waits for it.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        async_to_sync(fn)()
        return
    failure: list[BaseException] = []

    def work() -> None:
        try:
            asyncio.run(_call(fn))
        except BaseException as exc:  # handed to the caller below
            failure.append(exc)

    worker = threading.Thread(target=work, name="realtime-push", daemon=True)
    worker.start()
    worker.join(WORKER_TIMEOUT)
    if worker.is_alive():
        raise TimeoutError(f"channel-layer push still running after {WORKER_TIMEOUT:.0f} s")
    if failure:
        raise failure[0]


async def _call(fn: Callable[[], Awaitable[None]]) -> None:
    await fn()


def broadcast(group: str, event: dict[str, Any]) -> bool:
    """Send one event to one group now."""
    return broadcast_many([(group, event)])


def broadcast_many(sends: Sequence[Send]) -> bool:
    """Send many ``(group, event)`` pairs in one hop (batched by the layer: see ``layers.py``)."""
    layer = get_channel_layer()
    if layer is None or not sends:
        return False

    async def go() -> None:
        await group_send_many(layer, sends)

    try:
        run_async(go)
    except Exception:
        log.exception("push to %s group(s) (first %s) failed", len(sends), sends[0][0])
        return False
    return True
