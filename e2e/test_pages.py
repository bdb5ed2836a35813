"""Design-system pages in a real browser: landing (1280 and 360 px), help, errors and the dashboard
shells for learner, pending mentor, approved mentor and admin (with TOTP), each checked with axe-core
and screenshotted for review."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from e2e.conftest import axe_violations, format_violations, login, make_user, screenshot

WIDTHS = (1280, 360)


def _no_horizontal_scroll(page: Any) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"page scrolls horizontally by {overflow}px"


def _shot(page: Any, name: str) -> None:
    """Full-page screenshot from the top (sticky header and bottom bar where a visitor sees them)."""
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(150)
    screenshot(page, name)


def _check_axe(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, format_violations(violations)


def _demo_catalogue() -> dict[str, Any]:
    """A small, realistic catalogue (demo content created for this test only)."""
    from apps.accounts.models import MentorProfile
    from apps.bookings.models import Booking, BookingStatus
    from apps.catalog.models import Session, SessionStatus
    from apps.taxonomy.models import Domain

    tag = uuid.uuid4().hex[:6]
    domains = [
        Domain.objects.get_or_create(slug=slug, defaults={"name": name})[0]
        for slug, name in [
            ("programming", "Programming"),
            ("data-science", "Data Science"),
            ("design", "Product Design"),
            ("careers", "Career Coaching"),
        ]
    ]
    mentors = []
    for i, (name, bio, rating, count, taught) in enumerate(
        [
            (
                "Ananya Krishnan",
                "Backend engineer at a Bengaluru fintech. Django, PostgreSQL and system design.",
                "4.9",
                38,
                52,
            ),
            ("Rohan Mehta", "Data scientist; teaches pandas, SQL and practical ML for analysts.", "4.8", 21, 33),
            (
                "Ishita Banerjee",
                "Product designer helping juniors build portfolios that get interviews.",
                "4.7",
                15,
                19,
            ),
            ("Arjun Pillai", "Engineering manager. Mock interviews and career planning.", "4.7", 9, 24),
            ("Sneha Kulkarni", "Frontend developer: React, accessibility and CSS that scales.", None, 0, 0),
        ]
    ):
        user = make_user("mentor", full_name=f"{name}")
        MentorProfile.objects.filter(user=user).update(
            bio=bio, rating=Decimal(rating) if rating else None, rating_count=count, sessions_taught=taught
        )
        user.mentor_profile.domains.add(domains[i % len(domains)])
        mentors.append(user)
    now = timezone.now()
    specs = [
        ("Django REST APIs from scratch", 0, 0, -0.25, 0, 2, SessionStatus.LIVE),
        ("Cracking the system design round", 0, 0, 5, 49_900, 3, SessionStatus.SCHEDULED),
        ("SQL window functions, hands-on", 1, 1, 26, 0, 5, SessionStatus.SCHEDULED),
        ("Portfolio review for junior designers", 2, 2, 50, 79_900, 1, SessionStatus.SCHEDULED),
        ("Mock interview: backend developer", 3, 3, 74, 99_900, 1, SessionStatus.SCHEDULED),
        ("Accessible React components", 4, 0, 98, 29_900, 4, SessionStatus.SCHEDULED),
    ]
    sessions = []
    for title, m, d, hours, price, cap, status in specs:
        start = now + timedelta(hours=hours)
        sessions.append(
            Session.objects.create(
                mentor=mentors[m],
                domain=domains[d],
                title=f"{title}",
                description="Demo session for screenshots.",
                topics=["demo"],
                start=start,
                duration_minutes=60,
                price_paise=price,
                capacity=cap,
                status=status,
            )
        )
    learner = make_user("learner", full_name=f"Demo Learner {tag}")
    Booking.objects.create(session=sessions[3], learner=learner, status=BookingStatus.CONFIRMED)
    return {"mentors": mentors, "sessions": sessions, "learner": learner}


def _enrol_totp(user: Any) -> str:
    from tests.totp import enrol_totp

    """Give an admin an active TOTP authenticator the way allauth.mfa stores it; return the secret."""
    return enrol_totp(user)


def _totp_code(secret: str) -> str:
    from tests.totp import current_code

    return current_code(secret)


def _login_with_totp(page: Any, email: str, secret: str) -> None:
    login(page, email)
    if page.locator('input[name="code"]').count():
        page.fill('input[name="code"]', _totp_code(secret))
        page.get_by_role("button", name="Verify").click()
        page.wait_for_load_state("networkidle")


_CATALOGUE: dict[str, Any] = {}


@pytest.fixture
def catalogue() -> dict[str, Any]:
    """Created once per test run: the e2e database persists across tests."""
    if not _CATALOGUE:
        _CATALOGUE.update(_demo_catalogue())
    return _CATALOGUE


@pytest.mark.parametrize("width", WIDTHS)
def test_landing(new_context: Any, catalogue: dict[str, Any], width: int) -> None:
    page = new_context(width=width, height=900).new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("/")
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Learn 1:1")
    expect(page.get_by_role("link", name="Get Started").first).to_have_attribute("href", "/register/")
    expect(page.get_by_role("heading", name="Live now")).to_be_visible()
    expect(page.get_by_text("Django REST APIs from scratch")).to_be_visible()
    expect(page.get_by_role("heading", name="Upcoming sessions")).to_be_visible()
    # Countdown ticks in the browser from the data-start attribute.
    countdown = page.locator("[data-countdown]").first
    first = countdown.inner_text()
    assert first.startswith("Starts in ")
    page.wait_for_timeout(1100)
    assert countdown.inner_text() != first
    expect(page.get_by_text("₹499").first).to_be_visible()
    expect(page.get_by_text("Free").first).to_be_visible()
    expect(page.get_by_text("Ananya Krishnan").first).to_be_visible()
    expect(page.get_by_text("New mentor").first).to_be_visible()
    expect(page.get_by_text("From question to live session in three steps")).to_be_visible()
    expect(page.get_by_role("link", name="Become a mentor").first).to_be_visible()
    _no_horizontal_scroll(page)
    # Strict CSP: no inline script/style refused, no script errors (htmx, our JS).
    assert not errors, errors
    _check_axe(page)
    _shot(page, f"pages-landing-{width}")
    if width == 360:
        menu = page.get_by_role("button", name="Menu")
        menu.focus()
        page.keyboard.press("Enter")
        expect(menu).to_have_attribute("aria-expanded", "true")
        nav = page.locator("#mobile-menu")
        expect(nav.get_by_role("link", name="Mentors")).to_be_visible()
        expect(nav.get_by_role("link", name="Get started")).to_be_visible()
        # The menu fades in; judge its contrast once it is fully opaque.
        page.wait_for_function("() => getComputedStyle(document.getElementById('mobile-menu')).opacity === '1'")
        _check_axe(page)
        _shot(page, "pages-landing-360-menu")
        page.keyboard.press("Escape")
        expect(menu).to_have_attribute("aria-expanded", "false")


@pytest.mark.parametrize("width", WIDTHS)
def test_session_page_and_mentor_profile(new_context: Any, catalogue: dict[str, Any], width: int) -> None:
    """The two pages whose shared parts are cached: a visitor sees the whole page, "More like this"
    included, with nothing wider than a phone."""
    page = new_context(width=width, height=900).new_page()
    page.goto(f"/sessions/{catalogue['sessions'][1].pk}/")
    expect(page.get_by_test_id("session-title")).to_have_text("Cracking the system design round")
    expect(page.get_by_test_id("book-button")).to_be_visible()
    expect(page.get_by_test_id("more-like-this")).to_be_visible()
    _no_horizontal_scroll(page)
    _shot(page, f"pages-session-{width}")
    page.goto(f"/mentors/{catalogue['mentors'][0].pk}/?tab=sessions")
    expect(page.get_by_test_id("mentor-name")).to_have_text("Ananya Krishnan")
    expect(page.get_by_test_id("follower-count")).to_be_visible()
    _no_horizontal_scroll(page)
    _shot(page, f"pages-mentor-{width}")


def _devtools_issues(page: Any) -> list[dict[str, Any]]:
    """The issues Chrome raised for the page (deprecated APIs, CSP refusals, cookie and mixed-content
    problems: what Lighthouse's deprecations and inspector-issues audits read). Enabling the Audits
    domain replays the issues the page has stored before it answers, so nothing raised earlier is
    missed."""
    cdp = page.context.new_cdp_session(page)
    issues: list[dict[str, Any]] = []
    cdp.on("Audits.issueAdded", lambda event: issues.append(event["issue"]))
    cdp.send("Audits.enable")
    cdp.detach()
    return issues


def test_public_pages_raise_no_browser_issues(new_context: Any, catalogue: dict[str, Any]) -> None:
    """Landing, catalogue and a session page (the pages Lighthouse scores) use no deprecated API and
    raise no other DevTools issue once our scripts and htmx have started, for a visitor and signed in
    (the bell and account menu are plain app.js disclosures; no page loads a framework)."""
    page = new_context(width=360, height=800).new_page()
    for path in ("/", "/sessions/", f"/sessions/{catalogue['sessions'][1].pk}/"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        # app.js marks the header's theme toggle with the theme once it has started.
        page.wait_for_function(
            "() => window.htmx !== undefined && document.querySelector('[data-theme-toggle][data-state]')"
        )
        issues = _devtools_issues(page)
        assert not issues, f"{path}: {issues}"
    login(page, make_user("learner").email)
    for path in ("/", "/sessions/"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        page.wait_for_function("() => document.querySelector('[data-theme-toggle][data-state]')")
        issues = _devtools_issues(page)
        assert not issues, f"{path} signed in: {issues}"


def test_header_menus_open_close_and_dismiss(new_context: Any) -> None:
    """The signed-in header's dropdowns and the dashboard's phone drawer: open on click, one at a
    time, close on Escape (focus back on their button) and on a click elsewhere; the drawer moves
    focus to its close button and closes from it or its backdrop."""
    page = new_context(width=1280, height=800).new_page()
    login(page, make_user("learner").email)
    page.goto("/sessions/")
    bell = page.locator("#notification-bell-button")
    account = page.get_by_role("button", name="Account menu")
    panel, menu = page.locator("#notification-panel"), page.locator("#user-menu")
    account.click()
    expect(menu).to_be_visible()
    expect(account).to_have_attribute("aria-expanded", "true")
    # A toast arriving now (it lands where the menu hangs) stays behind the open menu: a tap on that
    # spot reaches the menu, not the toast.
    page.evaluate("window.PeerLearn.toast('A toast under the menu', 'info')")
    toast = page.get_by_text("A toast under the menu")
    expect(toast).to_be_attached()
    box = toast.bounding_box()
    assert box is not None
    hit = f"document.elementFromPoint({box['x'] + box['width'] / 2}, {box['y'] + box['height'] / 2})"
    assert page.evaluate(f"{hit}.closest('#user-menu') !== null")
    bell.click()  # opening the bell closes the account menu (a click outside it)
    expect(panel).to_be_visible()
    expect(menu).to_be_hidden()
    expect(account).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(bell).to_be_focused()
    account.click()
    expect(menu).to_be_visible()
    page.locator("main").click(position={"x": 5, "y": 5})
    expect(menu).to_be_hidden()

    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/dashboard/")
    opener = page.get_by_role("button", name="Open menu")
    drawer = page.get_by_role("dialog", name="Navigation")
    expect(drawer).to_be_hidden()
    opener.click()
    expect(drawer).to_be_visible()
    close = drawer.get_by_role("button", name="Close menu")
    expect(close).to_be_focused()
    close.click()
    expect(drawer).to_be_hidden()
    expect(opener).to_be_focused()
    opener.click()
    page.keyboard.press("Escape")
    expect(drawer).to_be_hidden()


def test_theme_toggle_persists_for_anonymous(new_context: Any) -> None:
    page = new_context().new_page()
    page.goto("/help/")
    # Cycle until dark.
    for _ in range(3):
        if page.evaluate("document.documentElement.classList.contains('dark')"):
            break
        page.locator("header [data-theme-toggle]").first.click()
    assert page.evaluate("document.documentElement.classList.contains('dark')")
    assert page.evaluate("localStorage.getItem('theme')") == "dark"
    assert any(c["name"] == "theme" and c["value"] == "dark" for c in page.context.cookies())
    page.reload()
    assert page.evaluate("document.documentElement.classList.contains('dark')")
    expect(page.get_by_role("heading", name="Cancellations and refunds")).to_be_visible()
    _check_axe(page)
    _shot(page, "pages-help-dark")


@pytest.mark.parametrize("width", WIDTHS)
def test_help_and_404(new_context: Any, width: int) -> None:
    page = new_context(width=width).new_page()
    page.goto("/help/")
    expect(page.get_by_role("heading", name="Video setup and camera permissions")).to_be_visible()
    expect(page.get_by_text("Cancellation not allowed")).to_be_visible()
    _no_horizontal_scroll(page)
    _check_axe(page)
    _shot(page, f"pages-help-{width}")
    response = page.goto("/no-such-page-here/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    _check_axe(page)
    _shot(page, f"pages-404-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_learner_dashboard(new_context: Any, catalogue: dict[str, Any], width: int) -> None:
    page = new_context(width=width).new_page()
    login(page, catalogue["learner"].email)
    page.goto("/dashboard/")
    assert page.url.endswith("/dashboard/learner/")
    expect(page.get_by_role("heading", name="Welcome back, Demo")).to_be_visible()
    expect(page.get_by_text("Portfolio review for junior designers").first).to_be_visible()
    # The recommendations load after the page (htmx): each one says why, or the empty state explains
    # how to get some (which one depends on the other sessions in this shared database; the ranking
    # itself is tested in apps/progress/tests/test_recommend.py and e2e/test_discovery.py).
    recs = page.get_by_test_id("recommendations")
    expect(recs.get_by_role("heading", name="Recommended for you")).to_be_visible()
    expect(
        recs.get_by_test_id("recommendation-reason").first.or_(recs.get_by_text("No recommendations yet"))
    ).to_be_visible()
    # Wrong role: "Access denied" toast, closable, back on the learner dashboard.
    page.goto("/dashboard/mentor/")
    assert page.url.endswith("/dashboard/learner/")
    toast = page.locator("#toasts [data-toast]").filter(has_text="Access denied")
    expect(toast).to_be_visible()
    toast.get_by_role("button", name="Dismiss notification").click()
    toast.wait_for(state="detached")
    tab = page.get_by_role("tab", name="Requests")
    tab.click()
    expect(tab).to_have_attribute("aria-selected", "true")
    expect(page.get_by_text("No requests yet")).to_be_visible()
    if width == 1280:
        expect(page.locator("aside").get_by_role("link", name="My requests")).to_be_visible()
    else:
        bottom = page.get_by_role("navigation", name="Quick navigation")
        expect(bottom.get_by_role("link", name="Notifications")).to_be_visible()
        # Drawer with the full navigation: focus moves in, Escape closes and returns focus.
        opener = page.get_by_role("button", name="Open menu")
        opener.click()
        drawer = page.get_by_role("dialog", name="Navigation")
        expect(drawer.get_by_role("link", name="Payments", exact=True)).to_be_visible()
        expect(drawer.get_by_role("button", name="Close menu")).to_be_focused()
        _check_axe(page)
        _shot(page, "pages-dashboard-learner-360-drawer")
        page.keyboard.press("Escape")
        drawer.wait_for(state="hidden")
        expect(opener).to_be_focused()
    _no_horizontal_scroll(page)
    _check_axe(page)
    _shot(page, f"pages-dashboard-learner-{width}")
    # Signed in, the public header carries the bell and account menu too: it must still fit.
    page.goto("/help/")
    expect(page.get_by_role("button", name="Account menu")).to_be_visible()
    _no_horizontal_scroll(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_mentor_dashboards(new_context: Any, width: int) -> None:
    from apps.catalog.models import Session
    from apps.taxonomy.models import Domain

    pending = make_user("mentor", approved=False, full_name="Kavya Reddy")
    page = new_context(width=width).new_page()
    login(page, pending.email)
    page.goto("/dashboard/mentor/")
    expect(page.get_by_text("Pending approval").first).to_be_visible()
    expect(page.get_by_role("heading", name="What happens next")).to_be_visible()
    expect(page.get_by_role("link", name="Edit your profile")).to_be_visible()
    _no_horizontal_scroll(page)
    _check_axe(page)
    _shot(page, f"pages-dashboard-mentor-pending-{width}")

    approved = make_user("mentor", full_name="Farhan Qureshi")
    domain = Domain.objects.get_or_create(slug="programming", defaults={"name": "Programming"})[0]
    local_now = timezone.localtime()
    start = local_now + timedelta(minutes=5) if local_now.hour < 23 else local_now
    Session.objects.create(
        mentor=approved,
        domain=domain,
        title="Python debugging clinic",
        description="Demo",
        start=start,
        duration_minutes=45,
        price_paise=0,
        capacity=2,
    )
    from apps.requests.models import SessionRequest

    approved.mentor_profile.domains.add(domain)
    SessionRequest.objects.create(
        learner=make_user("learner"),
        mentor=approved,
        domain=domain,
        title="Help me debug asyncio",
        proposed_start=start + timedelta(days=1),
        duration_minutes=60,
        expires_at=start + timedelta(days=1),
    )
    page2 = new_context(width=width).new_page()
    login(page2, approved.email)
    page2.goto("/dashboard/mentor/")
    expect(page2.get_by_role("heading", name="Welcome back, Farhan")).to_be_visible()
    expect(page2.get_by_text("Python debugging clinic")).to_be_visible()
    expect(page2.get_by_role("link", name="Go live")).to_be_visible()
    expect(page2.get_by_text("Help me debug asyncio")).to_be_visible()
    if width == 1280:  # the sidebar's Requests badge, loaded by htmx
        badge = page2.locator("#sidebar-nav a[href='/dashboard/mentor/requests/'] .badge")
        badge.wait_for(state="visible")
        assert badge.inner_text() == "1"
    _no_horizontal_scroll(page2)
    _check_axe(page2)
    _shot(page2, f"pages-dashboard-mentor-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_admin_dashboard(new_context: Any, width: int) -> None:
    make_user("mentor", approved=False, full_name="Waiting Mentor")
    admin = make_user("admin", full_name="Asha Admin")
    secret = _enrol_totp(admin)
    page = new_context(width=width).new_page()
    _login_with_totp(page, admin.email, secret)
    page.goto("/dashboard/admin/")
    assert page.url.endswith("/dashboard/admin/"), page.url
    expect(page.get_by_role("heading", name="Marketplace overview")).to_be_visible()
    expect(page.get_by_text("waiting for approval")).to_be_visible()
    expect(page.get_by_text("Pending approvals")).to_be_visible()
    _no_horizontal_scroll(page)
    _check_axe(page)
    _shot(page, f"pages-dashboard-admin-{width}")
