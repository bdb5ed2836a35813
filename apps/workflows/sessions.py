"""Session flows: a mentor or admin cancels, the mentor does not show up, a session completes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import MentorProfile
from apps.audit import services as audit
from apps.bookings.models import SEAT_HOLDING, Booking, BookingStatus, CancelledBy
from apps.catalog import services as catalog
from apps.catalog.models import Session, SessionStatus, room_group_name
from apps.core.realtime import broadcast
from apps.core.state import conditional_transition
from apps.notifications.models import NotificationType
from apps.notifications.services import notify
from apps.progress.badges import award_for_learner, award_for_mentor

from .booking import cancel_booking

NO_SHOW_AFTER_MINUTES = 10
NO_SHOW_REASON = "Mentor did not join within 10 minutes (no-show): full refund"


def cancel_session(*, session: Session, by: str = CancelledBy.MENTOR, reason: str = "", quiet: bool = False) -> int:
    """The mentor (or an admin, or the system) cancels a session: it becomes cancelled, every
    active booking is cancelled and every paid one refunded in full, and learners are told (unless
    ``quiet``: the caller tells them in its own words). Returns how many bookings were cancelled."""
    with transaction.atomic():
        session = catalog.mark_cancelled(session=session)  # bumps the catalogue's version on commit
        code = session.room_code
        transaction.on_commit(lambda: broadcast(room_group_name(code), {"type": "room.revoke", "user_id": None}))
        active = Booking.objects.filter(
            session=session, status__in=(BookingStatus.PENDING_PAYMENT, BookingStatus.CONFIRMED)
        ).select_related("session__mentor", "learner")
        count = 0
        for booking in active:
            cancel_booking(
                booking=booking, by=by, reason=reason or _("Session cancelled by the mentor"), notify_people=not quiet
            )
            count += 1
    return count


def edit_session(*, session: Session, data: catalog.SessionInput, now: datetime | None = None) -> Session:
    """The mentor edits a scheduled session; seats already booked (or held) freeze the price and
    bound the capacity."""
    booked = Booking.objects.filter(session=session, status__in=SEAT_HOLDING).count()
    return catalog.update_session(session=session, data=data, seats_booked=booked, now=now)


def mentor_no_show(*, session: Session) -> bool:
    """T+10 min and the mentor never opened the room (the rooms app decides that): the session is
    cancelled, learners are refunded in full and both sides are told. True if this call did it."""
    learners = list(Booking.objects.filter(session=session, status=BookingStatus.CONFIRMED).select_related("learner"))
    if session.status != SessionStatus.SCHEDULED or not learners:
        return False
    with transaction.atomic():
        cancel_session(session=session, by=CancelledBy.SYSTEM, reason=NO_SHOW_REASON, quiet=True)
        for b in learners:
            notify(
                user=b.learner,
                type=NotificationType.SESSION_CANCELLED,
                title=_("Your mentor did not show up: full refund"),
                message=_(
                    "“%(title)s” was cancelled because the mentor did not join within 10 minutes. "
                    "You will get a full refund."
                )
                % {"title": session.title},
                link=reverse("bookings:list"),
                reference=f"booking:{b.pk}",
            )
        notify(
            user=session.mentor,
            type=NotificationType.SESSION_CANCELLED,
            title=_("Session cancelled: you did not join"),
            message=_(
                "“%(title)s” was cancelled because you were not in the room 10 minutes after the start. "
                "Learners were refunded in full."
            )
            % {"title": session.title},
            link=reverse("catalog:mentor_sessions"),
            reference=f"session:{session.pk}",
        )
    return True


def complete_session(*, session: Session, now: datetime | None = None) -> bool:
    """The session ends (mentor's End, or automatically): the session and its confirmed bookings
    become ``completed`` exactly once, the mentor's taught count grows, learners are asked for
    feedback. Returns True if this call completed it. The room's own bookkeeping (timer, whiteboard)
    is the rooms app's, which calls this inside its transaction."""
    now = now or timezone.now()
    with transaction.atomic():
        done = conditional_transition(Session, session.pk, SessionStatus.COMPLETED, table=catalog.SESSION_TRANSITIONS)
        if not done:
            return False
        session.status = SessionStatus.COMPLETED
        Booking.objects.filter(session=session, status=BookingStatus.CONFIRMED).update(
            status=BookingStatus.COMPLETED, updated_at=now
        )
        MentorProfile.objects.filter(user_id=session.mentor_id).update(sessions_taught=F("sessions_taught") + 1)
        completed = Booking.objects.filter(session=session, status=BookingStatus.COMPLETED).select_related("learner")
        # Learners in id order: badge awarding locks each of them (see apps.progress.badges).
        for b in completed.order_by("learner_id"):
            notify(
                user=b.learner,
                type=NotificationType.FEEDBACK_REQUESTED,
                title=_("How was your session?"),
                message=_("Rate %(title)s and help your mentor improve.") % {"title": session.title},
                link=reverse("rooms:room", args=[session.room_code]),
                reference=f"booking:{b.pk}:feedback",
                email=False,
            )
            award_for_learner(b.learner)
        award_for_mentor(session.mentor)
    return True


def admin_cancel_session(*, session: Session, by: Any, reason: str, ip: str | None = None) -> int:
    """An admin cancels a scheduled session (SPEC §11): every learner refunded in full and told,
    with the admin's reason; the mentor told; the action audited. Returns the bookings cancelled."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("A reason is required")
    with transaction.atomic():
        before = session.status
        count = cancel_session(session=session, by=CancelledBy.ADMIN, reason=reason)
        audit.record(
            actor=by,
            action="session.cancel",
            obj=session,
            before={"status": before},
            after={"status": SessionStatus.CANCELLED, "bookings_cancelled": count},
            reason=reason,
            ip=ip,
        )
        mentor, title = session.mentor, session.title
        transaction.on_commit(
            lambda: notify(
                user=mentor,
                type=NotificationType.SESSION_CANCELLED,
                title=_("PeerLearn cancelled your session"),
                message=_("“%(title)s”: %(reason)s") % {"title": title, "reason": reason},
                link=reverse("catalog:mentor_sessions"),
                reference=f"session:{session.pk}",
            )
        )
    return count
