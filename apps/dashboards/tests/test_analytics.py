from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.models import Role
from apps.bookings.models import Booking, BookingStatus
from apps.catalog.models import Follow
from apps.catalog.tests.factories import make_domain, make_session, make_user
from apps.payments import ledger
from apps.payments.models import Payment, PaymentItem, PaymentStatus
from apps.progress.models import Feedback

pytestmark = pytest.mark.django_db

URL = "/dashboard/mentor/analytics/"


def paid(booking: Booking, amount: int) -> None:
    payment = Payment.objects.create(
        learner=booking.learner,
        gateway="sandbox",
        receipt=f"pl_{uuid.uuid4().hex[:16]}",
        amount_paise=amount,
        status=PaymentStatus.PAID,
    )
    item = PaymentItem.objects.create(payment=payment, booking=booking, amount_paise=amount)
    ledger.record_booking_payment(item=item)


def scene(mentor, *, bookings: int, learners: list, days_ago: int = 10) -> None:
    """``bookings`` completed bookings over sessions of ten seats, half of them paid and rated."""
    prog, design = make_domain("Programming"), make_domain("Design")
    made = Booking.objects.filter(session__mentor=mentor).count()
    i = 0
    while made < bookings:
        domain = prog if i % 2 == 0 else design
        session = make_session(
            mentor=mentor,
            domain=domain,
            title=f"Clinic {i}",
            topics=["python" if domain == prog else "figma", "career"],
            start=timezone.now() - timedelta(days=days_ago, hours=3 * i),
            capacity=10,
            price_paise=50_000,
        )
        for learner in learners[:10]:
            if made >= bookings:
                break
            b = Booking.objects.create(
                session=session, learner=learner, status=BookingStatus.COMPLETED, price_paise=50_000
            )
            if made % 2 == 0:
                paid(b, 50_000)
                Feedback.objects.create(booking=b, session=session, mentor=mentor, learner=learner, rating=4 + made % 2)
            made += 1
        i += 1


def test_empty_state_is_honest(client):
    mentor = make_user(Role.MENTOR)
    client.force_login(mentor)
    page = client.get(URL).content.decode()
    for text in (
        "No sessions in this period",
        "No reviews in this period",
        "No followers yet",
        "No earnings in this period",
    ):
        assert text in page
    assert "<canvas" not in page


def test_figures_from_bookings_reviews_follows_and_ledger(client):
    mentor = make_user(Role.MENTOR)
    learners = [make_user(Role.LEARNER) for _ in range(10)]
    scene(mentor, bookings=14, learners=learners)
    # A cancelled booking and an old session outside the period do not count.
    Booking.objects.create(
        session=make_session(mentor=mentor, start=timezone.now() - timedelta(days=5)),
        learner=learners[0],
        status=BookingStatus.CANCELLED,
        price_paise=0,
    )
    for learner in learners[:3]:
        Follow.objects.create(follower=learner, mentor=mentor)
    client.force_login(mentor)
    r = client.get(URL, {"period": "30"})
    totals = r.context["totals"]
    assert totals["seats"] == 14
    assert totals["sessions"] == 3  # two of ten seats + the one with only a cancellation
    assert totals["capacity"] == 21 and totals["fill_rate"] == 67
    assert totals["followers"] == 3 and totals["new_followers"] == 3
    assert totals["learners"] == 10 and totals["repeat_learners"] == 4  # four learners booked twice
    assert totals["ratings"] == 7 and totals["rating"] == 4.0
    share = ledger.split_amount(50_000)[1]
    assert {e["domain"]: e["paise"] for e in r.context["earnings"]} == {"Programming": 5 * share, "Design": 2 * share}
    assert r.context["top_topics"][0] == {"topic": "career", "seats": 14, "sessions": 2}
    chart = r.context["chart"]
    assert sum(chart["sessions"]) == 3 and chart["followers"][-1] == 3
    page = r.content.decode()
    assert 'data-chart="sessions"' in page and 'id="analytics-data"' in page
    # Another mentor sees none of it.
    client.force_login(make_user(Role.MENTOR))
    assert client.get(URL).context["totals"]["seats"] == 0


def test_only_approved_mentors_open_it(client):
    assert client.get(URL).status_code == 302
    client.force_login(make_user(Role.LEARNER))
    assert client.get(URL)["Location"] == "/dashboard/learner/"
    client.force_login(make_user(Role.MENTOR, approved=False))
    assert client.get(URL)["Location"] == "/dashboard/mentor/"


@pytest.mark.parametrize(("period", "many"), [("30", 200), ("90", 200), ("365", 200), ("all", 1_000), ("bogus", 200)])
def test_query_count_is_flat_from_10_to_many_bookings(client, period, many):
    mentor = make_user(Role.MENTOR)
    learners = [make_user(Role.LEARNER) for _ in range(10)]
    client.force_login(mentor)
    # The first ten before the span of the later sessions (3 h apart from 3 days ago): on PostgreSQL
    # one mentor's sessions may not overlap.
    scene(mentor, bookings=10, learners=learners, days_ago=max(10, 3 + many * 3 // (10 * 24) + 2))
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL, {"period": period}).status_code == 200
    scene(mentor, bookings=many, learners=learners, days_ago=3)
    for learner in learners:
        Follow.objects.create(follower=learner, mentor=mentor)
    if connection.vendor == "postgresql":
        # Statistics for the rows just written, as autovacuum keeps them in a real database:
        # without them the planner picks nested loops that take minutes at 1,000 bookings.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    with CaptureQueriesContext(connection) as large:
        r = client.get(URL, {"period": period})
    assert r.context["totals"]["seats"] == many
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
