"""The admin blocks a learner from the Users page while the learner has a page open: the
learner's live connection is closed at once and their next click lands on the sign-in page."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from e2e.conftest import (
    axe_violations,
    confirm_its_me,
    format_violations,
    login,
    make_user,
    pay_in_sandbox,
    screenshot,
    sign_in_admin,
)


def test_admin_finds_and_blocks_a_learner_who_is_signed_in(new_context: Any) -> None:
    learner = make_user("learner", full_name="Tarak Bose")
    lpage = new_context(width=360, height=780).new_page()
    login(lpage, learner.email, next_url="/dashboard/learner/")
    lpage.wait_for_function("() => document.body.dataset.notificationsSocket === 'open'")

    page = new_context().new_page()
    sign_in_admin(page, "Anita Admin")

    page.get_by_role("navigation").get_by_role("link", name="Users").first.click()
    page.get_by_label("Name or email").fill("Tarak")
    page.get_by_role("button", name="Search").click()
    row = page.locator(f"[data-user-row='{learner.email}']")
    expect(row).to_be_visible()
    row.get_by_text("Block…").click()
    row.get_by_label("Reason (kept in the audit log)").fill("Shared another learner's phone number in chat")
    row.get_by_role("checkbox").check()
    row.get_by_role("button", name="Block this account").click()
    confirm_its_me(page, shot="admin-reauthenticate-1280")

    expect(page.locator("#toasts [data-toast]").filter(has_text="Tarak Bose is blocked")).to_be_visible()
    row = page.locator(f"[data-user-row='{learner.email}']")
    expect(row.get_by_text("Blocked", exact=True)).to_be_visible()
    expect(row.get_by_text("Shared another learner's phone number in chat")).to_be_visible()
    assert "q=Tarak" in page.url  # the search is kept
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    screenshot(page, "admin-users-blocked-1280")
    page.set_viewport_size({"width": 360, "height": 780})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    screenshot(page, "admin-users-blocked-360")

    # The audit log has the entry, with who, why and from where.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("navigation").get_by_role("link", name="Audit log").first.click()
    page.get_by_label("Action").select_option("user.block")
    page.get_by_role("button", name="Apply").click()
    entry = page.locator("[data-audit-entry='user.block']").filter(has_text="Tarak Bose")
    expect(entry).to_contain_text("Shared another learner's phone number in chat")
    expect(entry).to_contain_text("by Anita Admin")
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    screenshot(page, "admin-audit-1280")
    page.set_viewport_size({"width": 360, "height": 780})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    screenshot(page, "admin-audit-360")

    # The learner's open page: the live connection is closed as signed out, and the next
    # navigation asks them to sign in.
    lpage.wait_for_function("() => document.body.dataset.notificationsSocket !== 'open'")
    lpage.goto("/dashboard/learner/bookings/")
    expect(lpage).to_have_url(re.compile(r"/login/"))


def test_admin_cancels_a_session_from_the_sessions_page(new_context: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from apps.bookings.models import Booking
    from apps.catalog.models import Session
    from apps.taxonomy.models import Domain

    mentor = make_user("mentor", full_name="Devika Pillai")
    learner = make_user("learner", full_name="Omar Sheikh")
    domain, _ = Domain.objects.get_or_create(slug="programming", defaults={"name": "Programming"})
    session = Session.objects.create(
        mentor=mentor,
        domain=domain,
        title="Rust ownership, slowly",
        description="Borrowing without tears",
        start=timezone.now() + timedelta(days=2),
        duration_minutes=45,
        capacity=3,
        topics=["Ownership"],
    )
    Booking.objects.create(session=session, learner=learner, status="confirmed")

    page = new_context(width=360, height=780).new_page()
    sign_in_admin(page, "Anil Admin")
    page.goto("/dashboard/admin/sessions/?mentor=Devika")
    row = page.locator("[data-admin-session='Rust ownership, slowly']")
    expect(row).to_contain_text("1 of 3 seats booked")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    screenshot(page, "admin-sessions-360")
    row.get_by_text("Cancel…").click()
    row.get_by_label("Reason (learners and the mentor see it)").fill("The mentor had to travel for a family emergency")
    row.get_by_role("checkbox").check()
    row.get_by_role("button", name="Cancel this session").click()
    confirm_its_me(page, shot="admin-reauthenticate-360")
    expect(page.locator("#toasts [data-toast]").filter(has_text="is cancelled; 1 learner")).to_be_visible()
    expect(page.locator("[data-admin-session='Rust ownership, slowly']").get_by_text("Cancelled")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    screenshot(page, "admin-sessions-cancelled-360")


def test_admin_refunds_part_of_a_payment(new_context: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from apps.catalog.models import Session
    from apps.taxonomy.models import Domain

    mentor = make_user("mentor", full_name="Harsh Vardhan")
    learner = make_user("learner", full_name="Nandini Rao")
    domain, _ = Domain.objects.get_or_create(slug="programming", defaults={"name": "Programming"})
    session = Session.objects.create(
        mentor=mentor,
        domain=domain,
        title="SQL window functions",
        description="Ranking, running totals and gaps",
        start=timezone.now() + timedelta(days=3),
        duration_minutes=60,
        price_paise=59_900,
        topics=["SQL"],
    )
    payment = pay_in_sandbox(learner, session)

    page = new_context().new_page()
    sign_in_admin(page, "Aruna Admin")
    page.get_by_role("navigation").get_by_role("link", name="Payments").first.click()
    page.get_by_label("Learner (name or email)").fill("Nandini")
    page.get_by_role("button", name="Apply").click()
    page.get_by_role("link", name=payment.receipt).click()
    expect(page.get_by_text("₹599 still refundable")).to_be_visible()
    page.get_by_text("Refund…").click()
    page.get_by_label("Amount (₹)").fill("700")
    page.get_by_label("Reason (kept in the audit log)").fill("Session ran 20 minutes short")
    page.get_by_label("Yes, send this refund").check()
    page.get_by_role("button", name="Send refund").click()
    expect(page.get_by_text("what is still refundable")).to_be_visible()  # explained next to the field
    expect(page.get_by_label("Reason (kept in the audit log)")).to_have_value("Session ran 20 minutes short")
    page.get_by_label("Amount (₹)").fill("199.50")
    page.get_by_label("Yes, send this refund").check()
    page.get_by_role("button", name="Send refund").click()
    confirm_its_me(page)
    expect(page.locator("#toasts [data-toast]").filter(has_text="Refund of ₹199.50 sent")).to_be_visible()
    expect(page.get_by_text("₹399.50 still refundable")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    screenshot(page, "admin-payment-1280")
    page.set_viewport_size({"width": 360, "height": 780})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    screenshot(page, "admin-payment-360")
