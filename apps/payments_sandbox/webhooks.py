"""Signed webhooks, sent like Razorpay sends them: a JSON event POSTed to the merchant's webhook
URL with ``X-Razorpay-Signature`` = HMAC-SHA256 of the raw body with the webhook secret.

Events are queued after the current transaction commits and delivered over real HTTP by a Celery
task (``tasks.deliver_webhook``), so the payments app receives them exactly as it receives the
real gateway's. Tests without a server swap the ``post`` hop for Django's test client (a fixture
in ``apps/payments/tests/conftest.py``); nothing at run time does.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import requests
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from apps.core.background import enqueue
from apps.core.signing import hmac_sha256

from .keys import SANDBOX_WEBHOOK_SECRET


def webhook_signature(body: str | bytes) -> str:
    return hmac_sha256(SANDBOX_WEBHOOK_SECRET, body)


def webhook_url() -> str:
    return settings.SITE_URL.rstrip("/") + reverse("payments:webhook")


def event_body(event: str, payload: dict[str, Any]) -> str:
    return json.dumps(
        {
            "entity": "event",
            "account_id": "acc_sandbox",
            "event": event,
            "contains": list(payload.keys()),
            "payload": {k: {"entity": v} for k, v in payload.items()},
            "created_at": int(timezone.now().timestamp()),
        },
        separators=(",", ":"),
    )


def queue_webhook(event: str, payload: dict[str, Any]) -> None:
    """Deliver a signed webhook after the current transaction commits."""
    if not settings.PAYMENTS_SANDBOX_WEBHOOKS:
        return
    body = event_body(event, payload)
    event_id = f"evt_{uuid.uuid4().hex[:14]}"

    def send() -> None:
        from .tasks import deliver_webhook

        enqueue(deliver_webhook, body, event_id)

    transaction.on_commit(send)


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """One delivery attempt over HTTP; returns the status code (raises on network trouble)."""
    return requests.post(url, data=body, headers=headers, timeout=10).status_code


def deliver(body: str, event_id: str) -> int:
    headers = {
        "Content-Type": "application/json",
        "X-Razorpay-Signature": webhook_signature(body),
        "X-Razorpay-Event-Id": event_id,
    }
    return post(webhook_url(), body.encode(), headers)
