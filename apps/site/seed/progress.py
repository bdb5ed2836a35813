"""Demo learning history (issue 11 item 8, the learners' half): demo learners who completed sessions
over the past weeks, reviewed some of them, set goals that stand at different stages and earned
badges and a weekly streak, so the progress page, the dashboard ring and the mentors' ratings show
real figures.

Everything goes through the real services with the clock moved back (time-machine): the mentor
publishes a free session, the learner books it, the mentor goes live and ticks checklist topics,
the session completes (which awards badges), the learner rates it. Idempotent: once any demo learner
has a completed session, nothing is added.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import time_machine
from django.utils import timezone

from apps.accounts.models import MentorStatus, Role, User
from apps.bookings.models import Booking, BookingStatus
from apps.catalog.models import Session, SessionStatus
from apps.catalog.services import SessionInput, create_session
from apps.progress import goals
from apps.progress.services import submit_feedback
from apps.rooms import services as rooms
from apps.workflows import reminders
from apps.workflows.booking import book_and_pay

EMAIL_DOMAIN = "demo.peerlearn.in"
IST = zoneinfo.ZoneInfo("Asia/Kolkata")
EVENING = time(18, 30)


@dataclass(frozen=True)
class History:
    learner: str  # demo learner's full name
    domain: str  # domain slug of the sessions they took
    days_ago: tuple[int, ...]  # when each session took place (days before today)
    reviews: tuple[tuple[int, str], ...]  # (stars, comment) for the first sessions, newest last
    extra_goal: tuple[str, int, int] | None = None  # (title, target sessions, set how many days ago)


# Aarav: 11 programming sessions, a 6-week streak up to this week, 5 reviews: every learner badge.
# Karthik: 6 data-science sessions in 5 weeks in a row: first session, 5 sessions, 4-week streak.
# Pooja: 2 design sessions; Diya: her first exam-prep session. The other demo learners start fresh.
HISTORIES = (
    History(
        "Aarav Patel",
        "programming",
        (72, 63, 51, 38, 33, 26, 19, 15, 12, 5, 2),
        (
            (5, "Clear explanations and a lot of hands-on practice."),
            (4, "Good pace. I would have liked one more exercise."),
            (5, "Finally understood decorators and generators."),
            (5, "The code review at the end was gold."),
            (5, "Great session, the mock interview felt real."),
        ),
        ("Crack data structures interviews", 8, 30),
    ),
    History(
        "Karthik Subramanian",
        "data-science",
        (40, 31, 24, 17, 10, 3),
        ((5, "Loved the worked example on real sales data."), (4, "Useful, a bit fast on window functions.")),
        ("Build one end-to-end ML project", 4, 20),
    ),
    History("Pooja Desai", "design", (16, 4), ((5, "Kind and very specific feedback on my portfolio."),)),
    History("Diya Menon", "exam-prep", (6,), ()),
)


def _email(name: str) -> str:
    return name.lower().replace(" ", ".") + "@" + EMAIL_DOMAIN


def _templates(domain_slug: str) -> list[Session]:
    """The demo catalogue's sessions in a domain: their mentor, title, topics and length are reused
    for the past sessions (the mentor taught the same course before)."""
    return list(
        Session.objects.filter(
            mentor__email__endswith="@" + EMAIL_DOMAIN,
            mentor__mentor_profile__status=MentorStatus.APPROVED,
            domain__slug=domain_slug,
            start__gt=timezone.now(),  # the upcoming catalogue, not another history's past sessions
        )
        .exclude(status=SessionStatus.CANCELLED)
        .exclude(topics=[])
        .select_related("mentor", "domain")
        .order_by("start", "id")
    )


def _take_session(learner: User, template: Session, start: datetime, review: tuple[int, str] | None) -> None:
    """The whole life of one past session, each step at its own moment."""
    with time_machine.travel(start - timedelta(days=3), tick=True):
        session = create_session(
            mentor=template.mentor,
            data=SessionInput(
                title=template.title,
                description=template.description,
                domain=template.domain,
                start=start,
                duration_minutes=template.duration_minutes,
                price_paise=0,
                capacity=template.capacity,
                language=template.language,
                topics=list(template.topics),
                agenda=list(template.agenda),
            ),
        )
    with time_machine.travel(start - timedelta(days=2), tick=True):
        booking, _payment = book_and_pay(learner=learner, session=session)
    with time_machine.travel(start - timedelta(minutes=5), tick=True):
        rooms.go_live(session=session)
    with time_machine.travel(start + timedelta(minutes=template.duration_minutes // 2), tick=True):
        for topic in list(session.topics)[:3]:
            rooms.set_tick(session=session, user=template.mentor, topic=topic, done=True)
    end = start + timedelta(minutes=template.duration_minutes)
    with time_machine.travel(end, tick=True):
        session.refresh_from_db()
        rooms.complete_session(session=session)
    # The background tick an hour later: the feedback reminder goes out then, when it is still due
    # (no review yet), instead of piling up for the first tick after seeding.
    with time_machine.travel(end + reminders.FEEDBACK_REMINDER_AFTER + timedelta(minutes=1), tick=True):
        reminders.tick()
    if review is not None:
        with time_machine.travel(start + timedelta(minutes=template.duration_minutes + 20), tick=True):
            booking.refresh_from_db()
            submit_feedback(booking=booking, learner=learner, rating=review[0], comment=review[1])


def seed_progress(*, log: Callable[[str], None] = lambda _m: None) -> dict[str, int]:
    demo_learners = User.objects.filter(role=Role.LEARNER, email__endswith="@" + EMAIL_DOMAIN)
    # This history's sessions are the demo learners' free completed ones (the money history's
    # taught sessions are paid): their presence means it ran before.
    if Booking.objects.filter(
        learner__in=demo_learners, status=BookingStatus.COMPLETED, session__price_paise=0
    ).exists():
        return {"completed_sessions": 0, "goals": 0}
    today = timezone.now().astimezone(IST).date()
    completed = goal_count = 0
    for history in HISTORIES:
        learner = User.objects.filter(email=_email(history.learner), is_active=True).first()
        templates = _templates(history.domain)
        if learner is None or not templates:
            log(f"progress: skipped {history.learner} (no account or no {history.domain} sessions)")
            continue
        # The learner joined a fortnight before their first session; their career goal dates from then.
        joined = datetime.combine(today - timedelta(days=max(history.days_ago) + 14), time(10, 0), tzinfo=IST)
        User.objects.filter(pk=learner.pk).update(date_joined=joined)
        learner.refresh_from_db()
        with time_machine.travel(joined, tick=True):
            goal_count += goals.ensure_career_goal(learner) is not None
        if history.extra_goal is not None:
            title, target, days = history.extra_goal
            with time_machine.travel(timezone.now() - timedelta(days=days), tick=True):
                goals.create_goal(
                    learner=learner, title=title, target_sessions=target, domain_id=templates[0].domain_id
                )
            goal_count += 1
        reviews = dict(enumerate(history.reviews))
        for index, days in enumerate(sorted(history.days_ago, reverse=True)):
            start = datetime.combine(today - timedelta(days=days), EVENING, tzinfo=IST)
            _take_session(learner, templates[index % len(templates)], start, reviews.get(index))
            completed += 1
        log(f"progress: {history.learner}: {len(history.days_ago)} completed sessions")
    return {"completed_sessions": completed, "goals": goal_count}
