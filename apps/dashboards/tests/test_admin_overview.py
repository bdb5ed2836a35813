"""The admin overview's period figures: GMV, revenue, refunds and rate, sessions completed,
active people and mentor no-shows, each counted in the chosen period only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from apps.accounts.models import Role
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


def test_charts_follow_the_period_from_server_json(client: Client, django_capture_on_commit_callbacks: Any) -> None:
    import json

    from apps.dashboards.selectors import admin_series

    now = timezone.now()
    admin = admin_with_totp()
    paid = pay(client, make_user(name="Leena"), make_session(price_paise=100_000, start=now + timedelta(days=2)),
               django_capture_on_commit_callbacks)  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        admin_refund(item=paid.payment_items.get(), amount_paise=25_000, reason="Late start", by=admin)
    now = timezone.now()
    week = admin_series(period_start("7d", now), now)
    assert week["unit"] == "day" and len(week["labels"]) == 8  # seven days back and today
    assert (week["gmv"][-1], week["refunds"][-1]) == (1000.0, 250.0) and sum(week["gmv"][:-1]) == 0
    assert week["revenue"][-1] > 0 and not week["money_empty"]
    assert sum(week["learners"]) >= 1 and sum(week["mentors"]) >= 1
    everything = admin_series(None, now)
    assert sum(everything["gmv"]) == 1000.0

    client.force_login(admin)
    body = client.get("/dashboard/admin/", {"period": "7d"}).content.decode()
    data = json.loads(body.split('id="admin-series" type="application/json">')[1].split("</script>")[0])
    assert data["gmv"] == week["gmv"] and 'id="chart-money"' in body and "chart.umd.min.js" in body

    # An honest empty state: a past fortnight with nothing in it draws no chart.
    quiet = client.get(
        "/dashboard/admin/",
        {"period": "custom", "since": (now - timedelta(days=60)).date(), "until": (now - timedelta(days=50)).date()},
    ).content.decode()
    assert 'data-chart-empty="money"' in quiet and 'id="chart-money"' not in quiet
    assert 'data-period="custom"' in quiet and 'data-kpi="gmv">₹0' in quiet


def test_custom_period_counts_only_those_days_and_explains_a_bad_range(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    now = timezone.now()
    pay(client, make_user(), make_session(price_paise=70_000, start=now + timedelta(days=2)),
        django_capture_on_commit_callbacks)  # fmt: skip
    client.force_login(admin_with_totp())
    today = timezone.localdate()
    body = client.get("/dashboard/admin/", {"period": "custom", "since": today, "until": today}).content.decode()
    assert 'data-kpi="gmv">₹700' in body
    body = client.get(
        "/dashboard/admin/", {"period": "custom", "since": today, "until": today - timedelta(days=3)}
    ).content.decode()
    assert "The end date is before the start date." in body and f'value="{today.isoformat()}"' in body
    body = client.get(
        "/dashboard/admin/", {"period": "custom", "since": today + timedelta(days=2), "until": ""}
    ).content.decode()
    assert "Pick a day up to today." in body and "This field is required." in body


def test_queues_count_what_needs_action(client: Client) -> None:
    import uuid

    from apps.payments.models import Payment
    from apps.progress.models import Feedback

    now = timezone.now()
    make_user(Role.MENTOR, approved=False)
    session = make_session(start=now - timedelta(days=1))
    for rating, hidden in ((1, False), (2, False), (5, False), (1, True)):
        booking = Booking.objects.create(session=session, learner=make_user(), status=BookingStatus.COMPLETED)
        Feedback.objects.create(booking=booking, session=session, mentor=session.mentor, learner=booking.learner,
                                rating=rating, hidden_at=now if hidden else None)  # fmt: skip
    old = Payment.objects.create(learner=make_user(), gateway="sandbox", receipt=f"pl_{uuid.uuid4().hex[:16]}",
                                 amount_paise=10_000, status="created")  # fmt: skip
    Payment.objects.filter(pk=old.pk).update(created_at=now - timedelta(minutes=40))
    Payment.objects.create(
        learner=make_user(),
        gateway="sandbox",
        receipt=f"pl_{uuid.uuid4().hex[:16]}",
        amount_paise=10_000,
        status="created",
    )  # fmt: skip  (just started: not stale)
    from apps.dashboards.selectors import admin_queues

    assert admin_queues() == {
        "mentor_approvals": 1,
        "low_reviews": 2,
        "hidden_reviews": 1,
        "stale_payments": 1,
        "withdrawals": 0,
        "failed_payouts": 0,
    }
    client.force_login(admin_with_totp())
    body = client.get("/dashboard/admin/").content.decode()
    assert 'data-queue="stale_payments"' in body and "?visibility=visible&amp;max_rating=2" in body
    assert 'data-queue="withdrawals"' in body and 'href="/dashboard/admin/withdrawals/?status=failed"' in body


def test_payouts_count_what_was_paid_out_in_the_period(client: Client) -> None:
    """Payouts in a period: withdrawals paid out in it; a request, a rejection, a failed payout or
    one the bank returned count nothing, and one paid before the period is not in it."""
    import time_machine
    from django.db.models import Sum

    from apps.payments.models import Withdrawal
    from apps.payments.tests.money import mentor_with_balance, withdrawal_to

    admin = admin_with_totp()
    mentor = mentor_with_balance(1_000_000)
    with time_machine.travel(timezone.now() - timedelta(days=10), tick=True):
        before = withdrawal_to("paid", mentor=mentor, amount_paise=70_000, admin=admin)
    paid = withdrawal_to("paid", mentor=mentor, amount_paise=60_000, admin=admin)
    others = {
        outcome: withdrawal_to(outcome, mentor=mentor, amount_paise=amount, admin=admin)
        for outcome, amount in (("requested", 80_000), ("rejected", 90_000), ("failed", 110_000), ("reversed", 120_000))
    }
    assert (before.status, paid.status) == ("paid", "paid")
    assert [w.status for w in others.values()] == ["requested", "rejected", "failed", "failed"]
    assert others["reversed"].reversed and others["reversed"].utr  # it was paid, then came back

    now = timezone.now()
    week = admin_period_kpis(period_start("7d", now), now)
    month = admin_period_kpis(period_start("30d", now), now)
    assert week["payouts"] == 60_000
    assert month["payouts"] == 60_000 + 70_000
    # The same figure read independently, from the withdrawals still paid.
    since = period_start("7d", now)
    rows = Withdrawal.objects.filter(status="paid", closed_at__gte=since).aggregate(s=Sum("amount_paise"))["s"]
    assert week["payouts"] == rows

    client.force_login(admin)
    body = client.get("/dashboard/admin/", {"period": "7d"}).content.decode()
    assert 'data-kpi="payouts">₹600<' in body
    body = client.get("/dashboard/admin/", {"period": "30d"}).content.decode()
    assert 'data-kpi="payouts">₹1,300<' in body
    day_before = timezone.localdate(now - timedelta(days=10))
    body = client.get(
        "/dashboard/admin/", {"period": "custom", "since": day_before, "until": day_before}
    ).content.decode()
    assert 'data-kpi="payouts">₹700<' in body
