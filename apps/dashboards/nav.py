"""Dashboard navigation per role (SPEC §2). One list drives the desktop sidebar and the mobile drawer;
the mobile bottom bar shows Home, Sessions, Notifications and Profile.

Entries name URLs (resolved with ``reverse``), so an entry can only point at a page that exists:
a missing URL name fails loudly at the first render, and ``tests/test_navigation.py`` opens every
entry and every link on the pages it reaches, for every role. Pages that are planned but not built
(learner progress, mentor analytics) have no entry until
they exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from apps.accounts.models import User


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: str | Promise
    url_name: str
    icon: str
    also: tuple[str, ...] = ()  # other nav_active keys that light this item up


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise
    url: str
    icon: str
    also: tuple[str, ...] = ()


LEARNER = (
    NavEntry("home", _("Home"), "dashboards:learner", "home"),
    NavEntry("bookings", _("Bookings"), "bookings:list", "calendar-days"),
    NavEntry("progress", _("Progress"), "dashboards:learner_progress", "chart-bar"),
    NavEntry("payments", _("Payments"), "payments:list", "credit-card"),
    NavEntry("posts", _("My requests"), "requests:posts", "chat-bubble-left-right"),
    NavEntry("following", _("Following"), "follows:following", "user-group"),
    NavEntry("cart", _("Cart"), "bookings:cart", "shopping-cart"),
    NavEntry("profile", _("Profile"), "accounts:profile", "user-circle"),
)
MENTOR = (
    NavEntry("home", _("Home"), "dashboards:mentor", "home"),
    NavEntry("sessions", _("Sessions"), "catalog:mentor_sessions", "video-camera"),
    NavEntry("requests", _("Requests"), "requests:mentor", "inbox"),
    NavEntry("earnings", _("Earnings"), "payments:earnings", "banknotes"),
    NavEntry("analytics", _("Analytics"), "dashboards:mentor_analytics", "chart-bar"),
    NavEntry("withdrawals", _("Withdrawals"), "dashboards:mentor_withdrawals", "wallet"),
    NavEntry("profile", _("Profile"), "accounts:profile", "user-circle"),
)
ADMIN = (
    NavEntry("home", _("Overview"), "dashboards:admin", "chart-pie"),
    NavEntry("mentors", _("Mentor approvals"), "dashboards:admin_mentors", "user-plus"),
    NavEntry("users", _("Users"), "dashboards:admin_users", "users"),
    NavEntry("sessions", _("Sessions"), "dashboards:admin_sessions", "video-camera"),
    NavEntry("payments", _("Payments"), "dashboards:admin_payments", "credit-card"),
    NavEntry("withdrawals", _("Withdrawals"), "dashboards:admin_withdrawals", "wallet"),
    NavEntry("feedback", _("Feedback"), "dashboards:admin_feedback", "star"),
    NavEntry("audit", _("Audit log"), "dashboards:admin_audit", "clipboard-document-list"),
    NavEntry("reports", _("Reports"), "dashboards:admin_reports", "document-text"),
)
BY_ROLE: dict[str, tuple[NavEntry, ...]] = {Role.LEARNER: LEARNER, Role.MENTOR: MENTOR, Role.ADMIN: ADMIN}

# The bottom bar's "Sessions" entry per role; the public catalogue for everyone else.
SESSIONS: dict[str, str] = {
    Role.LEARNER: "bookings:list",
    Role.MENTOR: "catalog:mentor_sessions",
}


def _resolve(entry: NavEntry) -> NavItem:
    return NavItem(entry.key, entry.label, reverse(entry.url_name), entry.icon, entry.also)


def nav_for(user: User | AnonymousUser) -> dict[str, Any]:
    role: str = getattr(user, "role", "") if user.is_authenticated else ""
    items = [_resolve(e) for e in BY_ROLE.get(role, ())]
    home = items[0].url if items else reverse("site:landing")
    bottom = [
        NavItem("home", _("Home"), home, "home"),
        _resolve(
            NavEntry("sessions", _("Sessions"), SESSIONS.get(role, "catalog:list"), "calendar-days", ("bookings",))
        ),
        _resolve(NavEntry("notifications", _("Notifications"), "notifications:history", "bell")),
        _resolve(NavEntry("profile", _("Profile"), "accounts:profile", "user-circle")),
    ]
    return {"items": items, "bottom": bottom, "home": home}
