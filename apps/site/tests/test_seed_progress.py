"""Demo learning history (apps/site/seed/progress.py): completed sessions made through the real
flows, reviews, goals at different stages, badges and a streak; a second run adds nothing."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.accounts.models import User
from apps.bookings.models import Booking, BookingStatus
from apps.notifications.models import Notification, NotificationType
from apps.progress import badges, figures
from apps.progress.models import BadgeAward, Feedback, Goal
from apps.rooms.models import ChecklistTick
from apps.site.seed.progress import seed_progress

pytestmark = pytest.mark.django_db


def paid_history(learner):
    """Completed paid sessions: the money history's (this history's sessions are free)."""
    return learner.bookings.filter(status=BookingStatus.COMPLETED, session__price_paise__gt=0).count()


def test_demo_learners_have_history_goals_badges_and_a_streak():
    call_command("seed_demo", stdout=io.StringIO())
    aarav = User.objects.get(email="aarav.patel@demo.peerlearn.in")
    karthik = User.objects.get(email="karthik.subramanian@demo.peerlearn.in")
    done = figures.done_rows(aarav)
    # Eleven from this history, plus the paid sessions the money history (seed/money.py) gave him.
    assert len(done) == 11 + paid_history(aarav)
    assert all(d.start < timezone.now() for d in done)
    assert {"first_session", "five_sessions", "five_reviews", "streak_4"} <= set(
        BadgeAward.objects.filter(user=aarav).values_list("code", flat=True)
    )
    assert BadgeAward.objects.filter(
        user=aarav, code__startswith=badges.DOMAIN_PRO_PREFIX, title="Programming Pro"
    ).exists()
    # Badge notices were sent by the completion flow, on the day each badge was earned.
    assert Notification.objects.filter(user=aarav, type=NotificationType.BADGE_EARNED).count() == 5
    assert figures.current_streak(done, now=timezone.now(), zone=figures.user_zone(aarav)) >= 4
    assert Feedback.objects.filter(learner=aarav).count() == 5
    assert ChecklistTick.objects.filter(session__bookings__learner=aarav, done=True).exists()
    # Goals at different stages: one reached, others part way.
    stages = {
        g.title: figures.goal_progress(g, figures.done_rows(g.learner)).percent
        for g in Goal.objects.select_related("learner")
    }
    assert stages["Software engineer at a product company"] == 100
    assert 0 < stages["Data scientist"] < 100 and 0 < stages["Switch from QA to product design"] < 100
    assert len(figures.done_rows(karthik)) == 6 + paid_history(karthik)
    # Mentors taught them: their taught counts and ratings come from the same flows.
    assert aarav.bookings.filter(status=BookingStatus.COMPLETED).values("session__mentor").distinct().count() >= 1
    before = (Booking.objects.count(), Goal.objects.count(), BadgeAward.objects.count(), Feedback.objects.count())
    assert seed_progress() == {"completed_sessions": 0, "goals": 0}
    call_command("seed_demo", stdout=io.StringIO())
    after = (Booking.objects.count(), Goal.objects.count(), BadgeAward.objects.count(), Feedback.objects.count())
    assert before == after


@pytest.mark.django_db(transaction=True)
def test_demo_bells_hold_a_recent_handful_and_no_pile_of_late_prompts():
    """Committed for real (confirmations schedule their reminders on commit): each feedback reminder
    went out an hour after its unreviewed session, the first tick after seeding sends none late, and
    the accounts have read what is older than two days, as a returning user would have."""
    from apps.workflows.reminders import tick

    call_command("seed_demo", stdout=io.StringIO())
    aarav = User.objects.get(email="aarav.patel@demo.peerlearn.in")
    reminders = Notification.objects.filter(user=aarav, title="A reminder: how was your session?")
    unreviewed_free = aarav.bookings.filter(
        status=BookingStatus.COMPLETED, session__price_paise=0, feedback__isnull=True
    ).count()
    assert reminders.count() >= unreviewed_free > 0
    for n in reminders:
        booking = Booking.objects.select_related("session").get(pk=n.reference.split(":")[1])
        assert booking.session.end + timedelta(hours=1) <= n.created_at <= booking.session.end + timedelta(hours=25)
    tick()
    fresh = Notification.objects.filter(created_at__gt=timezone.now() - timedelta(minutes=10))
    assert not fresh.filter(type=NotificationType.FEEDBACK_REQUESTED).exists()
    unread = Notification.objects.filter(user__email__endswith="@demo.peerlearn.in", read=False)
    assert not unread.filter(created_at__lt=timezone.now() - timedelta(days=2)).exists()
    assert 0 < unread.filter(user=aarav).count() <= 15
