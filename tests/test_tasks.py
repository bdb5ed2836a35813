"""Background wiring: the embedded profile has no broker (the web process runs the jobs), the
production profile's tasks round-trip through Redis to a real worker, and both run one schedule."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from apps.core.tasks import ping

ROOT = Path(__file__).resolve().parent.parent


def test_each_profile_runs_its_background_where_it_should() -> None:
    from peerlearn.celery import app

    if settings.PROFILE != "embedded":
        assert settings.CELERY_BROKER_URL == settings.REDIS_URL
        assert settings.BACKGROUND == "celery"
        assert app.conf.task_acks_late is True and app.conf.task_reject_on_worker_lost is True
        return
    # No broker files to half-read, no second process to lose: the web server runs the jobs.
    assert settings.BACKGROUND == "inprocess"
    assert app.conf.broker_url == "memory://"
    assert not (Path(settings.VAR_DIR) / "broker").exists()


def test_ping_task_runs_eagerly_in_tests(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.VAR_DIR = tmp_path
    assert ping.delay("abc123").get() == "pong"
    assert (tmp_path / "ping" / "abc123").read_text() == "pong"


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="the Celery worker is the production profile's (Redis)")
def test_task_round_trips_through_a_real_worker(tmp_path: Path) -> None:
    """Start `celery worker` as `make run` does with Redis, enqueue from another process, see it run.
    (The embedded profile's runner is exercised by tests/test_background_faults.py.)"""
    env = {
        k: v for k, v in os.environ.items() if k not in {"CELERY_TASK_ALWAYS_EAGER", "PEERLEARN_VAR_DIR", "SQLITE_PATH"}
    }
    env.update(PEERLEARN_VAR_DIR=str(tmp_path), PYTHONWARNINGS="ignore")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "peerlearn", "worker", "--pool", "solo", "--loglevel", "INFO"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    token = uuid.uuid4().hex
    try:
        send = f"import django; django.setup()\nfrom apps.core.tasks import ping\nping.delay({token!r})"
        sent = subprocess.run(
            [sys.executable, "-c", send], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
        )
        assert sent.returncode == 0, sent.stderr
        marker = tmp_path / "ping" / token
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.2)
        assert marker.exists(), "the worker never ran the task"
        assert marker.read_text() == "pong"
    finally:
        worker.terminate()
        try:
            output = worker.communicate(timeout=20)[0]
        except subprocess.TimeoutExpired:
            worker.kill()
            output = worker.communicate()[0]
    assert "core.ping" in output


# --- the periodic schedule ------------------------------------------------------------------

EXPECTED_JOBS = {
    "workflows.reminders_tick",
    "workflows.expire_payment_holds",
    "rooms.enforce_mentor_no_show",
    "rooms.auto_complete",
    "requests.expire_due",
    "payments.reconcile",
    "payments.release_matured_earnings",
    "accounts.purge_stale_uploads",
    "notifications.deliver_due_emails",
}


def unregistered(schedule: dict[str, dict[str, object]], registered: object) -> list[str]:
    return sorted(str(entry["task"]) for entry in schedule.values() if entry["task"] not in registered)  # type: ignore[operator]


def test_every_scheduled_job_is_a_registered_task() -> None:
    from peerlearn.celery import app

    app.finalize()
    schedule = app.conf.beat_schedule
    names = {entry["task"] for entry in schedule.values()}
    assert names == EXPECTED_JOBS
    assert unregistered(schedule, app.tasks) == []
    # Gateway reconciliation never shares the 30-second tick with the reminders.
    every = {entry["task"]: float(entry["schedule"]) for entry in schedule.values()}
    assert every["workflows.reminders_tick"] == 30.0
    assert every["payments.reconcile"] >= 300.0


def test_the_check_reports_a_task_renamed_away() -> None:
    """The check above can fail: an entry naming a task nobody registers (say, after a rename)."""
    from peerlearn.celery import app

    app.finalize()
    stale = {**app.conf.beat_schedule, "reminders (old)": {"task": "notifications.tick", "schedule": 30.0}}
    assert unregistered(stale, app.tasks) == ["notifications.tick"]


def test_no_function_is_looked_up_by_name_in_our_code() -> None:
    offenders = []
    for folder in ("apps", "peerlearn"):
        for path in (ROOT / folder).rglob("*.py"):
            if "/tests/" in str(path):
                continue
            text = path.read_text(encoding="utf-8")
            if any(word in text for word in ("import_module", "find_function", "importlib")):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_beat_runs_the_schedule_in_a_real_process(tmp_path: Path) -> None:
    """`celery beat` (as `make run` starts it, embedded in the worker) loads the same schedule."""
    env = {k: v for k, v in os.environ.items() if k not in {"PEERLEARN_VAR_DIR", "SQLITE_PATH"}}
    env.update(PEERLEARN_VAR_DIR=str(tmp_path), PYTHONWARNINGS="ignore")
    probe = (
        "from peerlearn.celery import app\n"
        "app.loader.import_default_modules()\n"
        "app.finalize()\n"
        "print(sorted(e['task'] for e in app.conf.beat_schedule.values()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == str(sorted(EXPECTED_JOBS))


def test_tasks_keep_their_database_connection_by_djangos_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """Celery's Django fix-up closes every connection around every task unless CELERY_DB_REUSE_MAX
    is set (it reads that very key); with it set, Django's own rule (CONN_MAX_AGE, health check,
    broken connections) runs around each task that the worker runs, and never around an eager run,
    which may be inside its caller's transaction."""
    from types import SimpleNamespace

    import peerlearn.celery as celery_module

    assert celery_module.app.conf.get("CELERY_DB_REUSE_MAX", 0) >= 100
    calls: list[int] = []
    monkeypatch.setattr(celery_module, "close_old_connections", lambda: calls.append(1))
    celery_module.close_old_database_connections(sender=SimpleNamespace(request=SimpleNamespace(is_eager=True)))
    assert calls == []
    celery_module.close_old_database_connections(sender=SimpleNamespace(request=SimpleNamespace(is_eager=False)))
    assert calls == [1]
