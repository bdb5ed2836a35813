"""Following, recommendations and mentor analytics in the browser (issue 11 items 3-5).

A learner follows a mentor from the profile (no reload), the mentor publishes a session from the
form, and the learner's open dashboard gets the notification over the socket (no reload); the
learner sees a recommendation with its reason; the mentor opens analytics and the charts draw.
Screenshots at 1280 and 360 px; axe finds no serious or critical violation; nothing scrolls
sideways at 360 px."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from playwright.sync_api import expect

from e2e.conftest import axe_violations, format_violations, login, make_user, screenshot


def _no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 360, f"page is {width}px wide at 360px"


def _mark(page: Any) -> None:
    page.evaluate("window.__sameDocument = 'yes'")


def _still_same_document(page: Any) -> None:
    assert page.evaluate("window.__sameDocument") == "yes", "the page reloaded"


def _history(mentor: Any, learners: list[Any]) -> None:
    """Two past sessions of the mentor, booked, completed and rated (the analytics' data)."""
    from django.utils import timezone

    from apps.bookings.models import Booking, BookingStatus
    from apps.progress.services import submit_feedback
    from tests.factories import DomainFactory, SessionFactory

    domain = DomainFactory(name="Programming")
    for weeks in (1, 3):
        session = SessionFactory(
            mentor=mentor,
            domain=domain,
            title=f"Kotlin clinic {weeks}",
            topics=["kotlin", "android"],
            capacity=4,
            start=timezone.now() - timedelta(weeks=weeks),
            status="completed",
        )
        for learner in learners:
            b = Booking.objects.create(session=session, learner=learner, status=BookingStatus.COMPLETED, price_paise=0)
            submit_feedback(booking=b, learner=learner, rating=5 if weeks == 1 else 4)


def test_follow_publish_notify_recommend_and_analytics(new_context: Any) -> None:
    from django.utils import timezone

    from apps.catalog.models import Follow
    from tests.factories import DomainFactory, SessionFactory

    mentor = make_user("mentor", full_name="Meera Follow")
    learner = make_user("learner", full_name="Lata Learner", interests=["Kotlin"])
    others = [make_user("learner", full_name=f"Past Learner {i}") for i in range(2)]
    _history(mentor, others)
    domain = DomainFactory(name="Programming")
    SessionFactory(
        title="Kotlin coroutines in practice",
        topics=["kotlin", "coroutines"],
        domain=domain,
        capacity=3,
        start=timezone.now() + timedelta(days=3),
    )

    # --- the learner follows the mentor from the profile, without a reload ----------------------
    learner_page = new_context().new_page()
    login(learner_page, learner.email)
    learner_page.goto(f"/mentors/{mentor.pk}/")
    widget = learner_page.get_by_test_id("follow-widget")
    expect(widget.get_by_test_id("follower-count")).to_have_text("0 followers")
    _mark(learner_page)
    widget.get_by_test_id("follow-button").click()
    expect(learner_page.get_by_test_id("unfollow-button")).to_be_visible()
    expect(learner_page.get_by_test_id("follower-count")).to_have_text("1 follower")
    _still_same_document(learner_page)
    assert Follow.objects.filter(follower=learner, mentor=mentor).count() == 1
    screenshot(learner_page, "discovery-mentor-profile-following-1280")
    violations = axe_violations(learner_page)
    assert not violations, format_violations(violations)

    # --- the learner's dashboard explains its recommendation --------------------------------------
    learner_page.goto("/dashboard/learner/")
    expect(learner_page.locator("body")).to_have_attribute("data-notifications-socket", "open")
    recs = learner_page.get_by_test_id("recommendations")
    first = recs.get_by_test_id("recommendation").first
    expect(first).to_contain_text("Kotlin coroutines in practice")
    expect(first.get_by_test_id("recommendation-reason")).to_have_text("Because you like Kotlin")
    screenshot(learner_page, "discovery-learner-dashboard-1280")
    _mark(learner_page)

    # --- the mentor publishes; the learner is told without a reload -------------------------------
    mentor_page = new_context().new_page()
    login(mentor_page, mentor.email)
    mentor_page.goto("/dashboard/mentor/sessions/new/")
    start = timezone.localtime(timezone.now() + timedelta(days=4)).strftime("%Y-%m-%dT%H:00")
    mentor_page.get_by_label("Title").fill("Kotlin Multiplatform for Android devs")
    mentor_page.get_by_label("Description").fill("Share code between Android and iOS with Kotlin.")
    mentor_page.get_by_label("Domain").select_option(label="Programming")
    mentor_page.get_by_label("Topics").fill("kotlin, android")
    mentor_page.get_by_label("Start (your timezone)").fill(start)
    mentor_page.get_by_role("button", name="Publish session").click()
    expect(mentor_page.get_by_role("heading", name="Kotlin Multiplatform for Android devs")).to_be_visible()

    expect(learner_page.locator("[data-bell-count]")).to_have_text("1")
    expect(learner_page.locator("#toasts")).to_contain_text("New session from Meera Follow")
    _still_same_document(learner_page)

    # Live dashboard numbers: with the mentor's home open, the learner books the new (free) session
    # from the notification's link; the mentor's summary counts the seat without a reload.
    mentor_page.goto("/dashboard/mentor/")
    expect(mentor_page.locator("body")).to_have_attribute("data-notifications-socket", "open")
    summary = mentor_page.get_by_test_id("mentor-summary")
    expect(summary).to_contain_text(re.compile(r"Booked seats ahead\s*0\s"))
    _mark(mentor_page)
    learner_page.locator("#toasts").get_by_role("link").first.click()
    learner_page.get_by_test_id("book-button").click()
    learner_page.wait_for_load_state("networkidle")
    expect(summary).to_contain_text(re.compile(r"Booked seats ahead\s*1\s"))
    _still_same_document(mentor_page)

    # --- Following page, and the phone layout -----------------------------------------------------
    phone = new_context(width=360, height=780).new_page()
    login(phone, learner.email)
    phone.goto("/dashboard/learner/following/")
    expect(phone.get_by_test_id("followed-mentor")).to_contain_text("Meera Follow")
    _no_sideways_scroll(phone)
    screenshot(phone, "discovery-following-360")
    phone.goto(f"/mentors/{mentor.pk}/")
    _no_sideways_scroll(phone)
    screenshot(phone, "discovery-mentor-profile-360")
    phone.goto("/mentors/")
    expect(phone.get_by_test_id("unfollow-button").first).to_be_visible()  # the followed mentor's card
    _no_sideways_scroll(phone)
    screenshot(phone, "discovery-mentor-cards-360")
    phone.goto("/dashboard/learner/")
    expect(phone.get_by_test_id("recommendation").first).to_be_visible()
    _no_sideways_scroll(phone)
    screenshot(phone, "discovery-learner-dashboard-360")

    # --- the mentor's analytics draw their charts -------------------------------------------------
    mentor_page.goto("/dashboard/mentor/analytics/")
    for chart in ("sessions", "ratings", "followers"):
        expect(mentor_page.locator(f'canvas[data-chart="{chart}"]')).to_have_attribute("data-drawn", "true")
    expect(mentor_page.get_by_test_id("top-topics")).to_contain_text("kotlin")
    expect(mentor_page.get_by_test_id("repeat-learners")).to_contain_text("2")
    screenshot(mentor_page, "discovery-mentor-analytics-1280")
    violations = axe_violations(mentor_page)
    assert not violations, format_violations(violations)
    # Live: the learner unfollows in their own browser; the mentor's open totals recount, no reload.
    totals = mentor_page.get_by_test_id("analytics-totals")
    expect(totals).to_contain_text(re.compile(r"Followers\s*1\s"))
    _mark(mentor_page)
    learner_page.goto(f"/mentors/{mentor.pk}/")
    learner_page.get_by_test_id("unfollow-button").click()
    expect(learner_page.get_by_test_id("follower-count")).to_have_text("0 followers")
    expect(totals).to_contain_text(re.compile(r"Followers\s*0\s"))
    _still_same_document(mentor_page)
    mentor_page.get_by_label("Period", exact=True).select_option("30")
    expect(mentor_page).to_have_url(re.compile(r"/dashboard/mentor/analytics/\?period=30$"))
    expect(mentor_page.get_by_label("Period", exact=True)).to_have_value("30")

    mentor_phone = new_context(width=360, height=780).new_page()
    login(mentor_phone, mentor.email)
    mentor_phone.goto("/dashboard/mentor/analytics/")
    expect(mentor_phone.locator('canvas[data-chart="sessions"]')).to_have_attribute("data-drawn", "true")
    _no_sideways_scroll(mentor_phone)
    screenshot(mentor_phone, "discovery-mentor-analytics-360")
