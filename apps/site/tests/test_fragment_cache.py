"""Cached listings (landing page, catalogue results) never show stale data and never carry one
viewer's page to another. Each change goes through the real service, and the commit hooks run (the
version is bumped after the commit, as in production)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.bookings import services as booking_services
from apps.catalog.services import SessionInput
from apps.catalog.tests.factories import make_session, make_user
from apps.core import versions
from apps.progress import services as progress_services
from apps.rooms.services import complete_session
from apps.rooms.tests.factories import trio
from apps.workflows import sessions as session_flows

pytestmark = pytest.mark.django_db

LISTINGS = ["/", "/sessions/"]


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("url", LISTINGS)
def test_a_booked_seat_shows_at_once(client, url, django_capture_on_commit_callbacks):
    s = make_session(title="Regex in practice", capacity=3, price_paise=0)
    assert "3 seats left" in page(client, url)
    assert "3 seats left" in page(client, url)  # served from the cache now
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.book_session(learner=make_user(), session=s)
    html = page(client, url)
    assert "2 seats left" in html and "3 seats left" not in html


@pytest.mark.parametrize("url", LISTINGS)
def test_an_edited_session_shows_at_once(client, url, django_capture_on_commit_callbacks):
    s = make_session(title="Pandas for beginners", price_paise=0)
    assert "Pandas for beginners" in page(client, url)
    data = SessionInput(
        title="Pandas, from zero",
        description=s.description,
        domain=s.domain,
        topics=list(s.topics),
        start=s.start,
        duration_minutes=s.duration_minutes,
        price_paise=s.price_paise,
        capacity=s.capacity,
        language=s.language,
    )
    with django_capture_on_commit_callbacks(execute=True):
        session_flows.edit_session(session=s, data=data)
    html = page(client, url)
    assert "Pandas, from zero" in html and "Pandas for beginners" not in html


@pytest.mark.parametrize("url", LISTINGS)
def test_a_cancelled_session_leaves_at_once(client, url, django_capture_on_commit_callbacks):
    s = make_session(title="Statistics office hours")
    assert "Statistics office hours" in page(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        session_flows.cancel_session(session=s, reason="Unwell")
    assert "Statistics office hours" not in page(client, url)


def test_a_new_rating_shows_on_the_landing_page_at_once(client, django_capture_on_commit_callbacks):
    mentor, learner, _o, s, b = trio(start=timezone.now() - timedelta(minutes=5))
    make_session(mentor=mentor, title="Another session")  # keeps the mentor listed
    with django_capture_on_commit_callbacks(execute=True):
        complete_session(session=s)
    b.refresh_from_db()
    assert "(1 review)" not in page(client, "/")
    with django_capture_on_commit_callbacks(execute=True):
        progress_services.submit_feedback(booking=b, learner=learner, rating=5)
    assert "(1 review)" in page(client, "/")


def test_without_a_commit_nothing_is_bumped(client):
    """The version moves only after the commit: a rolled-back change cannot poison the cache."""
    before = versions.current(versions.CATALOG)
    make_session(title="Never committed")  # inside the test's transaction, hooks not run
    assert versions.current(versions.CATALOG) == before


def test_per_viewer_parts_never_leak_between_users(client):
    make_session(title="Shared card", price_paise=0)
    alice = make_user(name="Alice Acharya")
    bob = make_user(name="Bobby Bhatt")
    for url in LISTINGS:
        client.force_login(alice)
        first = page(client, url)
        client.force_login(bob)
        second = page(client, url)  # the listings now come from the cache Alice filled
        assert "Shared card" in first and "Shared card" in second
        assert "Alice Acharya" in first and "Alice Acharya" not in second
        assert "Bobby Bhatt" in second
