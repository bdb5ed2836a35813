"""Writes for the live room (SPEC §7): status transitions, presence/timer, chat, whiteboard,
checklist, TURN credentials, the end-of-session snapshot and auto-completion.

Session status changes only through :func:`transition_session` (a conditional update), so going
live, ending by the mentor and auto-completion by the scheduler can race without double effects.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import re
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.bookings.models import Booking, BookingStatus
from apps.catalog.models import Session, SessionStatus
from apps.catalog.services import SESSION_TRANSITIONS
from apps.core.realtime import broadcast
from apps.core.state import conditional_transition
from apps.notifications.services import notify
from apps.workflows import sessions as session_flows

from . import recording, selectors
from .conf import (
    JOIN_EARLY,
    JOIN_GRACE,
    MAX_BOARD_POINTS,
    MAX_BOARD_STROKES,
    MAX_CHAT_CHARS,
    PRESENCE_GROUP,
    room_group,
)
from .models import Attendance, ChatMessage, ChecklistTick, RoomState, WhiteboardStroke

if TYPE_CHECKING:
    from apps.accounts.models import User


class RoomError(Exception):
    """A room action that is not allowed now (message is user-facing)."""


def transition_session(*, session_id: int, old: str, new: str) -> bool:
    """Move a session from ``old`` to ``new`` if it is still ``old``; True if this call did it.
    The allowed moves are the catalogue's one session table."""
    return conditional_transition(Session, session_id, new, table=SESSION_TRANSITIONS, only_from=old)


# --- channel-layer pushes (always after commit; ``broadcast`` logs a failed push and carries on,
# so a push can never undo the state change that caused it) -----------------------------------------


def presence_event(session_id: int, *, live: bool, participants: int) -> dict[str, Any]:
    return {"type": "presence.update", "session": session_id, "live": live, "participants": participants}


def publish_presence(session_id: int) -> None:
    """Tell every presence subscriber whether the session is live and how many are in it."""
    status = Session.objects.filter(pk=session_id).values_list("status", flat=True).first()
    live = status == SessionStatus.LIVE
    count = selectors.participant_count(session_id) if live else 0
    broadcast(PRESENCE_GROUP, presence_event(session_id, live=live, participants=count))


# --- go live / end ------------------------------------------------------------------------------


def go_live(*, session: Session, now: datetime | None = None) -> bool:
    """The mentor goes live (from T-10 min). True if this call made the session live."""
    now = now or timezone.now()
    if session.status == SessionStatus.LIVE:
        return False
    if session.status != SessionStatus.SCHEDULED:
        raise RoomError(_("This session can no longer go live."))
    if now < session.start - JOIN_EARLY:
        raise RoomError(_("You can go live from 10 minutes before the start."))
    if now > session.end + JOIN_GRACE:
        raise RoomError(_("This session's time has passed."))
    with transaction.atomic():
        if not transition_session(session_id=session.pk, old=SessionStatus.SCHEDULED, new=SessionStatus.LIVE):
            return False
        RoomState.objects.update_or_create(session=session, defaults={"went_live_at": now})
        session.status = SessionStatus.LIVE
        learners = list(
            Booking.objects.filter(session=session, status=BookingStatus.CONFIRMED).select_related("learner")
        )
        _notify_learners_live(session, [b.learner for b in learners])
        sid = session.pk
        transaction.on_commit(lambda: publish_presence(sid))
    return True


def _notify_learners_live(session: Session, learners: list[Any]) -> None:
    for learner in learners:
        notify(
            user=learner,
            type="session_live",
            title=_("Session live now"),
            message=_("%(title)s has started. Join now!") % {"title": session.title},
            link=reverse("rooms:room", args=[session.room_code]),
            reference=f"session:{session.pk}:live",
            email=False,
        )


def complete_session(*, session: Session, now: datetime | None = None, automatic: bool = False) -> bool:
    """End the session: the completion workflow (session and bookings completed once, taught count,
    feedback prompts) and the room's own part (the timer stops, both pages are told) together.

    Called by the mentor's End button and by the ``rooms.auto_complete`` task. Returns True if this
    call completed it (False if someone else already had).
    """
    now = now or timezone.now()
    with transaction.atomic():
        if not session_flows.complete_session(session=session, now=now):
            return False
        state, _created = RoomState.objects.select_for_update().get_or_create(session=session)
        if state.running_since is not None:
            state.elapsed_seconds += max(0, int((now - state.running_since).total_seconds()))
            state.running_since = None
        state.ended_at = now
        state.save(update_fields=["elapsed_seconds", "running_since", "ended_at"])
        recording.stop_open_recordings(session=session, user=None)  # the recorder's page uploads what it has
        sid, code = session.pk, session.room_code
        payload = selectors.timer_payload(session=session, state=state, now=now)

        def push() -> None:
            broadcast(room_group(code), {"type": "room.ended", "automatic": automatic, "timer": payload})
            publish_presence(sid)

        transaction.on_commit(push)
    return True


def end_session(*, session: Session, now: datetime | None = None) -> bool:
    """The mentor's End button. A session cannot end before its scheduled start: it would count as
    taught and ask the learner for a review of a session that never happened (cancel it instead)."""
    now = now or timezone.now()
    if now < session.start:
        raise RoomError(_("This session hasn't started yet, so it can't be ended. Cancel it from My sessions instead."))
    return complete_session(session=session, now=now)


def auto_complete_sessions(now: datetime | None = None) -> int:
    """Complete every live session whose end + grace has passed. Safe to call from several workers
    at once (each session completes once). Returns how many this call completed."""
    now = now or timezone.now()
    due = Session.objects.filter(status=SessionStatus.LIVE, end__lte=now - JOIN_GRACE).only(
        "id", "mentor_id", "room_code", "status", "title", "start", "end"
    )
    return sum(1 for s in due if complete_session(session=s, now=now, automatic=True))


def enforce_mentor_no_show(now: datetime | None = None) -> int:
    """SPEC §8: 10 minutes after the start, a scheduled session whose mentor never opened the room
    is cancelled with full refunds (``workflows.sessions.mentor_no_show``). Returns how many."""
    now = now or timezone.now()
    due = Session.objects.filter(
        status=SessionStatus.SCHEDULED,
        start__lte=now - timedelta(minutes=session_flows.NO_SHOW_AFTER_MINUTES),
        start__gt=now - timedelta(days=1),
    ).select_related("mentor")
    count = 0
    for session in due:
        if selectors.has_attended(session_id=session.pk, user_id=session.mentor_id):
            continue
        if session_flows.mentor_no_show(session=session):
            count += 1
    return count


# --- presence and the server-side timer ---------------------------------------------------------


def _recompute_timer(session: Session, now: datetime) -> RoomState:
    """Run the clock while the mentor and at least one learner are connected; pause otherwise."""
    state, _ = RoomState.objects.select_for_update().get_or_create(session=session)
    present = set(Attendance.objects.filter(session=session, connections__gt=0).values_list("user_id", flat=True))
    both = session.mentor_id in present and len(present) >= 2 and session.status != SessionStatus.COMPLETED
    # Time before the scheduled start is not counted: the clock starts at the start time at the earliest.
    if both and state.running_since is None:
        state.running_since = max(now, session.start)
        state.save(update_fields=["running_since"])
    elif not both and state.running_since is not None:
        state.elapsed_seconds += max(0, int((now - state.running_since).total_seconds()))
        state.running_since = None
        state.save(update_fields=["elapsed_seconds", "running_since"])
    return state


def record_join(*, session: Session, user: User, now: datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    with transaction.atomic():
        att, created = Attendance.objects.get_or_create(
            session=session, user=user, defaults={"connections": 1, "first_joined_at": now, "last_joined_at": now}
        )
        if not created:
            Attendance.objects.filter(pk=att.pk).update(connections=F("connections") + 1, last_joined_at=now)
        state = _recompute_timer(session, now)
    return selectors.timer_payload(session=session, state=state, now=now)


def record_leave(*, session: Session, user: User, now: datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    with transaction.atomic():
        Attendance.objects.filter(session=session, user=user, connections__gt=0).update(
            connections=F("connections") - 1, last_left_at=now
        )
        session.refresh_from_db(fields=["status"])
        state = _recompute_timer(session, now)
    return selectors.timer_payload(session=session, state=state, now=now)


# --- chat, whiteboard, checklist ----------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def post_chat(*, session: Session, author: User, body: str) -> ChatMessage:
    """Store a chat line as plain text (HTML is never interpreted; pages escape it)."""
    text = _CONTROL.sub("", body).strip()
    if not text:
        raise RoomError(_("Type a message first."))
    if len(text) > MAX_CHAT_CHARS:
        raise RoomError(_("Messages can be at most %(n)s characters.") % {"n": MAX_CHAT_CHARS})
    msg = ChatMessage.objects.create(session=session, author=author, body=text)
    msg.author = author
    return msg


class BoardFull(RoomError):
    """The board holds MAX_BOARD_STROKES strokes or MAX_BOARD_POINTS points: clear it to go on."""


def add_stroke(*, session: Session, author: User, stroke: dict[str, Any]) -> bool:
    """Persist one validated stroke; False if that client id was already stored (a resend).

    Raises BoardFull when the board (its strokes since the last clear) is at its cap. Two strokes
    racing for the last place may both land: the cap bounds the replay, it is not a quota."""
    n_points = len(stroke["points"])
    board = WhiteboardStroke.objects.filter(session=session, archived_at__isnull=True).aggregate(
        strokes=Count("id"), points=Sum("n_points")
    )
    if board["strokes"] >= MAX_BOARD_STROKES or (board["points"] or 0) + n_points > MAX_BOARD_POINTS:
        raise BoardFull(_("The whiteboard is full. Clear it to keep drawing (the cleared board stays saved)."))
    try:
        with transaction.atomic():
            WhiteboardStroke.objects.create(
                session=session,
                author=author,
                client_id=stroke["id"],
                tool=stroke["tool"],
                color=stroke["color"],
                width=stroke["width"],
                points=stroke["points"],
                n_points=n_points,
            )
    except IntegrityError:
        return False
    return True


def clear_whiteboard(*, session: Session) -> int:
    """Take every stroke off the board; they are archived (kept), not deleted."""
    return WhiteboardStroke.objects.filter(session=session, archived_at__isnull=True).update(archived_at=timezone.now())


def set_tick(*, session: Session, user: User, topic: str, done: bool) -> bool:
    if topic not in selectors.session_topics(session):
        raise RoomError(_("That topic is not on this session's checklist."))
    ChecklistTick.objects.update_or_create(session=session, topic=topic, defaults={"done": done, "updated_by": user})
    return done


def save_snapshot(*, session: Session, data: bytes) -> RoomState:
    """Store the whiteboard PNG with the session, re-encoded through Pillow (content-checked)."""
    from PIL import Image

    if len(data) > 4 * 1024 * 1024:
        raise RoomError(_("The whiteboard image is too large."))
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format != "PNG":
                raise RoomError(_("The whiteboard snapshot must be a PNG image."))
            if img.width * img.height > 4096 * 4096:
                raise RoomError(_("The whiteboard image is too large."))
            img.load()
            out = io.BytesIO()
            img.convert("RGBA").save(out, format="PNG", optimize=True)
    except RoomError:
        raise
    except Exception as exc:
        raise RoomError(_("The whiteboard snapshot must be a PNG image.")) from exc
    state = selectors.room_state_for(session)
    if state.snapshot:
        state.snapshot.delete(save=False)
    state.snapshot.save(f"session-{session.pk}-whiteboard.png", ContentFile(out.getvalue()), save=True)
    return state


# --- ICE servers / TURN credentials -------------------------------------------------------------


def turn_credentials(*, user_id: int, now: float | None = None) -> tuple[str, str, int]:
    """coturn ``use-auth-secret`` credentials: username ``<expiry>:<userid>``, password
    base64(HMAC-SHA1(secret, username)). Returns (username, password, ttl)."""
    ttl = int(settings.TURN_CREDENTIAL_TTL)
    expiry = int(now if now is not None else time.time()) + ttl
    username = f"{expiry}:{user_id}"
    digest = hmac.new(settings.TURN_SECRET.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode(), ttl


def ice_servers_for(*, user_id: int) -> dict[str, Any]:
    servers: list[dict[str, Any]] = []
    if settings.STUN_URLS:
        servers.append({"urls": list(settings.STUN_URLS)})
    ttl = 0
    if settings.TURN_URLS and settings.TURN_SECRET:
        username, password, ttl = turn_credentials(user_id=user_id)
        servers.append({"urls": list(settings.TURN_URLS), "username": username, "credential": password})
    return {"iceServers": servers, "ttl": ttl, "turn": bool(settings.TURN_URLS and settings.TURN_SECRET)}


def seconds_until(moment: datetime, now: datetime) -> int:
    return max(0, int((moment - now) / timedelta(seconds=1)))
