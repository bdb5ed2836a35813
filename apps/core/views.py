"""Error pages shared by every app (wired as handler400/403/404/500 and CSRF_FAILURE_VIEW)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader

from . import background


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    # `reason` is for logs, not users: the page explains what to do in plain words.
    return render(request, "errors/csrf.html", status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request, no context processors, no database: a plain render of a self-contained template.
    return HttpResponse(loader.get_template("errors/500.html").render({}), status=500)


def health(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and ``scripts/run.sh``: the web server answers, and (embedded
    profile) whether its background runner is going. No database query, nothing private."""
    return JsonResponse(
        {"ok": True, "background": settings.BACKGROUND, "runner": background.runner_running()},
        headers={"Cache-Control": "no-store"},
    )
