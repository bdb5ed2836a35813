"""Cross-app flows: account deletion, the double charge (issue 14), cart guard."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from apps.accounts.models import Role
from apps.bookings import services as booking_services
from apps.bookings.models import BookingStatus
from apps.bookings.services import AlreadyBooked, BookingError
from apps.catalog.models import SessionStatus
from apps.catalog.tests.factories import make_session, make_user
from apps.notifications.models import Notification, NotificationType, ScheduledJob
from apps.payments import ledger
from apps.payments import services as payments
from apps.payments.models import LedgerTransaction, PaymentStatus, Refund, RefundStatus
from apps.payments.tests.helpers import sandbox_pay
from apps.workflows import reminders
from apps.workflows.accounts import delete_account
from apps.workflows.booking import book_and_pay, checkout_cart

pytestmark = pytest.mark.django_db


def pay(client: Any, learner: Any, session: Any, capture: Any) -> Any:
    booking, payment = book_and_pay(learner=learner, session=session)
    payment = payments.ensure_order(payment)
    with capture(execute=True):
        client.post(f"/payments/callback/{payment.receipt}/", sandbox_pay(client, payment))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    return booking


def test_deleting_a_mentor_cancels_future_sessions_refunds_and_tells_every_learner(
    client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    mentor = make_user(Role.MENTOR, name="Leaving Mentor")
    soon = make_session(mentor=mentor, price_paise=40_000, capacity=2, start=timezone.now() + timedelta(hours=20))
    later = make_session(mentor=mentor, price_paise=0, capacity=2, start=timezone.now() + timedelta(days=5))
    past = make_session(mentor=mentor, price_paise=0, start=timezone.now() + timedelta(days=1))
    a, b = make_user(name="Asha"), make_user(name="Bharat")
    paid_a = pay(client, a, soon, django_capture_on_commit_callbacks)
    paid_b = pay(client, b, soon, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        free_a, _ = book_and_pay(learner=a, session=later)
    type(past).objects.filter(pk=past.pk).update(status=SessionStatus.COMPLETED)
    assert ScheduledJob.objects.filter(booking=paid_a).exists()  # reminders were due

    with django_capture_on_commit_callbacks(execute=True):
        delete_account(user=mentor)

    soon.refresh_from_db()
    later.refresh_from_db()
    past.refresh_from_db()
    assert soon.status == later.status == SessionStatus.CANCELLED
    assert past.status == SessionStatus.COMPLETED  # history is kept
    for booking in (paid_a, paid_b, free_a):
        booking.refresh_from_db()
        assert booking.status == BookingStatus.CANCELLED
    assert {(r.item.booking_id, r.amount_paise, r.status) for r in Refund.objects.all()} == {
        (paid_a.pk, 40_000, RefundStatus.PROCESSED),
        (paid_b.pk, 40_000, RefundStatus.PROCESSED),
    }
    told = {n.reference: n.message for n in Notification.objects.filter(type=NotificationType.BOOKING_CANCELLED)}
    assert "100% refund" in told[f"booking:{paid_a.pk}"] and "100% refund" in told[f"booking:{paid_b.pk}"]
    assert "No payment was taken" in told[f"booking:{free_a.pk}"]
    assert ledger.mentor_balances(mentor.pk) == {"pending": 0, "available": 0}
    mentor.refresh_from_db()
    assert not mentor.is_active and mentor.email.endswith("@deleted.invalid")
    # No reminder goes out for the cancelled sessions.
    with (
        time_machine.travel(soon.start - timedelta(minutes=10), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        reminders.tick()
    assert not Notification.objects.filter(type=NotificationType.REMINDER).exists()


def test_deleting_a_learner_cancels_future_bookings_under_the_policy(
    client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    learner = make_user(name="Leaving Learner")
    far = make_session(price_paise=20_000, start=timezone.now() + timedelta(days=3))  # > 24 h: 100 %
    near = make_session(price_paise=20_000, start=timezone.now() + timedelta(hours=10))  # 1-24 h: 50 %
    b_far = pay(client, learner, far, django_capture_on_commit_callbacks)
    b_near = pay(client, learner, near, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        delete_account(user=learner)
    b_far.refresh_from_db()
    b_near.refresh_from_db()
    assert (b_far.status, b_far.refund_percent) == (BookingStatus.CANCELLED, 100)
    assert (b_near.status, b_near.refund_percent) == (BookingStatus.CANCELLED, 50)
    assert sorted(r.amount_paise for r in Refund.objects.all()) == [10_000, 20_000]
    # The mentors hear that the learner cancelled.
    assert Notification.objects.filter(user=far.mentor, type=NotificationType.BOOKING_CANCELLED).exists()
    learner.refresh_from_db()
    assert not learner.is_active


def test_paying_twice_for_one_seat_confirms_once_and_refunds_the_second(
    client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Issue 14 #1: payment A for a booking, then the same session through the cart (payment B).
    The cart now refuses it; and should two captures ever arrive for one booking, the second is
    refunded in full and the mentor is credited once."""
    learner = make_user()
    session = make_session(price_paise=39_900)
    booking, payment_a = book_and_pay(learner=learner, session=session)
    with pytest.raises(AlreadyBooked):
        booking_services.add_to_cart(learner=learner, session=session)
    # A cart row written before the guard existed still cannot become a second payment.
    from apps.bookings.models import CartItem

    CartItem.objects.create(learner=learner, session=session)
    with pytest.raises(BookingError, match="already booked"):
        checkout_cart(learner=learner)
    # Force the historical state: a second open payment for the same booking, both paid.
    payment_b = payments.create_payment(learner=learner, bookings=[booking])
    payment_a = payments.ensure_order(payment_a)
    payment_b = payments.ensure_order(payment_b)
    for p in (payment_a, payment_b):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/payments/callback/{p.receipt}/", sandbox_pay(client, p))
    booking.refresh_from_db()
    payment_a.refresh_from_db()
    payment_b.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert payment_a.status == PaymentStatus.PAID
    assert payment_b.status == PaymentStatus.REFUNDED and payment_b.refunded_paise == 39_900
    assert LedgerTransaction.objects.filter(kind="booking_payment", payment=payment_a).count() == 1
    assert ledger.mentor_balances(session.mentor_id)["pending"] == 39_900 * 85 // 100
    assert list(ledger.unbalanced_transactions()) == []
    confirmations = Notification.objects.filter(user=learner, type=NotificationType.BOOKING_CONFIRMED)
    assert confirmations.count() == 1
