"""Learner progress figures (SPEC §9), all derived from completed bookings, never stored.

The pure functions here take plain values (session starts, durations, domains) so they can be
tested without a database and reused by the badge rules; ``completed_sessions`` is the one query
that feeds them.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from apps.bookings.models import Booking, BookingStatus

if TYPE_CHECKING:
    from apps.accounts.models import User

    from .models import Goal

MILESTONES = (25, 50, 75, 100)
CHART_WEEKS = 12
RING_RADIUS = 42


@dataclass(frozen=True)
class Done:
    """One completed session of the learner, reduced to what the figures need."""

    start: datetime
    minutes: int
    domain_id: int | None
    end: datetime | None = None  # when it was scheduled to end (None: start + minutes)

    @property
    def ended(self) -> datetime:
        return self.end or self.start + timedelta(minutes=self.minutes)


def completed_bookings(learner: User | int) -> QuerySet[Booking]:
    """The learner's completed bookings, newest first, with everything the progress page shows
    (session, domain, mentor, the learner's review with the mentor's reply, the learner's note)
    loaded in the same query. Cancelled and no-show bookings never reach ``completed``."""
    learner_id = learner if isinstance(learner, int) else learner.pk
    return (
        Booking.objects.filter(learner_id=learner_id, status=BookingStatus.COMPLETED)
        .select_related("session", "session__domain", "session__mentor", "feedback", "learner_note")
        .order_by("-session__start", "-id")
    )


def done_rows(learner: User | int) -> list[Done]:
    """Only the columns the figures need (one small query; used by the badge rules)."""
    learner_id = learner if isinstance(learner, int) else learner.pk
    rows = Booking.objects.filter(learner_id=learner_id, status=BookingStatus.COMPLETED).values_list(
        "session__start", "session__duration_minutes", "session__domain_id", "session__end"
    )
    return [Done(start, minutes, domain_id, end) for start, minutes, domain_id, end in rows]


def as_done(bookings: list[Booking]) -> list[Done]:
    return [Done(b.session.start, b.session.duration_minutes, b.session.domain_id, b.session.end) for b in bookings]


def user_zone(user: object) -> ZoneInfo:
    name = getattr(user, "timezone", "") or settings.TIME_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def format_minutes(minutes: int | None) -> str:
    """15 → "15 min", 60 → "1 h", 90 → "1 h 30 min", 0 → "0 min"."""
    minutes = max(0, int(minutes or 0))
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _("%(m)s min") % {"m": rest}
    if not rest:
        return _("%(h)s h") % {"h": hours}
    return _("%(h)s h %(m)s min") % {"h": hours, "m": rest}


def week_of(moment: datetime, zone: ZoneInfo) -> date:
    """The Monday of the week ``moment`` falls in, in the viewer's time zone."""
    day = moment.astimezone(zone).date()
    return day - timedelta(days=day.weekday())


def sessions_per_week(
    done: list[Done], *, now: datetime, zone: ZoneInfo, weeks: int = CHART_WEEKS
) -> list[tuple[date, int]]:
    """(Monday, sessions) for the last ``weeks`` weeks, oldest first, the current week last."""
    this_week = week_of(now, zone)
    counts = Counter(week_of(d.start, zone) for d in done)
    return [(w, counts.get(w, 0)) for w in (this_week - timedelta(weeks=i) for i in range(weeks - 1, -1, -1))]


def current_streak(done: list[Done], *, now: datetime, zone: ZoneInfo) -> int:
    """Consecutive weeks with at least one completed session, ending this week. A week without a
    session so far does not break the streak until it is over (it then counts from last week)."""
    weeks = {week_of(d.start, zone) for d in done}
    week = week_of(now, zone)
    if week not in weeks:
        week -= timedelta(weeks=1)
    streak = 0
    while week in weeks:
        streak += 1
        week -= timedelta(weeks=1)
    return streak


def longest_streak(done: list[Done], *, zone: ZoneInfo) -> int:
    """The longest run of consecutive weeks with a completed session, ever."""
    weeks = sorted({week_of(d.start, zone) for d in done})
    best = run = 0
    previous: date | None = None
    for w in weeks:
        run = run + 1 if previous is not None and w - previous == timedelta(weeks=1) else 1
        best = max(best, run)
        previous = w
    return best


@dataclass(frozen=True)
class GoalProgress:
    goal: Goal
    done: int
    target: int
    percent: int  # 0-100, capped
    next_percent: int | None  # the next milestone (25/50/75/100) or None once reached
    next_at: int | None  # sessions needed in total for the next milestone

    @property
    def ring_dash(self) -> str:
        """SVG stroke-dasharray of the progress ring (radius 42)."""
        circumference = 2 * math.pi * RING_RADIUS
        return f"{circumference * self.percent / 100:.1f} {circumference:.1f}"

    @property
    def reached(self) -> bool:
        return self.done >= self.target

    @property
    def next_label(self) -> str:
        if self.next_percent is None or self.next_at is None:
            return _("Goal reached")
        return _("Next: %(pct)s%% at %(n)s sessions") % {"pct": self.next_percent, "n": self.next_at}


def goal_progress(goal: Goal, done: list[Done]) -> GoalProgress:
    """Sessions completed since the goal was set (ending after it; in its domain, if it has one)
    against its target, with the next milestone still ahead."""
    count = sum(
        1 for d in done if d.ended >= goal.counts_from and (goal.domain_id is None or d.domain_id == goal.domain_id)
    )
    target = max(1, goal.target_sessions)
    percent = min(100, (count * 100) // target)
    for m in MILESTONES:
        needed = math.ceil(target * m / 100)
        if count < needed:
            return GoalProgress(goal, count, target, percent, m, needed)
    return GoalProgress(goal, count, target, percent, None, None)


def sessions_by_domain(done: list[Done]) -> Counter[int]:
    return Counter(d.domain_id for d in done if d.domain_id is not None)
