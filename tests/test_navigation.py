"""Every link a user can reach from the navigation works, for every role.

The demo data (``seed_demo``, built through the real services) gives every page rows with detail
links: bookings, receipts, sessions, requests, notifications. For each role the test opens the
pages the navigation lists (sidebar, mobile bottom bar, header), collects every same-origin ``href``
on them, opens each one as that role and expects a 200 (after following redirects, e.g.
``/dashboard/`` → the role's own dashboard).

Not followed, and why:
- ``#…`` fragments, ``mailto:``/``tel:`` and other hosts: not pages of ours;
- ``/static/…`` and ``/media/…``: files, not pages;
- live-room links ``/session/<code>/``: they are time-gated by design (open 10 minutes before the
  start); their access rules have their own tests in ``apps/rooms``.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from apps.accounts.models import MentorStatus, Role, User
from tests.totp import enrol_totp

pytestmark = pytest.mark.django_db

SKIP_PREFIXES = ("/static/", "/media/", "/session/")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_on(html: str) -> set[str]:
    parser = _Links()
    parser.feed(html)
    found: set[str] = set()
    for href in parser.hrefs:
        path, _fragment = urldefrag(href)
        parts = urlsplit(path)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue  # other hosts, mailto:, tel:, pure fragments
        if parts.path.startswith(SKIP_PREFIXES):
            continue
        found.add(path)
    return found


def nav_pages(client: Client) -> set[str]:
    """The pages the navigation offers to this client: the sidebar and bottom bar of its dashboard
    (or, for a visitor, the header and footer of the landing page)."""
    start = client.get("/dashboard/", follow=True) if client.session.session_key else client.get("/")
    assert start.status_code == 200
    nav = start.context.get("dashboard_nav")
    pages = {start.request["PATH_INFO"]}
    if nav:
        pages |= {item.url for item in [*nav["items"], *nav["bottom"]]}
    pages |= links_on(start.content.decode())
    return pages


def walk(client: Client, label: str) -> tuple[list[str], int]:
    pages = nav_pages(client)
    assert pages, label
    broken: list[str] = []
    seen: set[str] = set()
    to_check: set[str] = set(pages)
    for page in sorted(pages):
        r = client.get(page, follow=True)
        seen.add(page)
        if r.status_code != 200:
            broken.append(f"{label}: navigation page {page} -> {r.status_code}")
            continue
        if "text/html" in r.get("Content-Type", ""):
            to_check |= links_on(r.content.decode())
    for href in sorted(to_check - seen):
        r = client.get(href, follow=True)
        if r.status_code != 200:
            broken.append(f"{label}: {href} -> {r.status_code}")
    return broken, len(to_check | seen)


def login(email: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def test_every_link_of_every_role_answers_200() -> None:
    call_command("seed_demo", verbosity=0)
    admin = User.objects.get(role=Role.ADMIN, email="anjali.kapoor@demo.peerlearn.in")
    enrol_totp(admin)  # the console needs 2FA enrolled
    pending = User.objects.filter(role=Role.MENTOR, mentor_profile__status=MentorStatus.PENDING).first()
    assert pending is not None

    actors = {
        "visitor": Client(),
        "learner": login("aarav.patel@demo.peerlearn.in"),
        "mentor": login("priya.sharma@demo.peerlearn.in"),
        "pending mentor": login(pending.email),
        "admin": login(admin.email),
    }
    broken: list[str] = []
    opened: dict[str, int] = {}
    for label, client in actors.items():
        result, opened[label] = walk(client, label)
        broken += result
    # Every role's walk reached a real set of pages (navigation, detail rows, header and footer).
    assert all(count >= 10 for count in opened.values()), opened
    assert broken == []


def test_navigation_lists_only_pages_that_exist_for_each_role() -> None:
    """The sidebar of each role names real pages (and the planned ones are not listed yet)."""
    call_command("seed_demo", verbosity=0)
    expected = {
        "aarav.patel@demo.peerlearn.in": {
            "/dashboard/learner/",
            "/dashboard/learner/bookings/",
            "/dashboard/learner/payments/",
            "/dashboard/learner/progress/",
            "/posts/",
            "/dashboard/learner/following/",
            "/cart/",
            "/profile/",
        },
        "priya.sharma@demo.peerlearn.in": {
            "/dashboard/mentor/",
            "/dashboard/mentor/sessions/",
            "/dashboard/mentor/requests/",
            "/dashboard/mentor/earnings/",
            "/dashboard/mentor/analytics/",
            "/dashboard/mentor/withdrawals/",
            "/profile/",
        },
    }
    for email, urls in expected.items():
        client = login(email)
        r = client.get("/dashboard/", follow=True)
        assert {item.url for item in r.context["dashboard_nav"]["items"]} == urls
        for url in urls:
            assert client.get(url).status_code == 200, url
