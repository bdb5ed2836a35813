"""The one place a lower layer calls up into the flows: the payments app announces a capture, a
failure or a processed refund (they can originate in a webhook, the browser callback or
reconciliation, all inside payments), and the matching flow runs.

``payment_paid`` and ``refund_processed`` are sent inside the payment's transaction, so bookings are
confirmed atomically with the capture; ``payment_failed`` likewise."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import receiver

from apps.payments.models import Payment, Refund, Withdrawal
from apps.payments.signals import payment_failed, payment_paid, refund_processed, withdrawal_changed

from . import booking, payouts, tips


@receiver(payment_paid, dispatch_uid="workflows.payment_received")
def on_payment_paid(sender: type[Payment], payment: Payment, **kwargs: Any) -> None:
    booking.payment_received(payment=payment)
    tips.payment_received(payment=payment)


@receiver(payment_failed, dispatch_uid="workflows.payment_failed")
def on_payment_failed(sender: type[Payment], payment: Payment, **kwargs: Any) -> None:
    transaction.on_commit(lambda: booking.payment_failed(payment=payment))


@receiver(refund_processed, dispatch_uid="workflows.refund_processed")
def on_refund_processed(sender: type[Refund], refund: Refund, **kwargs: Any) -> None:
    transaction.on_commit(lambda: booking.refund_processed(refund=refund))


@receiver(withdrawal_changed, dispatch_uid="workflows.withdrawal_changed")
def on_withdrawal_changed(sender: type[Withdrawal], withdrawal: Withdrawal, previous: str, **kwargs: Any) -> None:
    payouts.withdrawal_changed(withdrawal=withdrawal, previous=previous)
