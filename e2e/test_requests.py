"""Requests and offers, two (three) people side by side: offers appear without reload, the learner
accepts one and pays in the sandbox, the other mentor is told the post closed."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from e2e.conftest import axe_violations, format_violations, login, make_user, screenshot

IST = ZoneInfo("Asia/Kolkata")


def _domain() -> Any:
    from apps.taxonomy.models import Domain

    tag = uuid.uuid4().hex[:6]
    return Domain.objects.create(name=f"Rust {tag}", slug=f"rust-{tag}")


def _mentor(name: str, domain: Any) -> Any:
    m = make_user("mentor", full_name=name)
    m.mentor_profile.domains.add(domain)
    return m


def _socket_open(page: Any) -> None:
    expect(page.locator("body")).to_have_attribute("data-notifications-socket", "open")


def _local_start(days: int = 2, hour: int = 10) -> str:
    start = (datetime.now(IST) + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return start.strftime("%Y-%m-%dT%H:%M")


def test_open_post_two_offers_accept_pay_and_other_mentor_told(new_context: Any) -> None:
    from apps.bookings.models import Booking
    from apps.requests.models import OfferStatus, SessionRequest

    domain = _domain()
    learner = make_user("learner", full_name="Lena Learner")
    mira = _mentor(f"Mira {uuid.uuid4().hex[:4]}", domain)
    arun = _mentor(f"Arun {uuid.uuid4().hex[:4]}", domain)
    title = f"Ownership and borrowing {uuid.uuid4().hex[:4]}"

    lp = new_context().new_page()
    login(lp, learner.email)
    lp.goto("/posts/")
    mp1 = new_context().new_page()
    login(mp1, mira.email)
    mp1.goto("/dashboard/mentor/requests/?tab=board")
    mp2 = new_context().new_page()
    login(mp2, arun.email)
    mp2.goto("/dashboard/mentor/requests/?tab=board")
    for p in (lp, mp1, mp2):
        _socket_open(p)
    expect(mp1.locator("#mentor-requests")).to_contain_text("The board is quiet")

    # Learner posts an open request.
    lp.get_by_label("Title").fill(title)
    lp.get_by_label("Domain").select_option(label=domain.name)
    lp.get_by_label("Preferred time").fill(_local_start())
    lp.get_by_label("Duration").select_option("60")
    lp.get_by_label("Budget (₹)").fill("500")
    lp.get_by_role("button", name="Post request").click()
    expect(lp.locator("#posts-list")).to_contain_text(title)
    expect(lp.locator("#posts-list")).to_contain_text("No offers yet")

    # Both mentors see it without reloading (WebSocket -> htmx refresh) and get a toast.
    expect(mp1.locator("#mentor-requests")).to_contain_text(title)
    expect(mp2.locator("#mentor-requests")).to_contain_text(title)
    expect(mp1.locator("#toasts")).to_contain_text("New open request")

    # Mira accepts as proposed (₹500); Arun counters with ₹400.
    mp1.get_by_role("button", name=f"Accept ➤ {title}").click()
    expect(mp1.locator("#mentor-requests")).to_contain_text("Your offer: ₹500")
    mp2.get_by_text("Modify & Reply ➤").click()
    mp2.get_by_label("Price (₹)").fill("400")
    mp2.get_by_label("Note to the learner").fill("Bring your compiler errors")
    mp2.get_by_role("button", name="Send Reply ➤").click()
    expect(mp2.locator("#mentor-requests")).to_contain_text("Your offer: ₹400")

    # The learner's page shows both offers without reload.
    posts = lp.locator("#posts-list")
    expect(posts).to_contain_text("2 offers")
    expect(posts).to_contain_text(mira.full_name)
    expect(posts).to_contain_text(arun.full_name)
    expect(posts).to_contain_text("Bring your compiler errors")
    expect(lp.locator("#toasts")).to_contain_text("New offer from")
    screenshot(lp, "requests-posts-two-offers-1280")
    screenshot(mp2, "requests-mentor-board-1280")
    violations = axe_violations(lp)
    assert violations == [], format_violations(violations)

    # Accept Arun's and pay in the sandbox.
    lp.get_by_role("button", name=f"Accept & pay offer from {arun.full_name}").click()
    lp.wait_for_url("**/payments/checkout/**")
    lp.get_by_test_id("pay-button").click()
    lp.get_by_role("button", name="Pay successfully").click()
    lp.wait_for_load_state("networkidle")
    expect(lp.get_by_text("Sandbox Checkout")).to_have_count(0)

    req = SessionRequest.objects.get(title=title)
    assert req.status == "accepted"
    booking = Booking.objects.get(pk=req.booking_id)
    for _ in range(50):
        booking.refresh_from_db()
        if booking.status == "confirmed":
            break
        lp.wait_for_timeout(200)
    assert booking.status == "confirmed"
    assert booking.price_paise == 40_000 and booking.session.mentor_id == arun.pk
    assert req.offers.get(mentor=mira).status == OfferStatus.CLOSED

    # Mira is told the post closed; Arun that his offer was accepted and booked — live.
    expect(mp1.locator("#toasts")).to_contain_text("Request closed")
    expect(mp2.locator("#toasts")).to_contain_text("Offer accepted")
    expect(mp1.locator("#mentor-requests")).not_to_contain_text(title)

    # Both dashboards show the booked session.
    lp.goto("/dashboard/learner/bookings/")
    expect(lp.locator("main")).to_contain_text(title)
    lp.goto("/posts/")
    expect(lp.locator(f"#request-{req.pk}")).to_contain_text("Accepted")
    mp2.goto("/notifications/")
    expect(mp2.locator("main")).to_contain_text("New booking")


def test_direct_request_countered_and_accepted_free(new_context: Any) -> None:
    from apps.bookings.models import Booking
    from apps.requests.models import SessionRequest

    domain = _domain()
    learner = make_user("learner", full_name="Dev Learner")
    mentor = _mentor(f"Kavya {uuid.uuid4().hex[:4]}", domain)
    title = f"Async Rust review {uuid.uuid4().hex[:4]}"

    mp = new_context().new_page()
    login(mp, mentor.email)
    mp.goto("/dashboard/mentor/requests/")
    _socket_open(mp)
    lp = new_context(width=360, height=780).new_page()
    login(lp, learner.email)
    # From the mentor's profile, as a learner finds it.
    lp.goto(f"/mentors/{mentor.pk}/")
    lp.get_by_role("link", name="Request a session").first.click()
    lp.wait_for_url(f"**/mentors/{mentor.pk}/request/")

    # Bad input first: past time and negative budget give clear messages and keep what was typed.
    lp.get_by_label("Title").fill(title)
    lp.get_by_label("Preferred time").fill((datetime.now(IST) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    lp.get_by_label("Budget (₹)").fill("-5")
    lp.get_by_role("button", name="Send request").click()
    expect(lp.get_by_text("Enter a positive value.")).to_be_visible()
    expect(lp.get_by_label("Title")).to_have_value(title)
    assert not SessionRequest.objects.filter(title=title).exists()

    lp.get_by_label("Preferred time").fill(_local_start(days=3, hour=18))
    lp.get_by_label("Budget (₹)").fill("0")
    lp.get_by_role("button", name="Send request").click()
    lp.wait_for_url("**/posts/")
    expect(lp.locator("#posts-list")).to_contain_text(title)
    lp.goto("/posts/")
    _socket_open(lp)

    # The mentor sees it live and counters: free, one day later, 45 minutes.
    expect(mp.locator("#mentor-requests")).to_contain_text(title)
    mp.get_by_text("Modify & Reply ➤").click()
    mp.get_by_label("Free session").check()
    expect(mp.get_by_label("Price (₹)")).to_be_disabled()
    mp.get_by_label("Time").fill(_local_start(days=4, hour=19))
    mp.get_by_label("Duration").select_option("45")
    mp.get_by_role("button", name="Send Reply ➤").click()
    expect(mp.locator("#mentor-requests")).to_contain_text("Your offer:")

    expect(lp.locator("#posts-list")).to_contain_text("1 offer")
    expect(lp.locator("#posts-list")).to_contain_text("Free")
    screenshot(lp, "requests-posts-offer-360")
    assert lp.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    lp.get_by_role("button", name=f"Accept offer from {mentor.full_name}").click()
    expect(lp.locator("#toasts")).to_contain_text("Booked!")
    req = SessionRequest.objects.get(title=title)
    booking = Booking.objects.get(pk=req.booking_id)
    assert booking.status == "confirmed" and booking.session.duration_minutes == 45
    expect(mp.locator("#toasts")).to_contain_text("Offer accepted")
