"""A local emulation of the parts of the Razorpay HTTP API PeerLearn uses, plus its Checkout.

Mounted under ``/sandbox/razorpay/`` only when no real keys are configured. The official SDK
reaches it through ``base_url``; answers follow Razorpay's entity shapes. Checkout signs the
browser callback (HMAC-SHA256 of ``order_id|payment_id`` with the key secret) and sends signed
webhooks (``X-Razorpay-Signature`` = HMAC-SHA256 of the raw body with the webhook secret), after
commit, through a Celery task.
"""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .gateway import SANDBOX_KEY_ID, SANDBOX_KEY_SECRET, SANDBOX_WEBHOOK_SECRET, hmac_sha256
from .models import SandboxOrder, SandboxPayment, SandboxPayout, SandboxRefund


def _rid(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(7)}"


def _error(status: int, description: str, code: str = "BAD_REQUEST_ERROR") -> JsonResponse:
    return JsonResponse({"error": {"code": code, "description": description}}, status=status)


def sandbox_only(view: Any) -> Any:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.PAYMENTS_SANDBOX:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def api(view: Any) -> Any:
    """Basic-auth with the sandbox key pair, like the real API."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        try:
            scheme, token = header.split(" ", 1)
            key_id, _sep, secret = base64.b64decode(token).decode().partition(":")
        except ValueError:
            return _error(401, "The api key provided is invalid")
        if scheme.lower() != "basic" or key_id != SANDBOX_KEY_ID or secret != SANDBOX_KEY_SECRET:
            return _error(401, "The api key provided is invalid")
        return view(request, *args, **kwargs)

    return csrf_exempt(sandbox_only(wrapped))


def _json(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


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


def payout_entity(p: SandboxPayout) -> dict[str, Any]:
    return {
        "id": p.payout_id,
        "entity": "payout",
        "amount": p.amount,
        "currency": "INR",
        "mode": p.mode,
        "reference_id": p.reference_id,
        "notes": p.notes,
        "status": p.status,
        "created_at": int(p.created_at.timestamp()),
    }


def queue_webhook(event: str, payload: dict[str, Any]) -> None:
    """Deliver a signed webhook after the current transaction commits."""
    if not getattr(settings, "PAYMENTS_SANDBOX_WEBHOOKS", True):
        return
    body = json.dumps(
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
    event_id = f"evt_{uuid.uuid4().hex[:14]}"

    def send() -> None:
        from .tasks import deliver_sandbox_webhook

        deliver_sandbox_webhook.delay(body, event_id)

    transaction.on_commit(send)


def webhook_signature(body: str | bytes) -> str:
    return hmac_sha256(SANDBOX_WEBHOOK_SECRET, body)


# --- API ------------------------------------------------------------------------------------


@api
@require_http_methods(["POST"])
def orders(request: HttpRequest) -> HttpResponse:
    data = _json(request)
    amount = data.get("amount")
    if not isinstance(amount, int) or amount < 100:
        return _error(400, "The amount must be atleast INR 1.00")
    if data.get("currency", "INR") != "INR":
        return _error(400, "Currency is not supported")
    receipt = str(data.get("receipt", ""))[:40]
    notes = data.get("notes") if isinstance(data.get("notes"), dict) else {}
    order = SandboxOrder.objects.create(order_id=_rid("order"), amount=amount, receipt=receipt, notes=notes)
    return JsonResponse(order_entity(order))


@api
@require_http_methods(["GET"])
def order_detail(request: HttpRequest, order_id: str) -> HttpResponse:
    order = SandboxOrder.objects.filter(order_id=order_id).first()
    if order is None:
        return _error(400, "The id provided does not exist")
    return JsonResponse(order_entity(order))


@api
@require_http_methods(["GET"])
def order_payments(request: HttpRequest, order_id: str) -> HttpResponse:
    order = SandboxOrder.objects.filter(order_id=order_id).first()
    if order is None:
        return _error(400, "The id provided does not exist")
    items = [payment_entity(p) for p in order.payments.select_related("order").order_by("created_at")]
    return JsonResponse({"entity": "collection", "count": len(items), "items": items})


@api
@require_http_methods(["GET"])
def payment_detail(request: HttpRequest, payment_id: str) -> HttpResponse:
    p = SandboxPayment.objects.select_related("order").filter(payment_id=payment_id).first()
    if p is None:
        return _error(400, "The id provided does not exist")
    return JsonResponse(payment_entity(p))


@api
@require_http_methods(["POST"])
def payment_refund(request: HttpRequest, payment_id: str) -> HttpResponse:
    data = _json(request)
    with transaction.atomic():
        p = SandboxPayment.objects.select_for_update().select_related("order").filter(payment_id=payment_id).first()
        if p is None:
            return _error(400, "The id provided does not exist")
        if p.status not in ("captured", "refunded"):
            return _error(400, "Only captured payments can be refunded")
        amount = data.get("amount", p.amount - p.amount_refunded)
        if not isinstance(amount, int) or amount <= 0 or amount > p.amount - p.amount_refunded:
            return _error(400, "The refund amount provided is greater than amount captured")
        notes = data.get("notes") if isinstance(data.get("notes"), dict) else {}
        refund = SandboxRefund.objects.create(refund_id=_rid("rfnd"), payment=p, amount=amount, notes=notes)
        p.amount_refunded += amount
        if p.amount_refunded == p.amount:
            p.status = "refunded"
        p.save(update_fields=["amount_refunded", "status"])
        queue_webhook("refund.processed", {"refund": refund_entity(refund), "payment": payment_entity(p)})
    return JsonResponse(refund_entity(refund))


@api
@require_http_methods(["GET"])
def refund_detail(request: HttpRequest, refund_id: str) -> HttpResponse:
    r = SandboxRefund.objects.select_related("payment").filter(refund_id=refund_id).first()
    if r is None:
        return _error(400, "The id provided does not exist")
    return JsonResponse(refund_entity(r))


@api
@require_http_methods(["POST"])
def payouts(request: HttpRequest) -> HttpResponse:
    key = request.headers.get("X-Payout-Idempotency", "")
    if not key:
        return _error(400, "X-Payout-Idempotency header is required")
    existing = SandboxPayout.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return JsonResponse(payout_entity(existing))
    data = _json(request)
    amount = data.get("amount")
    if not isinstance(amount, int) or amount < 100:
        return _error(400, "The amount must be atleast INR 1.00")
    with transaction.atomic():
        payout = SandboxPayout.objects.create(
            payout_id=_rid("pout"),
            idempotency_key=key[:80],
            amount=amount,
            mode=str(data.get("mode", "UPI"))[:10],
            reference_id=str(data.get("reference_id", ""))[:40],
            notes=data.get("notes") if isinstance(data.get("notes"), dict) else {},
        )
        queue_webhook("payout.processed", {"payout": payout_entity(payout)})
    return JsonResponse(payout_entity(payout))


# --- Checkout -------------------------------------------------------------------------------


def _safe_callback(url: str) -> str:
    # Only our own payment callback; never an arbitrary redirect target.
    return url if url.startswith("/payments/") and "//" not in url else "/payments/callback/"


@sandbox_only
@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest, order_id: str) -> HttpResponse:
    """The sandbox stand-in for the Razorpay Checkout popup: pick success or failure."""
    order = get_object_or_404(SandboxOrder, order_id=order_id)
    callback = _safe_callback(request.GET.get("callback_url") or request.POST.get("callback_url", ""))
    if request.method == "GET":
        return render(request, "payments/sandbox_checkout.html", {"order": order, "callback_url": callback})
    outcome = request.POST.get("outcome")
    if outcome not in ("success", "failure"):
        return render(request, "payments/sandbox_checkout.html", {"order": order, "callback_url": callback}, status=400)
    with transaction.atomic():
        order = SandboxOrder.objects.select_for_update().get(pk=order.pk)
        if order.status == "paid":
            fields = {
                "error[code]": "BAD_REQUEST_ERROR",
                "error[description]": _("This order is already paid."),
                "error[metadata]": json.dumps({"order_id": order.order_id, "payment_id": ""}),
            }
            return render(request, "payments/sandbox_redirect.html", {"action": callback, "fields": fields.items()})
        order.attempts += 1
        pay = SandboxPayment(payment_id=_rid("pay"), order=order, amount=order.amount)
        if outcome == "success":
            pay.status = "captured"
            order.status = "paid"
        else:
            pay.status = "failed"
            pay.error_code = "BAD_REQUEST_ERROR"
            pay.error_description = "Payment failed because the tester chose failure in the sandbox."
            order.status = "attempted"
        pay.save()
        order.save(update_fields=["attempts", "status"])
        if outcome == "success":
            queue_webhook("payment.captured", {"payment": payment_entity(pay)})
            queue_webhook("order.paid", {"order": order_entity(order), "payment": payment_entity(pay)})
            fields = {
                "razorpay_payment_id": pay.payment_id,
                "razorpay_order_id": order.order_id,
                "razorpay_signature": hmac_sha256(SANDBOX_KEY_SECRET, f"{order.order_id}|{pay.payment_id}"),
            }
        else:
            queue_webhook("payment.failed", {"payment": payment_entity(pay)})
            fields = {
                "error[code]": pay.error_code,
                "error[description]": pay.error_description,
                "error[source]": "customer",
                "error[reason]": "payment_failed",
                "error[metadata]": json.dumps({"payment_id": pay.payment_id, "order_id": order.order_id}),
            }
    return render(request, "payments/sandbox_redirect.html", {"action": callback, "fields": fields.items()})
