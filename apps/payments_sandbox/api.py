"""The emulated Razorpay API as plain functions (Orders, Payments, Refunds).

The payments app's sandbox gateway calls these directly (no socket, no request machinery); the
HTTP views in ``views.py`` expose the same functions under ``/sandbox/razorpay/v1/…`` for the
official SDK when ``PAYMENTS_SANDBOX_TRANSPORT=http``. Answers follow Razorpay's entity shapes and
error texts; refunds and payments announce themselves with signed webhooks after commit.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction

from apps.core.signing import hmac_sha256

from .keys import SANDBOX_KEY_SECRET
from .models import SandboxOrder, SandboxPayment, SandboxRefund
from .webhooks import queue_webhook


class SandboxError(Exception):
    """A call the real gateway would refuse: ``status`` is the HTTP status it would answer."""

    def __init__(self, status: int, description: str, code: str = "BAD_REQUEST_ERROR") -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.code = code


NOT_FOUND = "The id provided does not exist"


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(7)}"


def order_entity(order: SandboxOrder) -> dict[str, Any]:
    paid = order.status == "paid"
    return {
        "id": order.order_id,
        "entity": "order",
        "amount": order.amount,
        "amount_paid": order.amount if paid else 0,
        "amount_due": 0 if paid else order.amount,
        "currency": order.currency,
        "receipt": order.receipt,
        "status": order.status,
        "attempts": order.attempts,
        "notes": order.notes,
        "created_at": int(order.created_at.timestamp()),
    }


def payment_entity(p: SandboxPayment) -> dict[str, Any]:
    return {
        "id": p.payment_id,
        "entity": "payment",
        "amount": p.amount,
        "currency": "INR",
        "status": p.status,
        "order_id": p.order.order_id,
        "method": "upi",
        "captured": p.status in ("captured", "refunded"),
        "amount_refunded": p.amount_refunded,
        "refund_status": None if not p.amount_refunded else ("full" if p.amount_refunded == p.amount else "partial"),
        "error_code": p.error_code or None,
        "error_description": p.error_description or None,
        "notes": p.order.notes,
        "created_at": int(p.created_at.timestamp()),
    }


def refund_entity(r: SandboxRefund) -> dict[str, Any]:
    return {
        "id": r.refund_id,
        "entity": "refund",
        "amount": r.amount,
        "currency": "INR",
        "payment_id": r.payment.payment_id,
        "notes": r.notes,
        "status": r.status,
        "created_at": int(r.created_at.timestamp()),
    }


def _notes(data: dict[str, Any]) -> dict[str, Any]:
    notes = data.get("notes")
    return notes if isinstance(notes, dict) else {}


def create_order(data: dict[str, Any]) -> dict[str, Any]:
    amount = data.get("amount")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 100:
        raise SandboxError(400, "The amount must be atleast INR 1.00")
    if data.get("currency", "INR") != "INR":
        raise SandboxError(400, "Currency is not supported")
    order = SandboxOrder.objects.create(
        order_id=new_id("order"), amount=amount, receipt=str(data.get("receipt", ""))[:40], notes=_notes(data)
    )
    return order_entity(order)


def fetch_order(order_id: str) -> dict[str, Any]:
    order = SandboxOrder.objects.filter(order_id=order_id).first()
    if order is None:
        raise SandboxError(400, NOT_FOUND)
    return order_entity(order)


def order_payments(order_id: str) -> dict[str, Any]:
    order = SandboxOrder.objects.filter(order_id=order_id).first()
    if order is None:
        raise SandboxError(400, NOT_FOUND)
    items = [payment_entity(p) for p in order.payments.select_related("order").order_by("created_at")]
    return {"entity": "collection", "count": len(items), "items": items}


def fetch_payment(payment_id: str) -> dict[str, Any]:
    p = SandboxPayment.objects.select_related("order").filter(payment_id=payment_id).first()
    if p is None:
        raise SandboxError(400, NOT_FOUND)
    return payment_entity(p)


def refund_payment(payment_id: str, data: dict[str, Any]) -> dict[str, Any]:
    with transaction.atomic():
        p = SandboxPayment.objects.select_for_update().select_related("order").filter(payment_id=payment_id).first()
        if p is None:
            raise SandboxError(400, NOT_FOUND)
        if p.status not in ("captured", "refunded"):
            raise SandboxError(400, "Only captured payments can be refunded")
        amount = data.get("amount", p.amount - p.amount_refunded)
        if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount <= p.amount - p.amount_refunded:
            raise SandboxError(400, "The refund amount provided is greater than amount captured")
        refund = SandboxRefund.objects.create(refund_id=new_id("rfnd"), payment=p, amount=amount, notes=_notes(data))
        p.amount_refunded += amount
        if p.amount_refunded == p.amount:
            p.status = "refunded"
        p.save(update_fields=["amount_refunded", "status"])
        queue_webhook("refund.processed", {"refund": refund_entity(refund), "payment": payment_entity(p)})
    return refund_entity(refund)


def fetch_refund(refund_id: str) -> dict[str, Any]:
    r = SandboxRefund.objects.select_related("payment").filter(refund_id=refund_id).first()
    if r is None:
        raise SandboxError(400, NOT_FOUND)
    return refund_entity(r)


def attempt(order: SandboxOrder, *, success: bool) -> SandboxPayment:
    """One payment attempt on an order, as Checkout makes it: captured (the order is paid) or
    failed (the order stays attempted). The caller holds the order's row lock."""
    order.attempts += 1
    pay = SandboxPayment(payment_id=new_id("pay"), order=order, amount=order.amount)
    if success:
        pay.status = "captured"
        order.status = "paid"
    else:
        pay.status = "failed"
        pay.error_code = "BAD_REQUEST_ERROR"
        pay.error_description = "Payment failed because the tester chose failure in the sandbox."
        order.status = "attempted"
    pay.save()
    order.save(update_fields=["attempts", "status"])
    return pay


def checkout_success_fields(order: SandboxOrder, pay: SandboxPayment) -> dict[str, str]:
    """What Checkout hands the merchant's callback after a capture (signed like Razorpay's)."""
    return {
        "razorpay_payment_id": pay.payment_id,
        "razorpay_order_id": order.order_id,
        "razorpay_signature": hmac_sha256(SANDBOX_KEY_SECRET, f"{order.order_id}|{pay.payment_id}"),
    }
