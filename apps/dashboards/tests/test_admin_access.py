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
