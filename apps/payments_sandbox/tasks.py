from __future__ import annotations

import logging

import requests
from celery import shared_task

from . import webhooks

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=5, default_retry_delay=10, name="payments_sandbox.deliver_webhook")
def deliver_webhook(self, body: str, event_id: str) -> int:  # type: ignore[no-untyped-def]
    """POST one signed sandbox webhook to our webhook endpoint; retried like Razorpay retries."""
    try:
        status = webhooks.deliver(body, event_id)
    except requests.exceptions.RequestException as exc:
        logger.warning("sandbox webhook %s not delivered: %s", event_id, exc)
        if self.request.is_eager:  # run in-process (embedded profile, tests): reconciliation catches up
            return 0
        raise self.retry(exc=exc) from exc
    if status >= 500 and not self.request.is_eager:
        raise self.retry()
    return status
