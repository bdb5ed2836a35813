"""The admin overview's period figures: GMV, revenue, refunds and rate, sessions completed,
active people and mentor no-shows, each counted in the chosen period only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from apps.bookings.models import Booking, BookingStatus
from apps.catalog.models import SessionStatus
from apps.catalog.tests.factories import make_session, make_user
from apps.dashboards.selectors import admin_period_kpis, period_start
from apps.workflows.booking import admin_refund
from apps.workflows.sessions import NO_SHOW_REASON
from apps.workflows.tests.test_flows import pay

from .test_dashboards import admin_with_totp

pytestmark = pytest.mark.django_db


def test_period_figures(client: Client, django_capture_on_commit_callbacks: Any) -> None:
    now = timezone.now()
    admin = admin_with_totp()
    paid = pay(client, make_user(name="Leena"), make_session(price_paise=100_000, start=now + timedelta(days=2)),
               django_capture_on_commit_callbacks)  # fmt: skip
    item = paid.payment_items.get()
    with django_capture_on_commit_callbacks(execute=True):
        admin_refund(item=item, amount_paise=25_000, reason="Late start", by=admin)
    # Three days ago: one completed session with a learner, one mentor no-show.
    done = make_session(start=now - timedelta(days=3))
    type(done).objects.filter(pk=done.pk).update(status=SessionStatus.COMPLETED)
    Booking.objects.create(session=done, learner=make_user(), status=BookingStatus.COMPLETED)
    missed = make_session(start=now - timedelta(days=3, hours=2))
    type(missed).objects.filter(pk=missed.pk).update(status=SessionStatus.CANCELLED)
    Booking.objects.create(
        session=missed, learner=make_user(), status=BookingStatus.CANCELLED, cancellation_reason=NO_SHOW_REASON
    )

    now = timezone.now()  # after the payment and the refund
    today = admin_period_kpis(period_start("today", now), now)
    assert (today["gmv"], today["refunds"], today["refund_rate"]) == (100_000, 25_000, 25.0)
    assert today["revenue"] > 0 and today["completed"] == 0 and today["no_shows"] == 0
    week = admin_period_kpis(period_start("7d", now), now)
    assert (week["completed"], week["no_shows"], week["no_show_rate"]) == (1, 1, 50.0)
    assert week["learners"] == 1 and week["mentors"] == 1  # the confirmed booking starts after now
    everything = admin_period_kpis(None, now + timedelta(days=3))
    assert everything["learners"] == 2

    client.force_login(admin)
    body = client.get("/dashboard/admin/", {"period": "today"}).content.decode()
    assert 'data-period="today"' in body and "₹1,000" in body and "(25.0%)" in body
    assert 'data-period="30d"' in client.get("/dashboard/admin/", {"period": "forever"}).content.decode()


def test_live_now_lists_sessions_in_progress_and_starting_soon(client: Client) -> None:
    now = timezone.now()
    live = make_session(title="Live one", start=now - timedelta(minutes=5))
    type(live).objects.filter(pk=live.pk).update(status=SessionStatus.LIVE)
    make_session(title="Starting soon", start=now + timedelta(minutes=10))
    make_session(title="Tomorrow's", start=now + timedelta(days=1))
    client.force_login(admin_with_totp())
    body = client.get("/dashboard/admin/").content.decode()
    assert "Live one" in body and "Starting soon" in body and "Tomorrow's" not in body
    assert f'data-live-session="{live.pk}"' in body and "presence.js" in body
