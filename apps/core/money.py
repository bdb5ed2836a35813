"""Rupee amounts as text, from integer paise: the one place the digit grouping and the
spreadsheet format are written (templates' ``inr`` filter, CSV exports, PDF reports)."""

from __future__ import annotations


def indian_digits(whole: int) -> str:
    """A non-negative integer with Indian digit grouping: the last three, then pairs (12,34,567)."""
    digits = str(whole)
    if len(digits) <= 3:
        return digits
    head, tail = digits[:-3], digits[-3:]
    groups: list[str] = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    return ",".join([*groups, tail])


def plain_rupees(paise: int) -> str:
    """Rupees with two decimals and no grouping, for spreadsheets: 85000 → "850.00", -1250 → "-12.50"."""
    sign = "-" if paise < 0 else ""
    whole, rem = divmod(abs(paise), 100)
    return f"{sign}{whole}.{rem:02d}"
