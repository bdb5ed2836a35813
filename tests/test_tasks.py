"""Celery wiring: the embedded broker is the filesystem under var/, and a task round-trips through
it to a real worker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from django.conf import settings

from apps.core.tasks import ping

ROOT = Path(__file__).resolve().parent.parent


def test_embedded_broker_is_the_filesystem() -> None:
    if settings.PROFILE != "embedded":
        assert settings.CELERY_BROKER_URL == settings.REDIS_URL
        return
    from peerlearn.celery import app

    assert app.conf.broker_url == "filesystem://"
    queue = Path(app.conf.broker_transport_options["data_folder_in"])
    assert queue == Path(settings.VAR_DIR) / "broker" / "queue"
    assert queue.is_dir()


def test_ping_task_runs_eagerly_in_tests(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.VAR_DIR = tmp_path
    assert ping.delay("abc123").get() == "pong"
    assert (tmp_path / "ping" / "abc123").read_text() == "pong"


def test_task_round_trips_through_a_real_worker(tmp_path: Path) -> None:
    """Start `celery worker` as `make run` does, enqueue from another process, see it run."""
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
