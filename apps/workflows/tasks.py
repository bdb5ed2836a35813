"""Periodic jobs of the flows here (scheduled in ``peerlearn/celery.py``)."""

from __future__ import annotations

from celery import shared_task

from . import booking, reminders


@shared_task(name="workflows.reminders_tick", ignore_result=True, expires=25)
def reminders_tick() -> dict[str, int]:
    """Every 30 s: discover and send due reminders and feedback prompts (one claim per row)."""
    return reminders.tick()


@shared_task(name="workflows.expire_payment_holds", ignore_result=True, expires=25)
def expire_payment_holds() -> int:
    """Every 30 s: unpaid 15-minute holds release their seats."""
    return booking.expire_payment_holds()
