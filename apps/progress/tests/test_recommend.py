from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.services import update_profile
from apps.bookings.models import BookingStatus
from apps.catalog import services as catalog
from apps.catalog.tests.factories import make_domain, make_session, make_user
from apps.core import versions
from apps.progress import recommend
from apps.workflows import booking as booking_flows
from apps.workflows import follows as follow_flows
from tests.factories import BookingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_caches():
    # Each test has its own cache key prefix (conftest.py); cache.clear() would flush a Redis shared
    # with the other xdist worker, wiping its rate-limit counters mid-test.
    recommend.clear_caches()
    yield
    recommend.clear_caches()


def soon(days: float = 2) -> object:
    return timezone.now() + timedelta(days=days)


def titles(recs: list[recommend.Recommendation]) -> list[str]:
    return [r.session.title for r in recs if r.session is not None]


def test_ranked_by_interest_with_the_reason_and_exclusions():
    prog, design = make_domain("Programming"), make_domain("Design")
    learner = make_user(Role.LEARNER, interests=["Python", "Machine learning"], career_goal="")
    mentor = make_user(Role.MENTOR)
    python = make_session(mentor=mentor, title="Python testing with pytest", topics=["python", "pytest"], domain=prog)
    make_session(title="Figma for beginners", topics=["figma", "ui"], domain=design)
    booked = make_session(title="Python packaging", topics=["python"], domain=prog, capacity=3)
    BookingFactory(session=booked, learner=learner)
    full = make_session(title="Python async", topics=["python", "asyncio"], domain=prog, capacity=1)
    BookingFactory(session=full, learner=make_user(Role.LEARNER))
    past = make_session(title="Python old", topics=["python"], domain=prog, start=timezone.now() + timedelta(hours=1))

    recs = recommend.recommend_for(learner, limit=6)
    assert set(titles(recs)[:2]) == {python.title, past.title}
    assert recs[0].reason == recs[1].reason == "Because you like Python"
    assert titles(recs)[-1] == "Figma for beginners"  # no match: last
    assert booked.title not in titles(recs) and full.title not in titles(recs)
    # A session that started after the list was cached is dropped on read.
    later = recommend.recommend_for(learner, limit=6, now=timezone.now() + timedelta(hours=2))
    assert past.title in titles(recs) and past.title not in titles(later)


def test_own_sessions_are_never_recommended_to_their_mentor():
    mentor = make_user(Role.MENTOR)
    make_session(mentor=mentor, title="Python by me", topics=["python"])
    other = make_session(title="Python by someone else", topics=["python"])
    index = recommend.build_index()
    signals = recommend.Signals(learner_id=mentor.pk, queries=[recommend.Query("python", "interest", 1.0)])
    ranked = index.rank(signals, now=timezone.now().timestamp(), limit=5)
    assert [s.key for s in ranked] == [other.pk]


def test_followed_mentor_is_lifted_and_says_so(django_capture_on_commit_callbacks):
    learner = make_user(Role.LEARNER, interests=["Cooking"])
    liked = make_user(Role.MENTOR)
    make_session(title="Rust ownership", topics=["rust"], mentor=make_user(Role.MENTOR))
    theirs = make_session(title="Go concurrency", topics=["go"], mentor=liked)
    before = recommend.recommend_for(learner)
    assert all(r.reason != "From a mentor you follow" for r in before)
    with django_capture_on_commit_callbacks(execute=True):  # versions move when the change commits
        catalog.follow(follower=learner, mentor=liked)  # bumps the learner's version: no stale list
    after = recommend.recommend_for(learner)
    assert after[0].session == theirs and after[0].reason == "From a mentor you follow"
    # Both a match and a followed mentor: the reason names both.
    with django_capture_on_commit_callbacks(execute=True):  # a new session moves the listing: index rebuilt
        cooking = make_session(title="Cooking dal", topics=["cooking"], mentor=liked, start=soon(5))
        catalog.unfollow(follower=learner, mentor=liked)
        catalog.follow(follower=learner, mentor=liked)
    reasons = {r.session.pk: r.reason for r in recommend.recommend_for(learner) if r.session}
    assert reasons[cooking.pk] == "Because you like Cooking, from a mentor you follow"
    # Mentors are suggested for a match, never just for a date; followed ones are not suggested.
    assert all(r.reason.startswith("Because") for r in recommend.recommend_mentors_for(learner))
    assert liked.pk not in {r.mentor.user_id for r in recommend.recommend_mentors_for(learner) if r.mentor}


def test_cached_until_an_input_changes(django_capture_on_commit_callbacks):
    learner = make_user(Role.LEARNER, interests=["Python"])
    first = make_session(title="Python basics", topics=["python"], capacity=3)
    make_session(title="Kotlin coroutines", topics=["kotlin"], start=soon(4))
    recs = recommend.recommend_for(learner)
    assert titles(recs)[0] == "Python basics" and recs[0].reason == "Because you like Python"
    # A session created behind the services' back (no commit, so no version moves) is not seen:
    # the list is cached.
    make_session(title="Python hidden", topics=["python"], start=soon(2))
    assert "Python hidden" not in titles(recommend.recommend_for(learner))
    # A committed new session moves the catalogue's versions: recomputed on a rebuilt index.
    with django_capture_on_commit_callbacks(execute=True):
        make_session(title="Python advanced", topics=["python"], start=soon(1))
    assert "Python advanced" in titles(recommend.recommend_for(learner))

    # A profile change through the service bumps the learner's version: recomputed.
    with django_capture_on_commit_callbacks(execute=True):  # versions move when the change commits
        update_profile(user=learner, interests=["Kotlin"])
    recs = recommend.recommend_for(learner)
    assert titles(recs)[0] == "Kotlin coroutines" and recs[0].reason == "Because you like Kotlin"
    assert "Python advanced" in titles(recs)
    # Booking through the flow: the booked session leaves the list.
    with django_capture_on_commit_callbacks(execute=True):
        booking, _payment = booking_flows.book_and_pay(learner=learner, session=first)
    assert booking.status == BookingStatus.CONFIRMED
    assert first.title not in titles(recommend.recommend_for(learner))


def test_publishing_a_session_refreshes_lists(django_capture_on_commit_callbacks):
    learner = make_user(Role.LEARNER, interests=["Kotlin"])
    make_session(title="Python basics", topics=["python"])
    assert "Kotlin" not in " ".join(titles(recommend.recommend_for(learner)))
    mentor = make_user(Role.MENTOR)
    data = catalog.SessionInput(
        title="Kotlin coroutines",
        description="Structured concurrency",
        domain=make_domain(),
        start=soon(3),
        duration_minutes=60,
        topics=["kotlin"],
    )
    with django_capture_on_commit_callbacks(execute=True):  # the catalogue's version moves on commit
        follow_flows.publish_session(mentor=mentor, data=data)
    recs = recommend.recommend_for(learner)
    assert recs[0].session is not None and recs[0].session.title == "Kotlin coroutines"
    assert recs[0].reason == "Because you like Kotlin"


def test_past_booked_topics_and_goal_give_reasons():
    learner = make_user(Role.LEARNER, interests=[], career_goal="Become a data engineer")
    done = make_session(title="Spark joins", topics=["spark"], capacity=2)
    BookingFactory(session=done, learner=learner, status=BookingStatus.COMPLETED)
    make_session(title="Spark streaming", topics=["spark", "streaming"])
    make_session(title="Data engineer interview prep", topics=["interviews"])
    reasons = {r.session.title: r.reason for r in recommend.recommend_for(learner) if r.session}
    assert reasons["Spark streaming"] == "Because you booked spark"
    assert reasons["Data engineer interview prep"] == "Fits your goal: Become a data engineer"


def test_dashboard_loads_recommendations_and_session_page_shows_more_like_this(client):
    learner = make_user(Role.LEARNER, interests=["Python"])
    s = make_session(title="Python testing", topics=["python", "pytest"])
    make_session(title="Python typing", topics=["python", "mypy"])
    client.force_login(learner)
    home = client.get("/dashboard/learner/").content.decode()
    assert 'hx-get="/dashboard/learner/recommendations/"' in home and "<noscript>" in home
    part = client.get("/dashboard/learner/recommendations/", HTTP_HX_REQUEST="true").content.decode()
    assert "Python testing" in part and "Because you like Python" in part and "<html" not in part
    page = client.get("/dashboard/learner/recommendations/").content.decode()  # without JavaScript
    assert "<html" in page and "Because you like Python" in page
    detail = client.get(f"/sessions/{s.pk}/").content.decode()
    assert "More like this" in detail and "Python typing" in detail and "Also about python" in detail
    # A learner with nothing to go on still sees upcoming sessions, explained honestly.
    client.force_login(make_user(Role.LEARNER, interests=[]))
    part = client.get("/dashboard/learner/recommendations/", HTTP_HX_REQUEST="true").content.decode()
    assert "Because you like" not in part and "Starting soon" in part
    # Mentors get their own dashboard instead.
    client.force_login(make_user(Role.MENTOR))
    assert client.get("/dashboard/learner/recommendations/").status_code == 302


def test_recommendations_cost_fixed_queries_cold_and_none_cached(client, django_assert_num_queries):
    learner = make_user(Role.LEARNER, interests=["Python"])
    client.force_login(learner)

    def cold_queries(sessions: int) -> int:
        for i in range(sessions):
            make_session(title=f"Python {i}", topics=["python"], start=soon(1 + i / 24), capacity=2)
        versions.bump(versions.CATALOG)  # cold: nothing cached under the new versions
        versions.bump(versions.learner_inputs(learner.pk))
        recommend.clear_caches()
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/dashboard/learner/recommendations/", HTTP_HX_REQUEST="true").status_code == 200
        return len(ctx)

    few, many = cold_queries(3), cold_queries(40)
    assert few == many
    # Cached: only the session and user lookups of any signed-in page, and the follow buttons' one read
    # (with Redis, the production profile reads sessions from the cache: no session query).
    from django.conf import settings

    session_queries = 0 if settings.SESSION_ENGINE.endswith("cached_db") else 1
    client.get("/dashboard/learner/recommendations/", HTTP_HX_REQUEST="true")
    with django_assert_num_queries(2 + session_queries):
        client.get("/dashboard/learner/recommendations/", HTTP_HX_REQUEST="true")


def test_a_booking_does_not_rebuild_the_index_and_a_filled_session_is_still_dropped(django_capture_on_commit_callbacks):
    """Seats are not part of the index's key (under load, every booking rebuilt it on every thread):
    the index stays, and a session that filled since it was built is dropped when results are read."""
    learner = make_user(Role.LEARNER, interests=["Python"])
    make_session(title="Python one", topics=["python"])
    filling = make_session(title="Python two", topics=["python"], capacity=1)
    index = recommend.current_index()
    assert "Python two" in titles(recommend.recommend_for(learner, limit=4))
    with django_capture_on_commit_callbacks(execute=True):
        booking_flows.book_and_pay(learner=make_user(Role.LEARNER), session=filling)
    assert recommend.current_index() is index
    versions.bump(versions.learner_inputs(learner.pk))  # not cached: rank again on the kept index
    assert titles(recommend.recommend_for(learner, limit=4)) == ["Python one"]


def test_while_one_thread_rebuilds_the_others_rank_on_the_previous_index(monkeypatch):
    make_session(title="Python one", topics=["python"])
    index = recommend.current_index()
    make_session(title="Python two", topics=["python"])  # the texts changed: a rebuild is due
    recommend._index["building"] = True  # another thread is on it

    def second_build(now=None):
        raise AssertionError("a second thread built the index too")

    monkeypatch.setattr(recommend, "build_index", second_build)
    assert recommend.current_index() is index
