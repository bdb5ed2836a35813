from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from apps.accounts.models import Theme


def site(request: HttpRequest) -> dict[str, object]:
    user = request.user
    theme = getattr(user, "theme", "system") if user.is_authenticated else request.COOKIES.get("theme", "system")

    def _dashboard_url() -> str:
        from apps.accounts.access import dashboard_url_for

        return dashboard_url_for(user)

    def _nav() -> object:
        from .nav import nav_for

        return nav_for(user)

    return {
        "PAYMENTS_SANDBOX": settings.PAYMENTS_SANDBOX,
        "SITE_URL": settings.SITE_URL,
        "theme": theme if theme in Theme.values else Theme.SYSTEM,
        # Lazy: evaluated only by templates that use them (header menus, the dashboard layout).
        "dashboard_url": SimpleLazyObject(_dashboard_url),
        "dashboard_nav": SimpleLazyObject(_nav),
    }
