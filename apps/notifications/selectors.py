from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from .models import Notification

if TYPE_CHECKING:
    from apps.accounts.models import User


def notifications_for(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(user=user)
    if unread_only:
        qs = qs.filter(read=False)
    return qs.order_by("-created_at", "-id")


def bell_state(*, user: User, limit: int = 5) -> dict[str, Any]:
    """Unread count and the latest items for the bell dropdown (two queries)."""
    return {
        "unread": Notification.objects.filter(user=user, read=False).count(),
        "items": list(notifications_for(user=user)[:limit]),
    }
