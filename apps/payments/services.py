"""Payment state machine, checkout, callbacks, webhooks, refunds and reconciliation.

Payment status moves forward only::

    created ─▶ paid ─▶ partially_refunded ─▶ refunded
       │  ▲       └──────────────────────────▲
       ▼  │
     failed  (a failed attempt can be retried on the same order)

Gateway calls are never made inside a database transaction: a slow gateway must not hold locks,
and a timeout leaves our rows exactly as they were.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.bookings.models import Booking, BookingStatus
from apps.core.state import conditional_transition

from . import ledger, payouts
from .gateway import GatewayError, get_gateway
from .models import (
    AttemptStatus,
    Payment,
    PaymentAttempt,
    PaymentItem,
    PaymentStatus,
    Refund,
    RefundStatus,
    Tip,
    WebhookEvent,
)
from .signals import payment_failed, payment_paid, refund_processed

if TYPE_CHECKING:
    from apps.accounts.models import User

logger = logging.getLogger(__name__)

PAYMENT_TRANSITIONS: dict[str, set[str]] = {
    PaymentStatus.CREATED: {PaymentStatus.PAID, PaymentStatus.FAILED},
    PaymentStatus.FAILED: {PaymentStatus.PAID, PaymentStatus.FAILED},
    PaymentStatus.PAID: {PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED},
    PaymentStatus.PARTIALLY_REFUNDED: {PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED},
    PaymentStatus.REFUNDED: set(),
}
PAID_STATES = (PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED)


class PaymentError(Exception):
    pass


class InvalidTransition(PaymentError):
    pass


class GatewayUnavailable(PaymentError):
    """The gateway did not answer; nothing was charged or changed."""


class SignatureInvalid(PaymentError):
    pass


def transition_payment(payment: Payment, to: str, **fields: Any) -> Payment:
    """The only place a payment's status changes: a conditional update on the current status."""
    if not conditional_transition(Payment, payment.pk, to, table=PAYMENT_TRANSITIONS, **fields):
        payment.refresh_from_db()
        raise InvalidTransition(f"payment {payment.pk}: {payment.status} -> {to} not allowed")
    payment.refresh_from_db()
    return payment


# --- checkout ------------------------------------------------------------------------------


def new_receipt() -> str:
    return f"pl_{secrets.token_hex(8)}"


def create_payment(*, learner: User, bookings: Sequence[Any]) -> Payment:
    """Record our side of a checkout: one payment, one item per booking. No gateway call."""
    if not bookings:
        raise PaymentError("nothing to pay")
    with transaction.atomic():
        payment = Payment.objects.create(
            learner=learner,
            gateway=get_gateway().name,
            receipt=new_receipt(),
            amount_paise=sum(b.price_paise for b in bookings),
        )
        PaymentItem.objects.bulk_create(
            [PaymentItem(payment=payment, booking=b, amount_paise=b.price_paise) for b in bookings]
        )
    return payment


def ensure_order(payment: Payment) -> Payment:
    """Create the gateway order for a payment if it has none yet (safe to call again)."""
    if payment.gateway_order_id:
        return payment
    booking_ids = ",".join(str(i) for i in payment.items.values_list("booking_id", flat=True))
    try:
        order = get_gateway().create_order(
            amount_paise=payment.amount_paise,
            receipt=payment.receipt,
            notes={"payment_id": str(payment.pk), "learner_id": str(payment.learner_id), "booking_ids": booking_ids},
        )
    except GatewayError as exc:
        Payment.objects.filter(pk=payment.pk).update(last_error=str(exc)[:300])
        raise GatewayUnavailable(str(exc)) from exc
    Payment.objects.filter(pk=payment.pk, gateway_order_id__isnull=True).update(
        gateway_order_id=order["id"], last_error=""
    )
    payment.refresh_from_db()
    return payment


# --- outcomes ------------------------------------------------------------------------------


def _record_attempt(
    payment: Payment, gateway_payment_id: str, status: str, source: str, code: str = "", description: str = ""
) -> bool:
    """Insert an attempt row once; return True if it is new."""
    try:
        with transaction.atomic():
            PaymentAttempt.objects.create(
                payment=payment,
                gateway_payment_id=gateway_payment_id,
                status=status,
                source=source,
                error_code=code[:60],
                error_description=description[:300],
            )
    except IntegrityError:
        return False
    return True


def record_payment_success(
    *,
    gateway_order_id: str,
    gateway_payment_id: str,
    source: str,
    amount_paise: object = None,
    currency: object = None,
) -> Payment | None:
    """Mark the payment for this order paid (once), post the ledger, and let bookings confirm.

    When the gateway's entity states an amount and currency (webhooks, reconciliation), they must
    be exactly ours: a capture of any other amount confirms nothing and is logged (issue 14 #10).

    Safe against duplicates and races: the payment row is locked (select_for_update on
    PostgreSQL; SQLite's IMMEDIATE transactions serialise writers) and the status check is
    repeated under the lock.
    """
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(gateway_order_id=gateway_order_id).first()
        if payment is None:
            logger.warning("payment success for unknown order %s", gateway_order_id)
            return None
        if (amount_paise is not None and amount_paise != payment.amount_paise) or (
            currency is not None and currency != payment.currency
        ):
            logger.error(
                "payment %s: %s capture of %r %r does not match %s %s; not confirmed",
                payment.pk,
                source,
                amount_paise,
                currency,
                payment.amount_paise,
                payment.currency,
            )
            return None
        _record_attempt(payment, gateway_payment_id, AttemptStatus.PAID, source)
        if payment.status in PAID_STATES:
            return payment
        transition_payment(
            payment, PaymentStatus.PAID, gateway_payment_id=gateway_payment_id, paid_at=timezone.now(), last_error=""
        )
        for item in payment.items.select_related("booking__session", "payment"):
            ledger.record_booking_payment(item=item)
        tip = Tip.objects.filter(payment=payment).select_related("payment").first()
        if tip is not None:
            ledger.record_tip(tip=tip)
        payment_paid.send(sender=Payment, payment=payment, source=source)
    return payment


def record_payment_failure(
    *, gateway_order_id: str, gateway_payment_id: str, code: str, description: str, source: str
) -> Payment | None:
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(gateway_order_id=gateway_order_id).first()
        if payment is None:
            return None
        is_new = _record_attempt(payment, gateway_payment_id, AttemptStatus.FAILED, source, code, description)
        if payment.status in (PaymentStatus.CREATED, PaymentStatus.FAILED):
            transition_payment(payment, PaymentStatus.FAILED, last_error=(description or code)[:300])
            if is_new:
                attempt = payment.attempts.filter(
                    gateway_payment_id=gateway_payment_id, status=AttemptStatus.FAILED
                ).first()
                payment_failed.send(sender=Payment, payment=payment, attempt=attempt)
    return payment


def handle_callback(*, payment: Payment, params: dict[str, str]) -> Payment:
    """The browser came back from Checkout. Verify against the order id WE stored."""
    payment_id = params.get("razorpay_payment_id", "")
    signature = params.get("razorpay_signature", "")
    if payment_id and signature:
        if not payment.gateway_order_id or not get_gateway().verify_payment_signature(
            order_id=payment.gateway_order_id, payment_id=payment_id, signature=signature
        ):
            raise SignatureInvalid("Payment verification failed, please retry.")
        result = record_payment_success(
            gateway_order_id=payment.gateway_order_id, gateway_payment_id=payment_id, source="callback"
        )
        if result is None:
            raise SignatureInvalid("Payment verification failed, please retry.")
        return result
    # A failure: Razorpay sends error fields, unsigned. Confirm with the gateway before recording.
    try:
        meta = json.loads(params.get("error[metadata]", "") or "{}")
    except ValueError:
        meta = {}
    if not isinstance(meta, dict):  # "1", "[]", "null" are valid JSON but carry no ids
        meta = {}
    failed_id = str(meta.get("payment_id", ""))
    description = params.get("error[description]", "") or "Payment failed"
    if failed_id and payment.gateway_order_id:
        try:
            entity = get_gateway().fetch_payment(failed_id)
        except GatewayError:
            entity = {}
        if entity.get("order_id") == payment.gateway_order_id and entity.get("status") == "failed":
            record_payment_failure(
                gateway_order_id=payment.gateway_order_id,
                gateway_payment_id=failed_id,
                code=str(entity.get("error_code") or ""),
                description=str(entity.get("error_description") or description),
                source="callback",
            )
    payment.refresh_from_db()
    return payment


# --- webhooks ------------------------------------------------------------------------------


def _entity(payload: dict[str, Any], name: str) -> dict[str, Any]:
    """``payload[name].entity`` of a webhook event, or {} when any level is not an object."""
    value: Any = payload
    for key in ("payload", name, "entity"):
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, dict) else {}


def process_webhook(*, event_id: str, payload: dict[str, Any]) -> bool:
    """Apply one verified webhook event. Returns False if the event was already processed.

    The event id is inserted in the same transaction as the effect, so a crash leaves neither
    and a redelivery is applied exactly once."""
    event = str(payload.get("event", ""))
    with transaction.atomic():
        try:
            with transaction.atomic():
                WebhookEvent.objects.create(event_id=event_id[:80], event=event[:60])
        except IntegrityError:
            return False
        if event in ("payment.captured", "order.paid"):
            p = _entity(payload, "payment")
            if p.get("order_id") and p.get("id"):
                record_payment_success(
                    gateway_order_id=p["order_id"],
                    gateway_payment_id=p["id"],
                    source="webhook",
                    amount_paise=p.get("amount", "missing"),
                    currency=p.get("currency", "INR"),
                )
        elif event == "payment.failed":
            p = _entity(payload, "payment")
            if p.get("order_id") and p.get("id"):
                record_payment_failure(
                    gateway_order_id=p["order_id"],
                    gateway_payment_id=p["id"],
                    code=str(p.get("error_code") or ""),
                    description=str(p.get("error_description") or ""),
                    source="webhook",
                )
        elif event in ("payout.processed", "payout.failed", "payout.reversed", "payout.rejected"):
            entity = _entity(payload, "payout")
            if entity.get("id"):
                payouts.apply_payout_entity(entity, event)
        elif event in ("refund.processed", "refund.failed"):
            r = _entity(payload, "refund")
            refund = _find_refund(r)
            if refund is not None:
                if event == "refund.processed":
                    _mark_refund_processed(refund, r.get("id", ""))
                else:
                    Refund.objects.filter(pk=refund.pk, status=RefundStatus.PENDING).update(
                        status=RefundStatus.FAILED, last_error="refund.failed webhook"
                    )
    return True


def _find_refund(entity: dict[str, Any]) -> Refund | None:
    refund = Refund.objects.filter(gateway_refund_id=entity.get("id") or "-").first()
    if refund is None:
        ours = (entity.get("notes") or {}).get("refund_id") if isinstance(entity.get("notes"), dict) else None
        if ours and str(ours).isdigit():
            refund = Refund.objects.filter(pk=int(ours)).first()
    return refund


# --- refunds -------------------------------------------------------------------------------


def _mark_refund_processed(refund: Refund, gateway_refund_id: str) -> Refund:
    with transaction.atomic():
        refund = (
            Refund.objects.select_for_update()
            .select_related("item__payment", "item__booking__session")
            .get(pk=refund.pk)
        )
        if refund.status == RefundStatus.PROCESSED:
            return refund
        refund.status = RefundStatus.PROCESSED
        refund.processed_at = timezone.now()
        if gateway_refund_id and not refund.gateway_refund_id:
            refund.gateway_refund_id = gateway_refund_id
        refund.save(update_fields=["status", "processed_at", "gateway_refund_id"])
        ledger.record_refund(refund=refund)
        PaymentItem.objects.filter(pk=refund.item_id).update(refunded_paise=F("refunded_paise") + refund.amount_paise)
        Payment.objects.filter(pk=refund.item.payment_id).update(
            refunded_paise=F("refunded_paise") + refund.amount_paise
        )
        payment = Payment.objects.get(pk=refund.item.payment_id)
        target = (
            PaymentStatus.REFUNDED
            if payment.refunded_paise >= payment.amount_paise
            else PaymentStatus.PARTIALLY_REFUNDED
        )
        transition_payment(payment, target)
        refund_processed.send(sender=Refund, refund=refund)
    return refund


def request_refund(*, item: PaymentItem, percent: int, reason: str, amount_paise: int | None = None) -> Refund | None:
    """Refund ``percent`` of one paid item (or an exact ``amount_paise``, e.g. an admin's partial
    refund) through the gateway and the ledger.

    The refund row is written first (pending); then the gateway is called outside any
    transaction. If the gateway is unreachable the refund stays pending and
    ``reconcile_payments`` retries it — nothing is lost."""
    amount = amount_paise if amount_paise is not None else item.amount_paise * percent // 100
    if amount <= 0:
        return None
    with transaction.atomic():
        locked = PaymentItem.objects.select_for_update().select_related("payment").get(pk=item.pk)
        if locked.payment.status not in PAID_STATES:
            return None
        already = sum(r.amount_paise for r in locked.refunds.exclude(status=RefundStatus.FAILED))
        amount = min(amount, locked.amount_paise - already)
        if amount <= 0:
            return None
        refund = Refund.objects.create(item=locked, amount_paise=amount, percent=percent, reason=reason[:200])
    send_refund(refund)
    refund.refresh_from_db()
    return refund


def refundable_paise(item: PaymentItem) -> int:
    """What is still refundable on one paid item (refunds that failed do not count)."""
    if item.payment.status not in PAID_STATES:
        return 0
    already = sum(r.amount_paise for r in item.refunds.exclude(status=RefundStatus.FAILED))
    return max(0, item.amount_paise - already)


def send_refund(refund: Refund) -> None:
    item = PaymentItem.objects.select_related("payment").get(pk=refund.item_id)
    try:
        entity = get_gateway().refund(
            payment_id=item.payment.gateway_payment_id,
            amount_paise=refund.amount_paise,
            notes={"refund_id": str(refund.pk), "booking_id": str(item.booking_id)},
        )
    except GatewayError as exc:
        Refund.objects.filter(pk=refund.pk).update(last_error=str(exc)[:300])
        logger.warning("refund %s pending: %s", refund.pk, exc)
        return
    Refund.objects.filter(pk=refund.pk, gateway_refund_id__isnull=True).update(gateway_refund_id=entity.get("id"))
    if entity.get("status") == "processed":
        _mark_refund_processed(refund, str(entity.get("id", "")))


def refund_booking(*, booking: Booking, percent: int, reason: str) -> list[Refund]:
    """Refund every paid item of a booking (normally one)."""
    refunds = []
    items = PaymentItem.objects.filter(booking=booking, payment__status__in=PAID_STATES)
    for item in items:
        refund = request_refund(item=item, percent=percent, reason=reason)
        if refund is not None:
            refunds.append(refund)
    return refunds


# --- reconciliation -------------------------------------------------------------------------


def reconcile_payments(now: datetime | None = None, *, stale_after: timedelta = timedelta(minutes=5)) -> dict[str, int]:
    """Periodic: ask the gateway about payments we have not heard back on, retry pending refunds.

    Run by ``payments.reconcile`` every 5 minutes. Returns counts for logging."""
    now = now or timezone.now()
    counts = {"checked": 0, "paid": 0, "refunds_retried": 0, "errors": 0}
    gateway = get_gateway()
    stale = Payment.objects.filter(
        status__in=(PaymentStatus.CREATED, PaymentStatus.FAILED),
        gateway_order_id__isnull=False,
        created_at__lte=now - stale_after,
        created_at__gte=now - timedelta(days=3),
    ).order_by("created_at")[:100]
    for payment in stale:
        counts["checked"] += 1
        try:
            items = gateway.fetch_order_payments(str(payment.gateway_order_id))
        except GatewayError:
            counts["errors"] += 1
            continue
        captured = [p for p in items if p.get("status") == "captured"]
        if captured:
            record_payment_success(
                gateway_order_id=str(payment.gateway_order_id),
                gateway_payment_id=captured[0]["id"],
                source="reconcile",
                amount_paise=captured[0].get("amount", "missing"),
                currency=captured[0].get("currency", "INR"),
            )
            counts["paid"] += 1
        for p in items:
            if p.get("status") == "failed":
                record_payment_failure(
                    gateway_order_id=str(payment.gateway_order_id),
                    gateway_payment_id=p["id"],
                    code=str(p.get("error_code") or ""),
                    description=str(p.get("error_description") or ""),
                    source="reconcile",
                )
    pending = Refund.objects.filter(status=RefundStatus.PENDING, created_at__lte=now - timedelta(minutes=1)).filter(
        Q(gateway_refund_id__isnull=True) | Q(gateway_refund_id="")
    )[:100]
    for refund in pending:
        counts["refunds_retried"] += 1
        send_refund(refund)
    for refund in Refund.objects.filter(status=RefundStatus.PENDING, gateway_refund_id__isnull=False).exclude(
        gateway_refund_id=""
    )[:100]:
        try:
            entity = gateway.fetch_refund(str(refund.gateway_refund_id))
        except GatewayError:
            counts["errors"] += 1
            continue
        if entity.get("status") == "processed":
            _mark_refund_processed(refund, str(refund.gateway_refund_id))
    counts["refunds_swept"] = missing_refunds_sweep()
    return counts


def open_payment_for_booking(booking: Booking) -> Payment | None:
    """The unpaid payment already covering this booking, if any (retry on the same order)."""
    return (
        Payment.objects.filter(items__booking=booking, status__in=(PaymentStatus.CREATED, PaymentStatus.FAILED))
        .order_by("-created_at")
        .first()
    )


def missing_refunds_sweep() -> int:
    """Cancelled paid bookings whose refund row never got written (crash between commit and
    refund): write and send it now."""
    count = 0
    items = PaymentItem.objects.filter(
        booking__status=BookingStatus.CANCELLED,
        booking__refund_percent__gt=0,
        payment__status__in=PAID_STATES,
        refunds__isnull=True,
    ).select_related("booking")[:100]
    for item in items:
        if request_refund(item=item, percent=int(item.booking.refund_percent or 0), reason="cancelled (sweep)"):
            count += 1
    return count
