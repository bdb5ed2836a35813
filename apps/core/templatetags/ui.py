"""Template helpers shared by every page (loaded as a builtin)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def inr(paise: int | None) -> str:
    """Format integer paise as rupees: 123450 -> "₹1,234.50", 50000 -> "₹500"."""
    if paise is None:
        return ""
    negative = paise < 0
    rupees, rem = divmod(abs(int(paise)), 100)
    digits = str(rupees)
    # Indian digit grouping: last three, then pairs (12,34,567).
    if len(digits) > 3:
        head, tail = digits[:-3], digits[-3:]
        groups = []
        while len(head) > 2:
            groups.insert(0, head[-2:])
            head = head[:-2]
        if head:
            groups.insert(0, head)
        digits = ",".join([*groups, tail])
    text = f"₹{digits}" + (f".{rem:02d}" if rem else "")
    return f"−{text}" if negative else text
