"""Public booking/payment events for other apps (notifications subscribes).

Each is sent from ``transaction.on_commit`` so nobody hears about something that rolled back.

* ``booking_confirmed(sender=Booking, booking)``
* ``booking_cancelled(sender=Booking, booking, refund_percent, cancelled_by)``
* ``booking_expired(sender=Booking, booking)``
* ``payment_failed(sender=Payment, payment, booking_ids)``
* ``refund_processed(sender=Refund, refund, booking)``
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import Signal

booking_confirmed = Signal()
booking_cancelled = Signal()
booking_expired = Signal()
payment_failed = Signal()
refund_processed = Signal()


def send_on_commit(signal: Signal, sender: Any, **kwargs: Any) -> None:
    transaction.on_commit(lambda: signal.send(sender=sender, **kwargs))
