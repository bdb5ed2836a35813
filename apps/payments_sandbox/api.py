"""The emulated Razorpay API as plain functions (Orders, Payments, Refunds, and RazorpayX's
Contacts, Fund accounts and Payouts).

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
from .models import (
    SandboxContact,
    SandboxFundAccount,
    SandboxOrder,
    SandboxPayment,
    SandboxPayout,
    SandboxRefund,
)
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


# --- RazorpayX Payouts ----------------------------------------------------------------------

SANDBOX_ACCOUNT_NUMBER = "2323230000000000"  # the emulated business account payouts are made from
PAYOUT_MODES = ("UPI", "IMPS", "NEFT")
PAYOUT_OUTCOMES = ("processed", "failed", "reversed")


def contact_entity(c: SandboxContact) -> dict[str, Any]:
    return {
        "id": c.contact_id,
        "entity": "contact",
        "name": c.name,
        "email": c.email,
        "type": c.type,
        "reference_id": c.reference_id,
        "active": True,
        "created_at": int(c.created_at.timestamp()),
    }


def fund_account_entity(f: SandboxFundAccount) -> dict[str, Any]:
    return {
        "id": f.fund_account_id,
        "entity": "fund_account",
        "contact_id": f.contact.contact_id,
        "account_type": f.account_type,
        f.account_type: f.details,
        "active": True,
        "created_at": int(f.created_at.timestamp()),
    }


def payout_entity(p: SandboxPayout) -> dict[str, Any]:
    failed = p.status in ("failed", "reversed")
    return {
        "id": p.payout_id,
        "entity": "payout",
        "fund_account_id": p.fund_account.fund_account_id,
        "amount": p.amount,
        "currency": "INR",
        "notes": p.notes,
        "fees": 0,
        "tax": 0,
        "status": p.status,
        "purpose": p.purpose,
        "utr": p.utr or None,
        "mode": p.mode,
        "reference_id": p.reference_id,
        "narration": p.narration,
        "failure_reason": p.failure_reason or None,
        "status_details": {"description": p.failure_reason, "source": "beneficiary_bank"} if failed else None,
        "created_at": int(p.created_at.timestamp()),
    }


def create_contact(data: dict[str, Any]) -> dict[str, Any]:
    name = str(data.get("name", "")).strip()
    if not 3 <= len(name) <= 50:
        raise SandboxError(400, "The name must be between 3 and 50 characters.")
    contact = SandboxContact.objects.create(
        contact_id=new_id("cont"),
        name=name,
        email=str(data.get("email", ""))[:254],
        reference_id=str(data.get("reference_id", ""))[:40],
        type=str(data.get("type", "vendor"))[:20],
    )
    return contact_entity(contact)


def create_fund_account(data: dict[str, Any]) -> dict[str, Any]:
    contact = SandboxContact.objects.filter(contact_id=data.get("contact_id")).first()
    if contact is None:
        raise SandboxError(400, "The contact id provided does not exist")
    kind = data.get("account_type")
    details = data.get(kind) if kind in ("vpa", "bank_account") else None
    if not isinstance(details, dict):
        raise SandboxError(400, "The account type field is invalid.")
    if kind == "vpa" and "@" not in str(details.get("address", "")):
        raise SandboxError(400, "Invalid VPA. Please enter a valid Virtual Payment Address")
    if kind == "bank_account" and not (details.get("ifsc") and details.get("account_number") and details.get("name")):
        raise SandboxError(400, "The ifsc, account number and name are required.")
    fund = SandboxFundAccount.objects.create(
        fund_account_id=new_id("fa"), contact=contact, account_type=str(kind), details=details
    )
    return fund_account_entity(fund)


def _payout_request(data: dict[str, Any]) -> dict[str, Any]:
    return {k: data.get(k) for k in ("account_number", "fund_account_id", "amount", "currency", "mode", "purpose")}


def create_payout(data: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
    """``POST /v1/payouts`` with the ``X-Payout-Idempotency`` header: a repeated key with the same
    request returns the payout already made; with a different request it is refused."""
    if not idempotency_key:
        raise SandboxError(400, "X-Payout-Idempotency header is required")
    with transaction.atomic():
        existing = SandboxPayout.objects.select_related("fund_account").filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            before = {
                "account_number": SANDBOX_ACCOUNT_NUMBER,
                "fund_account_id": existing.fund_account.fund_account_id,
                "amount": existing.amount,
                "currency": "INR",
                "mode": existing.mode,
                "purpose": existing.purpose,
            }
            if before != _payout_request(data):
                raise SandboxError(400, "Different request body sent for the same Idempotency Header")
            return payout_entity(existing)
        if data.get("account_number") != SANDBOX_ACCOUNT_NUMBER:
            raise SandboxError(400, "The account number is invalid.")
        fund = SandboxFundAccount.objects.filter(fund_account_id=data.get("fund_account_id")).first()
        if fund is None:
            raise SandboxError(400, "The fund account id provided does not exist")
        amount = data.get("amount")
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 100:
            raise SandboxError(400, "Minimum transaction amount allowed is Re. 1")
        if data.get("currency", "INR") != "INR":
            raise SandboxError(400, "Currency is not supported")
        mode = data.get("mode")
        if mode not in PAYOUT_MODES or (mode == "UPI") != (fund.account_type == "vpa"):
            raise SandboxError(400, "The mode is invalid for this fund account.")
        payout = SandboxPayout.objects.create(
            payout_id=new_id("pout"),
            fund_account=fund,
            amount=amount,
            mode=mode,
            purpose=str(data.get("purpose", "payout"))[:20],
            reference_id=str(data.get("reference_id", ""))[:40],
            narration=str(data.get("narration", ""))[:30],
            notes=_notes(data),
            idempotency_key=idempotency_key[:64],
        )
    return payout_entity(payout)


def fetch_payout(payout_id: str) -> dict[str, Any]:
    p = SandboxPayout.objects.select_related("fund_account").filter(payout_id=payout_id).first()
    if p is None:
        raise SandboxError(400, NOT_FOUND)
    return payout_entity(p)


def settle_payout(payout_id: str, outcome: str) -> SandboxPayout:
    """The tester's choice (or a test's): a processing payout is ``processed`` or ``failed``; a
    processed one may later be ``reversed`` by the bank. Announced by a signed webhook after commit."""
    if outcome not in PAYOUT_OUTCOMES:
        raise SandboxError(400, "Unknown outcome")
    with transaction.atomic():
        p = SandboxPayout.objects.select_for_update().select_related("fund_account").filter(payout_id=payout_id).first()
        if p is None:
            raise SandboxError(400, NOT_FOUND)
        allowed = {"processed": ("processing",), "failed": ("processing",), "reversed": ("processed",)}[outcome]
        if p.status not in allowed:
            raise SandboxError(400, f"A {p.status} payout cannot become {outcome}.")
        p.status = outcome
        if outcome == "processed":
            p.utr = f"SBX{secrets.token_hex(6).upper()}"
        elif outcome == "failed":
            p.failure_reason = "Beneficiary bank was offline (chosen by the tester in the sandbox)."
        else:
            p.failure_reason = "The beneficiary bank returned the payout (chosen by the tester in the sandbox)."
        p.save(update_fields=["status", "utr", "failure_reason"])
        queue_webhook(f"payout.{outcome}", {"payout": payout_entity(p)})
    return p
