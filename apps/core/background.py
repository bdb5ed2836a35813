"""Background work for both profiles, behind one call: ``enqueue(task, *args, **kwargs)``.

* **production** (``BACKGROUND = "celery"``): Celery on Redis; ``enqueue`` is ``task.delay``, the
  periodic jobs run from Celery beat (``peerlearn/celery.py``), tasks are acknowledged late.
* **embedded** (``BACKGROUND = "inprocess"``, the default without Redis): no broker and no second
  process. The web server runs a ``Runner`` on its own event loop: the periodic jobs on the same
  schedule as beat, and enqueued tasks from an in-memory queue, each in a worker thread of the
  loop's executor. Because it runs in the web process, whatever a job sends over the in-memory
  channel layer (a reminder's toast, a bell count) reaches the pages open on that server.

Durability does not depend on either queue. Every job whose effect matters is a database row
claimed in the same transaction as its effect (reminders: ``ScheduledJob``; emails: ``OutboundEmail``),
and the periodic jobs sweep up whatever a lost message or a killed process left behind. The
in-memory queue is only a fast path; killing the server loses no reminder and no email.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections

log = logging.getLogger(__name__)

ASGIApp = Callable[
    [MutableMapping[str, Any], Callable[..., Awaitable[Any]], Callable[..., Awaitable[Any]]], Awaitable[None]
]


@dataclass(frozen=True)
class Periodic:
    every: float  # seconds
    task: Any  # a Celery task (called in-process with ``apply``)
    name: str


def _apply(task: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Run one task body in this thread the way a worker would (retries included), with fresh
    database connections, and log a failure instead of raising it."""
    close_old_connections()
    try:
        result = task.apply(args=args, kwargs=kwargs)
        if result.failed():
            log.error("background task %s failed: %s", task.name, result.traceback)
    except Exception:
        log.exception("background task %s could not run", getattr(task, "name", task))
    finally:
        close_old_connections()


def _run_plain(step: Callable[[], Any]) -> None:
    close_old_connections()
    try:
        step()
    except Exception:
        log.exception("background start-up step %s failed", getattr(step, "__name__", step))
    finally:
        close_old_connections()


class Runner:
    """Runs periodic jobs and enqueued tasks on the web server's event loop (embedded profile).

    Two lanes, so a slow task (a sandbox webhook waiting on the network) never delays a reminder:
    the periodic lane runs the schedule, the task lane drains the queue. Both hand the work to the
    loop's thread pool, where Django's synchronous code and ``async_to_sync`` work as in a view.
    """

    def __init__(self, periodic: list[Periodic], startup: list[Callable[[], Any]] | None = None) -> None:
        self.periodic = periodic
        self.startup = startup or []
        self.loop: asyncio.AbstractEventLoop | None = None
        self.queue: asyncio.Queue[tuple[Any, tuple[Any, ...], dict[str, Any]]] | None = None
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def running(self) -> bool:
        return self.loop is not None and not self.loop.is_closed() and any(not t.done() for t in self._tasks)

    def start(self) -> None:
        """Start both lanes on the running loop (call from a coroutine on the server's loop)."""
        self.loop = asyncio.get_running_loop()
        self.queue = asyncio.Queue()
        self._tasks = [self.loop.create_task(self._periodic_lane()), self.loop.create_task(self._task_lane())]
        log.info("background runner started in the web process (%s periodic jobs)", len(self.periodic))

    def submit(self, task: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """Queue a task from any thread."""
        if self.loop is None or self.queue is None:
            raise RuntimeError("the background runner has not started")
        self.loop.call_soon_threadsafe(self.queue.put_nowait, (task, args, kwargs))

    async def _periodic_lane(self) -> None:
        for step in self.startup:  # e.g. release what a killed predecessor had claimed
            await sync_to_async(_run_plain, thread_sensitive=False)(step)
        loop = asyncio.get_running_loop()
        next_at = {p.name: loop.time() for p in self.periodic}  # everything runs once at start
        while True:
            for p in self.periodic:
                if loop.time() >= next_at[p.name]:
                    await sync_to_async(_apply, thread_sensitive=False)(p.task, (), {})
                    next_at[p.name] = loop.time() + p.every
            wait = min(next_at.values(), default=loop.time() + 60) - loop.time()
            await asyncio.sleep(max(0.05, wait))

    async def _task_lane(self) -> None:
        queue = self.queue
        if queue is None:
            raise RuntimeError("the background runner has not started")
        while True:
            task, args, kwargs = await queue.get()
            await sync_to_async(_apply, thread_sensitive=False)(task, args, kwargs)


_runner: Runner | None = None


def runner_running() -> bool:
    return _runner is not None and _runner.running


def in_process() -> bool:
    return settings.BACKGROUND == "inprocess" and not settings.CELERY_TASK_ALWAYS_EAGER


def enqueue(task: Any, *args: Any, **kwargs: Any) -> None:
    """Run ``task`` in the background: Celery in production, the web process's runner when
    embedded. Without a running runner (a management command in the embedded profile) the task
    runs here and now."""
    if not in_process():
        task.delay(*args, **kwargs)
    elif _runner is not None and _runner.running:
        _runner.submit(task, args, kwargs)
    else:
        _apply(task, args, kwargs)


def with_runner(
    app: ASGIApp, periodic: Callable[[], list[Periodic]], startup: Callable[[], list[Callable[[], Any]]] | None = None
) -> ASGIApp:
    """Wrap the ASGI application so the runner starts on the server's loop with its first
    connection (daphne has no lifespan events; ``scripts/run.sh`` makes that first request).
    ``startup`` steps run once before the first periodic pass."""

    async def wrapped(scope: MutableMapping[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        global _runner
        if _runner is None:
            _runner = Runner(periodic(), startup() if startup else None)
            _runner.start()
        await app(scope, receive, send)

    return wrapped
