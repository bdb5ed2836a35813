from __future__ import annotations

import json
import uuid
from typing import Any

from django.test import Client

from apps.catalog.tests.factories import make_session, make_user
from apps.core.signing import hmac_sha256
from apps.payments import services
from apps.payments.models import Payment
from apps.payments_sandbox.keys import SANDBOX_KEY_SECRET
from apps.payments_sandbox.webhooks import webhook_signature
from apps.workflows.booking import book_and_pay


def paid_checkout(price: int = 100_000, **session_kwargs: Any) -> tuple[Any, Any, Payment]:
    learner = make_user()
    session = make_session(price_paise=price, **session_kwargs)
    booking, payment = book_and_pay(learner=learner, session=session)
    payment = services.ensure_order(payment)
    return learner, booking, payment


def sandbox_pay(client: Client, payment: Payment, outcome: str = "success") -> Any:
    """Drive the sandbox Checkout page like a tester; returns the rendered redirect form fields."""
    response = client.post(
        f"/sandbox/razorpay/checkout/{payment.gateway_order_id}/",
        {"outcome": outcome, "callback_url": f"/payments/callback/{payment.receipt}/"},
    )
    assert response.status_code == 200
    return dict(response.context["fields"])


def signed_callback(payment: Payment, payment_id: str) -> dict[str, str]:
    return {
        "razorpay_order_id": str(payment.gateway_order_id),
        "razorpay_payment_id": payment_id,
        "razorpay_signature": hmac_sha256(SANDBOX_KEY_SECRET, f"{payment.gateway_order_id}|{payment_id}"),
    }


def webhook_body(event: str, payment: Payment, payment_id: str, status: str = "captured") -> bytes:
    entity = {
        "id": payment_id,
        "entity": "payment",
        "order_id": payment.gateway_order_id,
        "amount": payment.amount_paise,
        "status": status,
    }
    if status == "failed":
        entity.update(error_code="BAD_REQUEST_ERROR", error_description="Card declined")
    payload = {"entity": "event", "event": event, "payload": {"payment": {"entity": entity}}}
    return json.dumps(payload).encode()


def post_webhook(client: Client, body: bytes, *, event_id: str | None = None, signature: str | None = None) -> Any:
    return client.post(
        "/payments/webhook/razorpay/",
        data=body,
        content_type="application/json",
        headers={
            "X-Razorpay-Signature": signature if signature is not None else webhook_signature(body),
            "X-Razorpay-Event-Id": event_id or f"evt_{uuid.uuid4().hex[:12]}",
        },
    )
