from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from .models import Payment


def payments_for(user: Any) -> QuerySet[Payment]:
    return Payment.objects.filter(learner=user)


def payment_history(user: Any) -> QuerySet[Payment]:
    """Learner's payments, newest first, with the first item's session for the table."""
    return (
        Payment.objects.filter(learner=user)
        .annotate(item_count=Count("items"))
        .prefetch_related("items__booking__session__mentor")
        .order_by("-created_at")
    )
