"""Periodic jobs of requests and offers (scheduled in ``peerlearn/celery.py``)."""

from __future__ import annotations

from celery import shared_task

from .services import expire_due


@shared_task(name="requests.expire_due", ignore_result=True, expires=25)
def expire_requests_and_offers() -> int:
    """Every 30 s: offers past their deadline and requests unanswered for 24 h expire."""
    return expire_due()
