from __future__ import annotations

import gzip
import io

import pytest
from django.http import FileResponse, HttpResponse, JsonResponse
from django.test import RequestFactory

from apps.core.middleware import CompressPagesMiddleware

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
PAGE = "<!doctype html><p>" + "A session card with a title and a mentor. " * 200 + "</p>"


def _run(response: HttpResponse, **meta: str) -> HttpResponse:
    request = RequestFactory().get("/", **meta)
    out: HttpResponse = CompressPagesMiddleware(lambda r: response)(request)
    return out


def test_pages_and_json_are_gzipped_for_browsers_that_accept_it():
    page = _run(HttpResponse(PAGE), **GZIP)
    assert page["Content-Encoding"] == "gzip" and "Accept-Encoding" in page["Vary"]
    assert gzip.decompress(page.content).decode() == PAGE
    assert int(page["Content-Length"]) == len(page.content) < len(PAGE) // 5
    data = _run(JsonResponse({"rows": ["a mentor's session"] * 100}), **GZIP)
    assert data["Content-Encoding"] == "gzip"


def test_nothing_is_compressed_without_accept_encoding():
    page = _run(HttpResponse(PAGE))
    assert not page.has_header("Content-Encoding") and page.content.decode() == PAGE


@pytest.mark.parametrize(
    "response",
    [
        FileResponse(io.BytesIO(b"\x1a\x45\xdf\xa3" * 2000), content_type="video/webm"),  # recordings: ranges
        HttpResponse(b"\x89PNG" * 500, content_type="image/png"),
        HttpResponse("name,amount\n" * 300, content_type="text/csv"),
    ],
    ids=["file", "png", "csv"],
)
def test_files_and_other_types_pass_untouched(response):
    out = _run(response, **GZIP)
    assert not out.has_header("Content-Encoding")


@pytest.mark.django_db
def test_a_page_through_the_whole_stack_is_compressed(client, settings):
    name = "apps.core.middleware.CompressPagesMiddleware"
    if name not in settings.MIDDLEWARE:  # the production profile leaves compression to nginx
        settings.MIDDLEWARE = [settings.MIDDLEWARE[0], name, *settings.MIDDLEWARE[1:]]
    response = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    assert b"PeerLearn" in gzip.decompress(response.content)
