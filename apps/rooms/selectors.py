"""Reads for the live room: who may enter, what the room holds, what is live."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet

from apps.accounts.models import Role
from apps.bookings.models import Booking, BookingStatus
from apps.catalog.models import Session, SessionStatus

from .conf import CHAT_HISTORY, JOIN_EARLY, JOIN_GRACE, REPLAY_PART_BYTES
from .models import Attendance, ChatMessage, ChecklistTick, RoomState, WhiteboardStroke

if TYPE_CHECKING:
    from apps.accounts.models import User

MENTOR = "mentor"
LEARNER = "learner"


@dataclass(frozen=True)
class Participant:
    session: Session
    role: str  # MENTOR or LEARNER
    booking: Booking | None


def participant_for(*, user: User, room_code: Any, include_completed: bool = True) -> Participant | None:
    """The caller's place in the room, or None if they have none (outsider, admin, anonymous).

    The mentor is the session's own mentor; a learner needs a confirmed booking (or a completed one,
    to see the ended room and leave feedback, unless ``include_completed`` is False). Admins never
    get in (privacy, SPEC §1).
    """
    if not getattr(user, "is_authenticated", False) or user.role == Role.ADMIN:
        return None
    session = (
        Session.objects.select_related("mentor", "domain")
        .filter(room_code=room_code)
        .exclude(status=SessionStatus.CANCELLED)
        .first()
    )
    if session is None:
        return None
    if user.role == Role.MENTOR:
        return Participant(session, MENTOR, None) if session.mentor_id == user.pk else None
    statuses = [BookingStatus.CONFIRMED, BookingStatus.COMPLETED] if include_completed else [BookingStatus.CONFIRMED]
    booking = Booking.objects.filter(session=session, learner=user, status__in=statuses).first()
    return Participant(session, LEARNER, booking) if booking else None


def join_window(session: Session) -> tuple[datetime, datetime]:
    """(opens, closes): both sides may enter from start - 10 min until end + 5 min grace."""
    return session.start - JOIN_EARLY, session.end + JOIN_GRACE


LIVE_AND_SOON_HORIZON = timedelta(hours=12)


def live_and_soon(qs: QuerySet[Session], now: datetime) -> QuerySet[Session]:
    """Sessions a mentor acts on now: live, or starting within the next 12 hours and not past their
    join window. Crosses midnight (a 00:15 session shows at 23:00), unlike a calendar "today"."""
    return qs.filter(
        Q(status=SessionStatus.LIVE)
        | Q(status=SessionStatus.SCHEDULED, start__lt=now + LIVE_AND_SOON_HORIZON, end__gt=now - JOIN_GRACE)
    ).order_by("start")


def window_state(*, session: Session, now: datetime) -> str:
    """'ended' | 'early' | 'open' | 'closed'."""
    if session.status == SessionStatus.COMPLETED:
        return "ended"
    opens, closes = join_window(session)
    if now < opens:
        return "early"
    if now > closes:
        return "closed"
    return "open"


def room_state_for(session: Session) -> RoomState:
    state, _ = RoomState.objects.get_or_create(session=session)
    return state


def timer_payload(*, session: Session, state: RoomState, now: datetime) -> dict[str, Any]:
    return {
        "start": session.start.isoformat(),
        "end": session.end.isoformat(),
        "elapsed": state.elapsed_seconds,
        "running_since": state.running_since.isoformat() if state.running_since else None,
        "now": now.isoformat(),
        "ended": session.status == SessionStatus.COMPLETED,
    }


def chat_history(session: Session) -> list[dict[str, Any]]:
    rows = list(ChatMessage.objects.filter(session=session).select_related("author").order_by("-id")[:CHAT_HISTORY])
    return [chat_payload(m) for m in reversed(rows)]


def chat_payload(m: ChatMessage) -> dict[str, Any]:
    return {
        "id": m.pk,
        "author": m.author_id,
        "name": m.author.full_name or m.author.email,
        "body": m.body,
        "at": m.created_at.isoformat(),
    }


def strokes_for(session: Session) -> list[dict[str, Any]]:
    """The strokes on the board now (since the last clear), oldest first."""
    return [
        stroke_payload(s)
        for s in WhiteboardStroke.objects.filter(session=session, archived_at__isnull=True).order_by("id")
    ]


def replay_parts(strokes: list[dict[str, Any]], *, max_bytes: int = REPLAY_PART_BYTES) -> list[list[dict[str, Any]]]:
    """Split a board's strokes, in order, into parts whose JSON stays within ``max_bytes`` (a single
    stroke is at most MAX_MESSAGE_BYTES, far below it). Always at least one (possibly empty) part."""
    parts: list[list[dict[str, Any]]] = [[]]
    size = 0
    for s in strokes:
        n = len(json.dumps(s, separators=(",", ":"))) + 1
        if parts[-1] and size + n > max_bytes:
            parts.append([])
            size = 0
        parts[-1].append(s)
        size += n
    return parts


def stroke_payload(s: WhiteboardStroke) -> dict[str, Any]:
    return {"id": s.client_id, "tool": s.tool, "color": s.color, "width": s.width, "points": s.points}


def checklist_for(session: Session) -> list[dict[str, Any]]:
    ticks = dict(ChecklistTick.objects.filter(session=session).values_list("topic", "done"))
    return [{"topic": t, "done": bool(ticks.get(t, False))} for t in session_topics(session)]


def session_topics(session: Session) -> list[str]:
    out: list[str] = []
    for t in session.topics or []:
        name = t.get("name") if isinstance(t, dict) else t
        if isinstance(name, str) and name.strip() and name.strip()[:120] not in out:
            out.append(name.strip()[:120])
    return out


def agenda_for(session: Session) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for item in session.agenda or []:
        if isinstance(item, dict) and isinstance(item.get("title"), str):
            try:
                minutes = max(0, int(item.get("minutes", 0)))
            except (TypeError, ValueError):
                minutes = 0
            items.append({"title": item["title"][:120], "minutes": minutes})
    return items


SUMMARY_CHAT_LIMIT = 2000


@dataclass(frozen=True)
class Summary:
    """What a finished session leaves behind, for its mentor and learners."""

    session: Session
    ended_at: datetime | None
    minutes: int
    has_whiteboard: bool
    checklist: list[dict[str, Any]]
    covered: int
    chat: list[ChatMessage]
    chat_truncated: bool
    learners: list[str]


def summary_for(session: Session) -> Summary:
    """Five queries whatever the size: room state, checklist ticks, chat (capped), learners."""
    state = RoomState.objects.filter(session=session).first()
    checklist = checklist_for(session)
    chat = list(
        ChatMessage.objects.filter(session=session).select_related("author").order_by("id")[: SUMMARY_CHAT_LIMIT + 1]
    )
    learners = list(
        Booking.objects.filter(session=session, status__in=[BookingStatus.CONFIRMED, BookingStatus.COMPLETED])
        .select_related("learner")
        .values_list("learner__full_name", flat=True)
    )
    return Summary(
        session=session,
        ended_at=state.ended_at if state else None,
        minutes=round((state.elapsed_seconds if state else 0) / 60),
        has_whiteboard=bool(state and state.snapshot),
        checklist=checklist,
        covered=sum(1 for row in checklist if row["done"]),
        chat=chat[:SUMMARY_CHAT_LIMIT],
        chat_truncated=len(chat) > SUMMARY_CHAT_LIMIT,
        learners=learners,
    )


def participant_count(session_id: int) -> int:
    return Attendance.objects.filter(session_id=session_id, connections__gt=0).count()


def live_sessions() -> list[dict[str, Any]]:
    """Every live session with its current participant count (for the presence snapshot)."""
    rows = Session.objects.filter(status=SessionStatus.LIVE).annotate(
        present=Count("attendances", filter=Q(attendances__connections__gt=0))
    )
    return [{"session": s.pk, "live": True, "participants": s.present} for s in rows]


def has_attended(*, session_id: int, user_id: int) -> bool:
    """Whether the user has ever connected to the session's room (for the mentor no-show rule)."""
    return Attendance.objects.filter(session_id=session_id, user_id=user_id, first_joined_at__isnull=False).exists()
