"""Catalogue events. ``session_cancelled`` is sent inside the cancelling transaction so the
bookings app cancels and refunds the session's bookings atomically with it."""

from django.dispatch import Signal

session_cancelled = Signal()  # sender=Session, session, by ("mentor"|"admin"), reason
