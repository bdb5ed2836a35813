"""Notifications in the browser: bell count, reconnect catch-up, dropdown, mark read, T-10 min
reminder toast with Join link, sound and snooze, history page accessibility.

The test process writes notifications straight to the database: its in-memory channel layer is
not the server's, so those pushes are lost on purpose — exactly the "client missed it" case the
reconnect must repair from the database."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from e2e.conftest import axe_violations, format_violations, login, make_user, screenshot


def _socket_open(page: Any) -> None:
    expect(page.locator("body")).to_have_attribute("data-notifications-socket", "open")


def _reconnect(page: Any) -> None:
    page.evaluate("window.PeerLearn.notifications.reconnect()")
    expect(page.locator("body")).to_have_attribute("data-notifications-socket", "closed")
    _socket_open(page)


def test_reconnect_catches_up_then_dropdown_and_mark_all_read(new_context: Any) -> None:
    from apps.notifications.services import notify

    user = make_user("learner", full_name="Nia Notified")
    page = new_context().new_page()
    login(page, user.email)
    page.goto("/notifications/")
    _socket_open(page)
    bell = page.locator("#notification-bell-button")
    expect(page.locator("[data-bell-count]")).to_be_hidden()
    expect(page.locator("main")).to_contain_text("You're all caught up")

    notify(user=user, type="offer_new", title="New offer from Ravi", message="For “Graph algorithms”.", link="/posts/")
    notify(user=user, type="booking_confirmed", title="Booking confirmed", message="See you there", link="/posts/")
    _reconnect(page)
    expect(page.locator("[data-bell-count]")).to_have_text("2")
    expect(bell).to_have_attribute("aria-label", "Notifications, 2 unread")
    expect(page.locator("#toasts")).to_contain_text("New offer from Ravi")
    expect(page.locator("#toasts")).to_contain_text("Booking confirmed")
    # The history region refreshed itself after the reconnect.
    expect(page.locator("#notification-history")).to_contain_text("New offer from Ravi")

    bell.click()
    panel = page.locator("#notification-panel")
    expect(panel).to_contain_text("New offer from Ravi")
    expect(panel).to_contain_text("Booking confirmed")
    screenshot(page, "notifications-dropdown-1280")
    panel.get_by_role("button", name="Mark all read").click()
    expect(page.locator("[data-bell-count]")).to_be_hidden()
    expect(panel.get_by_role("button", name="Mark all read")).to_have_count(0)
    assert user.notifications.filter(read=False).count() == 0


def test_ten_minute_reminder_toast_join_sound_and_snooze(new_context: Any) -> None:
    from apps.notifications.models import JobKind, ScheduledJob
    from apps.notifications.services import notify

    user = make_user("learner", full_name="Omar Reminded")
    page = new_context(width=360, height=780).new_page()
    login(page, user.email)
    page.goto("/notifications/")
    _socket_open(page)
    n = notify(
        user=user,
        type="reminder",
        title="Session starts soon!",
        message="“Rust lifetimes” with Kavya.",
        link="/session/00000000-0000-0000-0000-000000000000/",
        data={
            "reminder": "10m",
            "sound": True,
            "snooze": True,
            "join_url": "/session/00000000-0000-0000-0000-000000000000/",
        },
    )
    assert n is not None
    _reconnect(page)
    toast = page.locator(f"[data-notification-toast='{n.pk}']")
    expect(toast).to_contain_text("Session starts soon!")
    expect(toast.get_by_role("link", name="Join")).to_have_attribute(
        "href", "/session/00000000-0000-0000-0000-000000000000/"
    )
    expect(toast).to_have_attribute("role", "alert")
    screenshot(page, "notifications-reminder-toast-360")
    # The beep was played (WebAudio; headless Chromium runs the oscillator silently).
    expect(page.locator("body")).to_have_attribute("data-last-beep", __import__("re").compile(r"\d+"))
    toast.get_by_role("button", name="Snooze 5 min").click()
    expect(toast).to_have_count(0)
    expect(page.locator("#toasts")).to_contain_text("Snoozed")
    job = ScheduledJob.objects.get(kind=JobKind.SNOOZE, notification=n)
    assert 290 <= (job.due_at - job.created_at).total_seconds() <= 310


def test_history_page_is_accessible_and_private(new_context: Any) -> None:
    from apps.notifications.services import notify

    owner = make_user("learner", full_name="Priya Private")
    outsider = make_user("learner", full_name="Quinn Outsider")
    notify(user=owner, type="general", title="Only for Priya")
    page = new_context().new_page()
    login(page, outsider.email)
    page.goto("/notifications/")
    expect(page.locator("main")).not_to_contain_text("Only for Priya")
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)
    page.goto("/notifications/settings/")
    expect(page.get_by_role("checkbox", name="Booking confirmed — Email")).to_be_checked()
    page.get_by_role("checkbox", name="Booking confirmed — Email").uncheck()
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#toasts")).to_contain_text("Notification settings saved.")
    expect(page.get_by_role("checkbox", name="Booking confirmed — Email")).not_to_be_checked()
