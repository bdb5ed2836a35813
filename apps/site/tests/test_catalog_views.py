from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.models import Role
from apps.bookings import services as booking_services
from apps.catalog.models import Session
from apps.catalog.tests.factories import make_domain, make_session, make_user
from apps.core import versions

pytestmark = pytest.mark.django_db


def bulk_sessions(n: int, *, mentor=None, domain=None) -> None:
    mentor = mentor or make_user(Role.MENTOR, name="Bulk Mentor")
    domain = domain or make_domain("Data Science")
    base = timezone.now() + timedelta(days=1)
    rows = []
    for i in range(n):
        start = base + timedelta(hours=2 * i)
        rows.append(
            Session(
                mentor=mentor,
                domain=domain,
                title=f"Pandas clinic {i}",
                description="Dataframes in practice",
                topics=["pandas", "python"],
                start=start,
                duration_minutes=60,
                end=start + timedelta(minutes=60),
                price_paise=0 if i % 2 else 49_900,
                capacity=2,
            )
        )
    Session.objects.bulk_create(rows, batch_size=1000)


def count_queries(client, url: str, *, cold: bool = True) -> int:
    # Measure the cold path (the language list is cached for a minute; result fragments under the
    # catalogue's version, the searches' matches under the listing version). Delete just that key
    # and bump the versions: clear() would flush a Redis shared with the other xdist worker's tests.
    if cold:
        cache.delete("catalog:languages")
        versions.bump(versions.CATALOG)
        versions.bump(versions.LISTING)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/sessions/",
        "/sessions/?q=pandas&domain=data-science&sort=relevance",
        "/mentors/",
        "/mentors/?q=bulk",
    ],
)
def test_list_pages_query_count_does_not_grow_with_rows(client, url):
    bulk_sessions(10)
    small = count_queries(client, url)
    bulk_sessions(10_000 - 10)
    large = count_queries(client, url)
    # /sessions/: the sessions' fingerprint (cached search key), COUNT for the paginator, distinct
    # languages (cold cache), domains for the filter, the page (mentor/domain/profile joined, seats
    # as a subquery). A search sorted by relevance ranks every match by id and counts them in one
    # query (no COUNT), then reads the page's rows by id with their seats.
    # /mentors/: COUNT, domains for the filter, the page (user joined), the domains prefetch.
    expected = 4 if url.startswith("/mentors/") else 5
    assert small == large == expected


@pytest.mark.parametrize("url", ["/", "/sessions/", "/sessions/?q=pandas&sort=soonest"])
def test_a_cached_listing_costs_no_listing_queries(client, url):
    bulk_sessions(30)
    count_queries(client, url)
    warm = count_queries(client, url, cold=False)
    # The results fragment comes from the cache: what is left is the filter form's domain list
    # (and the session/user lookups of a signed-in request, none here).
    assert warm <= 1, warm


def test_session_detail_query_count_is_constant(client):
    bulk_sessions(10)
    first = Session.objects.order_by("id").first()
    learner = make_user()
    client.force_login(learner)
    small = count_queries(client, f"/sessions/{first.pk}/")
    bulk_sessions(10_000 - 10)
    assert count_queries(client, f"/sessions/{first.pk}/") == small


def test_search_filters_and_sorting(client):
    py = make_domain("Programming")
    ds = make_domain("Data Science")
    mentor = make_user(Role.MENTOR, name="Asha Rao")
    now = timezone.now()
    make_session(
        mentor=mentor,
        domain=py,
        title="Django deep dive",
        price_paise=0,
        start=now + timedelta(hours=5),
        topics=["django"],
    )
    make_session(
        domain=ds,
        title="Statistics for ML",
        price_paise=99_900,
        start=now + timedelta(days=3),
        topics=["stats"],
        language="Hindi",
    )
    make_session(domain=py, title="Rust basics", price_paise=20_000, start=now + timedelta(days=10), topics=["rust"])

    def titles(qs):
        return [s.title for s in client.get("/sessions/" + qs).context["sessions"]]

    assert titles("?q=django") == ["Django deep dive"]
    assert titles("?q=asha") == ["Django deep dive"]  # mentor name
    assert titles("?q=stats") == ["Statistics for ML"]  # topics
    assert titles("?domain=data-science") == ["Statistics for ML"]
    assert titles("?price=free") == ["Django deep dive"]
    assert set(titles("?price=paid")) == {"Statistics for ML", "Rust basics"}
    assert titles("?min_price=100&max_price=500") == ["Rust basics"]
    assert titles("?when=24h") == ["Django deep dive"]
    assert titles("?language=Hindi") == ["Statistics for ML"]
    assert titles("?sort=price_desc")[0] == "Statistics for ML"
    assert titles("?sort=price_asc")[0] == "Django deep dive"
    assert titles("?when=week") == ["Django deep dive", "Statistics for ML"]
    page = client.get("/sessions/?q=nothing-matches").content.decode()
    assert "No sessions match" in page


def test_filters_toggle_counts_the_filters_that_narrow_results(client):
    def badge(qs):
        html = client.get("/sessions/" + qs).content.decode()
        toggle = re.search(r'data-testid="filters-toggle">(.*?)</label>', html, re.S)
        assert toggle, "the phone's filters toggle is missing"
        found = re.search(r">(\d+)<span class=\"sr-only\"> active", toggle.group(1))
        return int(found.group(1)) if found else 0

    assert badge("") == 0
    assert badge("?sort=price_asc") == 0  # an order is not a filter
    assert badge("?q=django&price=free") == 2
    assert badge("?min_price=100&max_price=500&when=week&language=Hindi&seats=1&domain=x") == 5


def test_seats_filter_and_seat_counts(client):
    full = make_session(title="Full one", capacity=1)
    make_session(title="Open one", capacity=3)
    booking_services.book_session(learner=make_user(), session=full)
    assert [s.title for s in client.get("/sessions/?seats=1").context["sessions"]] == ["Open one"]
    html = client.get("/sessions/").content.decode()
    assert "Fully booked" in html and "3 seats left" in html


def test_load_more_returns_a_fragment(client):
    bulk_sessions(30)
    response = client.get("/sessions/?page=2", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'hx-swap-oob="beforeend:#session-grid"' in html and "<html" not in html
    assert html.count('data-testid="session-card"') == 12


def test_session_detail_shows_policy_and_booking_buttons(client):
    paid = make_session(price_paise=49_900, agenda=[{"title": "Warm-up", "minutes": 10}])
    client.force_login(make_user())
    html = client.get(f"/sessions/{paid.pk}/").content.decode()
    assert "Cancellation policy" in html and "50% refund" in html and "Warm-up" in html
    assert 'data-testid="book-button"' in html and 'data-testid="add-to-cart"' in html
    assert client.get("/sessions/999999/").status_code == 404


def test_book_free_session_via_view_and_mentor_sees_it(client):
    session = make_session(price_paise=0, capacity=2)
    learner = make_user(name="Lina Learner")
    client.force_login(learner)
    response = client.post(f"/sessions/{session.pk}/book/")
    assert response.status_code == 302 and response["Location"] == "/dashboard/learner/bookings/"
    assert "Booked!" in client.get("/dashboard/learner/bookings/").content.decode()
    client.force_login(session.mentor)
    html = client.get("/dashboard/mentor/sessions/?tab=upcoming").content.decode()
    assert "Lina Learner" in html and "1 of 2 seats booked" in html


def test_book_paid_session_goes_to_checkout_with_sandbox_label(client):
    session = make_session(price_paise=49_900)
    client.force_login(make_user())
    response = client.post(f"/sessions/{session.pk}/book/")
    assert response.status_code == 302 and response["Location"].startswith("/payments/checkout/")
    html = client.get(response["Location"]).content.decode()
    assert "Sandbox payments" in html and "₹499" in html and "/sandbox/razorpay/checkout/order_" in html


def test_anonymous_book_goes_to_login_and_mentor_cannot_book(client):
    session = make_session()
    response = client.post(f"/sessions/{session.pk}/book/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(make_user(Role.MENTOR))
    response = client.post(f"/sessions/{session.pk}/book/")
    assert response.status_code == 302 and not session.bookings.exists()


def test_mentor_creates_edits_and_cancels_a_session(client):
    mentor = make_user(Role.MENTOR)
    domain = make_domain()
    client.force_login(mentor)
    start = timezone.localtime(timezone.now() + timedelta(days=2), timezone.get_fixed_timezone(330)).strftime(
        "%Y-%m-%dT%H:%M"
    )
    data = {
        "title": "Async Python",
        "description": "Event loops",
        "domain": domain.pk,
        "topics": "asyncio, python",
        "start": start,
        "duration_minutes": 90,
        "price_rupees": "499",
        "capacity": 3,
        "language": "English",
        "agenda": "10 Warm-up\n60 Live coding",
    }
    response = client.post("/dashboard/mentor/sessions/new/", data)
    assert response.status_code == 302
    session = Session.objects.get(title="Async Python")
    assert session.price_paise == 49_900 and session.agenda == [
        {"minutes": 10, "title": "Warm-up"},
        {"minutes": 60, "title": "Live coding"},
    ]
    assert session.topics == ["asyncio", "python"]
    # Overlap with itself (another session at the same time) is refused next to the field.
    again = client.post("/dashboard/mentor/sessions/new/", data | {"title": "Clash"})
    assert again.status_code == 200 and "You already have a session then." in again.content.decode()
    assert 'value="Clash"' in again.content.decode()  # typed data kept
    # Bad price and duration
    bad = client.post(
        "/dashboard/mentor/sessions/new/",
        data | {"title": "X", "price_rupees": "20", "duration_minutes": 5, "start": "2020-01-01T10:00"},
    )
    text = bad.content.decode()
    assert "between ₹50 and ₹1,00,000" in text and "between 15 and 240" in text and "at least 30 minutes" in text
    # Edit
    edit = client.post(f"/dashboard/mentor/sessions/{session.pk}/edit/", data | {"title": "Async Python 2"})
    assert edit.status_code == 302
    session.refresh_from_db()
    assert session.title == "Async Python 2"
    # Another mentor cannot edit or cancel it
    client.force_login(make_user(Role.MENTOR))
    assert client.get(f"/dashboard/mentor/sessions/{session.pk}/edit/").status_code == 404
    assert client.post(f"/dashboard/mentor/sessions/{session.pk}/cancel/").status_code == 404
    client.force_login(mentor)
    assert "Cancel “Async Python 2”?" in client.get(f"/dashboard/mentor/sessions/{session.pk}/cancel/").content.decode()
    client.post(f"/dashboard/mentor/sessions/{session.pk}/cancel/", {"reason": "ill"})
    session.refresh_from_db()
    assert session.status == "cancelled"


def test_unapproved_mentor_cannot_manage_sessions(client):
    client.force_login(make_user(Role.MENTOR, approved=False))
    assert client.get("/dashboard/mentor/sessions/new/").status_code == 302


def test_mentor_directory_and_profile_tabs(client):
    mentor = make_user(Role.MENTOR, name="Ravi Kumar")
    mentor.mentor_profile.bio = "Backend engineer"
    mentor.mentor_profile.save()
    mentor.mentor_profile.domains.add(make_domain("Programming"))
    make_user(Role.MENTOR, name="Pending Person", approved=False)
    make_session(mentor=mentor, title="Soon session", start=timezone.now() + timedelta(hours=3))
    html = client.get("/mentors/?q=ravi").content.decode()
    assert "Ravi Kumar" in html and "Pending Person" not in html
    assert "Ravi Kumar" in client.get("/mentors/?next24h=1&domain=programming").content.decode()
    assert "Ravi Kumar" not in client.get("/mentors/?rating=4").content.decode()
    assert "Backend engineer" in client.get(f"/mentors/{mentor.pk}/").content.decode()
    assert "Soon session" in client.get(f"/mentors/{mentor.pk}/?tab=sessions").content.decode()
    assert "No reviews yet" in client.get(f"/mentors/{mentor.pk}/?tab=reviews").content.decode()
    pending = make_user(Role.MENTOR, approved=False)
    assert client.get(f"/mentors/{pending.pk}/").status_code == 404


def test_cart_page_and_cancel_page_three_actors(client):
    learner = make_user()
    s1 = make_session(price_paise=10_000, title="Cart A")
    client.force_login(learner)
    client.post(f"/cart/add/{s1.pk}/")
    html = client.get("/cart/").content.decode()
    assert "Cart A" in html and "₹100" in html
    booking = booking_services.book_session(
        learner=learner, session=make_session(price_paise=0, start=timezone.now() + timedelta(hours=30))
    )
    assert "No payment was taken" in client.get(f"/dashboard/learner/bookings/{booking.pk}/cancel/").content.decode()
    client.force_login(make_user())
    assert client.get(f"/dashboard/learner/bookings/{booking.pk}/cancel/").status_code == 404
    client.force_login(booking.session.mentor)
    assert client.get(f"/dashboard/learner/bookings/{booking.pk}/cancel/").status_code == 302


def test_relevance_puts_title_matches_first(client):
    make_session(title="Intro to statistics", description="Numbers", topics=["maths"])
    make_session(title="Cooking basics", description="We mention statistics once", topics=["food"])
    titles = [s.title for s in client.get("/sessions/?q=statistics&sort=relevance").context["sessions"]]
    assert titles == ["Intro to statistics", "Cooking basics"]


def test_session_thumbnail_is_checked_by_content(client, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    mentor = make_user(Role.MENTOR)
    client.force_login(mentor)
    start = timezone.localtime(timezone.now() + timedelta(days=4), timezone.get_fixed_timezone(330)).strftime(
        "%Y-%m-%dT%H:%M"
    )
    base = {
        "title": "Thumb",
        "description": "d",
        "domain": make_domain().pk,
        "topics": "x",
        "start": start,
        "duration_minutes": 30,
        "price_rupees": "0",
        "capacity": 1,
        "language": "English",
    }
    fake = SimpleUploadedFile("evil.png", b"<?php echo 1; ?>", content_type="image/png")
    bad = client.post("/dashboard/mentor/sessions/new/", base | {"thumbnail": fake})
    assert bad.status_code == 200 and not Session.objects.filter(title="Thumb").exists()
    buf = io.BytesIO()
    Image.new("RGB", (64, 36), "orange").save(buf, format="PNG")
    good = SimpleUploadedFile("t.png", buf.getvalue(), content_type="image/png")
    assert client.post("/dashboard/mentor/sessions/new/", base | {"thumbnail": good}).status_code == 302
    assert Session.objects.get(title="Thumb").thumbnail.name.endswith(".png")


def test_mentor_reviews_tab_lists_feedback(client):
    from apps.progress.models import Feedback

    mentor = make_user(Role.MENTOR, name="Reviewed Mentor")
    session = make_session(mentor=mentor, title="Reviewed session")
    learner = make_user(name="Happy Learner")
    booking = booking_services.book_session(learner=learner, session=session)
    Feedback.objects.create(
        booking=booking, session=session, mentor=mentor, learner=learner, rating=5, comment="Very clear"
    )
    html = client.get(f"/mentors/{mentor.pk}/?tab=reviews").content.decode()
    assert "Very clear" in html and "Happy Learner" in html and "★ 5/5" in html


def listed_ids(response) -> list[int]:
    """The sessions a catalogue page links to, in order (cached pages carry no template context)."""
    seen: list[int] = []
    for pk in re.findall(r'href="/sessions/(\d+)/"', response.content.decode()):
        if int(pk) not in seen:
            seen.append(int(pk))
    return seen


def test_a_booking_shows_new_seats_without_running_the_search_again(client, django_capture_on_commit_callbacks):
    """A booking moves the catalogue's version (the cards show seats) but not the listing's: the
    page re-renders with the new seats from one query by id, no COUNT and no search."""
    bulk_sessions(30)
    url = "/sessions/?q=pandas&sort=soonest"
    count_queries(client, url)  # cold: searches and caches the page's matches
    listed = listed_ids(client.get(url))
    assert len(listed) == 12
    assert "1 seat left" not in client.get(url).content.decode()
    learner = make_user()
    listing = versions.current(versions.LISTING)
    with django_capture_on_commit_callbacks(execute=True):  # versions move after the commit
        booking_services.book_session(learner=learner, session=Session.objects.get(pk=listed[0]))
    assert versions.current(versions.LISTING) == listing
    with CaptureQueriesContext(connection) as ran:
        response = client.get(url)
    sql = [q["sql"].upper() for q in ran.captured_queries]
    assert sql, "the booking should have made the page render afresh"
    assert not any("LIKE" in q for q in sql), sql  # the search's filter did not run
    assert not any("COUNT(*)" in q and "BOOKINGS_BOOKING" not in q for q in sql), sql  # nor its COUNT
    assert listed_ids(response) == listed
    html = response.content.decode()
    assert html.count("1 seat left") == 1
    assert "30 sessions" in html


def test_an_edit_is_searched_afresh_and_a_started_session_leaves_the_cached_page(
    client, django_capture_on_commit_callbacks
):
    bulk_sessions(5)
    url = "/sessions/?q=pandas"
    count_queries(client, url)
    listed = listed_ids(client.get(url))
    assert len(listed) == 5
    # An edit saved through the model moves the listing's version: the search runs again.
    renamed = Session.objects.get(pk=listed[0])
    renamed.title = "Statistics hour"
    renamed.description = "Distributions"
    renamed.topics = ["statistics"]
    with django_capture_on_commit_callbacks(execute=True):
        renamed.save()
    assert listed_ids(client.get(url)) == listed[1:]
    # A session whose start passes while its page is cached (no row change, no version move) is
    # dropped when the page is read, once the cards render again (a booking elsewhere, say).
    started = timezone.now() - timedelta(minutes=1)
    Session.objects.filter(pk=listed[1]).update(start=started, end=started + timedelta(minutes=60))
    versions.bump(versions.CATALOG)
    assert listed_ids(client.get(url)) == listed[2:]


def test_sessions_written_by_another_process_are_searched_afresh(client):
    """In the embedded profile each process has its own cache, so a session written elsewhere (a
    management command, a test's setup) cannot move this process's listing version: the sessions'
    fingerprint in the key catches it."""
    bulk_sessions(3)
    url = "/sessions/?q=pandas"
    count_queries(client, url)
    assert len(listed_ids(client.get(url))) == 3
    bulk_sessions(1)  # bulk_create: no signals, no version moves, as if from another process
    versions.bump(versions.CATALOG)  # the cards render again (a booking through this process, say)
    assert len(listed_ids(client.get(url))) == 4


def test_a_relevance_page_past_the_end_is_the_last_page_as_the_paginator_gives_it():
    from apps.site.selectors import SessionFilters, counted_page, search_sessions

    for i in range(5):
        make_session(title=f"Statistics {i}")
    search = SessionFilters(q="statistics")
    page = counted_page(search_sessions(search), "2", 2)
    assert (page.number, page.paginator.count, page.paginator.num_pages, len(page.object_list)) == (2, 5, 3, 2)
    page = counted_page(search_sessions(search), "9", 2)
    assert (page.number, page.paginator.count, len(page.object_list)) == (3, 5, 1)
    for odd in ("x", None, ""):
        assert counted_page(search_sessions(search), odd, 2).number == 1
    assert counted_page(search_sessions(SessionFilters(q="nothing-like-it")), "1", 2).paginator.count == 0
