"""The baseline for bench/http.py: a Django view that does no database or template work, served by
the same server and middleware stack as every page. Routed only when PEERLEARN_BENCH=true."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
