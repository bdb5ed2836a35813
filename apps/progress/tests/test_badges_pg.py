"""Concurrent completions award each badge once (PostgreSQL; SQLite serialises writers so the race
cannot happen there)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from apps.bookings.models import BookingStatus
from apps.notifications.models import Notification, NotificationType
from apps.progress import badges
from apps.progress.models import BadgeAward
from apps.rooms.services import complete_session
from tests.factories import BookingFactory, SessionFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises all writers, so completions cannot race")


def test_six_sessions_completing_at_once_award_each_badge_once():
    learner = UserFactory()
    start = timezone.now() - timedelta(minutes=70)
    sessions = []
    for _ in range(6):
        s = SessionFactory(start=start, duration_minutes=60)  # each with its own mentor
        BookingFactory(session=s, learner=learner, status=BookingStatus.CONFIRMED)
        sessions.append(s)
    barrier = threading.Barrier(len(sessions))
    errors: list[BaseException] = []
    results: list[bool] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            results.append(complete_session(session=sessions[i]))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(sessions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and results == [True] * 6
    got = list(BadgeAward.objects.filter(user=learner).values_list("code", flat=True))
    # Neither awarded twice nor missed: "5 sessions" is earned although no completion was the fifth alone.
    assert sorted(got) == sorted([badges.FIRST_SESSION, badges.FIVE_SESSIONS])
    assert Notification.objects.filter(user=learner, type=NotificationType.BADGE_EARNED).count() == 2
