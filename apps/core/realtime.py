"""Send events to Channels groups from synchronous code. Never raises: the database is the truth,
a push is a courtesy (a socket that misses it re-reads the state when it reconnects)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import threading
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer

from .layers import Send, group_send_many

log = logging.getLogger(__name__)

WORKER_TIMEOUT = 30.0  # seconds a push on the push loop may take


def run_async(fn: Callable[[], Awaitable[None]]) -> None:
    """Run ``fn()`` to completion from synchronous code.

    In a thread an ASGI server (daphne) started for a synchronous view, through ``async_to_sync``:
    the coroutine runs on the server's own event loop, where the sockets and the channel layer's
    connections live. Anywhere else — a gunicorn worker's request thread, a Celery task, test code
    whose thread runs its own loop (where ``async_to_sync`` refuses) — on this process's push loop:
    one event loop in a daemon thread, started on first use, that keeps its channel-layer
    connections. ``async_to_sync`` there would build a new event loop in a new thread for every
    push, and the Redis layer a new connection for each loop (about 5 ms a push, paid inside the
    request; four pushes per booking).
    """
    if _server_loop() is not None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            async_to_sync(fn)()
            return
    future = asyncio.run_coroutine_threadsafe(_call(fn), _push_loop())
    try:
        future.result(WORKER_TIMEOUT)
    except concurrent.futures.TimeoutError:
        future.cancel()
        raise TimeoutError(f"channel-layer push still running after {WORKER_TIMEOUT:.0f} s") from None


def _server_loop() -> asyncio.AbstractEventLoop | None:
    """The ASGI server's event loop when this thread runs a synchronous view for it (asgiref
    records it for ``async_to_sync``; a loop from before a fork does not count)."""
    local = SyncToAsync.threadlocal
    if getattr(local, "main_event_loop_pid", None) != os.getpid():
        return None
    return getattr(local, "main_event_loop", None)


_push: dict[str, Any] = {"pid": None, "loop": None}
_push_lock = threading.Lock()


def _push_loop() -> asyncio.AbstractEventLoop:
    """This process's push loop (a new one after a fork: threads do not survive it)."""
    with _push_lock:
        if _push["pid"] != os.getpid() or _push["loop"] is None:
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="realtime-push", daemon=True)
            thread.start()
            _push.update(pid=os.getpid(), loop=loop)
        return _push["loop"]  # type: ignore[no-any-return]


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
