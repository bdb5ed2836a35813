from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=5, default_retry_delay=10)
def deliver_sandbox_webhook(self, body: str, event_id: str) -> int:  # type: ignore[no-untyped-def]
    """POST a sandbox webhook, signed like Razorpay, to our webhook endpoint."""
    from .gateway import sandbox_session
    from .sandbox import webhook_signature

    session = sandbox_session()
    url = settings.SITE_URL.rstrip("/") + "/payments/webhook/razorpay/"
    headers = {
        "Content-Type": "application/json",
        "X-Razorpay-Signature": webhook_signature(body),
        "X-Razorpay-Event-Id": event_id,
    }
    try:
        response = session.post(url, data=body.encode(), headers=headers, timeout=10)
    except Exception as exc:  # network trouble: retry later, like Razorpay does
        logger.warning("sandbox webhook %s not delivered: %s", event_id, exc)
        if settings.CELERY_TASK_ALWAYS_EAGER:
            return 0
        raise self.retry(exc=exc) from exc
    if response.status_code >= 500 and not settings.CELERY_TASK_ALWAYS_EAGER:
        raise self.retry()
    return int(response.status_code)
