"""Races that need real row locks: run on PostgreSQL (skipped on SQLite, which serialises every
writer for the whole database, so the race cannot happen there)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from apps.accounts.models import Role
from apps.bookings import services
from apps.bookings.models import Booking, BookingStatus
from apps.catalog.models import Session
from apps.catalog.services import SessionInput, create_session
from apps.catalog.tests.factories import make_domain, make_session, make_user
from apps.payments import ledger
from apps.payments import services as payment_services
from apps.payments.models import LedgerTransaction, PaymentStatus
from apps.workflows.booking import book_and_pay

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks; SQLite serialises all writers so this race cannot occur")


def race(n: int, fn: Callable[[int], Any]) -> tuple[list[Any], list[BaseException]]:
    barrier = threading.Barrier(n)
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait()
            value = fn(i)
            with lock:
                results.append(value)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results, errors


def test_twenty_learners_racing_for_the_last_seat_one_wins():
    session = make_session(capacity=3, price_paise=0)
    for _ in range(2):
        services.book_session(learner=make_user(), session=session)
    learners = [make_user() for _ in range(20)]
    results, errors = race(20, lambda i: services.book_session(learner=learners[i], session=session))
    assert len(results) == 1
    assert len(errors) == 19 and all(isinstance(e, services.SessionFull) for e in errors), errors
    assert Booking.objects.filter(session=session, status=BookingStatus.CONFIRMED).count() == 3


def test_one_learner_double_clicking_gets_one_booking():
    session = make_session(capacity=5, price_paise=0)
    learner = make_user()
    results, errors = race(8, lambda i: services.book_session(learner=learner, session=session))
    assert len(results) == 1 and all(isinstance(e, services.AlreadyBooked) for e in errors)
    assert Booking.objects.filter(session=session, learner=learner).count() == 1


def test_callback_and_webhook_at_once_credit_once():
    learner = make_user()
    session = make_session(price_paise=100_000)
    _booking, payment = book_and_pay(learner=learner, session=session)
    payment = payment_services.ensure_order(payment)
    order_id = str(payment.gateway_order_id)

    def deliver(i: int) -> Any:
        if i % 2:
            return payment_services.record_payment_success(
                gateway_order_id=order_id, gateway_payment_id="pay_same", source="callback"
            )
        body = {
            "event": "payment.captured",
            "payload": {"payment": {"entity": {"id": "pay_same", "order_id": order_id}}},
        }
        return payment_services.process_webhook(event_id=f"evt_{i}", payload=body)

    _results, errors = race(6, deliver)
    assert errors == []
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID
    assert LedgerTransaction.objects.filter(payment=payment, kind="booking_payment").count() == 1
    assert ledger.mentor_balances(session.mentor_id)["pending"] == 85_000
    assert list(ledger.unbalanced_transactions()) == []


def test_overlapping_sessions_for_one_mentor_rejected_under_concurrency():
    mentor = make_user(Role.MENTOR)
    domain = make_domain()
    start = timezone.now() + timedelta(days=2)

    def create(i: int) -> Session:
        data = SessionInput(
            title=f"Clash {i}",
            description="d",
            domain=domain,
            start=start + timedelta(minutes=5 * i),
            duration_minutes=60,
            topics=["x"],
        )
        return create_session(mentor=mentor, data=data)

    results, errors = race(10, create)
    assert len(results) == 1
    assert len(errors) == 9 and all(isinstance(e, ValidationError) for e in errors), errors
    assert Session.objects.filter(mentor=mentor).count() == 1


def test_exclusion_constraint_backs_up_the_service():
    session = make_session(duration_minutes=60)
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.create(
            mentor=session.mentor,
            domain=session.domain,
            title="raw",
            description="d",
            start=session.start + timedelta(minutes=30),
            duration_minutes=60,
        )
    # back-to-back is fine, and a cancelled session frees its slot
    Session.objects.create(
        mentor=session.mentor,
        domain=session.domain,
        title="next",
        description="d",
        start=session.end,
        duration_minutes=30,
    )
    Session.objects.filter(pk=session.pk).update(status="cancelled")
    Session.objects.create(
        mentor=session.mentor,
        domain=session.domain,
        title="again",
        description="d",
        start=session.start,
        duration_minutes=30,
    )


def test_ledger_rows_are_append_only_in_the_database():
    legs = [ledger.Leg(ledger.gateway_clearing(), 10), ledger.Leg(ledger.platform_revenue(), -10)]
    tx = ledger.post(kind="x", key="db-guard", legs=legs)
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE payments_ledgerentry SET amount_paise = 5 WHERE transaction_id = %s", [tx.pk])
    with pytest.raises(Exception, match="does not balance"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "INSERT INTO payments_ledgerentry (transaction_id, account_id, amount_paise) VALUES (%s, %s, 7)",
            [tx.pk, ledger.gateway_clearing().pk],
        )
