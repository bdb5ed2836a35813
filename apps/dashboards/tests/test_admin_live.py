"""The overview's numbers follow payments, bookings and withdrawals: each committed change pushes one
``admin.kpis`` event to every admin's notifications socket (and to nobody else), and the page
re-reads its KPI regions on that event."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from apps.bookings.models import Booking, BookingStatus
from apps.catalog.tests.factories import make_session, make_user
from apps.dashboards.live import EVENT, _Push
from apps.notifications.tests.test_notify import _listen, _receive
from apps.workflows.booking import admin_refund
from apps.workflows.tests.test_flows import pay

from .test_dashboards import admin_with_totp

pytestmark = pytest.mark.django_db


def _drain(layer: Any, channel: str) -> list[dict[str, Any]]:
    got = []
    while (msg := _receive(layer, channel, 0.05)) is not None:
        got.append(msg)
    return got


def test_a_payment_and_a_refund_reach_every_admin_once_per_commit(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    first, second = admin_with_totp(), admin_with_totp()
    learner = make_user(name="Leena")
    listening = {who.pk: _listen(who) for who in (first, second, learner)}
    session = make_session(price_paise=50_000, start=timezone.now() + timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):  # the test's own transaction never commits
        booking = pay(client, learner, session, django_capture_on_commit_callbacks)
    for who in (first, second):
        events = _drain(*listening[who.pk])
        assert {"type": EVENT} in events, events
    assert not any(e.get("type") == EVENT for e in _drain(*listening[learner.pk]))  # admins only

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        admin_refund(item=booking.payment_items.get(), amount_paise=10_000, reason="Late", by=first)
    assert sum(1 for c in callbacks if isinstance(c, _Push)) == 1  # refund + payment + ledger: one push
    assert [e for e in _drain(*listening[first.pk]) if e["type"] == EVENT] == [{"type": EVENT}]


def test_a_rolled_back_change_pushes_nothing_and_does_not_block_the_next(
    django_capture_on_commit_callbacks: Any,
) -> None:
    admin = admin_with_totp()
    layer, channel = _listen(admin)
    session = make_session(start=timezone.now() + timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                Booking.objects.create(session=session, learner=make_user(), status=BookingStatus.CONFIRMED)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        assert Booking.objects.count() == 0
        Booking.objects.create(session=session, learner=make_user(), status=BookingStatus.CONFIRMED)
    assert sum(1 for c in callbacks if isinstance(c, _Push)) == 1
    assert {"type": EVENT} in [m for m in [_receive(layer, channel)] if m]


def test_a_withdrawal_paid_out_reaches_the_admins(django_capture_on_commit_callbacks: Any) -> None:
    """Withdrawals change by conditional UPDATE (no post_save): their own signal pushes, once per
    committed change — the request, the approval, the payout the gateway confirmed."""
    from apps.payments import payouts
    from apps.payments.tests.money import mentor_with_balance
    from apps.payments_sandbox import api as sandbox
    from apps.workflows import payouts as flows

    admin = admin_with_totp()
    layer, channel = _listen(admin)
    mentor = mentor_with_balance(200_000)
    pushes = []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        w = flows.request_withdrawal(mentor=mentor, amount_paise=60_000)
    pushes.append(sum(1 for c in callbacks if isinstance(c, _Push)))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        w = flows.approve_withdrawal(withdrawal_id=w.pk, admin=admin)
    pushes.append(sum(1 for c in callbacks if isinstance(c, _Push)))
    _drain(layer, channel)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        sandbox.settle_payout(w.gateway_payout_id, "processed")
        payouts.apply_payout_entity(sandbox.fetch_payout(w.gateway_payout_id), "payout.processed")
    pushes.append(sum(1 for c in callbacks if isinstance(c, _Push)))
    w.refresh_from_db()
    assert w.status == "paid" and pushes == [1, 1, 1]
    assert [e for e in _drain(layer, channel) if e["type"] == EVENT] == [{"type": EVENT}]


def test_the_overview_marks_its_live_regions(client: Client) -> None:
    client.force_login(admin_with_totp())
    body = client.get("/dashboard/admin/", {"period": "7d"}).content.decode()
    assert 'data-refresh-on="admin.kpis"' in body and 'hx-get="/dashboard/admin/?period=7d"' in body
    assert 'hx-sync="this:queue last"' in body
    for region in ("admin-period-kpis", "admin-key-numbers", "admin-money", "admin-queues"):
        assert f'id="{region}"' in body
    assert 'hx-select-oob="#admin-key-numbers,#admin-money,#admin-queues"' in body
