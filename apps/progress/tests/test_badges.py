"""Badge rules of SPEC §9 at their boundaries, awarded exactly once, notified in-app, and awarded
by the flows that complete a session and post a review."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from apps.accounts.models import MentorProfile
from apps.bookings.models import BookingStatus
from apps.notifications.models import Notification, NotificationType
from apps.progress import badges
from apps.progress.models import BadgeAward, Feedback
from apps.progress.services import submit_feedback
from apps.rooms.services import complete_session
from tests.factories import BookingFactory, DomainFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 17, 9, 0, tzinfo=UTC)  # a Wednesday


def completed(learner, n, *, domain=None, start=None, step=timedelta(days=1)):
    rows = []
    for i in range(n):
        kw = {"start": (start or NOW - timedelta(days=100)) + step * i}
        if domain is not None:
            kw["domain"] = domain
        s = SessionFactory(**kw)
        rows.append(BookingFactory(session=s, learner=learner, status=BookingStatus.COMPLETED))
    return rows


def codes(user):
    return set(BadgeAward.objects.filter(user=user).values_list("code", flat=True))


def badge_notifications(user):
    return Notification.objects.filter(user=user, type=NotificationType.BADGE_EARNED)


def test_no_badge_before_the_first_session():
    learner = UserFactory()
    assert badges.award_for_learner(learner) == []
    assert codes(learner) == set()


def test_first_session_and_five_sessions_at_their_boundaries():
    learner = UserFactory()
    completed(learner, 1)
    assert codes(learner) == set()  # rows alone award nothing; the flows call the awarding
    badges.award_for_learner(learner)
    assert codes(learner) == {badges.FIRST_SESSION}
    completed(learner, 3)
    badges.award_for_learner(learner)
    assert badges.FIVE_SESSIONS not in codes(learner)  # 4 sessions
    completed(learner, 1)
    badges.award_for_learner(learner)
    assert badges.FIVE_SESSIONS in codes(learner)  # 5 sessions


def test_cancelled_and_no_show_bookings_do_not_count():
    learner = UserFactory()
    for status in (BookingStatus.CANCELLED, BookingStatus.CONFIRMED, BookingStatus.PENDING_PAYMENT):
        BookingFactory(session=SessionFactory(start=NOW - timedelta(days=3)), learner=learner, status=status)
    badges.award_for_learner(learner)
    assert codes(learner) == set()


def test_domain_pro_at_ten_in_one_domain():
    learner = UserFactory()
    python, design = DomainFactory(name="Python"), DomainFactory(name="Design")
    completed(learner, 9, domain=python, step=timedelta(days=10))
    completed(learner, 9, domain=design, step=timedelta(days=10))
    badges.award_for_learner(learner)
    assert not any(c.startswith(badges.DOMAIN_PRO_PREFIX) for c in codes(learner))  # 18 sessions, 9 + 9
    completed(learner, 1, domain=python)
    (pro,) = [a for a in badges.award_for_learner(learner) if a.code.startswith(badges.DOMAIN_PRO_PREFIX)]
    assert pro.code == f"domain_pro:{python.pk}" and pro.title == "Python Pro"


def test_five_reviews_written():
    learner = UserFactory()
    rows = completed(learner, 5, step=timedelta(days=10))
    for b in rows[:4]:
        Feedback.objects.create(booking=b, session=b.session, mentor=b.session.mentor, learner=learner, rating=4)
    badges.award_for_learner(learner)
    assert badges.FIVE_REVIEWS not in codes(learner)
    b = rows[4]
    Feedback.objects.create(booking=b, session=b.session, mentor=b.session.mentor, learner=learner, rating=4)
    badges.award_for_learner(learner)
    assert badges.FIVE_REVIEWS in codes(learner)


def test_four_week_streak_needs_four_consecutive_weeks():
    learner = UserFactory()
    monday = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # 11:30 in Kolkata, a Monday
    # Weeks 1, 2, 3, then a gap, then 5, 6, 7: longest run is 3.
    for week in (0, 1, 2, 4, 5, 6):
        completed(learner, 1, start=monday + timedelta(weeks=week))
    badges.award_for_learner(learner)
    assert badges.STREAK_4 not in codes(learner)
    completed(learner, 1, start=monday + timedelta(weeks=3, days=6))  # Sunday of week 4 fills the gap
    badges.award_for_learner(learner)
    assert badges.STREAK_4 in codes(learner)


def test_streak_weeks_follow_the_learners_time_zone():
    from apps.progress.figures import Done, longest_streak, user_zone

    learner = UserFactory()
    zone = user_zone(learner)  # Asia/Kolkata
    # Sunday 20:00 UTC is already Monday 01:30 in Kolkata: the four sessions fall in 4 consecutive weeks.
    sunday_night = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
    done = [Done(sunday_night + timedelta(weeks=w), 60, 1) for w in range(4)]
    assert longest_streak(done, zone=zone) == 4


@pytest.mark.parametrize(
    ("taught", "rating", "count", "expected"),
    [
        (9, None, 0, set()),
        (10, None, 0, {badges.TAUGHT_10}),
        (49, None, 0, {badges.TAUGHT_10}),
        (50, None, 0, {badges.TAUGHT_10, badges.TAUGHT_50}),
        (0, Decimal("4.7"), 10, set()),
        (0, Decimal("4.8"), 9, set()),
        (0, Decimal("4.8"), 10, {badges.TOP_RATED}),
        (0, Decimal("5.0"), 40, {badges.TOP_RATED}),
    ],
)
def test_mentor_rules_at_their_boundaries(taught, rating, count, expected):
    mentor = UserFactory(mentor=True)
    MentorProfile.objects.filter(user=mentor).update(sessions_taught=taught, rating=rating, rating_count=count)
    badges.award_for_mentor(mentor)
    assert codes(mentor) == expected


def test_awarded_once_and_notified_once():
    learner = UserFactory()
    completed(learner, 5)
    first = badges.award_for_learner(learner)
    assert {a.code for a in first} == {badges.FIRST_SESSION, badges.FIVE_SESSIONS}
    assert badges.award_for_learner(learner) == []
    assert BadgeAward.objects.filter(user=learner).count() == 2
    notes = badge_notifications(learner)
    assert notes.count() == 2
    assert {n.title for n in notes} == {"Badge earned: First session", "Badge earned: 5 sessions"}
    assert all(n.link == "/dashboard/learner/progress/" for n in notes)


def test_a_badge_already_held_is_not_created_again_even_if_the_read_missed_it():
    """The unique constraint is the last word: a second insert of the same badge is skipped."""
    learner = UserFactory()
    completed(learner, 1)
    BadgeAward.objects.create(user=learner, code=badges.FIRST_SESSION, title="First session", awarded_at=NOW)
    assert badges._award(learner, {badges.FIRST_SESSION: "First session"}, link="/") == []
    assert BadgeAward.objects.filter(user=learner).count() == 1


def test_completing_a_session_awards_through_the_workflow():
    learner = UserFactory()
    mentor = UserFactory(mentor=True)
    MentorProfile.objects.filter(user=mentor).update(sessions_taught=9)
    with time_machine.travel(NOW, tick=False):
        s = SessionFactory(mentor=mentor, start=NOW - timedelta(minutes=50), duration_minutes=45)
        BookingFactory(session=s, learner=learner, status=BookingStatus.CONFIRMED)
        assert complete_session(session=s)
        assert not complete_session(session=s)
    assert codes(learner) == {badges.FIRST_SESSION}
    assert codes(mentor) == {badges.TAUGHT_10}
    assert badge_notifications(learner).count() == 1 and badge_notifications(mentor).count() == 1


def test_posting_the_fifth_review_awards_reviewer_and_top_rated():
    learner = UserFactory()
    mentor = UserFactory(mentor=True)
    rows = completed(learner, 5)
    for b in rows:
        b.session.mentor = mentor
        b.session.save(update_fields=["mentor"])
    # Nine earlier 5-star reviews from others (each session its own day: on PostgreSQL one mentor's
    # sessions may not overlap).
    for k in range(9):
        other = UserFactory()
        (ob,) = completed(other, 1, start=NOW - timedelta(days=60 - k))
        ob.session.mentor = mentor
        ob.session.save(update_fields=["mentor"])
        submit_feedback(booking=ob, learner=other, rating=5)
    assert badges.TOP_RATED not in codes(mentor)  # 9 reviews at 5.0
    submit_feedback(booking=rows[0], learner=learner, rating=5)
    assert badges.TOP_RATED in codes(mentor)  # the 10th review
    for b in rows[1:4]:
        submit_feedback(booking=b, learner=learner, rating=5)
    assert badges.FIVE_REVIEWS not in codes(learner)
    submit_feedback(booking=rows[4], learner=learner, rating=5)
    assert badges.FIVE_REVIEWS in codes(learner)
    assert BadgeAward.objects.filter(user=mentor, code=badges.TOP_RATED).count() == 1


def test_badges_shown_on_the_mentor_profile_and_the_progress_page(client):
    mentor = UserFactory(mentor=True)
    MentorProfile.objects.filter(user=mentor).update(sessions_taught=10)
    badges.award_for_mentor(mentor)
    html = client.get(f"/mentors/{mentor.pk}/").content.decode()
    assert 'data-testid="mentor-badges"' in html and "10 sessions taught" in html
    learner = UserFactory()
    completed(learner, 1)
    badges.award_for_learner(learner)
    client.force_login(learner)
    html = client.get("/dashboard/learner/progress/").content.decode()
    assert 'data-badge="first_session" data-earned="1"' in html
    # Locked badges say how to earn them and how far along the learner is.
    assert 'data-badge="five_sessions" data-earned="0"' in html and "Complete 5 sessions." in html
    assert "1 of 5" in html
