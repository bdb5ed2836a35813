"""Landing page, help centre and the theme switch."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from apps.accounts.models import Theme
from apps.accounts.services import update_profile
from apps.core.fragments import cached_fragment

from .selectors import landing_sessions, top_mentors


def landing(request: HttpRequest) -> HttpResponse:
    def build() -> dict[str, Any]:
        sessions = landing_sessions()
        return {
            "live_sessions": [s for s in sessions if s.status == "live"],
            "upcoming_sessions": [s for s in sessions if s.status != "live"],
            "mentors": list(top_mentors()),
            "extra": {"has_sessions": bool(sessions)},
        }

    listings, extra = cached_fragment("landing", "core/_landing_listings.html", build)
    return render(request, "core/landing.html", {"listings": listings, **extra})


def help_centre(request: HttpRequest) -> HttpResponse:
    fee = int(settings.PLATFORM_FEE_PERCENT)
    context = {
        "nav_active": "help",
        "fee_percent": fee,
        "mentor_percent": 100 - fee,
        "support_email": getattr(settings, "SUPPORT_EMAIL", "support@peerlearn.local"),
    }
    return render(request, "core/help.html", context)


@require_POST
def set_theme(request: HttpRequest) -> HttpResponse:
    """Persist the colour theme: User.theme for signed-in users, a cookie for everyone."""
    theme = request.POST.get("theme", "")
    if theme not in Theme.values:
        return HttpResponseBadRequest("unknown theme")
    if request.user.is_authenticated:
        update_profile(user=request.user, theme=theme)
    response = JsonResponse({"theme": theme})
    response.set_cookie("theme", theme, max_age=365 * 24 * 3600, samesite="Lax", secure=request.is_secure())
    return response
