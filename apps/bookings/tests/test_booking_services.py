from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.models import Role
from apps.bookings import services
from apps.bookings.models import Booking, BookingStatus
from apps.bookings.policy import learner_refund_percent
from apps.catalog.tests.factories import make_session, make_user
from apps.workflows.booking import checkout_cart

pytestmark = pytest.mark.django_db


def test_free_booking_confirms_at_once():
    learner = make_user()
    session = make_session(price_paise=0)
    booking = services.book_session(learner=learner, session=session)
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.hold_expires_at is None


def test_paid_booking_holds_the_seat_for_15_minutes():
    learner = make_user()
    session = make_session(price_paise=50_000)
    now = timezone.now()
    booking = services.book_session(learner=learner, session=session, now=now)
    assert booking.status == BookingStatus.PENDING_PAYMENT
    assert booking.hold_expires_at == now + timedelta(minutes=15)
    assert booking.price_paise == 50_000


def test_capacity_is_never_exceeded_and_one_booking_per_learner():
    session = make_session(capacity=2)
    a, b, c = make_user(), make_user(), make_user()
    services.book_session(learner=a, session=session)
    with pytest.raises(services.AlreadyBooked):
        services.book_session(learner=a, session=session)
    services.book_session(learner=b, session=session)
    with pytest.raises(services.SessionFull):
        services.book_session(learner=c, session=session)
    assert Booking.objects.filter(session=session).count() == 2


def test_rebooking_a_held_seat_resumes_the_same_booking():
    learner = make_user()
    session = make_session(price_paise=9_900)
    first = services.book_session(learner=learner, session=session)
    assert services.book_session(learner=learner, session=session).pk == first.pk


def test_expired_hold_releases_the_seat():
    session = make_session(price_paise=9_900, capacity=1)
    a, b = make_user(), make_user()
    now = timezone.now()
    held = services.book_session(learner=a, session=session, now=now)
    with pytest.raises(services.SessionFull):
        services.book_session(learner=b, session=session, now=now + timedelta(minutes=14))
    assert len(services.expire_payment_holds(now + timedelta(minutes=16))) == 1
    held.refresh_from_db()
    assert held.status == BookingStatus.EXPIRED
    assert services.expire_payment_holds(now + timedelta(minutes=17)) == []
    assert (
        services.book_session(learner=b, session=session, now=now + timedelta(minutes=16)).status
        == BookingStatus.PENDING_PAYMENT
    )


def test_cannot_book_own_started_or_cancelled_sessions_and_mentors_cannot_book():
    mentor = make_user(Role.MENTOR)
    started = make_session(mentor=mentor, start=timezone.now() - timedelta(minutes=1))
    with pytest.raises(services.NotBookable):
        services.book_session(learner=make_user(), session=started)
    with pytest.raises(services.NotBookable):
        services.book_session(
            learner=mentor, session=make_session(mentor=mentor, start=timezone.now() + timedelta(days=9))
        )
    cancelled = make_session(status="cancelled")
    with pytest.raises(services.NotBookable):
        services.book_session(learner=make_user(), session=cancelled)


def test_transition_table_refuses_backward_moves():
    booking = services.book_session(learner=make_user(), session=make_session())
    services.transition_booking(booking, BookingStatus.COMPLETED)
    with pytest.raises(services.InvalidTransition):
        services.transition_booking(booking, BookingStatus.CONFIRMED)


@pytest.mark.parametrize(
    ("hours", "expected"),
    [(48, 100), (24, 100), (23.9, 50), (1, 50), (0.99, None), (0, None)],
)
def test_learner_refund_policy(hours, expected):
    now = timezone.now()
    assert learner_refund_percent(start=now + timedelta(hours=hours), now=now) == expected


def test_learner_cannot_cancel_within_one_hour():
    session = make_session(start=timezone.now() + timedelta(minutes=50))
    booking = services.book_session(learner=make_user(), session=session)
    with pytest.raises(services.CancellationNotAllowed):
        services.cancel_booking(booking=booking, by="learner")


def test_free_cancellation_frees_the_seat():
    session = make_session(capacity=1)
    booking = services.book_session(learner=make_user(), session=session)
    services.cancel_booking(booking=booking, by="learner")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.refund_percent is None
    assert services.book_session(learner=make_user(), session=session).status == BookingStatus.CONFIRMED


def test_cart_flags_unavailable_items():
    learner = make_user()
    ok = make_session(price_paise=10_000, title="Open")
    full = make_session(price_paise=10_000, title="Full", capacity=1)
    services.add_to_cart(learner=learner, session=ok)
    services.add_to_cart(learner=learner, session=full)
    services.book_session(learner=make_user(), session=full)
    lines = {line.session.title: line for line in services.cart_lines(learner=learner)}
    assert lines["Open"].available
    assert not lines["Full"].available
    assert lines["Full"].problem == "Session full"
    with pytest.raises(services.BookingError, match="Full"):
        checkout_cart(learner=learner)
    # all-or-nothing: no hold was kept for the available item
    assert not Booking.objects.filter(learner=learner).exists()


def test_free_sessions_cannot_go_in_the_cart():
    with pytest.raises(services.NotBookable):
        services.add_to_cart(learner=make_user(), session=make_session(price_paise=0))
