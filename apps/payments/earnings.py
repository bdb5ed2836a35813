"""Mentor earnings: pending until 24 h after the session ends (tips: after they are paid) — the
dispute window — then available."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from apps.bookings.models import BookingStatus
from apps.catalog.models import SessionStatus

from . import ledger
from .models import LedgerTransaction, PaymentItem, PaymentStatus, Tip

DISPUTE_WINDOW = timedelta(hours=24)
# Bookings whose earning the mentor keeps once the session is over (learner no-show included).
EARNING_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.COMPLETED, BookingStatus.NO_SHOW)


def release_matured_earnings(now: datetime | None = None) -> int:
    """Periodic (``payments.release_matured_earnings``): release every matured, not yet released booking earning.

    Idempotent: each release is keyed by booking, so running twice (or concurrently) releases once."""
    now = now or timezone.now()
    released_ids = LedgerTransaction.objects.filter(kind="earning_release", booking_id__isnull=False).values(
        "booking_id"
    )
    items = (
        PaymentItem.objects.filter(
            payment__status__in=(PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED),
            booking__status__in=EARNING_STATUSES,
            booking__session__end__lte=now - DISPUTE_WINDOW,
        )
        .exclude(booking__session__status=SessionStatus.CANCELLED)
        .exclude(booking_id__in=released_ids)
        .select_related("booking__session")
        .order_by("id")[:500]
    )
    count = 0
    for item in items:
        with transaction.atomic():
            if ledger.release_booking_earning(booking=item.booking) is not None:
                count += 1
    released_tips = LedgerTransaction.objects.filter(kind="earning_release", key__startswith="release-tip:").values(
        "payment_id"
    )
    tips = (
        Tip.objects.filter(payment__status=PaymentStatus.PAID, payment__paid_at__lte=now - DISPUTE_WINDOW)
        .exclude(payment_id__in=released_tips)
        .select_related("payment")
        .order_by("id")[:500]
    )
    for tip in tips:
        with transaction.atomic():
            if ledger.release_tip_earning(tip=tip) is not None:
                count += 1
    return count
