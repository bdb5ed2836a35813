from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: Any) -> int:
    """Unread count for the signed-in user, computed once per request (the bell may render twice)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return 0
    cached = getattr(request, "_unread_notifications", None)
    if cached is None:
        from apps.notifications.models import Notification

        cached = Notification.objects.filter(user=user, read=False).count()
        request._unread_notifications = cached
    return int(cached)
