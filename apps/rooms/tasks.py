"""Periodic jobs of the live room (scheduled in ``peerlearn/celery.py``)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="rooms.auto_complete", ignore_result=True, expires=25)
def auto_complete() -> int:
    """Every 30 s: live sessions past their end + 5 min grace are completed."""
    return services.auto_complete_sessions()


@shared_task(name="rooms.enforce_mentor_no_show", ignore_result=True, expires=25)
def enforce_mentor_no_show() -> int:
    """Every 30 s: the T+10 min mentor no-show rule."""
    return services.enforce_mentor_no_show()
