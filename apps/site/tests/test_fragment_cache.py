"""Cached fragments (landing page, catalogue results, a session's page) never show stale data and never carry one
viewer's page to another. Each change goes through the real service, and the commit hooks run (the
version is bumped after the commit, as in production)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.bookings import services as booking_services
from apps.catalog import services as catalog_services
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


def retitle(s, title: str) -> None:
    """Edit the session through the real workflow, changing only its title."""
    fields = ("description", "domain", "start", "duration_minutes", "price_paise", "capacity", "language")
    data = SessionInput(title=title, topics=list(s.topics), **{f: getattr(s, f) for f in fields})
    session_flows.edit_session(session=s, data=data)


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
    with django_capture_on_commit_callbacks(execute=True):
        retitle(s, "Pandas, from zero")
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


# --- a session's own page (its shared parts are cached per catalogue version too) -------------


def detail(client, s) -> str:
    return page(client, f"/sessions/{s.pk}/")


def test_the_session_page_shows_a_booked_seat_an_edit_and_a_cancellation_at_once(
    client, django_capture_on_commit_callbacks
):
    s = make_session(title="SQL joins, slowly", capacity=3, price_paise=0)
    assert "3 seats left" in detail(client, s)
    assert "3 seats left" in detail(client, s)  # from the cache now
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.book_session(learner=make_user(), session=s)
    html = detail(client, s)
    assert "2 seats left" in html and "3 seats left" not in html
    with django_capture_on_commit_callbacks(execute=True):
        retitle(s, "SQL joins, quickly")
    html = detail(client, s)
    assert "SQL joins, quickly" in html and "SQL joins, slowly" not in html
    assert 'data-testid="cancelled-banner"' not in html and 'data-testid="book-button"' in html
    with django_capture_on_commit_callbacks(execute=True):
        session_flows.cancel_session(session=s, reason="Unwell")
    html = detail(client, s)
    assert 'data-testid="cancelled-banner"' in html and 'data-testid="book-button"' not in html


def test_the_session_page_shows_a_new_rating_at_once(client, django_capture_on_commit_callbacks):
    mentor, learner, _o, s, b = trio(start=timezone.now() - timedelta(minutes=5))
    upcoming = make_session(mentor=mentor, title="Next one")
    with django_capture_on_commit_callbacks(execute=True):
        complete_session(session=s)
    b.refresh_from_db()
    assert "★" not in detail(client, upcoming)
    with django_capture_on_commit_callbacks(execute=True):
        progress_services.submit_feedback(booking=b, learner=learner, rating=5)
    assert "★ 5.0 (1)" in detail(client, upcoming)


def test_the_session_page_never_carries_one_viewers_booking_to_another(client, django_capture_on_commit_callbacks):
    s = make_session(title="Shared page", capacity=5, price_paise=0)
    alice = make_user(name="Alice Acharya")
    bob = make_user(name="Bobby Bhatt")
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.book_session(learner=alice, session=s)
    client.force_login(alice)
    mine = detail(client, s)
    client.force_login(bob)
    theirs = detail(client, s)  # the shared parts come from the cache Alice's visit filled
    client.logout()
    anonymous = detail(client, s)
    assert 'data-testid="already-booked"' in mine and 'data-testid="book-button"' not in mine
    for html in (theirs, anonymous):
        assert 'data-testid="already-booked"' not in html and 'data-testid="book-button"' in html
        assert "4 seats left" in html
    assert "Alice Acharya" in mine and "Alice Acharya" not in theirs + anonymous


def test_a_missing_or_hidden_session_is_a_404_and_the_warm_page_costs_one_query(client, django_assert_num_queries):
    assert client.get("/sessions/987654/").status_code == 404
    s = make_session(title="Warm page")
    detail(client, s)
    with django_assert_num_queries(1):  # the session's seats, counted for the key
        assert "Warm page" in detail(client, s)


def test_a_booking_of_another_session_leaves_the_session_page_cached(
    client, django_capture_on_commit_callbacks, django_assert_num_queries
):
    """Seats move with every booking of any session; a session's page follows its own seats only
    (it was rebuilt, recommendations included, after every booking anywhere)."""
    s = make_session(title="Stays cached", capacity=4, price_paise=0)
    other = make_session(title="Gets booked", capacity=4, price_paise=0)
    detail(client, s)
    seats = versions.current(versions.SEATS)
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.book_session(learner=make_user(), session=other)
    assert versions.current(versions.SEATS) > seats
    with django_assert_num_queries(1):
        html = detail(client, s)
    assert "Stays cached" in html and "4 seats left" in html
    html = detail(client, other)
    assert "3 seats left" in html and "4 seats left" not in html


def test_the_mentor_header_stays_cached_after_a_booking_and_the_sessions_tab_shows_it(
    client, django_capture_on_commit_callbacks, django_assert_num_queries
):
    s = make_session(title="Mentor's clinic", capacity=4, price_paise=0)
    about, sessions = f"/mentors/{s.mentor_id}/", f"/mentors/{s.mentor_id}/?tab=sessions"
    page(client, about)
    assert "4 seats left" in page(client, sessions)
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.book_session(learner=make_user(), session=s)
    with django_assert_num_queries(0):
        page(client, about)
    html = page(client, sessions)
    assert "3 seats left" in html and "4 seats left" not in html


# --- a mentor's profile -----------------------------------------------------------------------


def test_the_mentor_profile_shows_a_new_rating_and_session_at_once(client, django_capture_on_commit_callbacks):
    mentor, learner, _o, s, b = trio(start=timezone.now() - timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        complete_session(session=s)
    b.refresh_from_db()
    assert "New mentor" in page(client, f"/mentors/{mentor.pk}/")
    assert "Fresh topic" not in page(client, f"/mentors/{mentor.pk}/?tab=sessions")
    with django_capture_on_commit_callbacks(execute=True):
        progress_services.submit_feedback(booking=b, learner=learner, rating=4, comment="Clear and kind")
        make_session(mentor=mentor, title="Fresh topic")
    assert "★ 4.0 · 1 review" in page(client, f"/mentors/{mentor.pk}/")
    assert "Fresh topic" in page(client, f"/mentors/{mentor.pk}/?tab=sessions")
    assert "Clear and kind" in page(client, f"/mentors/{mentor.pk}/?tab=reviews")


def test_only_the_mentor_sees_reply_forms_whoever_filled_the_cache(client, django_capture_on_commit_callbacks):
    mentor, learner, _o, s, b = trio(start=timezone.now() - timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        complete_session(session=s)
    b.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        progress_services.submit_feedback(booking=b, learner=learner, rating=5, comment="Great")
    url = f"/mentors/{mentor.pk}/?tab=reviews"
    client.force_login(learner)
    assert "Reply publicly" not in page(client, url)
    client.force_login(mentor)
    assert "Reply publicly" in page(client, url)
    client.logout()
    assert "Reply publicly" not in page(client, url)


def test_a_warm_mentor_profile_costs_no_query_and_a_follow_shows_at_once(
    client, django_assert_num_queries, django_capture_on_commit_callbacks
):
    mentor = make_session(title="Warm profile").mentor
    assert client.get("/mentors/987654/").status_code == 404
    assert "0 followers" in page(client, f"/mentors/{mentor.pk}/")
    with django_assert_num_queries(0):
        page(client, f"/mentors/{mentor.pk}/")
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.follow(follower=make_user(), mentor=mentor)
    assert "1 follower<" in page(client, f"/mentors/{mentor.pk}/")


def test_the_catalogue_filter_form_is_cached_per_query_and_shows_each_querys_own_values(client):
    make_session(title="Form check")
    first = page(client, "/sessions/?q=%3Cb%3Ebold%3C%2Fb%3E&from=2026-12-05&price=free")
    again = page(client, "/sessions/?q=%3Cb%3Ebold%3C%2Fb%3E&from=2026-12-05&price=free")  # from the cache
    other = page(client, "/sessions/?q=pandas&to=2026-12-09")
    for html in (first, again):
        assert 'value="&lt;b&gt;bold&lt;/b&gt;"' in html and "<b>bold</b>" not in html
        assert 'name="from" type="date" class="input" value="2026-12-05"' in html
        assert 'value="free" checked' in html
    assert 'value="pandas"' in other and "&lt;b&gt;bold" not in other
    assert 'name="to" type="date" class="input" value="2026-12-09"' in other
    assert 'value="free" checked' not in other


def test_the_cached_visitor_header_follows_the_page_and_never_reaches_a_signed_in_user(client):
    sessions, mentors = page(client, "/sessions/"), page(client, "/mentors/")
    page(client, "/sessions/")  # the header now comes from the cache
    assert 'href="/sessions/" class="nav-link px-4" aria-current="page"' in sessions
    assert 'href="/mentors/" class="nav-link px-4" aria-current="page"' in mentors
    assert 'href="/sessions/" class="nav-link px-4" aria-current="page"' not in mentors
    client.force_login(make_user(name="Chitra Chawla"))
    signed_in = page(client, "/sessions/")
    assert "Chitra Chawla" in signed_in and 'href="/login/"' not in signed_in
