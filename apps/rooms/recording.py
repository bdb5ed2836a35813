"""Recording with consent (SPEC §7).

Either side asks (``request``); everyone else present in the room at that moment must accept
(``answer``); only then may the requester's browser start (``start``), which is when both sides
show the "Recording" indicator. Either side may stop. The requester's page uploads the file in
chunks (``append_chunk`` with the byte offset it believes the server has, so an interrupted upload
resumes where the server stopped), then ``complete``. Every step is a ``RecordingEvent``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.catalog.models import Session, SessionStatus
from apps.core.uploads import webm_header_ok

from .models import Attendance, Recording, RecordingEvent, RecordingStatus

if TYPE_CHECKING:
    from apps.accounts.models import User

MAX_RECORDING_BYTES = 200 * 1024 * 1024  # about an hour of 720p VP8/Opus at MediaRecorder's defaults
MAX_CHUNK_BYTES = 4 * 1024 * 1024
OPEN = (RecordingStatus.REQUESTED, RecordingStatus.CONSENTED, RecordingStatus.RECORDING)


class RecordingError(Exception):
    def __init__(self, message: str, status: int = 400, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.extra = extra


def _event(rec: Recording, user: Any, kind: str) -> None:
    RecordingEvent.objects.create(recording=rec, user=user, kind=kind)


def request(*, session: Session, user: User) -> Recording:
    with transaction.atomic():
        Session.objects.select_for_update().filter(pk=session.pk).first()  # one open request at a time
        if session.status not in (SessionStatus.SCHEDULED, SessionStatus.LIVE):
            raise RecordingError(_("This session is over; it can't be recorded."))
        if Recording.objects.filter(session=session, status__in=OPEN).exists():
            raise RecordingError(_("A recording has already been asked for in this session."))
        others = list(
            Attendance.objects.filter(session=session, connections__gt=0)
            .exclude(user=user)
            .values_list("user_id", flat=True)
        )
        if not others:
            raise RecordingError(_("Recording needs the other side in the room to agree; nobody else is here yet."))
        rec = Recording.objects.create(session=session, requested_by=user, needed=sorted(others))
        _event(rec, user, "requested")
    return rec


def _open_recording(session: Session, recording_id: int) -> Recording:
    rec = Recording.objects.select_for_update().filter(pk=recording_id, session=session).first()
    if rec is None:
        raise RecordingError(_("No such recording."), status=404)
    return rec


def answer(*, session: Session, user: User, recording_id: int, accept: bool) -> Recording:
    with transaction.atomic():
        rec = _open_recording(session, recording_id)
        if rec.status != RecordingStatus.REQUESTED:
            raise RecordingError(_("This recording request has already been answered."))
        if user.pk not in rec.needed:
            raise RecordingError(_("Only the other side can answer a recording request."), status=403)
        if not accept:
            rec.status = RecordingStatus.DECLINED
            rec.save(update_fields=["status"])
            _event(rec, user, "declined")
            return rec
        if user.pk not in rec.accepted:
            rec.accepted = sorted({*rec.accepted, user.pk})
        if set(rec.needed) <= set(rec.accepted):
            rec.status = RecordingStatus.CONSENTED
        rec.save(update_fields=["accepted", "status"])
        _event(rec, user, "accepted")
    return rec


def start(*, session: Session, user: User, recording_id: int) -> Recording:
    """Refused unless every needed participant accepted: nothing records without consent."""
    with transaction.atomic():
        rec = _open_recording(session, recording_id)
        if rec.requested_by_id != user.pk:
            raise RecordingError(_("Only the person who asked can start the recording."), status=403)
        if rec.status != RecordingStatus.CONSENTED or not set(rec.needed) <= set(rec.accepted):
            raise RecordingError(_("Recording can't start before everyone in the room has agreed."), status=403)
        rec.status = RecordingStatus.RECORDING
        rec.started_at = timezone.now()
        rec.save(update_fields=["status", "started_at"])
        _event(rec, user, "started")
    return rec


def stop(*, session: Session, user: User, recording_id: int) -> Recording:
    """Either side stops; asking again for one that is already stopped is harmless."""
    with transaction.atomic():
        rec = _open_recording(session, recording_id)
        if rec.status in (RecordingStatus.REQUESTED, RecordingStatus.CONSENTED):
            rec.status = RecordingStatus.DECLINED  # withdrawn before it started: nothing was recorded
            rec.save(update_fields=["status"])
            _event(rec, user, "withdrawn")
        elif rec.status == RecordingStatus.RECORDING:
            rec.status = RecordingStatus.STOPPED
            rec.stopped_at = timezone.now()
            rec.save(update_fields=["status", "stopped_at"])
            _event(rec, user, "stopped")
    return rec


def stop_open_recordings(*, session: Session, user: User | None) -> list[Recording]:
    """The session ended or its recorder left: stop whatever is still running or pending."""
    stopped = []
    for pk in Recording.objects.filter(session=session, status__in=OPEN).values_list("pk", flat=True):
        with transaction.atomic():
            rec = _open_recording(session, pk)
            if rec.status == RecordingStatus.RECORDING:
                rec.status, rec.stopped_at = RecordingStatus.STOPPED, timezone.now()
                rec.save(update_fields=["status", "stopped_at"])
            else:
                rec.status = RecordingStatus.DECLINED
                rec.save(update_fields=["status"])
            _event(rec, user, "stopped")
        stopped.append(rec)
    return stopped


# --- upload -------------------------------------------------------------------------------------


def _uploader(session: Session, user: User, recording_id: int) -> Recording:
    rec = _open_recording(session, recording_id)
    if rec.requested_by_id != user.pk:
        raise RecordingError(_("Only the recording's own page uploads it."), status=403)
    if rec.status not in (RecordingStatus.RECORDING, RecordingStatus.STOPPED):
        raise RecordingError(_("This recording isn't taking uploads."), status=409)
    return rec


def append_chunk(*, session: Session, user: User, recording_id: int, offset: int, data: bytes) -> int:
    """Append ``data`` at ``offset``; returns the new size. A wrong offset answers 409 with the
    server's size so the page resumes from there (nothing is written twice or skipped)."""
    if not data:
        raise RecordingError(_("The upload chunk is empty."))
    if len(data) > MAX_CHUNK_BYTES:
        raise RecordingError(_("Upload chunks can be at most 4 MB."), status=413)
    with transaction.atomic():
        rec = _uploader(session, user, recording_id)
        if offset != rec.size_bytes:
            raise RecordingError(
                _("The upload must resume from the server's offset."), status=409, offset=rec.size_bytes
            )
        if offset == 0 and not webm_header_ok(data[:8192]):
            raise RecordingError(_("Recordings must be WebM video."), status=415)
        if rec.size_bytes + len(data) > MAX_RECORDING_BYTES:
            raise RecordingError(_("The recording is larger than 200 MB and can't be kept."), status=413)
        storage = rec.file.storage
        name = rec.file.name or storage.get_available_name(f"recordings/session-{session.pk}/recording-{rec.pk}.webm")
        rec.file.name = name
        os.makedirs(os.path.dirname(storage.path(name)), exist_ok=True)
        with open(storage.path(name), "r+b" if offset else "wb") as fh:
            fh.seek(offset)
            fh.write(data)
            fh.truncate()
        rec.size_bytes = offset + len(data)
        rec.save(update_fields=["file", "size_bytes"])
    return rec.size_bytes


def upload_offset(*, session: Session, user: User, recording_id: int) -> int:
    with transaction.atomic():
        return _uploader(session, user, recording_id).size_bytes


def complete(*, session: Session, user: User, recording_id: int, duration_seconds: float) -> Recording:
    with transaction.atomic():
        rec = _uploader(session, user, recording_id)
        if rec.status == RecordingStatus.RECORDING:
            raise RecordingError(_("Stop the recording before finishing its upload."), status=409)
        if not rec.size_bytes:
            raise RecordingError(_("Nothing was uploaded for this recording."))
        if not (0 < duration_seconds < 24 * 3600):
            raise RecordingError(_("The recording's duration is not valid."))
        rec.status = RecordingStatus.READY
        rec.duration_seconds = round(float(duration_seconds), 1)
        rec.save(update_fields=["status", "duration_seconds"])
        _event(rec, user, "uploaded")
    return rec


# --- after the session ----------------------------------------------------------------------------


def visible_to(*, session: Session, user: User) -> list[Recording]:
    return list(
        Recording.objects.filter(session=session, status=RecordingStatus.READY)
        .exclude(hidden_for=user)
        .order_by("created_at")
    )


def delete_copy(*, session: Session, user: User, recording_id: int, participants: set[int]) -> None:
    """Hide the recording for ``user``; once every participant has, the file itself is deleted."""
    with transaction.atomic():
        rec = _open_recording(session, recording_id)
        rec.hidden_for.add(user)
        _event(rec, user, "deleted")
        name = rec.file.name
        if participants <= set(rec.hidden_for.values_list("pk", flat=True)) and name:
            rec.file.name = ""
            rec.save(update_fields=["file"])
            transaction.on_commit(lambda: rec.file.storage.delete(name))
