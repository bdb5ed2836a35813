"""The mentor no-show rule (SPEC §8): T+10 min, a scheduled session whose mentor never opened the
room is cancelled with full refunds, once; a mentor who went live or joined is spared."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from apps.bookings.models import BookingStatus
from apps.catalog.models import Session, SessionStatus
from apps.notifications.models import Notification, NotificationType
from apps.rooms.services import enforce_mentor_no_show
from apps.taxonomy.models import Domain
from apps.workflows.booking import book_and_pay

T0 = datetime(2030, 1, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def session(bob: Any) -> Session:
    domain = Domain.objects.create(name="Python", slug="python")
    return Session.objects.create(
        mentor=bob,
        domain=domain,
        title="Decorators in depth",
        description="Hands-on",
        start=T0,
        duration_minutes=60,
        price_paise=0,
        capacity=2,
    )


@pytest.fixture
def booking(session: Session, alice: Any, django_capture_on_commit_callbacks: Any) -> Any:
    with time_machine.travel(T0 - timedelta(days=3), tick=False), django_capture_on_commit_callbacks(execute=True):
        b, _payment = book_and_pay(learner=alice, session=session)
    assert b.status == BookingStatus.CONFIRMED
    return b


def tick_at(moment: datetime, capture: Any) -> int:
    with time_machine.travel(moment, tick=False), capture(execute=True):
        return enforce_mentor_no_show()


@pytest.mark.django_db
def test_mentor_no_show_cancels_once_and_notifies_both(
    booking: Any, alice: Any, bob: Any, session: Session, django_capture_on_commit_callbacks: Any
) -> None:
    cap = django_capture_on_commit_callbacks
    tick_at(T0 + timedelta(minutes=9), cap)
    session.refresh_from_db()
    assert session.status == SessionStatus.SCHEDULED
    tick_at(T0 + timedelta(minutes=10), cap)
    tick_at(T0 + timedelta(minutes=10, seconds=30), cap)
    session.refresh_from_db()
    booking.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
    assert booking.status == BookingStatus.CANCELLED
    assert Notification.objects.filter(user=alice, type=NotificationType.SESSION_CANCELLED).count() == 1
    assert Notification.objects.filter(user=bob, type=NotificationType.SESSION_CANCELLED).count() == 1
    # No generic "booking cancelled" duplicate for the no-show.
    assert Notification.objects.filter(user=alice, type=NotificationType.BOOKING_CANCELLED).count() == 0


@pytest.mark.django_db
def test_no_show_rule_spares_a_mentor_who_went_live(
    booking: Any, session: Session, django_capture_on_commit_callbacks: Any
) -> None:
    Session.objects.filter(pk=session.pk).update(status=SessionStatus.LIVE)
    tick_at(T0 + timedelta(minutes=10), django_capture_on_commit_callbacks)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


@pytest.mark.django_db
def test_no_show_rule_spares_a_mentor_who_joined_the_room(
    booking: Any, bob: Any, session: Session, django_capture_on_commit_callbacks: Any
) -> None:
    from apps.rooms.models import Attendance

    Attendance.objects.create(session=session, user=bob, connections=0, first_joined_at=T0 + timedelta(minutes=2))
    tick_at(T0 + timedelta(minutes=10), django_capture_on_commit_callbacks)
    booking.refresh_from_db()
    session.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and session.status == SessionStatus.SCHEDULED
