"""Dashboard navigation per role (SPEC §2). One list drives the desktop sidebar and the mobile drawer;
the mobile bottom bar shows Home, Sessions, Notifications and Profile."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Role


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise
    url: str
    icon: str
    also: tuple[str, ...] = ()  # other nav_active keys that light this item up


LEARNER = [
    NavItem("home", _("Home"), "/dashboard/learner/", "home"),
    NavItem("bookings", _("Bookings"), "/dashboard/learner/bookings/", "calendar-days"),
    NavItem("payments", _("Payments"), "/dashboard/learner/payments/", "credit-card"),
    NavItem("progress", _("Progress"), "/dashboard/learner/progress/", "chart-bar"),
    NavItem("posts", _("My requests"), "/posts/", "chat-bubble-left-right"),
    NavItem("cart", _("Cart"), "/cart/", "shopping-cart"),
    NavItem("profile", _("Profile"), "/profile/", "user-circle"),
]
MENTOR = [
    NavItem("home", _("Home"), "/dashboard/mentor/", "home"),
    NavItem("sessions", _("Sessions"), "/dashboard/mentor/sessions/", "video-camera"),
    NavItem("requests", _("Requests"), "/dashboard/mentor/requests/", "inbox"),
    NavItem("earnings", _("Earnings"), "/dashboard/mentor/earnings/", "banknotes"),
    NavItem("withdrawals", _("Withdrawals"), "/dashboard/mentor/withdrawals/", "wallet"),
    NavItem("analytics", _("Analytics"), "/dashboard/mentor/analytics/", "presentation-chart-line"),
    NavItem("profile", _("Profile"), "/profile/", "user-circle"),
]
ADMIN = [
    NavItem("home", _("Overview"), "/dashboard/admin/", "chart-pie"),
    NavItem("users", _("Users"), "/dashboard/admin/users/", "users"),
    NavItem("sessions", _("Sessions"), "/dashboard/admin/sessions/", "video-camera"),
    NavItem("payments", _("Payments"), "/dashboard/admin/payments/", "credit-card"),
    NavItem("withdrawals", _("Withdrawals"), "/dashboard/admin/withdrawals/", "wallet"),
    NavItem("feedback", _("Feedback"), "/dashboard/admin/feedback/", "chat-bubble-left-right"),
    NavItem("audit", _("Audit log"), "/dashboard/admin/audit/", "clipboard-document-list"),
    NavItem("reports", _("Reports"), "/dashboard/admin/reports/", "document-text"),
]

SESSIONS_URL: dict[str, str] = {
    Role.LEARNER: "/dashboard/learner/bookings/",
    Role.MENTOR: "/dashboard/mentor/sessions/",
    Role.ADMIN: "/dashboard/admin/sessions/",
}


def nav_for(user: Any) -> dict[str, Any]:
    role: str = getattr(user, "role", "") if getattr(user, "is_authenticated", False) else ""
    by_role: dict[str, list[NavItem]] = {Role.LEARNER: LEARNER, Role.MENTOR: MENTOR, Role.ADMIN: ADMIN}
    items = by_role.get(role, [])
    home = items[0].url if items else "/"
    bottom = [
        NavItem("home", _("Home"), home, "home"),
        NavItem("sessions", _("Sessions"), SESSIONS_URL.get(role, "/sessions/"), "calendar-days", ("bookings",)),
        NavItem("notifications", _("Notifications"), "/notifications/", "bell"),
        NavItem("profile", _("Profile"), "/profile/", "user-circle"),
    ]
    return {"items": items, "bottom": bottom, "home": home}
