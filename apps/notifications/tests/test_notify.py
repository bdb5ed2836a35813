from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.db import transaction
from django.utils import timezone

from apps.notifications.consumers import NotificationConsumer
from apps.notifications.models import Channel, Notification, NotificationPreference, NotificationType
from apps.notifications.services import mark_all_read, notify, send_event, set_preferences, user_group


def _listen(user: Any) -> tuple[Any, str]:
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group(user.pk), channel)
    return layer, channel


def _frame(message: dict[str, Any]) -> dict[str, Any]:
    """What the user's socket sends for a layer message: the event, encoded once by the sender."""
    assert message["type"] == "user.event"
    event: dict[str, Any] = json.loads(message["text"])
    return event


def _receive(layer: Any, channel: str, timeout: float = 0.5) -> dict[str, Any] | None:
    """The next event pushed to ``channel`` (decoded as the socket would send it), or None."""

    async def go() -> dict[str, Any] | None:
        try:
            return _frame(await asyncio.wait_for(layer.receive(channel), timeout))
        except TimeoutError:
            return None

    return async_to_sync(go)()


@pytest.mark.django_db
def test_notify_stores_first_and_pushes_after_commit(alice: Any, django_capture_on_commit_callbacks: Any) -> None:
    layer, channel = _listen(alice)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        n = notify(user=alice, type=NotificationType.OFFER_NEW, title="New offer", message="Bob offered ₹500")
        assert Notification.objects.filter(user=alice, title="New offer").count() == 1
        # Nothing pushed while the transaction is open.
        assert _receive(layer, channel, 0.05) is None
    assert callbacks
    for cb in callbacks:
        cb()
    event = _receive(layer, channel)
    assert event is not None
    assert event["type"] == "notification"
    assert event["notification"]["id"] == n.pk
    assert event["notification"]["title"] == "New offer"
    assert event["unread"] == 1


@pytest.mark.django_db(transaction=True)
def test_rolled_back_transaction_pushes_nothing_and_stores_nothing(alice: Any) -> None:
    layer, channel = _listen(alice)

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        notify(user=alice, type=NotificationType.BOOKING_CONFIRMED, title="Booked!")
        send_event(user_ids=[alice.pk], type="booking.changed")
        raise Boom
    assert _receive(layer, channel, 0.2) is None
    assert not Notification.objects.filter(user=alice).exists()
    assert len(mail.outbox) == 0
    # A committed one does arrive (proves the listener works).
    with transaction.atomic():
        notify(user=alice, type=NotificationType.BOOKING_CONFIRMED, title="Booked for real")
    msg = _receive(layer, channel)
    assert msg is not None and msg["notification"]["title"] == "Booked for real"


@pytest.mark.django_db
def test_preferences_in_app_off_means_no_row_email_off_means_no_mail(
    alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    set_preferences(
        user=alice,
        matrix={NotificationType.OFFER_NEW: {Channel.IN_APP: False, Channel.EMAIL: False}},
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = notify(user=alice, type=NotificationType.OFFER_NEW, title="Muted offer")
    assert result is None
    assert not Notification.objects.filter(title="Muted offer").exists()
    assert mail.outbox == []
    # Defaults: booking confirmations go by email (HTML + text).
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            user=alice, type=NotificationType.BOOKING_CANCELLED, title="Booking cancelled", message="Sorry", link="/x/"
        )
    assert len(mail.outbox) == 1
    m = mail.outbox[0]
    assert m.to == [alice.email]
    assert "Booking cancelled" in m.subject
    assert "Sorry" in m.body and "http://" in m.body
    assert m.alternatives and m.alternatives[0][1] == "text/html"
    assert "Booking cancelled" in m.alternatives[0][0]
    # Switching email off for that type stops it; in-app stays.
    set_preferences(
        user=alice, matrix={NotificationType.BOOKING_CANCELLED: {Channel.IN_APP: True, Channel.EMAIL: False}}
    )
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=alice, type=NotificationType.BOOKING_CANCELLED, title="Second")
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(user=alice, title="Second").exists()
    assert NotificationPreference.objects.filter(user=alice).count() == 4


@pytest.mark.django_db
def test_outsider_cannot_read_or_mark_others_notifications(alice: Any, charlie: Any, client: Any) -> None:
    n = notify(user=alice, type=NotificationType.GENERAL, title="Alice's secret")
    client.force_login(charlie)
    assert client.post(f"/notifications/{n.pk}/read/").status_code == 404
    assert client.post(f"/notifications/{n.pk}/snooze/", {"minutes": 5}).status_code == 404
    client.post("/notifications/read-all/")
    n.refresh_from_db()
    assert n.read is False
    assert "Alice&#x27;s secret" not in client.get("/notifications/dropdown/").content.decode()
    assert client.get("/notifications/unread/").json()["unread"] == 0
    # The owner can.
    client.force_login(alice)
    body = client.get("/notifications/dropdown/").content.decode()
    assert "Alice&#x27;s secret" in body
    assert client.get("/notifications/unread/").json()["unread"] == 1
    resp = client.post(f"/notifications/{n.pk}/read/", {"next": "/notifications/"})
    assert resp.status_code == 302 and resp["Location"] == "/notifications/"
    n.refresh_from_db()
    assert n.read is True


@pytest.mark.django_db
def test_mark_read_rejects_offsite_next(alice: Any, client: Any) -> None:
    n = notify(user=alice, type=NotificationType.GENERAL, title="x")
    client.force_login(alice)
    resp = client.post(f"/notifications/{n.pk}/read/", {"next": "https://evil.example/"})
    assert resp["Location"] == "/notifications/"


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client: Any) -> None:
    resp = client.get("/notifications/")
    assert resp.status_code == 302 and "/login/" in resp["Location"]


@pytest.mark.django_db
def test_history_page_lists_own_and_query_count_is_flat(
    alice: Any, bob: Any, client: Any, django_assert_max_num_queries: Any
) -> None:
    for i in range(3):
        notify(user=alice, type=NotificationType.GENERAL, title=f"Item {i}")
    notify(user=bob, type=NotificationType.GENERAL, title="Bob only")
    client.force_login(alice)
    resp = client.get("/notifications/")
    body = resp.content.decode()
    assert "Item 2" in body and "Item 0" in body and "Bob only" not in body
    with django_assert_max_num_queries(12) as ctx_small:
        client.get("/notifications/")
    small = len(ctx_small.captured_queries)
    for i in range(15):
        notify(user=alice, type=NotificationType.GENERAL, title=f"More {i}")
    with django_assert_max_num_queries(small) as ctx_big:
        client.get("/notifications/")
    assert len(ctx_big.captured_queries) == small
    mark_all_read(user=alice)
    assert "Mark all read" in client.get("/notifications/").content.decode()


@pytest.mark.django_db
def test_mark_all_read_before_a_moment_leaves_the_newer_unread(alice: Any, bob: Any) -> None:
    old = notify(user=alice, type=NotificationType.GENERAL, title="Old")
    new = notify(user=alice, type=NotificationType.GENERAL, title="New")
    other = notify(user=bob, type=NotificationType.GENERAL, title="Bob's")
    assert old and new and other
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    assert mark_all_read(user=alice, before=timezone.now() - timedelta(days=2)) == 1
    read = dict(Notification.objects.values_list("title", "read"))
    assert read == {"Old": True, "New": False, "Bob's": False}


# --- WebSocket --------------------------------------------------------------------------------


async def _connect(user: Any) -> tuple[WebsocketCommunicator, bool]:
    comm = WebsocketCommunicator(NotificationConsumer.as_asgi(), "/ws/notifications/")
    comm.scope["user"] = user
    connected, _ = await comm.connect()
    return comm, connected


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_socket_anonymous_is_closed() -> None:
    comm, connected = await _connect(AnonymousUser())
    assert connected is False
    await comm.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_socket_receives_own_notifications_only(alice: Any, charlie: Any) -> None:
    a, ok_a = await _connect(alice)
    c, ok_c = await _connect(charlie)
    assert ok_a and ok_c
    hello = await a.receive_json_from()
    assert hello == {"type": "hello", "unread": 0, "recent_unread": []}
    await c.receive_json_from()
    await sync_to_async(notify)(user=alice, type=NotificationType.OFFER_NEW, title="For Alice")
    got = await a.receive_json_from(timeout=2)
    assert got["type"] == "notification" and got["notification"]["title"] == "For Alice"
    assert got["unread"] == 1
    assert await c.receive_nothing(timeout=0.2)
    # Oversized / unknown / malformed client messages are dropped without closing the socket.
    await a.send_to(text_data="x" * 5000)
    await a.send_to(text_data="not json")
    await a.send_to(text_data=json.dumps({"action": "drop_tables"}))
    await a.send_json_to({"action": "ping"})
    assert (await a.receive_json_from())["type"] == "pong"
    await a.disconnect()
    await c.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_reconnect_receives_what_was_missed(alice: Any) -> None:
    a, _ = await _connect(alice)
    await a.receive_json_from()
    await a.disconnect()
    # Sent while the client was away.
    await sync_to_async(notify)(user=alice, type=NotificationType.OFFER_NEW, title="Missed offer 1")
    await sync_to_async(notify)(user=alice, type=NotificationType.REQUEST_EXPIRED, title="Missed 2")
    a2, _ = await _connect(alice)
    hello = await a2.receive_json_from()
    assert hello["type"] == "hello"
    assert hello["unread"] == 2
    assert [n["title"] for n in hello["recent_unread"]] == ["Missed 2", "Missed offer 1"]
    await a2.send_json_to({"action": "sync"})
    again = await a2.receive_json_from()
    assert again["unread"] == 2
    await a2.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_typed_events_reach_only_their_users(alice: Any, bob: Any) -> None:
    a, _ = await _connect(alice)
    b, _ = await _connect(bob)
    await a.receive_json_from()
    await b.receive_json_from()
    await sync_to_async(send_event)(user_ids=[bob.pk], type="request.new", data={"request": 7})
    assert await b.receive_json_from(timeout=2) == {"type": "request.new", "request": 7}
    assert await a.receive_nothing(timeout=0.2)
    await a.disconnect()
    await b.disconnect()


@pytest.mark.django_db
def test_mentor_decisions_notify_in_app_after_commit(django_capture_on_commit_callbacks: Any) -> None:
    from apps.accounts.services import create_user
    from apps.workflows.accounts import decide_mentor

    admin = create_user(email="admin-x@example.in", password=None, full_name="Admin", role="admin")
    approved = create_user(email="m1@example.in", password=None, full_name="Meera", role="mentor")
    rejected = create_user(email="m2@example.in", password=None, full_name="Ravi", role="mentor")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        decide_mentor(mentor=approved, by=admin, approve=True)
    # Nothing is written or pushed until the decision commits.
    assert not Notification.objects.filter(user=approved).exists()
    for callback in callbacks:
        callback()
    n = Notification.objects.get(user=approved)
    assert n.type == NotificationType.MENTOR_APPROVED and "approved" in n.title

    with django_capture_on_commit_callbacks(execute=True):
        decide_mentor(mentor=rejected, by=admin, approve=False, reason="Please add your GitHub profile")
    assert Notification.objects.filter(
        user=rejected, type=NotificationType.MENTOR_REJECTED, message__contains="GitHub"
    ).exists()
    # The emails come from the accounts service only (one each), not a second copy from here.
    assert sorted(m.to[0] for m in mail.outbox) == ["m1@example.in", "m2@example.in"]


@pytest.mark.django_db
def test_notify_many_respects_preferences_and_pushes_each_after_commit(
    alice: Any, bob: Any, charlie: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from apps.notifications.services import notify_many

    set_preferences(user=charlie, matrix={NotificationType.REQUEST_NEW: {Channel.IN_APP: False, Channel.EMAIL: False}})
    notify(user=alice, type=NotificationType.GENERAL, title="older unread")
    listeners = {u.pk: _listen(u) for u in (alice, bob, charlie)}
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify_many(
            users=[alice, bob, charlie], type=NotificationType.REQUEST_NEW, title="Open post", link="/x/"
        )
    assert sorted(r.user_id for r in rows) == sorted([alice.pk, bob.pk])
    got_a = _receive(*listeners[alice.pk])
    got_b = _receive(*listeners[bob.pk])
    assert got_a is not None and got_a["notification"]["title"] == "Open post" and got_a["unread"] == 2
    assert got_b is not None and got_b["unread"] == 1
    assert _receive(*listeners[charlie.pk], timeout=0.1) is None
    # REQUEST_NEW emails by default: Alice and Bob, not Charlie (switched off).
    assert sorted(m.to[0] for m in mail.outbox) == sorted([alice.email, bob.email])


@pytest.mark.django_db(transaction=True)  # the loop's code gets a database connection of its own
def test_fan_out_works_from_a_thread_running_an_event_loop(alice: Any, bob: Any, monkeypatch: Any) -> None:
    """Test code under Playwright's sync API calls services while its thread runs an event loop,
    where ``async_to_sync`` refuses ("You cannot use AsyncToSync in the same thread as an async
    event loop"): the pushes must still reach the users' groups."""
    from apps.notifications.services import notify_many

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # as e2e/conftest.py sets it
    layer = get_channel_layer()
    (a, b) = (async_to_sync(layer.new_channel)() for _ in range(2))
    async_to_sync(layer.group_add)(user_group(alice.pk), a)
    async_to_sync(layer.group_add)(user_group(bob.pk), b)

    async def inside_a_running_loop() -> list[dict[str, Any]]:
        asyncio.get_running_loop()  # the situation: synchronous service calls with a loop running
        notify_many(users=[alice, bob], type=NotificationType.GENERAL, title="From a loop")
        notify(user=alice, type=NotificationType.GENERAL, title="One more")
        send_event(user_ids=[bob.pk], type="request.new", data={"request": 3})
        return [await asyncio.wait_for(layer.receive(ch), 2) for ch in (a, a, b, b)]

    got = [_frame(m) for m in asyncio.run(inside_a_running_loop())]
    assert [e["notification"]["title"] for e in got[:2]] == ["From a loop", "One more"]
    assert got[1]["unread"] == 2
    assert got[2]["notification"]["title"] == "From a loop" and got[2]["unread"] == 1
    assert got[3] == {"type": "request.new", "request": 3}


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_pushed_event_costs_the_socket_no_new_task(alice: Any) -> None:
    """A fan-out reaches every socket of a process at once: each pushed event is handled by the
    task that read it from the layer (apps/core/dispatch.py), where Channels' own loop made a new
    task and an ``asyncio.wait`` per message and socket."""
    a, ok = await _connect(alice)
    assert ok
    await a.receive_json_from()  # hello
    layer = get_channel_layer()
    loop = asyncio.get_running_loop()
    made: list[str] = []

    def factory(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Task[Any]:
        made.append(getattr(coro, "__qualname__", repr(coro)))
        return asyncio.Task(coro, loop=loop, **kwargs)

    loop.set_task_factory(factory)
    try:
        for n in range(50):
            await layer.group_send(user_group(alice.pk), {"type": "user.event", "text": json.dumps({"n": n})})
        got = [await a.receive_json_from(timeout=2) for _ in range(50)]
    finally:
        loop.set_task_factory(None)
    assert [g["n"] for g in got] == list(range(50))
    assert made == []
    await a.disconnect()
