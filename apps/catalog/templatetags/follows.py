"""``{% follow_button mentor_id %}``: the follow/unfollow button for the signed-in visitor. Which
mentors the visitor follows is read once per request, however many cards a page shows."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest

from apps.catalog.models import Follow

register = template.Library()


def _followed(request: HttpRequest) -> set[int]:
    cached: set[int] | None = getattr(request, "_followed_mentor_ids", None)
    if cached is None:
        user = request.user
        cached = (
            set(Follow.objects.filter(follower_id=user.pk).values_list("mentor_id", flat=True))
            if user.is_authenticated
            else set()
        )
        request._followed_mentor_ids = cached  # type: ignore[attr-defined]
    return cached


def follow_context(request: HttpRequest, mentor_id: int, *, with_count: bool, next_url: str = "") -> dict[str, Any]:
    if hasattr(request, "_followed_mentor_ids"):
        del request._followed_mentor_ids
    ctx: dict[str, Any] = {
        "mentor_id": mentor_id,
        "following": mentor_id in _followed(request),
        "own": request.user.is_authenticated and request.user.pk == mentor_id,
        "with_count": with_count,
        "next_url": next_url or request.get_full_path(),
        "request": request,
        "user": request.user,
    }
    if with_count:
        ctx["count"] = Follow.objects.filter(mentor_id=mentor_id).count()
    return ctx


@register.inclusion_tag("catalog/_follow_button.html", takes_context=True)
def follow_button(context: template.Context, mentor_id: int, count: int | None = None) -> dict[str, Any]:
    request: HttpRequest = context["request"]
    ctx = {
        "mentor_id": mentor_id,
        "following": mentor_id in _followed(request),
        "own": request.user.is_authenticated and request.user.pk == mentor_id,
        "with_count": count is not None,
        "count": count,
        "next_url": request.get_full_path(),
        "request": request,
        "user": request.user,
        "csrf_token": context.get("csrf_token"),
    }
    return ctx
