from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class BookingStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Pending payment")
    CONFIRMED = "confirmed", _("Confirmed")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")
    NO_SHOW = "no_show", _("No-show")


# Statuses that occupy a seat.
SEAT_HOLDING = (BookingStatus.PENDING_PAYMENT, BookingStatus.CONFIRMED, BookingStatus.COMPLETED)


class CancelledBy(models.TextChoices):
    LEARNER = "learner", _("Learner")
    MENTOR = "mentor", _("Mentor")
    ADMIN = "admin", _("Admin")
    SYSTEM = "system", _("System")


class BookingQuerySet(models.QuerySet["Booking"]):
    def holding_seat(self, now: datetime) -> BookingQuerySet:
        """Bookings that occupy a seat at ``now``: confirmed or completed ones, and unpaid holds
        whose 15 minutes have not run out. The one definition of "seats taken" (SPEC §5)."""
        return self.filter(
            Q(status__in=(BookingStatus.CONFIRMED, BookingStatus.COMPLETED))
            | Q(status=BookingStatus.PENDING_PAYMENT, hold_expires_at__gt=now)
        )


class Booking(models.Model):
    session = models.ForeignKey("catalog.Session", on_delete=models.PROTECT, related_name="bookings")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings")
    status = models.CharField(max_length=20, choices=BookingStatus.choices, db_index=True)
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    # Price at the time of booking (the session price may change later).
    price_paise = models.PositiveIntegerField(default=0)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.CharField(max_length=10, choices=CancelledBy.choices, blank=True)
    cancellation_reason = models.TextField(blank=True)
    refund_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at",)
        indexes = [models.Index(fields=["status", "hold_expires_at"], name="booking_hold_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "learner"],
                condition=models.Q(status__in=["pending_payment", "confirmed", "completed"]),
                name="one_active_booking_per_learner_session",
            )
        ]

    def __str__(self) -> str:
        return f"Booking {self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in SEAT_HOLDING


class CartItem(models.Model):
    """A paid session a learner put aside to pay together with others (SPEC §5 cart)."""

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart_items")
    session = models.ForeignKey("catalog.Session", on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("added_at",)
        constraints = [models.UniqueConstraint(fields=["learner", "session"], name="cart_item_unique")]

    def __str__(self) -> str:
        return f"Cart item {self.session_id} for {self.learner_id}"
