"""Session create / edit / cancel with the rules of SPEC §4."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import MentorProfile, MentorStatus, Role, User
from apps.core import versions
from apps.core.state import conditional_transition
from apps.notifications.services import send_event
from apps.taxonomy.models import Domain

from .limits import (
    MAX_AGENDA_ITEMS,
    MAX_CAPACITY,
    MAX_MINUTES,
    MAX_PRICE_PAISE,
    MAX_TOPICS,
    MIN_CAPACITY,
    MIN_LEAD,
    MIN_MINUTES,
    MIN_PRICE_PAISE,
)
from .models import Follow, Session, SessionStatus

SESSION_TRANSITIONS: dict[str, set[str]] = {
    SessionStatus.SCHEDULED: {SessionStatus.LIVE, SessionStatus.CANCELLED, SessionStatus.COMPLETED},
    SessionStatus.LIVE: {SessionStatus.COMPLETED},
    SessionStatus.COMPLETED: set(),
    SessionStatus.CANCELLED: set(),
}


class InvalidTransition(Exception):
    pass


@dataclass
class SessionInput:
    title: str
    description: str
    domain: Domain
    start: datetime
    duration_minutes: int
    price_paise: int = 0
    capacity: int = 1
    language: str = "English"
    topics: list[str] = field(default_factory=list)
    agenda: list[dict[str, Any]] = field(default_factory=list)
    thumbnail: Any = None


def validate_session_input(data: SessionInput, *, now: datetime) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = _("Give the session a title.")
    elif len(data.title) > 150:
        errors["title"] = _("Keep the title under 150 characters.")
    if not data.description.strip():
        errors["description"] = _("Describe what learners will get from the session.")
    if timezone.is_naive(data.start):
        errors["start"] = _("Enter a valid date and time.")
    elif data.start < now + MIN_LEAD:
        errors["start"] = _("The start must be at least 30 minutes from now.")
    if not (MIN_MINUTES <= data.duration_minutes <= MAX_MINUTES):
        errors["duration_minutes"] = _("Duration must be between 15 and 240 minutes.")
    if data.price_paise != 0 and not (MIN_PRICE_PAISE <= data.price_paise <= MAX_PRICE_PAISE):
        errors["price_paise"] = _("Price must be 0 (free) or between ₹50 and ₹1,00,000.")
    if not (MIN_CAPACITY <= data.capacity <= MAX_CAPACITY):
        errors["capacity"] = _("Capacity must be between 1 and 10 learners.")
    topics = [t.strip() for t in data.topics if t.strip()]
    if not topics:
        errors["topics"] = _("Please add at least one topic.")
    elif len(topics) > MAX_TOPICS or any(len(t) > 40 for t in topics):
        errors["topics"] = _("Use up to 10 topics of at most 40 characters each.")
    if len(data.agenda) > MAX_AGENDA_ITEMS:
        errors["agenda"] = _("Use at most 20 agenda items.")
    else:
        total = 0
        for item in data.agenda:
            title = str(item.get("title", "")).strip()
            minutes = item.get("minutes")
            if not title or not isinstance(minutes, int) or minutes <= 0:
                errors["agenda"] = _("Each agenda item needs a title and a number of minutes.")
                break
            total += minutes
        else:
            if "duration_minutes" not in errors and total > data.duration_minutes:
                errors["agenda"] = _("The agenda (%(total)s min) is longer than the session.") % {"total": total}
    return errors


def _check_mentor(mentor: User) -> None:
    if (
        mentor.role != Role.MENTOR
        or not MentorProfile.objects.filter(user=mentor, status=MentorStatus.APPROVED).exists()
    ):
        raise ValidationError(_("Only approved mentors can publish sessions."))


def _check_overlap(*, mentor: User, start: datetime, end: datetime, exclude_pk: int | None = None) -> None:
    # Lock the mentor's row so two concurrent creates for one mentor serialise (PostgreSQL);
    # SQLite's IMMEDIATE transaction already holds the database write lock.
    User.objects.select_for_update().filter(pk=mentor.pk).first()
    clash = Session.objects.filter(mentor=mentor, start__lt=end, end__gt=start).exclude(status=SessionStatus.CANCELLED)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"start": _("You already have a session then.")})


def _apply(session: Session, data: SessionInput) -> None:
    session.title = data.title.strip()
    session.description = data.description.strip()
    session.domain = data.domain
    session.start = data.start
    session.duration_minutes = data.duration_minutes
    session.price_paise = data.price_paise
    session.capacity = data.capacity
    session.language = data.language.strip() or "English"
    session.topics = [t.strip() for t in data.topics if t.strip()]
    session.agenda = [{"title": str(i["title"]).strip(), "minutes": int(i["minutes"])} for i in data.agenda]
    if data.thumbnail:
        session.thumbnail = data.thumbnail


def create_session(*, mentor: User, data: SessionInput, now: datetime | None = None) -> Session:
    now = now or timezone.now()
    _check_mentor(mentor)
    errors = validate_session_input(data, now=now)
    if errors:
        raise ValidationError(errors)
    session = Session(mentor=mentor)
    _apply(session, data)
    try:
        with transaction.atomic():
            _check_overlap(mentor=mentor, start=data.start, end=Session.compute_end(data.start, data.duration_minutes))
            session.save()
    except IntegrityError as exc:  # the PostgreSQL exclusion constraint caught a concurrent overlap
        raise ValidationError({"start": _("You already have a session then.")}) from exc
    return session


def update_session(*, session: Session, data: SessionInput, seats_booked: int, now: datetime | None = None) -> Session:
    """Edit a scheduled session. With ``seats_booked`` learners (the caller counts them: bookings
    sit above the catalogue), the price is frozen and the capacity cannot go below them."""
    now = now or timezone.now()
    errors = validate_session_input(data, now=now)
    taken = seats_booked
    if taken and data.price_paise != session.price_paise:
        errors["price_paise"] = _("The price cannot change once learners have booked.")
    if data.capacity < taken:
        errors["capacity"] = _("Capacity cannot be below the %(n)s seats already booked.") % {"n": taken}
    if session.status != SessionStatus.SCHEDULED:
        errors["__all__"] = _("Only scheduled sessions can be edited.")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            locked = Session.objects.select_for_update().get(pk=session.pk)
            _check_overlap(
                mentor=locked.mentor,
                start=data.start,
                end=Session.compute_end(data.start, data.duration_minutes),
                exclude_pk=locked.pk,
            )
            _apply(locked, data)
            locked.save()
    except IntegrityError as exc:
        raise ValidationError({"start": _("You already have a session then.")}) from exc
    return locked


def transition_session(session: Session, to: str) -> Session:
    if not conditional_transition(Session, session.pk, to, table=SESSION_TRANSITIONS):
        session.refresh_from_db()
        raise InvalidTransition(f"session {session.pk}: {session.status} -> {to} not allowed")
    session.refresh_from_db()
    return session


def mark_cancelled(*, session: Session) -> Session:
    """The session's own state change. Its bookings, refunds and the people to tell are handled
    by ``apps.workflows.sessions.cancel_session``, which calls this."""
    return transition_session(session, SessionStatus.CANCELLED)


# --- following mentors ----------------------------------------------------------------------


class FollowRefused(Exception):
    pass


def _followable(*, follower: User, mentor: User) -> None:
    if follower.pk == mentor.pk:
        raise FollowRefused(_("You cannot follow yourself."))
    if (
        mentor.role != Role.MENTOR
        or not mentor.is_active
        or not MentorProfile.objects.filter(user=mentor, status=MentorStatus.APPROVED).exists()
    ):
        raise FollowRefused(_("Only approved mentors can be followed."))


def follow(*, follower: User, mentor: User) -> bool:
    """``follower`` follows ``mentor``; True if this call created the follow (idempotent)."""
    _followable(follower=follower, mentor=mentor)
    _obj, created = Follow.objects.get_or_create(follower=follower, mentor=mentor)
    if created:
        versions.bump_on_commit(versions.learner_inputs(follower.pk))
        send_event(user_ids=[mentor.pk], type="follow.changed")  # the mentor's open pages recount
    return created


def unfollow(*, follower: User, mentor: User) -> bool:
    """Stop following; True if there was a follow to remove."""
    deleted, _rows = Follow.objects.filter(follower=follower, mentor=mentor).delete()
    if deleted:
        versions.bump_on_commit(versions.learner_inputs(follower.pk))
        send_event(user_ids=[mentor.pk], type="follow.changed")
    return bool(deleted)


def is_following(*, follower: object, mentor_id: int) -> bool:
    if not getattr(follower, "is_authenticated", False):
        return False
    return Follow.objects.filter(follower_id=follower.pk, mentor_id=mentor_id).exists()  # type: ignore[attr-defined]


def follower_count(mentor_id: int) -> int:
    return Follow.objects.filter(mentor_id=mentor_id).count()


def follower_ids(mentor_id: int) -> list[int]:
    return list(
        Follow.objects.filter(mentor_id=mentor_id, follower__is_active=True).values_list("follower_id", flat=True)
    )
