from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    user = request.user
    theme = getattr(user, "theme", "system") if user.is_authenticated else request.COOKIES.get("theme", "system")
    return {
        "PAYMENTS_SANDBOX": settings.PAYMENTS_SANDBOX,
        "SITE_URL": settings.SITE_URL,
        "theme": theme if theme in {"light", "dark", "system"} else "system",
    }
