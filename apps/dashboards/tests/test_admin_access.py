"""Every admin URL refuses learners, mentors and anonymous visitors (GET and POST), changes
nothing for them; and each admin list page costs the same number of queries for 5 or 30 rows."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, get_resolver
from django.utils import timezone

from apps.accounts.models import Role
from apps.audit.models import AuditEntry
from apps.bookings.models import Booking, BookingStatus
from apps.catalog.tests.factories import make_session, make_user
from apps.payments.models import Payment
from apps.progress.models import Feedback
from apps.workflows.accounts import block_user

from .test_dashboards import admin_with_totp

pytestmark = pytest.mark.django_db


def _admin_urls() -> list[str]:
    """Every route under /dashboard/admin/, with sample arguments."""
    urls = []
    for p in get_resolver().url_patterns:
        if not isinstance(p, URLPattern) and getattr(p, "namespace", None) == "dashboards":
            for q in p.url_patterns:
                route = str(q.pattern)
                if route.startswith("dashboard/admin/"):
                    urls.append(
                        route.replace("<int:pk>", "1")
                        .replace("<str:receipt>", "pl_x")
                        .replace("<int:year>-<int:month>", "2026-01")
                    )
    return sorted({"/" + u for u in urls})


def test_the_list_of_admin_urls_is_complete() -> None:
    urls = _admin_urls()
    assert "/dashboard/admin/" in urls and "/dashboard/admin/users/1/block/" in urls
    assert len(urls) >= 14


@pytest.mark.parametrize("who", ["anonymous", Role.LEARNER, Role.MENTOR])
def test_non_admins_are_refused_everywhere(who: str) -> None:
    client = Client()
    if who != "anonymous":
        client.force_login(make_user(who))
    victim = make_user(name="Untouched")
    for url in _admin_urls():
        for method in ("get", "post"):
            response = getattr(client, method)(
                url.replace("/1/", f"/{victim.pk}/"), {"decision": "block", "reason": "x", "confirm": "on"}
            )
            assert response.status_code in (302, 403, 405), (who, method, url, response.status_code)
            if response.status_code == 302:
                assert not response["Location"].startswith("/dashboard/admin"), (who, url)
    victim.refresh_from_db()
    assert victim.is_active and not AuditEntry.objects.exists()


@pytest.mark.parametrize("url", ["/dashboard/admin/", "/dashboard/admin/users/", "/dashboard/admin/sessions/",
                                 "/dashboard/admin/payments/", "/dashboard/admin/feedback/", "/dashboard/admin/audit/",
                                 "/dashboard/admin/reports/"])  # fmt: skip
def test_admin_pages_cost_the_same_queries_for_few_or_many_rows(url: str, django_assert_max_num_queries: Any) -> None:
    admin = admin_with_totp()
    client = Client()
    client.force_login(admin)

    def add(n: int) -> None:
        for _ in range(n):
            person = make_user()
            session = make_session(start=timezone.now() + timedelta(minutes=5))  # live-now candidates too
            booking = Booking.objects.create(session=session, learner=person, status=BookingStatus.COMPLETED)
            Feedback.objects.create(booking=booking, session=session, mentor=session.mentor, learner=person, rating=4)
            Payment.objects.create(learner=person, gateway="sandbox", receipt=f"pl_{uuid.uuid4().hex[:16]}",
                                   amount_paise=10_000, status="paid", paid_at=timezone.now())  # fmt: skip
            block_user(user=person, by=admin, reason="load")

    add(5)
    client.get(url)  # warm caches (session, site) once
    with django_assert_max_num_queries(40) as few:
        assert client.get(url).status_code == 200
    add(25)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


ADMIN_LISTS = [
    "/dashboard/admin/",
    "/dashboard/admin/users/",
    "/dashboard/admin/sessions/",
    "/dashboard/admin/payments/",
    "/dashboard/admin/feedback/",
    "/dashboard/admin/audit/",
    "/dashboard/admin/withdrawals/",
    "/dashboard/admin/reports/",
]


def _bulk_rows(n: int, admin: Any) -> None:
    """``n`` learners, sessions (one mentor, an hour apart), completed bookings with reviews, paid
    payments, audit entries, and the mentor's paid-out withdrawals with their ledger legs, inserted
    in bulk (the page queries, not the flows, are measured)."""
    from django.contrib.auth.hashers import make_password

    from apps.accounts.models import User
    from apps.catalog.models import Session
    from apps.payments import ledger
    from apps.payments.models import LedgerEntry, LedgerTransaction, Withdrawal

    mentor = make_user(Role.MENTOR)
    domain = make_session(mentor=mentor).domain
    hashed = make_password(None)
    tag = uuid.uuid4().hex[:8]
    people = User.objects.bulk_create(
        User(email=f"bulk-{tag}-{i}@example.in", full_name=f"Bulk Learner {i}", role=Role.LEARNER, password=hashed)
        for i in range(n)
    )
    base = timezone.now() - timedelta(days=n // 24 + 2)
    sessions = Session.objects.bulk_create(
        Session(
            mentor=mentor,
            domain=domain,
            title=f"Bulk clinic {i}",
            description="-",
            topics=["python"],
            start=base + timedelta(hours=i),
            end=base + timedelta(hours=i, minutes=30),
            duration_minutes=30,
            status="completed",
        )
        for i in range(n)
    )
    bookings = Booking.objects.bulk_create(
        Booking(session=s, learner=p, status=BookingStatus.COMPLETED) for s, p in zip(sessions, people, strict=True)
    )
    Feedback.objects.bulk_create(
        Feedback(booking=b, session=b.session, mentor=mentor, learner=b.learner, rating=4) for b in bookings
    )
    Payment.objects.bulk_create(
        Payment(
            learner=p,
            gateway="sandbox",
            receipt=f"pl_{tag}{i:08d}",
            amount_paise=10_000,
            status="paid",
            paid_at=timezone.now(),
        )
        for i, p in enumerate(people)
    )
    AuditEntry.objects.bulk_create(
        AuditEntry(actor=admin, action="user.block", object_type="user", object_id=str(p.pk), reason="load")
        for p in people
    )
    withdrawals = Withdrawal.objects.bulk_create(
        Withdrawal(
            mentor=mentor,
            amount_paise=50_000,
            status="paid",
            destination="UPI bu••@okicici",
            idempotency_key=f"bulk-{tag}-{i}",
            closed_at=timezone.now(),
        )
        for i in range(n)
    )
    payouts = LedgerTransaction.objects.bulk_create(
        LedgerTransaction(kind="payout", key=f"bulk-{tag}-payout-{w.pk}", withdrawal=w) for w in withdrawals
    )
    reserved, clearing = ledger.mentor_reserved(mentor.pk), ledger.gateway_clearing()
    LedgerEntry.objects.bulk_create(
        LedgerEntry(transaction=tx, account=account, amount_paise=amount)
        for tx in payouts
        for account, amount in ((reserved, 50_000), (clearing, -50_000))
    )


def test_admin_pages_cost_the_same_queries_at_10_and_10_000_rows() -> None:
    """Every admin list page and the overview (issue 10): the same number of queries whether the
    tables hold 10 rows or 10,000 (pagination and aggregates, no per-row queries)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin = admin_with_totp()
    client = Client()
    client.force_login(admin)

    def counts() -> dict[str, int]:
        out = {}
        for url in ADMIN_LISTS:
            client.get(url)  # warm the session and per-process caches once
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200, url
            out[url] = len(ctx.captured_queries)
        return out

    _bulk_rows(10, admin)
    few = counts()
    _bulk_rows(10_000 - 10, admin)
    if connection.vendor == "postgresql":
        # Statistics for the rows just written, as autovacuum keeps them in a real database (the
        # planner's guesses for freshly filled tables can turn a join into minutes of nested loops).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    many = counts()
    assert many == few
    from apps.dashboards.selectors import admin_period_kpis

    assert admin_period_kpis(None)["payouts"] == 10_000 * 50_000  # the overview read every payout
