"""Reads for the dashboard home pages. Each function runs a fixed number of queries."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from apps.accounts.models import MentorProfile, MentorStatus, Role, User
from apps.bookings.models import Booking, BookingStatus
from apps.catalog.models import Session, SessionStatus

JOIN_WINDOW = timedelta(minutes=10)


def learner_upcoming(user: User, *, limit: int = 5) -> list[Booking]:
    now = timezone.now()
    rows = list(
        Booking.objects.filter(
            learner=user,
            status__in=[BookingStatus.CONFIRMED, BookingStatus.PENDING_PAYMENT],
            session__end__gt=now,
        )
        .exclude(session__status=SessionStatus.CANCELLED)
        .select_related("session", "session__mentor", "session__domain")
        .order_by("session__start")[:limit]
    )
    for b in rows:
        b.can_join = b.status == BookingStatus.CONFIRMED and b.session.start - JOIN_WINDOW <= now  # type: ignore[attr-defined]
    return rows


def learner_stats(user: User) -> dict[str, Any]:
    now = timezone.now()
    agg = Booking.objects.filter(learner=user).aggregate(
        upcoming=Count("id", filter=Q(status=BookingStatus.CONFIRMED, session__end__gt=now)),
        completed=Count("id", filter=Q(status=BookingStatus.COMPLETED)),
        minutes=Sum("session__duration_minutes", filter=Q(status=BookingStatus.COMPLETED)),
        awaiting_payment=Count("id", filter=Q(status=BookingStatus.PENDING_PAYMENT, session__end__gt=now)),
    )
    minutes = agg["minutes"] or 0
    return {**agg, "minutes": minutes, "hours": round(minutes / 60, 1)}


def learner_recent_bookings(user: User, *, limit: int = 10) -> list[Booking]:
    return list(
        Booking.objects.filter(learner=user)
        .select_related("session", "session__mentor")
        .order_by("-created_at")[:limit]
    )


def _local_day_bounds(now: datetime) -> tuple[datetime, datetime]:
    local = timezone.localtime(now)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def mentor_today(user: User) -> list[Session]:
    """The mentor's sessions today (in the active timezone) that are not over or cancelled."""
    now = timezone.now()
    day_start, day_end = _local_day_bounds(now)
    rows: list[Session] = list(
        Session.objects.filter(
            mentor=user,
            start__gte=day_start,
            start__lt=day_end,
            status__in=[SessionStatus.SCHEDULED, SessionStatus.LIVE],
        )
        .select_related("domain")
        .annotate(booked=Count("bookings", filter=Q(bookings__status=BookingStatus.CONFIRMED)))
        .order_by("start")
    )
    for s in rows:
        s.can_go_live = s.status == SessionStatus.LIVE or s.start - JOIN_WINDOW <= now  # type: ignore[attr-defined]
    return rows


def mentor_stats(user: User) -> dict[str, Any]:
    now = timezone.now()
    return Session.objects.filter(mentor=user).aggregate(
        upcoming=Count("id", filter=Q(status=SessionStatus.SCHEDULED, start__gt=now), distinct=True),
        completed=Count("id", filter=Q(status=SessionStatus.COMPLETED), distinct=True),
        learners_booked=Count(
            "bookings",
            filter=Q(bookings__status=BookingStatus.CONFIRMED, end__gt=now),
        ),
    )


def admin_kpis() -> dict[str, Any]:
    now = timezone.now()
    users = User.objects.aggregate(
        learners=Count("id", filter=Q(role=Role.LEARNER)),
        mentors=Count("id", filter=Q(role=Role.MENTOR)),
        blocked=Count("id", filter=Q(is_blocked=True)),
    )
    mentors = MentorProfile.objects.aggregate(
        approved=Count("id", filter=Q(status=MentorStatus.APPROVED)),
        pending=Count("id", filter=Q(status=MentorStatus.PENDING)),
    )
    sessions = Session.objects.aggregate(
        live=Count("id", filter=Q(status=SessionStatus.LIVE)),
        upcoming=Count("id", filter=Q(status=SessionStatus.SCHEDULED, start__gt=now)),
        completed=Count("id", filter=Q(status=SessionStatus.COMPLETED)),
    )
    bookings = Booking.objects.aggregate(
        confirmed=Count("id", filter=Q(status__in=[BookingStatus.CONFIRMED, BookingStatus.COMPLETED])),
    )
    return {"users": users, "mentors": mentors, "sessions": sessions, "bookings": bookings}
