"""The email outbox: notification emails are rows first, deliveries second (see ``OutboundEmail``).

``queue()`` is called by ``notify``/``notify_many`` inside their caller's transaction; after commit
the transaction's new rows are handed to the background together (one ``send_outbound_emails``
task however many notifications the transaction sent: a booking emails the learner and the
mentor) for a prompt send, and the periodic ``deliver_due_emails`` sends anything that fast path
missed (a lost queue message, a killed worker, a mail server that was down).

Delivery works in batches (``deliver_each``): each email is claimed with its own conditional
UPDATE, the claimed rows are read together, sent one by one over one mail connection, and the sent
ones are stamped together; a failed send is retried with backoff without holding up the others.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from apps.core.background import enqueue

from .models import OutboundEmail

log = logging.getLogger(__name__)

CLAIM_FOR = timedelta(minutes=2)  # a claim older than this belonged to a process that died
MAX_ATTEMPTS = 6
SWEEP_BATCH = 200
# Emails claimed, sent over one connection and stamped together. Small enough that a batch's sends
# end well inside its claims' CLAIM_FOR even on a slow mail server, and that a process dying
# mid-batch leaves few sent-but-unstamped emails (those are sent again when their claims expire).
SEND_BATCH = 25


def absolute_url(link: str) -> str:
    if not link or link.startswith(("http://", "https://")):
        return link
    return settings.SITE_URL.rstrip("/") + "/" + link.lstrip("/")


class _HandOver:
    """The ids of the emails one transaction stored, handed to the background once it commits."""

    def __init__(self, savepoints: list[str]) -> None:
        self.ids: list[int] = []
        self.savepoints = savepoints  # the savepoints open when it was registered
        self.done = False

    def __call__(self) -> None:
        self.done = True
        _send_soon(self.ids)


def _send_soon(ids: list[int]) -> None:
    """Hand committed emails to the background for a prompt send (one task for all of them)."""
    from .tasks import send_outbound_emails

    if ids:
        enqueue(send_outbound_emails, ids)


def _hand_over_for_this_transaction() -> _HandOver:
    """The hand-over waiting for the current transaction's commit, registered with the first email
    it stores and reused while still inside the savepoint it was registered in. A rollback discards
    the registration (Django empties the connection's on-commit list, or drops the entries of a
    rolled-back savepoint): a hand-over no longer registered is never reused, the next email
    registers a new one. Ids from a savepoint rolled back inside the one it was registered in stay
    on the list; their rows do not exist, so ``deliver`` finds nothing to send for them."""
    conn = transaction.get_connection()
    open_now = list(conn.savepoint_ids)
    current: _HandOver | None = getattr(conn, "_peerlearn_email_hand_over", None)
    if (
        current is not None
        and not current.done
        and open_now[: len(current.savepoints)] == current.savepoints
        and any(func is current for _, func, _ in conn.run_on_commit)
    ):
        return current
    current = _HandOver(open_now)
    conn._peerlearn_email_hand_over = current  # type: ignore[attr-defined]
    transaction.on_commit(current)
    return current


def queue(rows: list[OutboundEmail]) -> None:
    """Store the emails with the caller's transaction; send them after it commits."""
    if not rows:
        return
    created = OutboundEmail.objects.bulk_create(rows)
    # (A backend without INSERT ... RETURNING gives no ids: the periodic sweep sends those.)
    ids = [r.pk for r in created if r.pk is not None]
    if not transaction.get_connection().in_atomic_block:
        _send_soon(ids)  # autocommit: the rows are committed already
    elif ids:
        _hand_over_for_this_transaction().ids.extend(ids)


def _due(now: datetime) -> Q:
    return Q(sent_at__isnull=True, gave_up_at__isnull=True, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def deliver(pk: int, now: datetime | None = None) -> str:
    """Claim one email, send it, stamp it. Returns "sent", "taken" (not due, already sent or being
    sent by someone else), "skipped" (the user is gone or inactive) or "failed" (retried later)."""
    (outcome,) = deliver_each([pk], now)  # the counts of one email: a single outcome, counted once
    return outcome


def release_claims() -> int:
    """Forget every claim on an unsent email. Only for a start-up where this process is the only
    one sending (the embedded profile): any claim left is a killed predecessor's, and its email is
    sent again at once instead of after the claim expires. Returns how many were released."""
    return OutboundEmail.objects.filter(sent_at__isnull=True, claimed_until__isnull=False).update(claimed_until=None)


def deliver_each(pks: list[int], now: datetime | None = None) -> dict[str, int]:
    """``deliver`` each email, ``SEND_BATCH`` at a time over one mail connection (one SMTP session
    for all of them, reopened only after a failed send); returns how many had each outcome."""
    counts: dict[str, int] = {}
    connection = mailers.default  # a new backend instance: opened by the first send, closed below
    try:
        for start in range(0, len(pks), SEND_BATCH):
            for outcome in _deliver_batch(pks[start : start + SEND_BATCH], now or timezone.now(), connection):
                counts[outcome] = counts.get(outcome, 0) + 1
    finally:
        _hang_up(connection)
    return counts


def _deliver_batch(pks: list[int], now: datetime, connection: BaseEmailBackend) -> list[str]:
    """Claim each email with its own conditional UPDATE (of two deliverers, only one gets a row),
    read the claimed ones in one SELECT, send them one by one, stamp the sent ones in one UPDATE.
    Returns one outcome per id. ``now`` decides what is due; the claim runs from the real clock
    when that is later, so a claim never expires before its batch has even started."""
    claim = OutboundEmail.objects.filter(_due(now))
    until = max(now, timezone.now()) + CLAIM_FOR
    claimed = [pk for pk in pks if claim.filter(pk=pk).update(claimed_until=until)]
    emails = list(OutboundEmail.objects.select_related("user").filter(pk__in=claimed)) if claimed else []
    to_send: list[OutboundEmail] = []
    skipped: list[int] = []
    for email in emails:
        if email.user.is_active and email.user.email:
            to_send.append(email)
        else:
            skipped.append(email.pk)
    if skipped:
        OutboundEmail.objects.filter(pk__in=skipped).update(
            gave_up_at=now, claimed_until=None, last_error="no active address"
        )
    sent: list[int] = []
    try:
        for email in to_send:
            try:
                _send(email, connection)
            except Exception as exc:  # the mail server's problem, or ours: retry with backoff, then give up
                _failed(email, exc, now)
                # The session may be broken (a dropped connection fails every later send): the
                # next email opens a fresh one.
                _hang_up(connection)
            else:
                sent.append(email.pk)
    finally:  # stamp what the mail server took even if something after it raised
        if sent:
            OutboundEmail.objects.filter(pk__in=sent).update(
                sent_at=timezone.now(), claimed_until=None, attempts=F("attempts") + 1
            )
    failed = len(to_send) - len(sent)
    return (
        ["sent"] * len(sent) + ["failed"] * failed + ["skipped"] * len(skipped) + ["taken"] * (len(pks) - len(emails))
    )


def _hang_up(connection: BaseEmailBackend) -> None:
    """Close the mail connection; a server that fails to say goodbye changes nothing sent."""
    try:
        connection.close()
    except Exception as exc:
        log.warning("closing the mail connection failed: %s", exc)


def _failed(email: OutboundEmail, exc: Exception, now: datetime) -> None:
    attempts = email.attempts + 1
    log.warning("email %s not sent (attempt %s): %s", email.pk, attempts, exc)
    OutboundEmail.objects.filter(pk=email.pk).update(
        attempts=attempts,
        claimed_until=None,
        last_error=repr(exc)[:2000],
        next_attempt_at=now + timedelta(seconds=30 * 2**attempts),
        gave_up_at=now if attempts >= MAX_ATTEMPTS else None,
    )


def deliver_due(now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return deliver_each(
        list(OutboundEmail.objects.filter(_due(now)).order_by("id").values_list("pk", flat=True)[:SWEEP_BATCH]), now
    )


def _send(email: OutboundEmail, connection: BaseEmailBackend) -> None:
    """Send on ``connection``, which stays open for the next email (``open`` is a no-op when it is
    open already; ``send_messages`` closes only a connection it opened itself)."""
    connection.open()
    connection.send_messages([_message(email)])


def _message(email: OutboundEmail) -> EmailMultiAlternatives:
    user: Any = email.user
    context = {
        "user": user,
        "type": email.type,
        "title": email.title,
        "message": email.message,
        "url": absolute_url(email.link),
    }
    with timezone.override(getattr(user, "timezone", None) or "UTC"), translation.override(settings.LANGUAGE_CODE):
        text = render_to_string("notifications/email/notification.txt", context)
        html = render_to_string("notifications/email/notification.html", context)
    mail = EmailMultiAlternatives(subject=f"PeerLearn: {email.title}", body=text, to=[user.email])
    mail.attach_alternative(html, "text/html")
    for part in email.attachments or []:
        mail.attach(part["filename"], part["content"], part["mimetype"])
    return mail
