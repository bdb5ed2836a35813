"""The learner's progress page: figures from completed bookings only, goals (add/edit/archive,
errors kept next to the field), badges, timeline, and a flat query count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import LearnerProfile
from apps.bookings.models import Booking, BookingStatus
from apps.progress.models import Feedback, Goal, SessionNote
from apps.rooms.models import ChecklistTick
from tests.factories import BookingFactory, DomainFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 17, 9, 0, tzinfo=UTC)  # a Wednesday
URL = "/dashboard/learner/progress/"


def _booking(learner, *, start, status=BookingStatus.COMPLETED, minutes=60, domain=None, mentor=None, title="S"):
    kw = {"start": start, "duration_minutes": minutes, "title": title}
    if domain is not None:
        kw["domain"] = domain
    if mentor is not None:
        kw["mentor"] = mentor
    s = SessionFactory(**kw)
    return BookingFactory(session=s, learner=learner, status=status)


@pytest.fixture
def learner():
    with time_machine.travel(NOW - timedelta(days=200), tick=False):
        return UserFactory(full_name="Lata Learner")


def test_anonymous_and_mentor_cannot_open(client):
    assert client.get(URL).status_code == 302
    client.force_login(UserFactory(mentor=True))
    assert client.get(URL).status_code in (302, 403)


def test_empty_page_is_honest(client, learner):
    client.force_login(learner)
    with time_machine.travel(NOW, tick=False):
        r = client.get(URL)
    html = r.content.decode()
    assert r.status_code == 200
    assert 'data-testid="chart-empty"' in html and "weekly-chart" not in html
    assert "No completed sessions yet" in html and "0 min" in html


@time_machine.travel(NOW, tick=False)
def test_figures_count_completed_bookings_only(client, learner):
    mentor = UserFactory(mentor=True)
    done1 = _booking(learner, start=NOW - timedelta(days=1), minutes=30, mentor=mentor)
    _booking(learner, start=NOW - timedelta(days=8), minutes=60, mentor=mentor)
    # Cancelled, no-show (cancelled by the system) and confirmed-but-not-finished do not count.
    cancelled = _booking(learner, start=NOW - timedelta(days=2), status=BookingStatus.CANCELLED, minutes=120)
    _booking(learner, start=NOW - timedelta(days=3), status=BookingStatus.CONFIRMED, minutes=120)
    ChecklistTick.objects.create(session=done1.session, topic="Loops", done=True)
    ChecklistTick.objects.create(session=done1.session, topic="Classes", done=False)
    ChecklistTick.objects.create(session=cancelled.session, topic="Never covered", done=True)
    client.force_login(learner)
    r = client.get(URL)
    ctx = r.context
    assert ctx["completed"] == 2
    assert ctx["minutes"] == 90 and ctx["hours_learned"] == "1 h 30 min"
    assert ctx["topics"] == ["Loops"]
    assert ctx["streak"] == 2
    assert [b.pk for b in ctx["timeline"]] == [done1.pk, ctx["timeline"][1].pk]
    assert ctx["chart"]["counts"][-2:] == [1, 1] and sum(ctx["chart"]["counts"]) == 2
    html = r.content.decode()
    assert "weekly-chart" in html and 'id="weekly-data"' in html
    assert "Never covered" not in html


def test_hours_and_minutes_format():
    from apps.progress.figures import format_minutes

    assert [format_minutes(m) for m in (0, 15, 60, 90, 125)] == ["0 min", "15 min", "1 h", "1 h 30 min", "2 h 5 min"]


def test_goal_percentages_and_next_milestone_with_frozen_time(client, learner):
    py = DomainFactory(name="Python")
    design = DomainFactory(name="Design")
    with time_machine.travel(NOW - timedelta(days=30), tick=False):
        client.force_login(learner)
        r = client.post(
            "/dashboard/learner/progress/goals/", {"title": "Python job", "target_sessions": "10", "domain": py.pk}
        )
        assert r.status_code == 302
    goal = Goal.objects.get(learner=learner, title="Python job")
    assert goal.counts_from == NOW - timedelta(days=30)
    # Before the goal: does not count. After: 4 Python + 1 Design.
    _booking(learner, start=NOW - timedelta(days=40), domain=py)
    for d in range(1, 5):
        _booking(learner, start=NOW - timedelta(days=d), domain=py)
    _booking(learner, start=NOW - timedelta(days=5), domain=design)
    with time_machine.travel(NOW, tick=False):
        client.force_login(learner)  # the first sign-in has expired a month later
        r = client.get(URL)
    (p,) = r.context["goal_progress"]
    assert (p.done, p.percent, p.next_percent, p.next_at) == (4, 40, 50, 5)
    assert "Next: 50% at 5 sessions" in r.content.decode()
    _booking(learner, start=NOW - timedelta(hours=3), domain=py)
    with time_machine.travel(NOW, tick=False):
        (p,) = client.get(URL).context["goal_progress"]
    assert (p.done, p.percent, p.next_percent, p.next_at) == (5, 50, 75, 8)


def test_goal_reached_caps_at_100():
    from apps.progress.figures import Done, goal_progress

    g = Goal(title="x", target_sessions=3, counts_from=NOW - timedelta(days=1))
    done = [Done(NOW, 60, 1)] * 4
    p = goal_progress(g, done)
    assert (p.percent, p.next_percent, p.reached, p.next_label) == (100, None, True, "Goal reached")


def test_first_goal_comes_from_career_goal_once(client, learner):
    LearnerProfile.objects.filter(user=learner).update(career_goal="Become a data analyst")
    client.force_login(learner)
    client.get(URL)
    client.get(URL)
    goal = Goal.objects.get(learner=learner)
    assert goal.from_career_goal and goal.title == "Become a data analyst"
    assert goal.counts_from == learner.date_joined
    # Archived, it is not re-created.
    client.post(f"/dashboard/learner/progress/goals/{goal.pk}/archive/")
    client.get(URL)
    assert Goal.objects.filter(learner=learner).count() == 1
    assert Goal.objects.get(pk=goal.pk).archived_at is not None


def test_bad_goal_submit_keeps_input_and_shows_error_next_to_field(client, learner):
    client.force_login(learner)
    r = client.post("/dashboard/learner/progress/goals/", {"title": "Learn SQL well", "target_sessions": "0"})
    assert r.status_code == 400
    html = r.content.decode()
    assert 'value="Learn SQL well"' in html
    assert 'id="id_target_sessions_error"' in html and 'aria-invalid="true"' in html
    assert not Goal.objects.filter(learner=learner).exists()


def test_edit_archive_restore_goal_and_others_cannot(client, learner):
    client.force_login(learner)
    client.post("/dashboard/learner/progress/goals/", {"title": "Ship a portfolio", "target_sessions": "6"})
    goal = Goal.objects.get(learner=learner)
    r = client.post(
        f"/dashboard/learner/progress/goals/{goal.pk}/", {"title": "Ship two portfolios", "target_sessions": "12"}
    )
    assert r.status_code == 302
    goal.refresh_from_db()
    assert (goal.title, goal.target_sessions) == ("Ship two portfolios", 12)
    r = client.post(f"/dashboard/learner/progress/goals/{goal.pk}/", {"title": "", "target_sessions": "12"})
    assert r.status_code == 400 and f'id="id_goal{goal.pk}_title_error"' in r.content.decode()
    client.post(f"/dashboard/learner/progress/goals/{goal.pk}/archive/")
    goal.refresh_from_db()
    assert goal.archived_at is not None
    client.post(f"/dashboard/learner/progress/goals/{goal.pk}/archive/", {"restore": "1"})
    goal.refresh_from_db()
    assert goal.archived_at is None
    client.force_login(UserFactory())
    assert client.post(f"/dashboard/learner/progress/goals/{goal.pk}/archive/").status_code == 404
    assert (
        client.post(
            f"/dashboard/learner/progress/goals/{goal.pk}/", {"title": "Mine", "target_sessions": "1"}
        ).status_code
        == 404
    )


def test_timeline_shows_review_reply_and_own_note(client, learner):
    b = _booking(learner, start=NOW - timedelta(days=2), title="Pandas deep dive")
    Feedback.objects.create(
        booking=b,
        session=b.session,
        mentor=b.session.mentor,
        learner=learner,
        rating=4,
        comment="Clear and useful",
        reply="Thanks, practise groupby next!",
    )
    client.force_login(learner)
    r = client.post(f"/dashboard/learner/progress/notes/{b.pk}/", {"text": "Revise merge vs join"})
    assert r.status_code == 302
    assert SessionNote.objects.get(booking=b).text == "Revise merge vs join"
    html = client.get(URL).content.decode()
    assert "Pandas deep dive" in html and "Clear and useful" in html
    assert "Thanks, practise groupby next!" in html and "Revise merge vs join" in html
    other = _booking(UserFactory(), start=NOW - timedelta(days=2))
    client.post(f"/dashboard/learner/progress/notes/{other.pk}/", {"text": "not mine"})
    assert not SessionNote.objects.filter(booking=other).exists()


def _queries_for(client, learner, n: int) -> int:
    mentor = UserFactory(mentor=True)
    domain = DomainFactory(name="Data")
    existing = Booking.objects.filter(learner=learner).count()
    for i in range(existing, n):
        b = _booking(learner, start=NOW - timedelta(days=1 + i), mentor=mentor, domain=domain)
        ChecklistTick.objects.create(session=b.session, topic=f"Topic {i % 7}", done=True)
        if i % 2:
            Feedback.objects.create(booking=b, session=b.session, mentor=mentor, learner=learner, rating=5)
            SessionNote.objects.create(booking=b, text="note")
    client.force_login(learner)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # statistics for the rows just written, as autovacuum keeps them
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as ctx:
        r = client.get(URL)
    assert r.status_code == 200 and r.context["completed"] == n
    return len(ctx.captured_queries)


def test_query_count_is_flat_from_10_to_1000_completed_bookings(client, learner):
    Goal.objects.create(learner=learner, title="Data", target_sessions=20, counts_from=NOW - timedelta(days=1200))
    small = _queries_for(client, learner, 10)
    large = _queries_for(client, learner, 1_000)
    assert small == large, (small, large)
    assert large <= 16, large


def test_a_goal_counts_sessions_that_end_after_it_was_set():
    from apps.progress.figures import Done, goal_progress

    g = Goal(title="x", target_sessions=4, counts_from=NOW)
    running = Done(NOW - timedelta(minutes=30), 45, 1, NOW + timedelta(minutes=15))  # ends after: counts
    before = Done(NOW - timedelta(minutes=61), 60, 1, NOW - timedelta(minutes=1))  # ended before: not
    at_boundary = Done(NOW - timedelta(minutes=60), 60, 1, NOW)  # ends as the goal is set: counts
    assert goal_progress(g, [running, before, at_boundary]).done == 2
