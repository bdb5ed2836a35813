from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .limits import (
    MAX_CAPACITY,
    MAX_DESCRIPTION,
    MAX_MINUTES,
    MAX_PRICE_PAISE,
    MIN_CAPACITY,
    MIN_MINUTES,
    MIN_PRICE_PAISE,
)


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    LIVE = "live", _("Live")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


def room_group_name(room_code: object) -> str:
    """The Channels group of a session's live room (the rooms app's sockets join it; flows that
    change who may be in the room announce it there)."""
    return f"room.{room_code}"


def live_first() -> models.Case:
    """0 for a live session, 1 otherwise: the public lists order by this, then start, then id.
    The same expression backs ``session_live_start_idx``, so those lists read their first rows
    straight from the index instead of sorting every visible session (keep the two in step)."""
    return models.Case(
        models.When(status=SessionStatus.LIVE, then=models.Value(0)),
        default=models.Value(1),
        output_field=models.IntegerField(),
    )


class SessionQuerySet(models.QuerySet["Session"]):
    def fingerprint(self) -> tuple[Any, Any]:
        """(latest ``updated_at``, highest id) of all sessions: moves when any session is created,
        edited or changes status, by any process (a cache version moves only in the cache of the
        process that made the change, which is not shared in the embedded profile). Two index
        lookups (``session_updated_idx`` and the primary key), well under a millisecond."""
        row = self.order_by().aggregate(last=models.Max("updated_at"), top=models.Max("pk"))
        return (row["last"], row["top"])

    def visible(self, now: datetime) -> SessionQuerySet:
        """Sessions the public sees: live now, or scheduled in the future, by an active, unblocked
        mentor. The one definition used by landing, catalogue, detail, profiles and booking."""
        return self.filter(
            models.Q(status=SessionStatus.LIVE) | models.Q(status=SessionStatus.SCHEDULED, start__gt=now),
            mentor__is_active=True,
            mentor__is_blocked=False,
        )


class Session(models.Model):
    """A mentoring session a mentor publishes (SPEC §4). Times are stored in UTC."""

    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mentored_sessions")
    domain = models.ForeignKey("taxonomy.Domain", on_delete=models.PROTECT, related_name="sessions")
    title = models.CharField(max_length=150)
    description = models.TextField(max_length=MAX_DESCRIPTION)
    topics = models.JSONField(default=list, blank=True)
    agenda = models.JSONField(default=list, blank=True, help_text='[{"title": str, "minutes": int}]')
    start = models.DateTimeField(db_index=True)
    duration_minutes = models.PositiveSmallIntegerField()
    end = models.DateTimeField(db_index=True, editable=False)
    price_paise = models.PositiveIntegerField(default=0)
    capacity = models.PositiveSmallIntegerField(default=1)
    thumbnail = models.ImageField(upload_to="thumbnails/%Y/%m/", blank=True)
    language = models.CharField(max_length=40, default="English")
    status = models.CharField(
        max_length=10, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED, db_index=True
    )
    room_code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ("start",)
        indexes = [
            models.Index(fields=["status", "start"], name="session_status_start_idx"),
            models.Index(fields=["updated_at"], name="session_updated_idx"),  # fingerprint()
            # Landing and catalogue: live first, then the soonest; only rows the public can see.
            models.Index(
                live_first(),
                "start",
                "id",
                name="session_live_start_idx",
                condition=models.Q(status__in=[SessionStatus.LIVE, SessionStatus.SCHEDULED]),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=MIN_MINUTES, duration_minutes__lte=MAX_MINUTES),
                name="session_duration_bounds",
            ),
            models.CheckConstraint(
                condition=models.Q(price_paise=0)
                | models.Q(price_paise__gte=MIN_PRICE_PAISE, price_paise__lte=MAX_PRICE_PAISE),
                name="session_price_bounds",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=MIN_CAPACITY, capacity__lte=MAX_CAPACITY),
                name="session_capacity_bounds",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: object, **kwargs: object) -> None:
        self.end = self.compute_end(self.start, self.duration_minutes)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @staticmethod
    def compute_end(start: datetime, duration_minutes: int) -> datetime:
        return start + timedelta(minutes=duration_minutes)

    @property
    def is_free(self) -> bool:
        return self.price_paise == 0


class Follow(models.Model):
    """A learner follows a mentor (SPEC §9): told of the mentor's new sessions, and the mentor's
    sessions get a lift in the learner's recommendations. One row per pair."""

    follower = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="following")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followers")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(fields=["follower", "mentor"], name="follow_unique_pair"),
            models.CheckConstraint(condition=~models.Q(follower=models.F("mentor")), name="follow_not_self"),
        ]
        indexes = [models.Index(fields=["mentor", "created_at"], name="follow_mentor_created_idx")]

    def __str__(self) -> str:
        return f"{self.follower_id} follows {self.mentor_id}"
