"""Landing page: real data only, fixed query count, honest empty states."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.models import MentorProfile, MentorStatus, Role, User
from apps.bookings.models import Booking, BookingStatus
from apps.catalog.models import Session, SessionStatus
from apps.catalog.tests.factories import make_domain, make_session, make_user
from apps.site.selectors import landing_sessions, top_mentors
from apps.taxonomy.models import Domain

pytestmark = pytest.mark.django_db

# Queries for one anonymous GET / (no session cookie, so no session/user lookups):
#   1. sessions: live + upcoming, with mentor and domain joined and seats_left annotated
#   2. top mentors: approved MentorProfile rows joined with their users
#   3. prefetch of those mentors' domains
LANDING_QUERIES = 3


def _bulk_catalogue(n: int) -> None:
    """n approved mentors and n upcoming sessions, created in a handful of queries."""
    tag = uuid.uuid4().hex[:8]
    domain = Domain.objects.create(name=f"Domain {tag}", slug=f"domain-{tag}")
    users = User.objects.bulk_create(
        User(email=f"m{i}-{tag}@example.com", full_name=f"Mentor {i}", role=Role.MENTOR, password="!") for i in range(n)
    )
    profiles = MentorProfile.objects.bulk_create(
        MentorProfile(
            user=u,
            status=MentorStatus.APPROVED,
            rating=Decimal(str(round(3 + (i % 20) / 10, 1))) if i % 3 else None,
            sessions_taught=i % 50,
        )
        for i, u in enumerate(users)
    )
    MentorProfile.domains.through.objects.bulk_create(
        MentorProfile.domains.through(mentorprofile_id=p.pk, domain_id=domain.pk) for p in profiles
    )
    now = timezone.now()
    sessions = []
    for i, u in enumerate(users):
        start = now + timedelta(hours=1 + i)
        sessions.append(
            Session(
                mentor=u,
                domain=domain,
                title=f"Session {i}",
                description="x",
                start=start,
                duration_minutes=60,
                end=start + timedelta(minutes=60),
                price_paise=0 if i % 2 else 50_000,
                capacity=3,
                status=SessionStatus.LIVE if i < 2 else SessionStatus.SCHEDULED,
            )
        )
    created = Session.objects.bulk_create(sessions)
    learner = make_user(Role.LEARNER)
    Booking.objects.bulk_create(
        Booking(session=s, learner=learner, status=BookingStatus.CONFIRMED) for s in created[: min(n, 50)]
    )


@pytest.mark.parametrize("n", [10, 1000])
def test_landing_runs_a_fixed_number_of_queries(client, django_assert_num_queries, n):
    _bulk_catalogue(n)
    with django_assert_num_queries(LANDING_QUERIES):
        response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Live now" in body
    assert "Session 2" in body  # the first scheduled one, after the two live sessions
    assert "Mentor " in body
    # Cards are capped, whatever the catalogue size.
    assert body.count('data-countdown data-start="') <= 8


def test_empty_catalogue_shows_honest_empty_states(client):
    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "No upcoming sessions yet" in body
    assert "No mentors yet" in body
    assert "Live now" not in body
    assert 'href="/register/"' in body and "Get Started" in body


def test_session_card_shows_price_mentor_seats_and_countdown(client):
    mentor = make_user(Role.MENTOR, name="Asha Rao")
    start = timezone.now() + timedelta(days=2)
    paid = make_session(mentor=mentor, title="System design drills", price_paise=123_450, capacity=3, start=start)
    make_session(mentor=mentor, title="Free Python clinic", price_paise=0, capacity=1, start=start + timedelta(hours=3))
    learner = make_user(Role.LEARNER)
    Booking.objects.create(
        session=paid,
        learner=learner,
        status=BookingStatus.PENDING_PAYMENT,
        hold_expires_at=timezone.now() + timedelta(minutes=15),
    )
    body = client.get("/").content.decode()
    assert "System design drills" in body and "with Asha Rao" in body
    assert "₹1,234.50" in body
    assert "Free" in body
    assert "2 seats left" in body  # capacity 3 - 1 held seat
    assert "1 seat left" in body
    assert f'data-start="{timezone.localtime(start).isoformat()}"' in body


def test_past_cancelled_and_full_sessions(client):
    mentor = make_user(Role.MENTOR)
    day = timezone.now() + timedelta(days=3)
    s_full = make_session(mentor=mentor, title="Full one", capacity=1, start=day)
    Booking.objects.create(session=s_full, learner=make_user(Role.LEARNER), status=BookingStatus.CONFIRMED)
    cancelled = make_session(mentor=mentor, title="Cancelled one", start=day + timedelta(hours=2))
    Session.objects.filter(pk=cancelled.pk).update(status=SessionStatus.CANCELLED)
    past = make_session(mentor=mentor, title="Old one", start=timezone.now() + timedelta(days=1))
    Session.objects.filter(pk=past.pk).update(start=timezone.now() - timedelta(days=1))
    # An expired hold gives the seat back.
    s_free = make_session(mentor=mentor, title="Released seat", capacity=1, start=day + timedelta(hours=4))
    Booking.objects.create(session=s_free, learner=make_user(Role.LEARNER), status=BookingStatus.EXPIRED)
    body = client.get("/").content.decode()
    assert "Full one" in body and "Fully booked" in body
    assert "Cancelled one" not in body
    assert "Old one" not in body
    seats = {s.title: s.seats_left for s in landing_sessions()}
    assert seats["Full one"] == 0
    assert seats["Released seat"] == 1


def test_top_mentors_order_rating_then_sessions_taught_and_only_approved():
    a = make_user(Role.MENTOR, name="Unrated Veteran")
    b = make_user(Role.MENTOR, name="Top Rated")
    c = make_user(Role.MENTOR, name="Same Rating More Sessions")
    d = make_user(Role.MENTOR, name="Same Rating Fewer Sessions")
    pending = make_user(Role.MENTOR, name="Pending Person", approved=False)
    MentorProfile.objects.filter(user=a).update(rating=None, sessions_taught=500)
    MentorProfile.objects.filter(user=b).update(rating=Decimal("4.9"), sessions_taught=1)
    MentorProfile.objects.filter(user=c).update(rating=Decimal("4.5"), sessions_taught=40)
    MentorProfile.objects.filter(user=d).update(rating=Decimal("4.5"), sessions_taught=3)
    MentorProfile.objects.filter(user=pending).update(rating=Decimal("5.0"))
    names = [m.user.full_name for m in top_mentors()]
    assert names == ["Top Rated", "Same Rating More Sessions", "Same Rating Fewer Sessions", "Unrated Veteran"]
    # An admin features the unrated veteran: featured mentors lead, then the same order.
    from apps.accounts.services import set_featured

    set_featured(mentor=a, featured=True, by=make_user(Role.ADMIN))
    names = [m.user.full_name for m in top_mentors()]
    assert names == ["Unrated Veteran", "Top Rated", "Same Rating More Sessions", "Same Rating Fewer Sessions"]


def test_mentor_card_shows_rating_domains_and_new_mentor(client):
    rated = make_user(Role.MENTOR, name="Meera Iyer")
    MentorProfile.objects.filter(user=rated).update(rating=Decimal("4.8"), rating_count=12, sessions_taught=30)
    rated.mentor_profile.domains.add(make_domain("Data Science"))
    make_user(Role.MENTOR, name="Karan Shah")
    body = client.get("/").content.decode()
    assert "Meera Iyer" in body and "4.8" in body and "(12 reviews)" in body and "Data Science" in body
    assert "30 sessions taught" in body
    assert "Karan Shah" in body and "New mentor" in body


def test_signed_in_hero_points_to_own_dashboard(client):
    client.force_login(make_user(Role.MENTOR))
    body = client.get("/").content.decode()
    assert "Go to your dashboard" in body and 'href="/dashboard/mentor/"' in body


@pytest.mark.skipif(connection.vendor != "postgresql", reason="plan check for PostgreSQL's planner")
def test_public_lists_read_their_first_rows_from_the_live_start_index() -> None:
    """Landing and the unfiltered catalogue order live-first, then by start: with 2,000 visible
    sessions PostgreSQL must walk session_live_start_idx and stop after the page, not sort them all
    (that sort was ~20 ms of database time per page with 10,000 sessions)."""
    from apps.site.selectors import SessionFilters, search_sessions

    _bulk_catalogue(2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_session")
        cursor.execute("ANALYZE accounts_user")
    with CaptureQueriesContext(connection) as ran:
        landing_sessions()
        list(search_sessions(SessionFilters())[:12])
    assert len(ran.captured_queries) == 2
    for query in ran.captured_queries:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + query["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        top = plan.split("SubPlan")[0]  # the seats subqueries run for the page's rows only
        assert "Index Scan using session_live_start_idx" in top, plan
        assert "Sort" not in top, plan
