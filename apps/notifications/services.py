"""Notification writes and real-time pushes.

``notify()`` stores the row (and its email, in the outbox: ``email.py``) in the caller's transaction,
then after commit pushes it over the user's WebSocket and hands the email to the background — so
nobody is told about something that rolled back, and no email is lost with a queue message.

Real-time events for other apps
-------------------------------
Every signed-in page holds one WebSocket to ``/ws/notifications/`` (opened by
``static/src/js/notifications.js``). Any app can send a *typed event* to users with::

    from apps.notifications.services import send_event
    send_event(user_ids=[mentor.pk], type="request.new", data={"request": req.pk})

``send_event`` defers to ``transaction.on_commit``. In the browser, every element carrying
``data-refresh-on="<type> [<type> ...]"``, ``hx-get="<url>"`` and ``hx-trigger="peerlearn:refresh"``
is re-fetched by htmx when an event of one of those types arrives (and after a reconnect, because
events may have been missed). The response replaces the element's inner HTML unless it has
``hx-swap``; ``hx-target``/``hx-select`` are honoured too. The explicit ``hx-trigger`` matters:
without it htmx would fire the GET on every click inside the region. Example::

    <div data-refresh-on="request.new request.changed" hx-trigger="peerlearn:refresh"
         hx-get="{% url 'requests:mentor_partial' %}">…</div>

The mentor's Requests badge: ``<span data-refresh-on="request.new request.changed"
hx-trigger="load, peerlearn:refresh" hx-get="{% url 'requests:mentor_badge' %}"></span>`` (plain
text: the count, or empty when zero).

JS that needs the raw event listens for ``peerlearn:event`` on ``document`` (``event.detail`` is the
payload ``{"type": ..., ...}``). Event types in use: ``notification`` (sent by ``notify``),
``request.new``, ``request.changed``, ``offer.new``, ``offer.changed``, ``booking.changed``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise

from apps.core.realtime import broadcast_many

from . import email as outbox
from .models import EMAIL_BY_DEFAULT, Channel, Notification, NotificationPreference, NotificationType, OutboundEmail

if TYPE_CHECKING:
    from apps.accounts.models import User

log = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def _group_send(user_id: int, event: dict[str, Any]) -> bool:
    """Push one event to a user's sockets now. Never raises: the database is the truth."""
    return _group_send_many([(user_id, event)])


def _group_send_many(events: list[tuple[int, dict[str, Any]]]) -> bool:
    """Push many users' events in one hop onto the event loop and one batched layer call (a
    fan-out to hundreds of users would otherwise pay a thread-to-loop hop, and on Redis four round
    trips, per user). Works from any thread, including one running an event loop of its own.

    Each event travels as the text of its WebSocket frame, encoded here once per event (once for
    all the users of a ``send_event``) instead of once per socket by the consumer; the layers then
    copy and serialise one string instead of a nested dict."""
    texts: dict[int, str] = {}  # by id() of the event: one encoding per event object
    sends = []
    for uid, event in events:
        text = texts.get(id(event))
        if text is None:
            try:
                text = texts[id(event)] = json.dumps(event)
            except (TypeError, ValueError):
                log.exception("event for user %s is not JSON; not pushed", uid)
                continue
        sends.append((user_group(uid), {"type": "user.event", "text": text}))
    return broadcast_many(sends)


def send_event(*, user_ids: Iterable[int], type: str, data: dict[str, Any] | None = None) -> None:
    """Send a typed event to each user's WebSocket after the current transaction commits."""
    ids = sorted({int(u) for u in user_ids})
    event = {"type": type, **(data or {})}

    def push() -> None:
        _group_send_many([(uid, event) for uid in ids])

    transaction.on_commit(push)


# --- preferences ------------------------------------------------------------------------------


def default_enabled(type_: str, channel: str) -> bool:
    if channel == Channel.IN_APP:
        return True
    return type_ in EMAIL_BY_DEFAULT


def preference_matrix(*, user: User) -> dict[str, dict[str, bool]]:
    """{type: {channel: enabled}} for every type, defaults filled in (one query)."""
    saved = {(p.type, p.channel): p.enabled for p in NotificationPreference.objects.filter(user=user)}
    return {t: {c: saved.get((t, c), default_enabled(t, c)) for c in Channel.values} for t in NotificationType.values}


def is_enabled(*, user: User, type: str, channel: str) -> bool:
    row = NotificationPreference.objects.filter(user=user, type=type, channel=channel).only("enabled").first()
    return row.enabled if row is not None else default_enabled(type, channel)


def set_preferences(*, user: User, matrix: dict[str, dict[str, bool]]) -> None:
    with transaction.atomic():
        for t, channels in matrix.items():
            if t not in NotificationType.values:
                continue
            for c, enabled in channels.items():
                if c not in Channel.values:
                    continue
                NotificationPreference.objects.update_or_create(
                    user=user, type=t, channel=c, defaults={"enabled": bool(enabled)}
                )


# --- writes -----------------------------------------------------------------------------------


def unread_count(*, user_id: int) -> int:
    return Notification.objects.filter(user_id=user_id, read=False).count()


def notify(
    *,
    user: User,
    type: str,
    title: str,
    message: str = "",
    link: str | Promise = "",
    reference: str = "",
    data: dict[str, Any] | None = None,
    email: bool | None = None,
    attachments: list[dict[str, str]] | None = None,
) -> Notification | None:
    """Record a notification for ``user`` and deliver it after commit.

    In-app delivery (row + WebSocket toast) and email follow the user's preferences for ``type``;
    ``email=False`` suppresses the email whatever the preference (reminders other than T-24 h are
    in-app only). ``attachments`` are extra email
    parts, ``{"filename", "content", "mimetype"}`` (e.g. a booking's calendar file). Returns the row, or None when in-app is switched off.
    """
    prefs = preference_matrix(user=user).get(type, {})
    in_app = prefs.get(Channel.IN_APP, True)
    wants_email = prefs.get(Channel.EMAIL, False) if email is not False else False
    notification: Notification | None = None
    if in_app:
        notification = Notification.objects.create(
            user=user,
            type=type,
            title=title[:200],
            message=message[:2000],
            link=str(link)[:500],
            reference=reference[:64],
            data=data or {},
        )
        payload = notification.as_event()
        uid = user.pk

        def push() -> None:
            _group_send(uid, {"type": "notification", "notification": payload, "unread": unread_count(user_id=uid)})

        transaction.on_commit(push)
    if wants_email and user.email:
        outbox.queue(
            [
                OutboundEmail(
                    user=user,
                    type=type,
                    title=title[:200],
                    message=message,
                    link=str(link)[:500],
                    attachments=attachments or [],
                )
            ]
        )
    return notification


def notify_many(
    *,
    users: Iterable[Any],
    type: str,
    title: str,
    message: str = "",
    link: str = "",
    reference: str = "",
    data: dict[str, Any] | None = None,
    email: bool | None = None,
) -> list[Notification]:
    """``notify`` for many users at once (an open post to every mentor of a domain, a cancelled
    session to all its learners): one preference query, one bulk insert, one unread-count query,
    then one push per user after commit. Same preference rules as ``notify``."""
    people = {u.pk: u for u in users}
    if not people:
        return []
    saved = {
        (p.user_id, p.channel): p.enabled
        for p in NotificationPreference.objects.filter(user_id__in=list(people), type=type)
    }

    def enabled(uid: int, channel: str) -> bool:
        return saved.get((uid, channel), default_enabled(type, channel))

    rows = [
        Notification(
            user_id=uid,
            type=type,
            title=title[:200],
            message=message[:2000],
            link=link[:500],
            reference=reference[:64],
            data=data or {},
        )
        for uid in people
        if enabled(uid, Channel.IN_APP)
    ]
    created = Notification.objects.bulk_create(rows)
    if created and created[0].pk is None:  # backends without RETURNING: read the rows back
        created = list(
            Notification.objects.filter(
                user_id__in=[r.user_id for r in rows], reference=reference[:64], title=title[:200]
            ).order_by("-id")[: len(rows)]
        )
    payloads = {n.user_id: n.as_event() for n in created}

    def push() -> None:
        from django.db.models import Count

        counts = dict(
            Notification.objects.filter(user_id__in=list(payloads), read=False)
            .values_list("user_id")
            .annotate(n=Count("id"))
            .values_list("user_id", "n")
        )
        _group_send_many(
            [
                (uid, {"type": "notification", "notification": payload, "unread": counts.get(uid, 0)})
                for uid, payload in payloads.items()
            ]
        )

    if payloads:
        transaction.on_commit(push)
    if email is not False:
        outbox.queue(
            [
                OutboundEmail(user_id=uid, type=type, title=title[:200], message=message, link=link[:500])
                for uid, user in people.items()
                if user.email and enabled(uid, Channel.EMAIL)
            ]
        )
    return created


def mark_read(*, user: User, notification_id: int) -> bool:
    """Mark one of the user's own notifications read. False if it isn't theirs (or is unknown)."""
    found = Notification.objects.filter(pk=notification_id, user=user).exists()
    if not found:
        return False
    Notification.objects.filter(pk=notification_id, user=user, read=False).update(read=True)
    _after_read_change(user.pk)
    return True


def mark_all_read(*, user: User, before: datetime | None = None) -> int:
    """Mark the user's unread notifications read (``before``: only those created earlier); returns
    how many changed."""
    unread = Notification.objects.filter(user=user, read=False)
    if before is not None:
        unread = unread.filter(created_at__lt=before)
    n = unread.update(read=True)
    _after_read_change(user.pk)
    return n


def push_again(*, notification: Notification) -> None:
    """Show an existing notification's toast again (a snoozed reminder coming back)."""
    payload = {**notification.as_event(), "snoozed": True}
    uid = notification.user_id
    _group_send(uid, {"type": "notification", "notification": payload, "unread": unread_count(user_id=uid)})


def _after_read_change(user_id: int) -> None:
    # Other tabs of the same user update their bell count.
    transaction.on_commit(lambda: _group_send(user_id, {"type": "unread", "unread": unread_count(user_id=user_id)}))


def snooze(*, user: User, notification_id: int, minutes: int) -> bool:
    """Show an in-app reminder again in 5 or 10 minutes (one scheduler row, claimed once)."""
    from .models import JobKind, ScheduledJob

    if minutes not in (5, 10):
        raise ValueError("Snooze is 5 or 10 minutes")
    n = Notification.objects.filter(pk=notification_id, user=user).first()
    if n is None:
        return False
    now = timezone.now()
    ScheduledJob.objects.create(
        kind=JobKind.SNOOZE,
        key=f"snooze:n{n.pk}:{int(now.timestamp() * 1000)}",
        due_at=now + timedelta(minutes=minutes),
        notification=n,
    )
    return True
