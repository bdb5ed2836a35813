from __future__ import annotations

from django.conf import settings
from django.db import models
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


class Booking(models.Model):
    session = models.ForeignKey("catalog.Session", on_delete=models.PROTECT, related_name="bookings")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings")
    status = models.CharField(max_length=20, choices=BookingStatus.choices, db_index=True)
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["session", "learner"],
                condition=models.Q(status__in=["pending_payment", "confirmed", "completed"]),
                name="one_active_booking_per_learner_session",
            )
        ]

    def __str__(self) -> str:
        return f"Booking {self.pk} ({self.status})"
