"""The learner's progress page in a real browser: a learner with completed sessions opens Progress
from the navigation, sees the goal ring, the figures, the weekly chart and their badges; adds a goal
(a bad submit keeps the input and shows the error next to the field); every learner page fits 360 px
without scrolling sideways. Screenshots at 1280 and 360 px go to e2e/artifacts/."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta
from typing import Any

from django.utils import timezone
from playwright.sync_api import expect

from e2e.conftest import axe_violations, format_violations, login, make_user, screenshot

LEARNER_PAGES = (
    "/dashboard/learner/",
    "/dashboard/learner/progress/",
    "/dashboard/learner/bookings/",
    "/dashboard/learner/payments/",
    "/posts/",
    "/cart/",
    "/profile/",
    "/notifications/",
)


def _learner_with_history() -> Any:
    """Six completed sessions over the last five weeks (15 to 60 minutes), a review with the
    mentor's reply, checklist ticks, an upcoming session and one awaiting payment."""
    from apps.accounts.models import LearnerProfile
    from apps.bookings.models import BookingStatus
    from apps.progress.badges import award_for_learner
    from apps.progress.models import Feedback
    from apps.rooms.models import ChecklistTick
    from apps.taxonomy.models import Domain
    from tests.factories import BookingFactory, SessionFactory

    learner = make_user("learner", full_name="Kavya Iyer")
    LearnerProfile.objects.filter(user=learner).update(career_goal="Become a backend developer")
    mentor = make_user("mentor", full_name="Rohan Mehta")
    domain, _ = Domain.objects.get_or_create(slug="programming", defaults={"name": "Programming"})
    now = timezone.now()
    tag = uuid.uuid4().hex[:4]
    for i, minutes in enumerate((60, 45, 30, 60, 45, 60)):
        s = SessionFactory(
            mentor=mentor,
            domain=domain,
            title=f"Django views, part {i + 1} ({tag})",
            start=now - timedelta(days=2 + 6 * i),
            duration_minutes=minutes,
            topics=["Views", "URLs", "Templates"],
        )
        b = BookingFactory(session=s, learner=learner, status=BookingStatus.COMPLETED)
        ChecklistTick.objects.create(session=s, topic=["Views", "URLs", "Templates"][i % 3], done=True)
        if i == 0:
            Feedback.objects.create(
                booking=b,
                session=s,
                mentor=mentor,
                learner=learner,
                rating=5,
                comment="Finally understood class-based views.",
                reply="Great work, try generic views next.",
            )
    # Make the goal count from well before the sessions (it was set at registration).
    learner.date_joined = now - timedelta(days=60)
    learner.save(update_fields=["date_joined"])
    upcoming = SessionFactory(
        mentor=mentor,
        domain=domain,
        title=f"A very long session title about asynchronous Django and Channels in production ({tag})",
        start=now + timedelta(days=2),
    )
    BookingFactory(session=upcoming, learner=learner, status=BookingStatus.CONFIRMED)
    award_for_learner(learner)
    return learner


def _awaiting_payment(learner: Any) -> Any:
    """A paid session booked through the real flow, its payment not made yet (seat held)."""
    from apps.workflows.booking import book_and_pay
    from tests.factories import SessionFactory

    session = SessionFactory(
        title="System design interview practice with a deliberately long title to wrap",
        start=timezone.now() + timedelta(days=4),
        price_paise=49_900,
    )
    booking, payment = book_and_pay(learner=learner, session=session)
    assert payment is not None
    return booking


def _overflow(page: Any) -> int:
    return int(page.evaluate("() => document.documentElement.scrollWidth - 360"))


def test_learner_sees_progress_and_adds_a_goal(new_context: Any) -> None:
    learner = _learner_with_history()
    page = new_context(width=1280, height=900).new_page()
    login(page, learner.email)
    page.goto("/dashboard/learner/")
    widget = page.get_by_test_id("progress-widget")
    expect(widget).to_contain_text("Become a backend developer")
    expect(widget).to_contain_text("Next: 75% at 8 sessions")
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "learner-home-1280")
    page.locator("aside, nav").get_by_role("link", name="Progress").first.click()
    page.wait_for_url("**/dashboard/learner/progress/")

    main = page.get_by_test_id("main-goal")
    expect(main).to_contain_text("Become a backend developer")
    expect(main).to_contain_text("Next: 75% at 8 sessions")  # 6 of 10
    expect(main.get_by_role("img")).to_have_attribute("aria-label", "Become a backend developer: 60% done")
    body = page.locator("main")
    expect(body).to_contain_text("5 h")  # 300 minutes
    expect(body).to_contain_text("Finally understood class-based views.")
    expect(body).to_contain_text("Great work, try generic views next.")
    # The chart is drawn by Chart.js into the canvas.
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('weekly-chart'))")
    counts = page.evaluate("() => Chart.getChart(document.getElementById('weekly-chart')).data.datasets[0].data")
    assert sum(counts) == 6 and len(counts) == 12
    expect(page.locator('[data-badge="first_session"][data-earned="1"]')).to_be_visible()
    expect(page.locator('[data-badge="five_sessions"][data-earned="1"]')).to_be_visible()
    expect(page.locator('[data-badge="streak_4"]')).to_be_visible()
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "progress-1280")

    # A bad submit keeps what was typed and says what is wrong next to the field.
    form = page.locator("#add-goal")
    form.locator("summary").click()
    form.get_by_label("Goal").fill("Master SQL joins")
    form.get_by_label("Target sessions").fill("0")
    form.get_by_role("button", name="Add goal").click()
    page.wait_for_load_state("domcontentloaded")
    form = page.locator("#add-goal")
    expect(form.get_by_label("Goal")).to_have_value("Master SQL joins")
    target = form.get_by_label("Target sessions")
    expect(target).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_target_sessions_error")).to_contain_text("greater than or equal to 1")
    target.fill("8")
    form.get_by_role("button", name="Add goal").click()
    page.wait_for_url("**/dashboard/learner/progress/#goal-*")
    goal = page.get_by_test_id("goal").filter(has_text="Master SQL joins")
    expect(goal).to_contain_text("Next: 25% at 2 sessions")

    # "Complete payment" on the dashboard opens that booking's checkout (not the empty cart).
    pending = _awaiting_payment(learner)
    page.goto("/dashboard/learner/")
    page.get_by_role("button", name="Complete payment").click()
    page.wait_for_url("**/checkout/**")
    expect(page.locator("main")).to_contain_text(pending.session.title)

    # 360 px: the same page, and every learner page, without sideways scrolling.
    small = new_context(width=360, height=780).new_page()
    login(small, learner.email)
    for url in LEARNER_PAGES:
        small.goto(url)
        small.wait_for_load_state("networkidle")
        assert _overflow(small) <= 0, f"{url} scrolls sideways by {_overflow(small)} px at 360 px"
    small.goto("/dashboard/learner/progress/")
    small.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('weekly-chart'))")
    violations = axe_violations(small)
    assert not violations, format_violations(violations)
    small.evaluate("window.scrollTo(0, 0)")
    screenshot(small, "progress-360")
    small.goto("/dashboard/learner/")
    small.evaluate("window.scrollTo(0, 0)")
    screenshot(small, "learner-home-360")
    small.goto("/dashboard/learner/payments/")
    expect(small.get_by_test_id("payment-card").first).to_be_visible()
    screenshot(small, "learner-payments-360")


def test_completing_a_session_moves_the_ring_and_shows_a_badge_toast(new_context: Any) -> None:
    """A new learner's first session ends (the completion flow, as the mentor's End button runs it):
    the badge notice arrives as a toast over the socket and the progress page shows the new figures."""
    from apps.accounts.models import LearnerProfile
    from apps.bookings.models import BookingStatus
    from apps.rooms.services import complete_session
    from tests.factories import BookingFactory, SessionFactory

    learner = make_user("learner", full_name="Zoya Khan")
    LearnerProfile.objects.filter(user=learner).update(career_goal="Learn to build APIs")
    session = SessionFactory(
        title=f"REST APIs with Django ({uuid.uuid4().hex[:4]})",
        start=timezone.now() - timedelta(minutes=40),
        duration_minutes=45,
    )
    BookingFactory(session=session, learner=learner, status=BookingStatus.CONFIRMED)
    page = new_context(width=1280, height=900).new_page()
    login(page, learner.email)
    page.goto("/dashboard/learner/progress/")
    expect(page.get_by_test_id("main-goal")).to_contain_text("Next: 25% at 3 sessions")
    expect(page.locator('[data-badge="first_session"][data-earned="0"]')).to_be_visible()
    expect(page.locator("body")).to_have_attribute("data-notifications-socket", "open")

    # The mentor ends it (from another thread: this one runs Playwright's event loop).
    done: list[bool] = []
    worker = threading.Thread(target=lambda: done.append(complete_session(session=session)))
    worker.start()
    worker.join(30)
    assert done == [True]
    # The notice was sent while this page's socket was open in another process's view of the
    # channel layer; reconnecting catches it up exactly as after a network blip.
    page.evaluate("window.PeerLearn.notifications.reconnect()")
    expect(page.locator("#toasts")).to_contain_text("Badge earned: First session")
    page.reload()
    expect(page.get_by_test_id("main-goal")).to_contain_text("Next: 25% at 3 sessions")
    expect(page.get_by_test_id("main-goal").get_by_role("img")).to_have_attribute(
        "aria-label", "Learn to build APIs: 10% done"
    )
    expect(page.locator('[data-badge="first_session"][data-earned="1"]')).to_be_visible()
    expect(page.get_by_test_id("timeline-item")).to_contain_text(session.title)
