"""Template helpers for progress figures."""

from __future__ import annotations

from django import template

from apps.progress.figures import format_minutes

register = template.Library()


@register.filter
def hours_minutes(minutes: int | None) -> str:
    """Minutes as hours and minutes: 15 → "15 min", 90 → "1 h 30 min"."""
    return format_minutes(minutes)
