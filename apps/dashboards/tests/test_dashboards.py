"""Dashboard shells: routing, access, pending mentor state, real counts, honest empty states."""

from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.utils import timezone

from apps.accounts.models import MentorProfile, MentorStatus, Role
from apps.bookings.models import Booking, BookingStatus
from apps.catalog.models import Session, SessionStatus
from apps.catalog.tests.factories import make_session, make_user
from tests.totp import enrol_totp

pytestmark = pytest.mark.django_db


def admin_with_totp():  # type: ignore[no-untyped-def]
    admin = make_user(Role.ADMIN, name="Ada Admin")
    enrol_totp(admin)
    assert Authenticator.objects.filter(user=admin, type=Authenticator.Type.TOTP).exists()
    return admin


def sign_in_confirmed(client, user):  # type: ignore[no-untyped-def]
    """Sign ``user`` in and confirm it's them (allauth's re-authentication with the password), as
    an admin does before a sensitive action; returns the client."""
    from tests.factories import PASSWORD

    client.force_login(user)
    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


@pytest.mark.parametrize(
    ("role", "target"),
    [(Role.LEARNER, "/dashboard/learner/"), (Role.MENTOR, "/dashboard/mentor/"), (Role.ADMIN, "/dashboard/admin/")],
)
def test_dashboard_redirects_to_own(client, role, target):
    client.force_login(make_user(role))
    r = client.get("/dashboard/")
    assert r.status_code == 302 and r["Location"] == target


def test_anonymous_goes_to_login_with_next(client):
    for url in ["/dashboard/", "/dashboard/learner/", "/dashboard/mentor/", "/dashboard/admin/"]:
        r = client.get(url)
        assert r.status_code == 302
        assert r["Location"].startswith("/login/") and "next=" in r["Location"]


@pytest.mark.parametrize(
    ("role", "url", "home"),
    [
        (Role.LEARNER, "/dashboard/mentor/", "/dashboard/learner/"),
        (Role.LEARNER, "/dashboard/admin/", "/dashboard/learner/"),
        (Role.MENTOR, "/dashboard/learner/", "/dashboard/mentor/"),
        (Role.MENTOR, "/dashboard/admin/", "/dashboard/mentor/"),
    ],
)
def test_wrong_role_gets_access_denied_toast(client, role, url, home):
    client.force_login(make_user(role))
    r = client.get(url, follow=True)
    assert r.redirect_chain[0] == (home, 302)
    assert "Access denied" in r.content.decode()


def test_learner_home_empty_states(client):
    client.force_login(make_user(Role.LEARNER, name="Neha Gupta"))
    r = client.get("/dashboard/learner/")
    body = r.content.decode()
    assert r.status_code == 200
    assert "Welcome back, Neha" in body
    assert "No upcoming sessions" in body
    assert 'hx-get="/dashboard/learner/recommendations/"' in body  # loaded after the page
    recs = client.get("/dashboard/learner/recommendations/", HTTP_HX_REQUEST="true").content.decode()
    assert "No recommendations yet" in recs
    assert "No activity yet" in body and "No requests yet" in body and "No bookings yet" in body
    assert 'role="tablist"' in body and 'aria-controls="panel-requests"' in body
    # Learner navigation of SPEC §2.
    for href in [
        "/dashboard/learner/bookings/",
        "/dashboard/learner/payments/",
        "/dashboard/learner/progress/",
        "/posts/",
        "/cart/",
        "/profile/",
    ]:
        assert f'href="{href}"' in body, href
    assert 'href="/notifications/"' in body  # mobile bottom nav


def test_learner_home_real_counts_and_join(client):
    learner = make_user(Role.LEARNER)
    soon = make_session(title="Starts soon", start=timezone.now() + timedelta(minutes=5), duration_minutes=60)
    later = make_session(title="Next week", start=timezone.now() + timedelta(days=7), price_paise=50_000)
    done = make_session(title="Finished", start=timezone.now() + timedelta(days=1), duration_minutes=90)
    Session.objects.filter(pk=done.pk).update(status=SessionStatus.COMPLETED)
    Booking.objects.create(session=soon, learner=learner, status=BookingStatus.CONFIRMED)
    Booking.objects.create(session=later, learner=learner, status=BookingStatus.PENDING_PAYMENT)
    Booking.objects.create(session=done, learner=learner, status=BookingStatus.COMPLETED)
    other = make_user(Role.LEARNER)
    Booking.objects.create(session=make_session(title="Not mine"), learner=other, status=BookingStatus.CONFIRMED)
    client.force_login(learner)
    body = client.get("/dashboard/learner/").content.decode()
    assert "Starts soon" in body and "Next week" in body and "Not mine" not in body
    assert f'href="/session/{soon.room_code}/"' in body  # join window open (10 min before)
    assert f'href="/session/{later.room_code}/"' not in body
    assert "Complete payment" in body
    # It resumes that booking's checkout (the Bookings page's flow), not the cart.
    pending = Booking.objects.get(learner=learner, status=BookingStatus.PENDING_PAYMENT)
    assert f'action="/sessions/{pending.session_id}/book/"' in body and 'href="/cart/" class="btn' not in body
    # Stats: 1 upcoming confirmed, 1 completed, 1 h 30 min learned, 1 awaiting payment.
    assert '<p class="mt-0.5 font-display text-2xl font-semibold tabular-nums text-ink">1 h 30 min</p>' in body
    assert body.count('data-countdown data-start="') == 2


def test_learner_home_query_count_is_fixed(client, django_assert_max_num_queries):
    learner = make_user(Role.LEARNER)
    for i in range(6):
        s = make_session(title=f"S{i}", start=timezone.now() + timedelta(days=i + 1))
        Booking.objects.create(session=s, learner=learner, status=BookingStatus.CONFIRMED)
    client.force_login(learner)
    # A first visit also builds the learner's recommendations (the session index and the
    # learner's inputs, about ten queries), which are cached; every later visit reads them back.
    with django_assert_max_num_queries(22):
        assert client.get("/dashboard/learner/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/dashboard/learner/").status_code == 200


def test_mentor_home_reads_the_mentors_profile_once(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    mentor = make_user(Role.MENTOR)
    client.force_login(mentor)
    client.get("/dashboard/mentor/")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/dashboard/mentor/").status_code == 200
    profile_reads = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith('SELECT "accounts_mentorprofile"')]
    assert len(profile_reads) == 1


def test_pending_mentor_sees_pending_state(client):
    mentor = make_user(Role.MENTOR, name="Vikram Nair", approved=False)
    client.force_login(mentor)
    body = client.get("/dashboard/mentor/").content.decode()
    assert "Pending approval" in body and "What happens next" in body
    assert 'href="/profile/"' in body and "Edit your profile" in body
    assert "Go live" not in body and "Today & live" not in body


def test_rejected_mentor_sees_reason(client):
    mentor = make_user(Role.MENTOR, approved=False)
    MentorProfile.objects.filter(user=mentor).update(status=MentorStatus.REJECTED, rejection_reason="Add your degree")
    client.force_login(mentor)
    body = client.get("/dashboard/mentor/").content.decode()
    assert "needs changes" in body and "Add your degree" in body


def test_approved_mentor_home(client):
    mentor = make_user(Role.MENTOR, name="Priya Menon")
    start = timezone.now() + timedelta(minutes=5)
    s = make_session(mentor=mentor, title="Today's React clinic", start=start, capacity=3)
    Booking.objects.create(session=s, learner=make_user(Role.LEARNER), status=BookingStatus.CONFIRMED)
    make_session(mentor=mentor, title="Future one", start=timezone.now() + timedelta(days=3))
    make_session(title="Someone else's", start=start)
    client.force_login(mentor)
    body = client.get("/dashboard/mentor/").content.decode()
    assert "Welcome back, Priya" in body
    assert "Today&#x27;s React clinic" in body and "Someone else" not in body
    assert "1 learner booked" in body
    assert f'href="/session/{s.room_code}/"' in body and "Go live" in body and "Future one" not in body
    assert "No pending requests" in body
    assert "Earnings" in body
    for href in [
        "/dashboard/mentor/sessions/",
        "/dashboard/mentor/requests/",
        "/dashboard/mentor/earnings/",
        "/dashboard/mentor/analytics/",
        "/dashboard/mentor/withdrawals/",
    ]:
        assert f'href="{href}"' in body, href


def test_approved_mentor_without_sessions_today(client):
    client.force_login(make_user(Role.MENTOR))
    body = client.get("/dashboard/mentor/").content.decode()
    assert "Nothing live or coming up" in body


def test_admin_needs_totp_then_sees_real_kpis(client):
    bare_admin = make_user(Role.ADMIN)
    client.force_login(bare_admin)
    r = client.get("/dashboard/admin/")
    assert r.status_code == 302 and "totp" in r["Location"]

    make_user(Role.LEARNER)
    make_user(Role.LEARNER)
    make_user(Role.MENTOR)
    make_user(Role.MENTOR, approved=False)
    make_user(Role.MENTOR, approved=False)
    admin = admin_with_totp()
    client.force_login(admin)
    r = client.get("/dashboard/admin/")
    body = r.content.decode()
    assert r.status_code == 200
    assert "2 mentors are waiting for approval" in body
    for built in ("mentors", "users", "sessions", "payments", "withdrawals", "feedback", "audit", "reports"):
        assert f'href="/dashboard/admin/{built}/"' in body, built
    from apps.dashboards.selectors import admin_kpis

    kpis = admin_kpis()
    assert kpis["users"]["learners"] == 2
    assert kpis["mentors"] == {"approved": 1, "pending": 2}


def test_mentor_earnings_snapshot_comes_from_the_ledger(client):
    from apps.payments import ledger

    mentor = make_user(Role.MENTOR)
    client.force_login(mentor)
    body = client.get("/dashboard/mentor/").content.decode()
    assert "No earnings yet" in body and "₹0" in body
    # A balanced ledger transaction owing the mentor ₹850 (pending) and ₹1,200 (available).
    ledger.post(
        kind="test",
        key=f"dash-test-{mentor.pk}",
        legs=[
            ledger.Leg(ledger.gateway_clearing(), 205_000),
            ledger.Leg(ledger.mentor_pending(mentor.pk), -85_000),
            ledger.Leg(ledger.mentor_available(mentor.pk), -120_000),
        ],
    )
    body = client.get("/dashboard/mentor/").content.decode()
    assert "No earnings yet" not in body
    assert "₹1,200" in body and "₹850" in body


def _request(learner, domain, *, mentor=None, title="Help with recursion"):  # type: ignore[no-untyped-def]
    from apps.requests.models import SessionRequest

    start = timezone.now() + timedelta(days=2)
    return SessionRequest.objects.create(
        learner=learner,
        mentor=mentor,
        domain=domain,
        title=title,
        proposed_start=start,
        duration_minutes=60,
        budget_paise=50_000,
        expires_at=start,
    )


def test_learner_activity_lists_requests_and_bookings(client):
    from apps.catalog.tests.factories import make_domain

    learner = make_user(Role.LEARNER)
    _request(learner, make_domain("Algorithms"), title="Help with recursion")
    _request(make_user(Role.LEARNER), make_domain("Algorithms"), title="Someone else's post")
    s = make_session(title="Graph theory basics")
    Booking.objects.create(session=s, learner=learner, status=BookingStatus.CONFIRMED)
    client.force_login(learner)
    body = client.get("/dashboard/learner/").content.decode()
    assert body.count("Requested “Help with recursion”") == 2  # All + Requests tabs
    assert body.count("Booked “Graph theory basics”") == 2  # All + Bookings tabs
    assert "Someone else" not in body
    assert "No requests yet" not in body and "No activity yet" not in body


def test_mentor_home_lists_pending_requests(client):
    from apps.catalog.tests.factories import make_domain

    mentor = make_user(Role.MENTOR)
    domain = make_domain("Algorithms")
    mentor.mentor_profile.domains.add(domain)
    learner = make_user(Role.LEARNER, name="Tara Joshi")
    _request(learner, domain, title="Dynamic programming doubts")
    _request(learner, domain, mentor=mentor, title="Direct ask for you")
    _request(learner, make_domain("Cooking"), title="Not my domain")
    client.force_login(mentor)
    body = client.get("/dashboard/mentor/").content.decode()
    assert "Dynamic programming doubts" in body and "Direct ask for you" in body
    assert "Not my domain" not in body
    assert "To you" in body and "Open board" in body
    assert '<span class="badge badge-warning">2</span>' in body
    assert "No pending requests" not in body


def test_admin_money_kpis_from_payments_and_ledger(client):
    from apps.payments import ledger
    from apps.payments.models import Payment, PaymentStatus

    learner = make_user(Role.LEARNER)
    Payment.objects.create(
        learner=learner, gateway="sandbox", receipt="r-1", amount_paise=100_000, status=PaymentStatus.PAID
    )
    Payment.objects.create(
        learner=learner,
        gateway="sandbox",
        receipt="r-2",
        amount_paise=50_000,
        refunded_paise=25_000,
        status=PaymentStatus.PARTIALLY_REFUNDED,
    )
    Payment.objects.create(
        learner=learner, gateway="sandbox", receipt="r-3", amount_paise=70_000, status=PaymentStatus.FAILED
    )
    ledger.post(
        kind="test",
        key="admin-money-test",
        legs=[ledger.Leg(ledger.gateway_clearing(), 22_500), ledger.Leg(ledger.platform_revenue(), -22_500)],
    )
    client.force_login(admin_with_totp())
    body = client.get("/dashboard/admin/").content.decode()
    assert "₹1,500" in body  # GMV: 1,000 + 500 (the failed one is not counted)
    assert "₹225" in body  # platform revenue
    assert "₹250" in body  # refunded


def test_requests_badge_only_for_approved_mentors(client):
    client.force_login(make_user(Role.MENTOR))
    assert 'hx-get="/dashboard/mentor/requests/badge/"' in client.get("/dashboard/mentor/").content.decode()
    client.force_login(make_user(Role.MENTOR, approved=False))
    assert "requests/badge/" not in client.get("/dashboard/mentor/").content.decode()
