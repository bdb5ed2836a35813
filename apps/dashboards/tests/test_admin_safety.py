"""Sensitive admin actions need a recent re-authentication (allauth's flow): a stale session is sent
to confirm and nothing changes; once confirmed, the kept POST runs; after the window it asks again.
Admin POSTs are rate-limited per admin."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.audit.models import AuditEntry
from apps.bookings.models import Booking, BookingStatus
from apps.catalog.models import SessionStatus
from apps.catalog.tests.factories import make_session, make_user
from apps.dashboards import safety
from apps.progress.models import Feedback
from tests.factories import PASSWORD
from tests.totp import code_at

from .test_dashboards import admin_with_totp, sign_in_confirmed

pytestmark = pytest.mark.django_db
REAUTH = "/accounts/reauthenticate/"
WINDOW = 300  # allauth's ACCOUNT_REAUTHENTICATION_TIMEOUT (its default, which we keep)


def _stale_admin(client: Client) -> User:
    admin = admin_with_totp()
    client.force_login(admin)  # signed in, never confirmed: as stale as a session can be
    return admin


def test_a_stale_block_is_sent_to_confirm_and_then_runs_with_what_was_typed(client: Client) -> None:
    _stale_admin(client)
    learner = make_user(name="Kiran Rao")
    url = f"/dashboard/admin/users/{learner.pk}/block/"
    data = {"decision": "block", "reason": "Spam links in chat", "confirm": "on", "back": "?q=kiran"}
    r = client.post(url, data)
    assert r.status_code == 302 and r["Location"] == f"{REAUTH}?next={url.replace('/', '%2F')}"
    learner.refresh_from_db()
    assert not learner.is_blocked and not AuditEntry.objects.exists()  # nothing changed

    page = client.get(r["Location"])
    body = page.content.decode()
    assert "s you</h1>" in body and "Use authenticator app or code" in body, body[body.find("<main") :][:1500]
    assert 'href="/dashboard/" class="text-sm text-ink-muted hover:underline">Cancel and go back' in body  # a way out
    wrong = client.post(r["Location"], {"password": "not-it"})
    assert wrong.status_code == 200
    learner.refresh_from_db()
    assert not learner.is_blocked

    done = client.post(r["Location"], {"password": PASSWORD}, follow=True)
    learner.refresh_from_db()
    assert learner.is_blocked
    entry = AuditEntry.objects.get(action="user.block")
    assert entry.reason == "Spam links in chat"
    assert done.redirect_chain[-1][0].startswith("/dashboard/admin/users/?q=kiran")
    assert "Kiran Rao is blocked" in done.content.decode()


def test_confirming_with_the_authenticator_code_works_too(client: Client) -> None:
    admin = make_user(Role.ADMIN, name="Ada Admin")
    from tests.totp import enrol_totp

    secret = enrol_totp(admin)
    client.force_login(admin)
    session = make_session(start=timezone.now() + timedelta(days=2))
    url = f"/dashboard/admin/sessions/{session.pk}/cancel/"
    r = client.post(url, {"reason": "Mentor is unwell", "confirm": "on"})
    assert r["Location"].startswith(REAUTH)
    session.refresh_from_db()
    assert session.status == SessionStatus.SCHEDULED
    client.post(f"/accounts/2fa/reauthenticate/?next={url}", {"code": code_at(secret, time.time())})
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED


def test_confirmation_expires_after_the_window(client: Client, settings: Any) -> None:
    admin = admin_with_totp()
    review_of = make_session(start=timezone.now() - timedelta(days=1))
    learner = make_user()
    booking = Booking.objects.create(session=review_of, learner=learner, status=BookingStatus.COMPLETED)
    review = Feedback.objects.create(
        booking=booking, session=review_of, mentor=review_of.mentor, learner=learner, rating=1
    )
    url = f"/dashboard/admin/feedback/{review.pk}/"
    with time_machine.travel(timezone.now(), tick=False) as clock:
        sign_in_confirmed(client, admin)
        clock.shift(WINDOW - 5)
        r = client.post(url, {"decision": "hide", "reason": "Abuse", "confirm": "on"})
        assert r["Location"].startswith("/dashboard/admin/feedback/")
        review.refresh_from_db()
        assert review.hidden_at is not None
        clock.shift(10)  # past the window
        r = client.post(url, {"decision": "unhide"})
        assert r["Location"].startswith(REAUTH)
        review.refresh_from_db()
        assert review.hidden_at is not None  # still hidden: nothing changed


def test_a_stale_refund_validates_first_then_asks_and_nothing_moves(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    from apps.dashboards.tests.test_admin_payments import _paid  # booked and paid through the real flow

    payment = _paid(client, django_capture_on_commit_callbacks)
    item = payment.items.get()
    _stale_admin(client)
    url = f"/dashboard/admin/payments/{payment.receipt}/"
    too_much = {"item_pk": item.pk, f"i{item.pk}-item": item.pk, f"i{item.pk}-amount_rupees": "999999",
                f"i{item.pk}-reason": "Goodwill", f"i{item.pk}-confirm": "on"}  # fmt: skip
    bad = client.post(url, too_much)
    assert bad.status_code == 400  # a wrong amount is explained at once, no confirmation asked
    good = {**too_much, f"i{item.pk}-amount_rupees": "100.00"}
    r = client.post(url, good)
    assert r["Location"].startswith(REAUTH)
    payment.refresh_from_db()
    assert payment.refunded_paise == 0
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(r["Location"], {"password": PASSWORD})
    assert done.status_code == 302 and done["Location"] == url
    payment.refresh_from_db()
    assert payment.refunded_paise == 10_000


def test_admin_posts_are_rate_limited_per_admin(client: Client, settings: Any) -> None:
    settings.RATELIMIT_ENABLE = True
    admin = admin_with_totp()
    sign_in_confirmed(client, admin)
    mentor = make_user(Role.MENTOR)
    limit = int(safety.ADMIN_POST_RATE.split("/")[0])
    with time_machine.travel(timezone.now(), tick=False):
        codes = [
            client.post(f"/dashboard/admin/users/{mentor.pk}/feature/", {"featured": "on"}).status_code
            for _ in range(limit + 1)
        ]
    assert codes[:limit] == [302] * limit and codes[-1] == 429
    # GET pages are not counted.
    assert client.get("/dashboard/admin/users/").status_code == 200
