from __future__ import annotations

import math
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.accounts.models import MentorProfile
from apps.bookings.models import Booking
from apps.progress import selectors, services
from apps.progress.models import Feedback
from apps.rooms.services import complete_session
from apps.rooms.tests.factories import session, trio, user

pytestmark = pytest.mark.django_db


def test_rating_formula_weights_recent_ratings_more():
    now = timezone.now()
    assert services.mentor_rating([], now=now) is None
    ratings = [services.Rated(5, now), services.Rated(1, now - timedelta(days=100))]
    w_old = math.exp(-1.0)
    weighted = (5 + 1 * w_old) / (1 + w_old)
    expected = round(0.75 * weighted + 0.25 * 3, 1)
    assert services.mentor_rating(ratings, now=now) == Decimal(str(expected))
    assert services.mentor_rating([services.Rated(4, now)], now=now) == Decimal("4.0")
    # Rounds half up to one decimal: 4.25 -> 4.3
    assert services.mentor_rating(
        [services.Rated(4, now), services.Rated(4, now), services.Rated(5, now), services.Rated(4, now)], now=now
    ) == Decimal("4.3")


def _completed():
    mentor, learner, outsider, s, b = trio(start=timezone.now() - timedelta(minutes=5))
    complete_session(session=s)
    b.refresh_from_db()
    return mentor, learner, outsider, s, b


def test_feedback_updates_mentor_rating_and_review_list():
    mentor, learner, _o, _s, b = _completed()
    services.submit_feedback(booking=b, learner=learner, rating=4, comment="Clear and patient <b>teacher</b>")
    profile = MentorProfile.objects.get(user=mentor)
    assert (profile.rating, profile.rating_count, profile.sessions_taught) == (Decimal("4.0"), 1, 1)
    reviews = list(selectors.reviews_for_mentor(mentor))
    assert [(r.rating, r.comment, r.learner.full_name, r.session.title) for r in reviews] == [
        (4, "Clear and patient <b>teacher</b>", "Lalit Learner", "Python basics")
    ]


def test_feedback_once_per_completed_booking_by_its_learner_only():
    _mentor, learner, outsider, _s, b = _completed()
    with pytest.raises(services.FeedbackError):
        services.submit_feedback(booking=b, learner=outsider, rating=5)
    with pytest.raises(services.FeedbackError):
        services.submit_feedback(booking=b, learner=learner, rating=6)
    services.submit_feedback(booking=b, learner=learner, rating=5)
    with pytest.raises(services.FeedbackError):
        services.submit_feedback(booking=b, learner=learner, rating=3)
    assert Feedback.objects.count() == 1


def test_feedback_not_before_the_session_ends():
    _m, learner, _o, _s, b = trio()
    with pytest.raises(services.FeedbackError):
        services.submit_feedback(booking=b, learner=learner, rating=5)


def test_reviews_selector_is_one_query(django_assert_num_queries):
    mentor, learner, _o, _s, b = _completed()
    services.submit_feedback(booking=b, learner=learner, rating=5, comment="Great")
    for i in range(3):  # earlier sessions of the same mentor (no overlap), each rated
        s2 = session(mentor, start=timezone.now() - timedelta(days=i + 1))
        l2 = user("learner")
        b2 = Booking.objects.create(session=s2, learner=l2, status="confirmed")
        complete_session(session=s2)
        b2.refresh_from_db()
        services.submit_feedback(booking=b2, learner=l2, rating=4)
    with django_assert_num_queries(1):  # feedback JOIN learner JOIN session
        rows = [(r.learner.full_name, r.session.title) for r in selectors.reviews_for_mentor(mentor)]
    assert len(rows) == 4


def test_feedback_view_owner_counterparty_outsider(client):
    mentor, learner, outsider, _s, b = _completed()
    url = f"/feedback/{b.pk}/"
    client.force_login(outsider)
    assert client.post(url, {"rating": "5"}).status_code == 404
    client.force_login(mentor)
    assert client.post(url, {"rating": "5"}).status_code == 302  # wrong role -> own dashboard
    assert not Feedback.objects.exists()
    client.force_login(learner)
    bad = client.post(url, {"rating": "0"}, HTTP_ACCEPT="application/json")
    assert bad.status_code == 400 and bad.json()["field"] == "rating"
    ok = client.post(url, {"rating": "5", "comment": "Loved it"}, HTTP_ACCEPT="application/json")
    assert ok.status_code == 200 and ok.json()["ok"] is True
    assert Feedback.objects.get().comment == "Loved it"
    admin = user("admin")
    client.force_login(admin)
    assert client.post(url, {"rating": "5"}).status_code == 302
