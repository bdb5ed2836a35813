from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count, QuerySet

from .models import Payment

if TYPE_CHECKING:
    from apps.accounts.models import User


def payments_for(user: User) -> QuerySet[Payment]:
    return Payment.objects.filter(learner=user)


def payment_history(user: User) -> QuerySet[Payment]:
    """Learner's payments, newest first, with the first item's session for the table."""
    return (
        Payment.objects.filter(learner=user)
        .annotate(item_count=Count("items"))
        .prefetch_related("items__booking__session__mentor")
        .order_by("-created_at")
    )


def mentor_movements(mentor_id: int, *, limit: int = 50) -> list[Any]:
    """The latest ledger legs on a mentor's accounts, with the booking's session (one query)."""
    from .models import LedgerEntry

    return list(
        LedgerEntry.objects.filter(account__owner_id=mentor_id)
        .select_related("account", "transaction__booking__session", "transaction__booking__learner")
        .order_by("-id")[:limit]
    )
