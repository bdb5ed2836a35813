"""Infrastructure tasks. ``ping`` proves a message makes the round trip web -> broker -> worker."""

from __future__ import annotations

from pathlib import Path

from celery import shared_task
from django.conf import settings


@shared_task(name="core.ping")
def ping(token: str) -> str:
    """Write ``token`` to ``var/ping/<token>`` so a caller can see the worker ran the task
    (results are not stored: CELERY_TASK_IGNORE_RESULT)."""
    if not token.isalnum():
        raise ValueError("token must be alphanumeric")
    out = Path(settings.VAR_DIR) / "ping"
    out.mkdir(parents=True, exist_ok=True)
    (out / token).write_text("pong")
    return "pong"
