"""Periodic jobs of the payments app (scheduled in ``peerlearn/celery.py``)."""

from __future__ import annotations

from celery import shared_task

from .earnings import release_matured_earnings
from .payouts import reconcile_payouts
from .services import reconcile_payments


@shared_task(name="payments.reconcile", ignore_result=True, expires=240)
def reconcile() -> dict[str, int]:
    """Every 5 min, on its own schedule (never on the reminder tick: it calls the gateway up to a
    few hundred times): payments and refunds we have not heard back on."""
    return {**reconcile_payments(), **reconcile_payouts()}


@shared_task(name="payments.release_matured_earnings", ignore_result=True, expires=240)
def release_earnings() -> int:
    """Every 5 min: earnings past the 24 h dispute window become available to mentors."""
    return release_matured_earnings()
