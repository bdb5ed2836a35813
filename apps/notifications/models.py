"""Notifications (SPEC §8), per-user delivery preferences, and the scheduler's job table."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationType(models.TextChoices):
    BOOKING_CONFIRMED = "booking_confirmed", _("Booking confirmed")
    BOOKING_CANCELLED = "booking_cancelled", _("Booking cancelled")
    BOOKING_REFUNDED = "booking_refunded", _("Refund processed")
    PAYMENT_FAILED = "payment_failed", _("Payment failed")
    REQUEST_NEW = "request_new", _("New session request")
    REQUEST_DECLINED = "request_declined", _("Request declined")
    REQUEST_EXPIRED = "request_expired", _("Request expired")
    OFFER_NEW = "offer_new", _("New offer")
    OFFER_ACCEPTED = "offer_accepted", _("Offer accepted")
    OFFER_DECLINED = "offer_declined", _("Offer declined")
    OFFER_EXPIRED = "offer_expired", _("Offer expired")
    OFFER_CLOSED = "offer_closed", _("Request closed")
    MENTOR_APPROVED = "mentor_approved", _("Mentor approved")
    MENTOR_REJECTED = "mentor_rejected", _("Mentor application rejected")
    SESSION_LIVE = "session_live", _("Session live now")
    SESSION_CANCELLED = "session_cancelled", _("Session cancelled")
    REMINDER = "reminder", _("Session reminder")
    FEEDBACK_REQUESTED = "feedback_requested", _("Feedback requested")
    WITHDRAWAL_UPDATE = "withdrawal_update", _("Withdrawal update")
    TIP_RECEIVED = "tip_received", _("Tip received")
    BADGE_EARNED = "badge_earned", _("Badge earned")
    SESSION_PUBLISHED = "session_published", _("New session from a mentor you follow")
    GENERAL = "general", _("General")


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In-app")
    EMAIL = "email", _("Email")


# Defaults when the user has not saved a preference: in-app for everything; email for what a
# person would want in their inbox.
EMAIL_BY_DEFAULT = frozenset(
    {
        NotificationType.BOOKING_CONFIRMED,
        NotificationType.BOOKING_CANCELLED,
        NotificationType.BOOKING_REFUNDED,
        NotificationType.PAYMENT_FAILED,
        NotificationType.REQUEST_NEW,
        NotificationType.OFFER_NEW,
        NotificationType.OFFER_ACCEPTED,
        NotificationType.MENTOR_APPROVED,
        NotificationType.MENTOR_REJECTED,
        NotificationType.SESSION_CANCELLED,
        NotificationType.REMINDER,
        NotificationType.WITHDRAWAL_UPDATE,
        NotificationType.TIP_RECEIVED,
        NotificationType.SESSION_PUBLISHED,
    }
)


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    type = models.CharField(max_length=32, choices=NotificationType.choices, default=NotificationType.GENERAL)
    title = models.CharField(max_length=200)
    message = models.TextField(max_length=2000, blank=True)
    link = models.CharField(max_length=500, blank=True)
    # What the notification is about, as "<kind>:<id>" (e.g. "booking:12"); free-form but short.
    reference = models.CharField(max_length=64, blank=True, db_index=True)
    read = models.BooleanField(default=False)
    # Extra data for the client (e.g. a reminder's Join URL and start time).
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["user", "read", "-created_at"], name="notif_user_unread_idx")]

    def __str__(self) -> str:
        return f"{self.title} → {self.user_id}"

    def as_event(self) -> dict[str, object]:
        return {
            "id": self.pk,
            "type": self.type,
            "title": self.title,
            "message": self.message,
            "link": self.link,
            "reference": self.reference,
            "read": self.read,
            "data": self.data,
            "created_at": self.created_at.isoformat() if self.created_at else None,
        }


class OutboundEmail(models.Model):
    """A notification's email, written in the same transaction as what it tells (the outbox).

    Delivery claims the row with a conditional UPDATE (``claimed_until``), sends, then stamps
    ``sent_at`` (together with the rest of its batch, see ``email.deliver_each``); a failed send is
    retried with backoff; a worker killed mid-send leaves the claim to expire and the periodic sweep
    sends it. So an email is never lost with a queue message, and is sent twice only if the process
    dies between the mail server's "OK" and its batch's stamp.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=32, choices=NotificationType.choices)
    title = models.CharField(max_length=200)
    message = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True)
    attachments = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    gave_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("id",)
        indexes = [models.Index(fields=["sent_at", "gave_up_at", "next_attempt_at"], name="email_outbox_due_idx")]

    def __str__(self) -> str:
        return f"email {self.pk} to {self.user_id}: {self.title}"


class NotificationPreference(models.Model):
    """One row per (user, type, channel) the user changed from the default."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_prefs")
    type = models.CharField(max_length=32, choices=NotificationType.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    enabled = models.BooleanField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "type", "channel"], name="notif_pref_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.type}/{self.channel}={self.enabled}"


class JobKind(models.TextChoices):
    REMINDER_24H = "reminder_24h", _("Reminder 24 h before")
    REMINDER_30M = "reminder_30m", _("Reminder 30 min before")
    REMINDER_10M = "reminder_10m", _("Reminder 10 min before")
    NO_SHOW_CHECK = "no_show_check", _("Mentor no-show check")
    FEEDBACK_PROMPT = "feedback_prompt", _("Feedback prompt")
    FEEDBACK_REMINDER = "feedback_reminder", _("Feedback reminder")
    SNOOZE = "snooze", _("Snoozed reminder")


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")
    FAILED = "failed", _("Failed")


class ScheduledJob(models.Model):
    """A due-time row the scheduler tick claims exactly once (SPEC §8).

    ``key`` makes scheduling idempotent (the same reminder for the same booking and start time is
    only ever one row). The tick moves a row out of ``pending`` with a conditional UPDATE inside the
    same transaction as its effect, so two workers (or a repeated tick after a crash) can never both
    perform it; if the effect fails, the transaction rolls back and the row stays pending.
    """

    kind = models.CharField(max_length=24, choices=JobKind.choices)
    key = models.CharField(max_length=120, unique=True)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING)
    booking = models.ForeignKey("bookings.Booking", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey("catalog.Session", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    notification = models.ForeignKey(Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    payload = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("due_at", "id")
        indexes = [models.Index(fields=["status", "due_at"], name="job_status_due_idx")]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.due_at:%Y-%m-%d %H:%M} ({self.status})"
