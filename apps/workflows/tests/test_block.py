"""Blocking an account (issue 10 item 2, issue 14 #6): no more sign-in, sockets closed, a mentor's
future sessions cancelled with full refunds, a learner's bookings cancelled under the policy,
every step audited; unblocking lets the person in again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.services import InvalidTransition
from apps.audit.models import AuditEntry
from apps.bookings.models import Booking, BookingStatus
from apps.catalog.models import SessionStatus
from apps.catalog.tests.factories import make_session, make_user
from apps.notifications.models import Notification, NotificationType
from apps.payments.models import Refund
from apps.workflows.accounts import block_user, unblock_user

from .test_flows import pay

PASSWORD = "Peer-learn-2026!"


@pytest.mark.django_db
def test_a_blocked_mentor_cannot_sign_in_and_their_learners_are_refunded(
    client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    admin = make_user(Role.ADMIN, name="Ada Admin")
    mentor = make_user(Role.MENTOR, name="Rogue Mentor")
    mentor.set_password(PASSWORD)
    mentor.save()
    session = make_session(mentor=mentor, price_paise=30_000, start=timezone.now() + timedelta(days=2))
    learner = make_user(name="Meena")
    paid = pay(client, learner, session, django_capture_on_commit_callbacks)

    signed_in = Client()
    signed_in.force_login(mentor)
    assert signed_in.get("/dashboard/mentor/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        block_user(user=mentor, by=admin, reason="Asked learners to pay outside PeerLearn")

    mentor.refresh_from_db()
    assert mentor.is_blocked and not mentor.is_active
    session.refresh_from_db()
    paid.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED and paid.status == BookingStatus.CANCELLED
    assert [r.amount_paise for r in Refund.objects.all()] == [30_000]
    assert Notification.objects.filter(user=learner, type=NotificationType.BOOKING_CANCELLED).exists()
    entry = AuditEntry.objects.get(action="user.block")
    assert (entry.actor_id, entry.object_id, entry.reason) == (
        admin.pk,
        str(mentor.pk),
        "Asked learners to pay outside PeerLearn",
    )
    # Signed out everywhere, and cannot sign in again.
    assert signed_in.get("/dashboard/mentor/").status_code == 302
    assert not Client().login(email=mentor.email, password=PASSWORD)
    refused = Client().post("/login/", {"login": mentor.email, "password": PASSWORD}, follow=True)
    assert "This account is suspended" in refused.content.decode()  # a clear message, not a generic error

    with pytest.raises(InvalidTransition):
        block_user(user=mentor, by=admin, reason="twice")
    unblock_user(user=mentor, by=admin)
    assert Client().login(email=mentor.email, password=PASSWORD)
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == ["user.block", "user.unblock"]


@pytest.mark.django_db
def test_admins_and_empty_reasons_are_refused() -> None:
    admin, other_admin = make_user(Role.ADMIN), make_user(Role.ADMIN)
    learner = make_user()
    with pytest.raises(InvalidTransition):
        block_user(user=other_admin, by=admin, reason="no")
    with pytest.raises(InvalidTransition):
        block_user(user=learner, by=admin, reason="   ")
    assert not AuditEntry.objects.exists()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_blocked_learner_loses_their_place_in_the_room_at_once() -> None:
    from apps.notifications.consumers import NotificationConsumer
    from apps.rooms.tests.test_consumers import both_joined

    _mentor, learner, _outsider, s, m, l_, _w, _lw = await both_joined()
    admin = await database_sync_to_async(make_user)(Role.ADMIN)
    bell = WebsocketCommunicator(NotificationConsumer.as_asgi(), "/ws/notifications/")
    bell.scope["user"] = learner
    assert (await bell.connect())[0]
    await bell.receive_json_from()  # hello

    await database_sync_to_async(block_user)(user=learner, by=admin, reason="Abusive chat")

    assert (await l_.receive_output(timeout=5)) == {"type": "websocket.close", "code": 4403}
    assert (await bell.receive_output(timeout=5)) == {"type": "websocket.close", "code": 4401}
    # The session is under way, so the booking is not "future": it stays, the seat just goes unused.
    booking = await database_sync_to_async(Booking.objects.get)(session=s, learner=learner)
    assert booking.status == BookingStatus.CONFIRMED
    await m.disconnect()
