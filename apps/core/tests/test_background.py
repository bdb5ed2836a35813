"""The embedded profile's in-process runner: periodic jobs keep running when one fails, tasks
submitted from other threads run, and without a runner a task runs where it was enqueued."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from apps.core import background


class FakeResult:
    def __init__(self, error: str | None) -> None:
        self.traceback = error

    def failed(self) -> bool:
        return self.traceback is not None


class FakeTask:
    """Stands in for a Celery task: ``apply`` runs the body here, as Celery's does."""

    def __init__(self, name: str, body: Any) -> None:
        self.name, self.body, self.calls = name, body, 0

    def apply(self, args: tuple[Any, ...] = (), kwargs: dict[str, Any] | None = None) -> FakeResult:
        self.calls += 1
        try:
            self.body(*args, **(kwargs or {}))
        except Exception as exc:
            return FakeResult(repr(exc))
        return FakeResult(None)

    def delay(self, *args: Any, **kwargs: Any) -> None:
        raise AssertionError("the embedded profile has no broker")


def _boom() -> None:
    raise ValueError("a broken job")


@pytest.mark.django_db(transaction=True)
def test_a_failing_job_does_not_stop_the_others_and_submitted_tasks_run(caplog: Any) -> None:
    done = threading.Event()
    seen: list[str] = []
    ticks = FakeTask("tick", lambda: seen.append("tick"))
    broken = FakeTask("broken", _boom)

    def later(word: str) -> None:
        seen.append(word)
        if seen.count("tick") >= 3:
            done.set()

    submitted = FakeTask("submitted", later)

    async def scenario() -> None:
        runner = background.Runner(
            [background.Periodic(0.01, broken, "broken"), background.Periodic(0.01, ticks, "tick")],
            startup=[lambda: seen.append("started"), _boom],
        )
        runner.start()
        assert runner.running
        # From another thread, as an on_commit hook in a view's thread does.
        await asyncio.to_thread(runner.submit, submitted, ("hello",), {})
        while not (done.is_set() or (seen.count("tick") >= 3 and "hello" in seen)):
            await asyncio.sleep(0.01)
        for t in runner._tasks:
            t.cancel()

    asyncio.run(asyncio.wait_for(scenario(), timeout=20))
    assert broken.calls >= 3  # kept being called, kept failing, never stopped the lane
    assert "hello" in seen and seen.count("tick") >= 3
    assert seen.index("started") < seen.index("tick")  # start-up steps first; a failing one stops nothing
    assert "a broken job" in caplog.text


@pytest.mark.django_db
def test_without_a_runner_an_enqueued_task_runs_here(settings: Any) -> None:
    settings.BACKGROUND = "inprocess"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    seen: list[int] = []
    task = FakeTask("here", lambda n: seen.append(n))
    background.enqueue(task, 7)
    assert seen == [7]


def test_production_hands_tasks_to_celery(settings: Any) -> None:
    settings.BACKGROUND = "celery"
    sent: list[tuple[Any, ...]] = []
    task = FakeTask("celery", lambda: None)
    task.delay = lambda *a, **k: sent.append(a)  # type: ignore[method-assign]
    background.enqueue(task, 1, 2)
    assert sent == [(1, 2)] and task.calls == 0
