from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _


class UserTimezoneMiddleware:
    """Render times in the signed-in user's timezone (stored in UTC, shown locally; SPEC §3)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tzname = getattr(request.user, "timezone", None) if request.user.is_authenticated else None
        if tzname:
            try:
                timezone.activate(zoneinfo.ZoneInfo(tzname))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


class PrivatePagesMiddleware:
    """Pages rendered for a signed-in person (dashboards, receipts, settings) are theirs alone:
    ``Cache-Control: private, no-store`` unless the view chose its own caching."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response


class RejectNulMiddleware:
    """No text a person types contains a NUL character, and PostgreSQL cannot store one (SQLite
    would): a query string or form field carrying one is refused here, once for every view, with
    a 400 page that says so, instead of reaching a form or the database."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or _has_nul(request.GET) or (request.method == "POST" and _has_nul(request.POST)):
            return render(
                request,
                "errors/400.html",
                {
                    "message": _(
                        "The request contained a NUL character (\\0), which text cannot hold. Remove it and try again."
                    )
                },
                status=400,
            )
        return self.get_response(request)


def _has_nul(data: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists())


class CompressPagesMiddleware(GZipMiddleware):
    """Gzip pages and JSON when no proxy does it (the embedded profile: daphne serves browsers
    directly; in production nginx compresses). The landing page's 70 KiB of HTML goes out as about
    11 KiB. Only whole text responses: files (recordings answer range requests), event streams and
    anything already encoded pass untouched, and WhiteNoise serves static files pre-compressed
    before this runs. Django's gzip adds random bytes to every response (a BREACH mitigation), on
    top of the CSRF token being masked afresh for each response."""

    TYPES = ("text/html", "application/json")

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if response.streaming or not response.get("Content-Type", "").startswith(self.TYPES):
            return response
        compressed: HttpResponseBase = super().process_response(request, response)
        return compressed
