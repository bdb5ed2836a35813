"""The email outbox: stored with the notification, sent once, retried, never lost with a message."""

from __future__ import annotations

import smtplib
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.db import transaction
from django.utils import timezone

from apps.notifications import email as outbox
from apps.notifications.models import NotificationType, OutboundEmail
from apps.notifications.services import notify

pytestmark = pytest.mark.django_db


def _notify(user: Any) -> None:
    notify(user=user, type=NotificationType.BOOKING_CONFIRMED, title="Booked", message="See you", email=True)


def test_the_email_is_a_row_of_the_same_transaction(alice: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _notify(alice)
    row = OutboundEmail.objects.get(user=alice)
    assert row.sent_at is None and mail.outbox == []  # nothing sent before commit
    for cb in callbacks:
        cb()
    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 1
    assert [m.subject for m in mail.outbox] == ["PeerLearn: Booked"]


def test_a_rolled_back_notification_leaves_no_email(alice: Any) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        _notify(alice)
        raise RuntimeError("the booking failed")
    assert not OutboundEmail.objects.exists() and mail.outbox == []


def test_a_lost_hand_over_is_swept_and_a_second_delivery_sends_nothing(
    alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        _notify(alice)  # the queue message is lost: the callbacks never run
    assert mail.outbox == []
    assert outbox.deliver_due() == {"sent": 1}
    assert outbox.deliver_due() == {}
    pk = OutboundEmail.objects.get().pk
    assert outbox.deliver(pk) == "taken"  # a re-delivered task has no second effect
    assert len(mail.outbox) == 1


def test_a_claim_of_a_dead_process_expires_then_the_sweep_sends(alice: Any) -> None:
    now = timezone.now()
    row = OutboundEmail.objects.create(user=alice, type=NotificationType.GENERAL, title="Hi", claimed_until=now)
    assert outbox.deliver(row.pk, now - timedelta(seconds=1)) == "taken"  # someone is sending it
    assert outbox.deliver_due(now + timedelta(seconds=1)) == {"sent": 1}
    assert len(mail.outbox) == 1


def test_a_failing_mail_server_is_retried_with_backoff_then_given_up(alice: Any, monkeypatch: Any) -> None:
    def down(_email: Any, _connection: Any) -> None:
        raise OSError("connection refused")

    monkeypatch.setattr(outbox, "_send", down)
    row = OutboundEmail.objects.create(user=alice, type=NotificationType.GENERAL, title="Hi")
    now = timezone.now()
    assert outbox.deliver(row.pk, now) == "failed"
    row.refresh_from_db()
    assert row.attempts == 1 and row.claimed_until is None and "connection refused" in row.last_error
    assert row.next_attempt_at == now + timedelta(seconds=60)
    assert outbox.deliver(row.pk, now + timedelta(seconds=59)) == "taken"  # not due yet
    for _ in range(outbox.MAX_ATTEMPTS - 1):
        row.refresh_from_db()
        assert outbox.deliver(row.pk, row.next_attempt_at) == "failed"
    row.refresh_from_db()
    assert row.gave_up_at is not None and row.attempts == outbox.MAX_ATTEMPTS
    assert outbox.deliver_due(row.next_attempt_at + timedelta(days=1)) == {}


def test_an_inactive_user_gets_no_email(alice: Any) -> None:
    row = OutboundEmail.objects.create(user=alice, type=NotificationType.GENERAL, title="Hi")
    type(alice).objects.filter(pk=alice.pk).update(is_active=False)
    assert outbox.deliver(row.pk) == "skipped"
    assert mail.outbox == []


def test_a_restart_releases_a_dead_process_claims_at_once(alice: Any) -> None:
    """Embedded profile: the runner's start-up step frees what a killed predecessor had claimed,
    so its email goes out now rather than when the two-minute claim runs out."""
    now = timezone.now()
    row = OutboundEmail.objects.create(
        user=alice, type=NotificationType.GENERAL, title="Hi", claimed_until=now + timedelta(minutes=2)
    )
    assert outbox.deliver_due(now) == {}
    assert outbox.release_claims() == 1
    assert outbox.deliver_due() == {"sent": 1}
    row.refresh_from_db()
    assert row.sent_at is not None and len(mail.outbox) == 1


def test_one_transaction_hands_its_emails_over_in_one_task(
    alice: Any, bob: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    handed: list[list[int]] = []
    monkeypatch.setattr(outbox, "enqueue", lambda task, ids: handed.append(list(ids)))
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        _notify(alice)
        _notify(bob)  # a booking emails the learner and the mentor
    assert sum(isinstance(cb, outbox._HandOver) for cb in callbacks) == 1
    assert handed == [list(OutboundEmail.objects.order_by("id").values_list("id", flat=True))]
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        _notify(alice)  # the next transaction has its own hand-over
    assert len(handed) == 2 and len(handed[1]) == 1 and handed[1][0] not in handed[0]


def test_after_a_rollback_the_next_transaction_still_hands_its_emails_over(
    alice: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    handed: list[list[int]] = []
    monkeypatch.setattr(outbox, "enqueue", lambda task, ids: handed.append(list(ids)))
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            _notify(alice)
            raise RuntimeError("the booking failed")
        with transaction.atomic():
            with pytest.raises(RuntimeError), transaction.atomic():  # a savepoint rolled back
                _notify(alice)
                raise RuntimeError("this part failed")
            _notify(alice)
    kept = list(OutboundEmail.objects.values_list("id", flat=True))
    assert len(kept) == 1 and handed == [kept]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_email_is_handed_over_at_once(alice: Any, monkeypatch: Any) -> None:
    handed: list[list[int]] = []
    monkeypatch.setattr(outbox, "enqueue", lambda task, ids: handed.append(list(ids)))
    _notify(alice)
    assert handed == [[OutboundEmail.objects.get().pk]]


# --- batches: one SELECT, one stamp and one mail connection for the emails one task delivers -------


class _SmtpLikeBackend(locmem.EmailBackend):
    """The in-memory backend with an SMTP connection's life cycle: ``open`` starts a session unless
    one is open, ``send_messages`` opens (and afterwards closes) one only when none is open. It
    refuses the addresses in ``refuse`` as a mail server would."""

    def __init__(self, refuse: Iterable[str] = ()) -> None:
        super().__init__()
        self.refuse = set(refuse)
        self.is_open = False
        self.sessions = 0
        self.sent = 0

    def open(self) -> bool:
        if self.is_open:
            return False
        self.is_open = True
        self.sessions += 1
        return True

    def close(self) -> None:
        self.is_open = False

    def send_messages(self, messages: Any) -> int:
        opened_here = self.open()
        try:
            for message in messages:
                if self.refuse & set(message.to):
                    raise smtplib.SMTPRecipientsRefused({a: (550, b"no such user") for a in message.to})
            self.sent += len(messages)
            return int(super().send_messages(messages))
        finally:
            if opened_here:
                self.close()


class _Mailers:
    """Stands in for ``django.core.mail.mailers``: each ``default`` is a new connection, recorded."""

    def __init__(self, refuse: Iterable[str] = ()) -> None:
        self.refuse = list(refuse)
        self.made: list[_SmtpLikeBackend] = []

    @property
    def default(self) -> _SmtpLikeBackend:
        self.made.append(_SmtpLikeBackend(self.refuse))
        return self.made[-1]


def _rows(*users: Any, **fields: Any) -> list[int]:
    return [OutboundEmail.objects.create(user=u, type=NotificationType.GENERAL, title="Hi", **fields).pk for u in users]


def test_a_batch_of_two_takes_four_statements_and_sends_each_once(
    alice: Any, bob: Any, django_assert_num_queries: Any
) -> None:
    ids = _rows(alice, bob)
    with django_assert_num_queries(4):  # two claims, one SELECT with the users, one stamp
        assert outbox.deliver_each(ids) == {"sent": 2}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([alice.email, bob.email])
    for row in OutboundEmail.objects.filter(pk__in=ids):
        assert row.sent_at is not None and row.attempts == 1 and row.claimed_until is None
    assert outbox.deliver_each(ids) == {"taken": 2}  # a re-delivered task sends nothing more
    assert len(mail.outbox) == 2


def test_a_batch_is_sent_over_one_connection(alice: Any, bob: Any, charlie: Any, monkeypatch: Any) -> None:
    mailers = _Mailers()
    monkeypatch.setattr(outbox, "mailers", mailers)
    monkeypatch.setattr(outbox, "SEND_BATCH", 2)  # two rounds of claims, still one connection
    assert outbox.deliver_each(_rows(alice, bob, charlie)) == {"sent": 3}
    (connection,) = mailers.made
    assert connection.sessions == 1 and connection.sent == 3 and not connection.is_open
    assert len(mail.outbox) == 3
    assert not OutboundEmail.objects.filter(sent_at__isnull=True).exists()


def test_in_a_batch_each_email_has_its_own_outcome(make_user: Any, monkeypatch: Any) -> None:
    taken, inactive, refused, ok1, ok2 = (make_user("learner", f"User {i}") for i in range(5))
    mailers = _Mailers(refuse=[refused.email])
    monkeypatch.setattr(outbox, "mailers", mailers)
    type(inactive).objects.filter(pk=inactive.pk).update(is_active=False)
    ids = _rows(taken, inactive, refused, ok1, ok2)
    now = timezone.now()
    OutboundEmail.objects.filter(pk=ids[0]).update(claimed_until=now + timedelta(minutes=1))  # another's
    assert outbox.deliver_each(ids, now) == {"taken": 1, "skipped": 1, "failed": 1, "sent": 2}
    assert [m.to[0] for m in mail.outbox] == [ok1.email, ok2.email]  # sent after the refusal
    rows = {r.user_id: r for r in OutboundEmail.objects.all()}
    assert rows[taken.pk].sent_at is None and rows[taken.pk].claimed_until == now + timedelta(minutes=1)
    assert rows[inactive.pk].gave_up_at == now and rows[inactive.pk].last_error == "no active address"
    failed = rows[refused.pk]
    assert failed.sent_at is None and failed.attempts == 1 and failed.claimed_until is None
    assert failed.next_attempt_at == now + timedelta(seconds=60) and "SMTPRecipientsRefused" in failed.last_error
    assert all(rows[u.pk].sent_at is not None and rows[u.pk].attempts == 1 for u in (ok1, ok2))
    (connection,) = mailers.made
    assert connection.sessions == 2 and not connection.is_open  # a failed send starts a fresh session
    assert outbox.deliver_each(ids, now) == {"taken": 5}
    assert len(mail.outbox) == 2
