"""Presence: "Live now" badges and participant counts follow the room over /ws/presence/.

A visitor keeps the landing page and the catalogue open, the learner and the mentor keep their
dashboards open; the mentor then goes live by joining the room, the learner joins, the mentor ends.
Every open page must follow along without a reload.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from playwright.sync_api import expect

from e2e.conftest import axe_violations, format_violations, login, make_user, screenshot


def _setup() -> tuple[Any, Any, Any]:
    from django.utils import timezone

    from apps.bookings.models import Booking
    from apps.catalog.models import Session
    from apps.taxonomy.models import Domain

    mentor = make_user("mentor", full_name="Kavya Menon")
    learner = make_user("learner", full_name="Rohan Das")
    domain, _ = Domain.objects.get_or_create(slug="programming", defaults={"name": "Programming"})
    session = Session.objects.create(
        mentor=mentor,
        domain=domain,
        title="SQL joins, live",
        description="Inner, outer and self joins with real tables",
        start=timezone.now() + timedelta(minutes=3),
        duration_minutes=30,
        topics=["Joins"],
        agenda=[{"title": "Joins together", "minutes": 30}],
    )
    Booking.objects.create(session=session, learner=learner, status="confirmed")
    return mentor, learner, session


def _subscribed(page: Any, sid: int) -> None:
    """Wait until presence.js has applied its first snapshot (it sets data-live on every marker;
    the server renders data-live only on the card, not on the badge wrapper)."""
    page.locator(f'span[data-live-session="{sid}"][data-live]').first.wait_for(state="attached")
    page.evaluate("() => { window.__presenceNoReload = true; }")


def _assert_not_reloaded(page: Any) -> None:
    assert page.evaluate("() => window.__presenceNoReload === true"), "the page was reloaded"


def _start_passes(session: Any) -> None:
    from django.utils import timezone

    from apps.catalog.models import Session

    Session.objects.filter(pk=session.pk).update(start=timezone.now() - timedelta(minutes=1))


def _join_room(page: Any, room_code: Any) -> None:
    page.goto(f"/session/{room_code}/")
    page.locator("#join-btn").click()
    page.locator("#call").wait_for(state="visible")


def test_live_badge_and_participant_count_follow_the_room(new_context: Any) -> None:
    mentor, learner, session = _setup()
    sid = session.pk
    marker = f'[data-live-session="{sid}"]'

    # Watchers: the visitor's landing page and catalogue, the learner's and the mentor's dashboards.
    visitor = new_context()
    home = visitor.new_page()
    home.goto("/")
    catalogue = visitor.new_page()
    catalogue.goto("/sessions/")
    lctx = new_context()
    ldash = lctx.new_page()
    login(ldash, learner.email, next_url="/dashboard/learner/")
    mctx = new_context()
    mdash = mctx.new_page()
    login(mdash, mentor.email, next_url="/dashboard/mentor/")

    watchers = {"landing": home, "catalogue": catalogue, "learner dashboard": ldash, "mentor dashboard": mdash}
    for name, p in watchers.items():
        assert p.locator(marker).count() > 0, f"{name} does not show the session"
        _subscribed(p, sid)
        # Scheduled: no badge, no count, from the server and after the snapshot.
        assert p.locator(f"{marker} .badge-live").first.is_hidden(), name
        assert p.locator(f'{marker} [data-testid="live-participants"]').first.is_hidden(), name

    # The mentor goes live by joining the room.
    room_m = mctx.new_page()
    _join_room(room_m, session.room_code)
    for name, p in watchers.items():
        badge = p.locator(f"span{marker} .badge-live")
        badge.wait_for(state="visible")
        assert badge.inner_text().strip() == "Live now", name
        count = p.locator(f'span{marker} [data-testid="live-participants"]')
        count.wait_for(state="visible")
        p.wait_for_function(
            "(sel) => document.querySelector(sel).textContent.trim() === '1 in the room'",
            arg=f'span{marker} [data-testid="live-participants"]',
        )
    # On the card the countdown gives way to "In progress".
    card = home.locator(f"article{marker}")
    expect(card.get_by_text("In progress")).to_be_visible()
    expect(card.locator("[data-countdown]")).to_be_hidden()

    # The learner joins: every watcher counts two.
    room_l = lctx.new_page()
    _join_room(room_l, session.room_code)
    for p in watchers.values():
        p.wait_for_function(
            "(sel) => document.querySelector(sel).textContent.trim() === '2 in the room'",
            arg=f'span{marker} [data-testid="live-participants"]',
        )
    expect(catalogue.locator(f"article{marker}").get_by_text("2 in the room")).to_be_visible()

    # A fresh page gets the live state from the server (no JavaScript at all) ...
    nojs = new_context(java_script_enabled=False).new_page()
    nojs.goto("/")
    live_section = nojs.locator('section[aria-labelledby="live-title"]')
    expect(live_section.locator(f"article{marker} .badge-live")).to_be_visible()
    nojs.goto(f"/sessions/{sid}/")
    expect(nojs.locator(f"{marker} .badge-live").first).to_be_visible()

    # ... and a phone-sized landing shows badge and count together.
    phone = new_context(width=360, height=780).new_page()
    phone.goto("/")
    phone_card = phone.locator(f"article{marker}").first
    phone_card.get_by_text("2 in the room").wait_for(state="visible")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 360
    violations = axe_violations(phone)
    assert not violations, format_violations(violations)
    screenshot(phone, "presence-landing-live-360")

    # The scheduled start passes (ending before it is refused), then the mentor ends the session:
    # badges and counts disappear everywhere, still without reload.
    _start_passes(session)
    room_m.locator("#ctl-end").click()
    room_m.locator("#end-confirm").click()
    room_m.locator("#ended-overlay").wait_for(state="visible")
    for name, p in watchers.items():
        p.locator(f"span{marker} .badge-live").wait_for(state="hidden")
        assert p.locator(f'span{marker} [data-testid="live-participants"]').is_hidden(), name
        _assert_not_reloaded(p)
    expect(home.locator(f"article{marker}").get_by_text("In progress")).to_be_hidden()

    session.refresh_from_db()
    assert session.status == "completed"
