from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "errors/csrf.html", {"reason": reason}, status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors that could fail again: a plain render of a static template.
    from django.template import loader

    return HttpResponse(loader.get_template("errors/500.html").render({}), status=500)


def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "core/landing.html")


def help_centre(request: HttpRequest) -> HttpResponse:
    return render(request, "core/help.html")
