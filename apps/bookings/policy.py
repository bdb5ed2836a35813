"""Cancellation policy (SPEC §5), in one place, shown before paying and on the booking."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils.translation import gettext_lazy as _

FULL_REFUND_BEFORE = timedelta(hours=24)
NO_CANCEL_WITHIN = timedelta(hours=1)
HOLD_MINUTES = 15

POLICY_LINES = (
    _("Cancel 24 hours or more before the start: 100% refund."),
    _("Cancel between 1 and 24 hours before the start: 50% refund."),
    _("Less than 1 hour before the start: cancellation is not possible."),
    _("If the mentor cancels, you get a 100% refund."),
)


def learner_refund_percent(*, start: datetime, now: datetime) -> int | None:
    """Refund percent for a learner cancelling now, or None if cancelling is not allowed."""
    left = start - now
    if left >= FULL_REFUND_BEFORE:
        return 100
    if left >= NO_CANCEL_WITHIN:
        return 50
    return None
