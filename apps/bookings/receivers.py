"""Bookings' side of payment and catalogue events (connected in BookingsConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import receiver

from apps.catalog.signals import session_cancelled
from apps.payments import signals as payment_signals

from . import signals
from .models import Booking, CancelledBy


@receiver(payment_signals.payment_paid)
def confirm_bookings_on_payment(sender: Any, payment: Any, source: str, **kwargs: Any) -> None:
    from apps.payments.services import request_refund

    from .services import confirm_paid_booking

    for item in payment.items.select_related("booking"):
        if not confirm_paid_booking(item.booking):
            # Paid after the hold expired and the seat went to someone else: refund in full.
            def refund(item: Any = item) -> None:
                request_refund(item=item, percent=100, reason="seat no longer available when payment arrived")

            transaction.on_commit(refund, robust=True)


@receiver(payment_signals.payment_failed)
def announce_payment_failed(sender: Any, payment: Any, attempt: Any, **kwargs: Any) -> None:
    booking_ids = list(payment.items.values_list("booking_id", flat=True))
    signals.send_on_commit(signals.payment_failed, type(payment), payment=payment, booking_ids=booking_ids)


@receiver(payment_signals.refund_processed)
def announce_refund(sender: Any, refund: Any, **kwargs: Any) -> None:
    signals.send_on_commit(signals.refund_processed, type(refund), refund=refund, booking=refund.item.booking)


@receiver(session_cancelled)
def cancel_bookings_of_cancelled_session(sender: Any, session: Any, by: str, reason: str, **kwargs: Any) -> None:
    from .services import cancel_session_bookings

    cancel_session_bookings(session=session, by=by if by in CancelledBy.values else CancelledBy.MENTOR, reason=reason)


__all__ = ["Booking"]
