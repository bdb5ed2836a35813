"""The admin's Sessions page: filters, and cancelling with full refunds, a reason and an audit entry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from apps.accounts.models import Role
from apps.audit.models import AuditEntry
from apps.bookings.models import BookingStatus
from apps.catalog.models import SessionStatus
from apps.catalog.tests.factories import make_session, make_user
from apps.notifications.models import Notification, NotificationType
from apps.payments.models import Refund
from apps.workflows.tests.test_flows import pay

from .test_dashboards import admin_with_totp, sign_in_confirmed

pytestmark = pytest.mark.django_db
URL = "/dashboard/admin/sessions/"


def test_filters(client: Client) -> None:
    sign_in_confirmed(client, admin_with_totp())
    meera = make_user(Role.MENTOR, name="Meera Iyer")
    make_session(mentor=meera, title="Graph theory basics", start=timezone.now() + timedelta(days=2))
    done = make_session(title="Old statistics class", start=timezone.now() + timedelta(days=3))
    type(done).objects.filter(pk=done.pk).update(status=SessionStatus.COMPLETED)
    body = client.get(URL, {"mentor": "meera"}).content.decode()
    assert "Graph theory basics" in body and "Old statistics class" not in body
    body = client.get(URL, {"status": "completed"}).content.decode()
    assert "Old statistics class" in body and "Graph theory basics" not in body
    body = client.get(URL, {"status": "exploded", "since": "31-31-2026"}).content.decode()
    assert "Select a valid choice." in body and "Enter a valid date." in body


def test_cancelling_refunds_everyone_in_full_with_the_reason(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    admin = admin_with_totp()
    session = make_session(
        price_paise=50_000, capacity=2, title="Kubernetes in a day", start=timezone.now() + timedelta(hours=5)
    )
    a, b = make_user(name="Asha"), make_user(name="Bilal")
    paid = [pay(client, who, session, django_capture_on_commit_callbacks) for who in (a, b)]
    sign_in_confirmed(client, admin)

    r = client.post(f"{URL}{session.pk}/cancel/", {"reason": "Mentor is unwell"})
    assert r.status_code == 302
    session.refresh_from_db()
    assert session.status == SessionStatus.SCHEDULED  # no confirmation: nothing happened

    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            f"{URL}{session.pk}/cancel/", {"reason": "Mentor is unwell", "confirm": "on", "back": "?status=scheduled"}
        )
    assert r["Location"] == URL + "?status=scheduled"
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
    for booking in paid:
        booking.refresh_from_db()
        assert (booking.status, booking.refund_percent) == (BookingStatus.CANCELLED, 100)
    assert sorted(r.amount_paise for r in Refund.objects.all()) == [50_000, 50_000]
    told = Notification.objects.filter(type=NotificationType.BOOKING_CANCELLED, user__in=[a, b])
    assert told.count() == 2 and all("Mentor is unwell" in n.message for n in told)
    assert Notification.objects.filter(user=session.mentor, type=NotificationType.SESSION_CANCELLED).exists()
    entry = AuditEntry.objects.get(action="session.cancel")
    assert entry.reason == "Mentor is unwell" and entry.after["bookings_cancelled"] == 2

    again = client.post(f"{URL}{session.pk}/cancel/", {"reason": "again", "confirm": "on"}, follow=True)
    assert "can no longer be cancelled" in again.content.decode()
    assert AuditEntry.objects.filter(action="session.cancel").count() == 1
