"""Learner requests (direct to one mentor, or open posts for a domain) and mentor offers (SPEC §6)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")


ACTIVE_REQUEST = (RequestStatus.OPEN, RequestStatus.OFFERED)


class SessionRequest(models.Model):
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_requests")
    # Set for a direct request from a mentor's profile; empty for an open post on /posts/.
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="requests_received"
    )
    domain = models.ForeignKey("taxonomy.Domain", on_delete=models.PROTECT, related_name="requests")
    title = models.CharField(max_length=120)
    description = models.TextField(max_length=2000, blank=True)
    proposed_start = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField()
    budget_paise = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN, db_index=True)
    decline_reason = models.CharField(max_length=300, blank=True)
    expires_at = models.DateTimeField(db_index=True)
    session = models.ForeignKey("catalog.Session", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    booking = models.ForeignKey("bookings.Booking", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["status", "domain"], name="request_status_domain_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=15, duration_minutes__lte=240), name="request_duration_bounds"
            ),
            models.CheckConstraint(condition=models.Q(budget_paise__lte=10_000_000), name="request_budget_bounds"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_direct(self) -> bool:
        return self.mentor_id is not None

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_REQUEST


class OfferStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the learner")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    CLOSED = "closed", _("Closed")


class Offer(models.Model):
    request = models.ForeignKey(SessionRequest, on_delete=models.CASCADE, related_name="offers")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="offers_made")
    as_proposed = models.BooleanField(default=False, help_text="Accepted the request's own time and budget")
    price_paise = models.PositiveIntegerField()
    start = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField()
    note = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=OfferStatus.choices, default=OfferStatus.PENDING, db_index=True)
    expires_at = models.DateTimeField(db_index=True)
    booking = models.ForeignKey("bookings.Booking", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("created_at", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "mentor"],
                condition=models.Q(status="pending"),
                name="one_pending_offer_per_mentor_per_request",
            ),
            models.CheckConstraint(
                condition=models.Q(price_paise=0) | models.Q(price_paise__gte=5000, price_paise__lte=10_000_000),
                name="offer_price_bounds",
            ),
        ]

    def __str__(self) -> str:
        return f"Offer {self.pk} on {self.request_id} ({self.status})"

    @property
    def is_free(self) -> bool:
        return self.price_paise == 0


class RequestDismissal(models.Model):
    """A mentor declined an open post: it leaves their board (the post stays open for others)."""

    request = models.ForeignKey(SessionRequest, on_delete=models.CASCADE, related_name="dismissals")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "mentor"], name="one_dismissal_per_mentor")]

    def __str__(self) -> str:
        return f"{self.mentor_id} dismissed {self.request_id}"
