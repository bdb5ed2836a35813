"""Live-room state that belongs to a catalog Session (SPEC §7).

The Session itself (status, times, room_code) lives in the catalog app; everything the room adds —
chat, whiteboard strokes, checklist ticks, who is present, the server-side timer and the final
whiteboard snapshot — lives here, keyed to the session.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from apps.core.storage import private_storage


class RoomState(models.Model):
    """Per-session room bookkeeping: the server-authoritative timer and the end snapshot.

    The timer counts only while the mentor and at least one learner are connected:
    ``elapsed_seconds`` holds completed stretches, ``running_since`` is set while both are present.
    """

    session = models.OneToOneField("catalog.Session", on_delete=models.CASCADE, related_name="room_state")
    elapsed_seconds = models.PositiveIntegerField(default=0)
    running_since = models.DateTimeField(null=True, blank=True)
    went_live_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Private: only the session's mentor and learners see it (rooms:whiteboard checks and streams it).
    snapshot = models.ImageField(upload_to="whiteboards/%Y/%m/", storage=private_storage, blank=True)

    def __str__(self) -> str:
        return f"Room state of session {self.session_id}"


class Attendance(models.Model):
    """One row per (session, user): how many live connections they hold and when they came/went."""

    session = models.ForeignKey("catalog.Session", on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="room_attendances")
    connections = models.PositiveSmallIntegerField(default=0)
    first_joined_at = models.DateTimeField(null=True, blank=True)
    last_joined_at = models.DateTimeField(null=True, blank=True)
    last_left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="attendance_unique_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.session_id} ({self.connections})"


class ChatMessage(models.Model):
    session = models.ForeignKey("catalog.Session", on_delete=models.CASCADE, related_name="chat_messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("id",)
        indexes = [models.Index(fields=["session", "id"], name="chat_session_idx")]

    def __str__(self) -> str:
        return f"Chat {self.pk} in {self.session_id}"


class WhiteboardStroke(models.Model):
    """One pen or eraser stroke; points are normalised to 0..1 so any canvas size replays it."""

    session = models.ForeignKey("catalog.Session", on_delete=models.CASCADE, related_name="whiteboard_strokes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    client_id = models.CharField(max_length=40)
    tool = models.CharField(max_length=10)
    color = models.CharField(max_length=7)
    width = models.PositiveSmallIntegerField()
    points = models.JSONField()
    # Stored beside the points so the per-session cap is a SUM, not a read of every stroke.
    n_points = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # "Clear" archives: cleared strokes leave the board (and its replay and cap) but stay stored
    # with the session until it is deleted.
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("id",)
        constraints = [
            models.UniqueConstraint(fields=["session", "client_id"], name="stroke_unique_client_id"),
        ]
        indexes = [models.Index(fields=["session", "archived_at"], name="stroke_board_idx")]

    def __str__(self) -> str:
        return f"Stroke {self.pk} in {self.session_id}"


class ChecklistTick(models.Model):
    """Tick state of one of the session's topics (the topic text is the key)."""

    session = models.ForeignKey("catalog.Session", on_delete=models.CASCADE, related_name="checklist_ticks")
    topic = models.CharField(max_length=120)
    done = models.BooleanField(default=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "topic"], name="tick_unique_topic")]

    def __str__(self) -> str:
        return f"{self.topic}: {'done' if self.done else 'open'}"


class RecordingStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting for consent"
    DECLINED = "declined", "Declined"
    CONSENTED = "consented", "Consented"
    RECORDING = "recording", "Recording"
    STOPPED = "stopped", "Uploading"
    READY = "ready", "Ready"


class Recording(models.Model):
    """A recording of the call, made in the requester's browser only after every other participant
    present at the request accepted (SPEC §7). The file is private (streamed to participants)."""

    session = models.ForeignKey("catalog.Session", on_delete=models.CASCADE, related_name="recordings")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=12, choices=RecordingStatus.choices, default=RecordingStatus.REQUESTED)
    # User ids whose consent is needed (everyone else in the room when asked) and who gave it.
    needed = models.JSONField(default=list)
    accepted = models.JSONField(default=list)
    file = models.FileField(upload_to="recordings/", storage=private_storage, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    duration_seconds = models.FloatField(default=0)
    # Participants who deleted their copy; the file goes once all of them have.
    hidden_for = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"Recording {self.pk} of session {self.session_id} ({self.status})"


class RecordingEvent(models.Model):
    """The consent trail: who asked, accepted, declined, started, stopped or deleted, and when."""

    recording = models.ForeignKey(Recording, on_delete=models.CASCADE, related_name="events")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(max_length=12)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"{self.kind} by {self.user_id} on recording {self.recording_id}"
