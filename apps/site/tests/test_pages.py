"""Help centre, error pages, the base layout and theme persistence."""

from __future__ import annotations

import pytest
from django.contrib.messages import constants
from django.test import Client, RequestFactory
from django.urls import path

from apps.accounts.models import Role, User
from apps.catalog.tests.factories import make_user
from apps.core import views

pytestmark = pytest.mark.django_db


def _boom(request):  # type: ignore[no-untyped-def]
    raise RuntimeError("boom")


def _bad(request):  # type: ignore[no-untyped-def]
    from django.core.exceptions import SuspiciousOperation

    raise SuspiciousOperation("bad")


def _denied(request):  # type: ignore[no-untyped-def]
    from django.core.exceptions import PermissionDenied

    raise PermissionDenied


def test_help_centre_has_real_guidance(client, settings):
    settings.PAYMENTS_SANDBOX = True
    body = client.get("/help/").content.decode()
    for text in [
        "Video setup and camera permissions",
        "choose Allow",
        "Payments",
        "sandbox payments",
        "Cancellations and refunds",
        "24 hours or more before the start",
        "100%",
        "50%",
        "Cancellation not allowed",
        "Becoming a mentor",
        "85% of the price",
        "Contact us",
    ]:
        assert text in body, text


def test_base_layout_essentials(client, settings):
    settings.PAYMENTS_SANDBOX = True
    body = client.get("/").content.decode()
    assert '<html lang="en"' in body
    assert 'name="viewport"' in body
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles":false}\'>' in body
    assert 'hx-headers=\'{"X-CSRFToken": "' in body
    assert 'href="#main"' in body and 'id="main"' in body
    assert "Sandbox payments" in body
    assert "/static/dist/app.css" in body and "/static/src/js/theme.js" in body
    # No inline scripts or style attributes (strict CSP).
    assert "<script>" not in body and " style=" not in body
    # Anonymous header: Log in + Get started, no bell.
    assert 'href="/login/"' in body and "Get started" in body
    assert "notification-bell" not in body


def test_sandbox_label_hidden_with_real_keys(client, settings):
    settings.PAYMENTS_SANDBOX = False
    assert "Sandbox payments" not in client.get("/").content.decode()


def test_signed_in_header_has_bell_dashboard_and_post_logout(client):
    user = make_user(Role.LEARNER, name="Riya Sen")
    client.force_login(user)
    body = client.get("/").content.decode()
    assert 'id="notification-bell"' in body
    assert 'href="/dashboard/learner/"' in body
    assert 'method="post" action="/accounts/logout/"' in body or 'action="/logout/"' in body
    assert "Riya Sen" in body


def test_messages_render_as_toasts(client):
    user = make_user(Role.LEARNER)
    client.force_login(user)
    response = client.get("/dashboard/mentor/", follow=True)  # wrong role -> Access denied toast
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == "/dashboard/learner/"
    assert 'id="toasts"' in body and 'aria-live="polite"' in body
    assert "Access denied" in body and 'role="alert"' in body and "data-toast-close" in body
    assert constants.ERROR  # level used by access.py


def test_theme_endpoint_persists_for_user_and_cookie(client):
    user = make_user(Role.LEARNER)
    client.force_login(user)
    r = client.post("/theme/", {"theme": "dark"})
    assert r.status_code == 200 and r.cookies["theme"].value == "dark"
    user.refresh_from_db()
    assert user.theme == "dark"
    body = client.get("/").content.decode()
    assert 'class="dark"' in body and 'data-theme="dark"' in body and 'data-theme-source="user"' in body
    assert client.post("/theme/", {"theme": "neon"}).status_code == 400
    assert client.get("/theme/").status_code == 405


def test_theme_cookie_for_anonymous(client):
    r = client.post("/theme/", {"theme": "light"})
    assert r.status_code == 200
    assert User.objects.filter(theme="light").count() == 0
    body = client.get("/").content.decode()
    assert 'data-theme="light"' in body and 'data-theme-source="local"' in body


def test_404_page(client, settings):
    settings.DEBUG = False
    r = client.get("/this-page-does-not-exist-xyz/")
    assert r.status_code == 404
    body = r.content.decode()
    assert "Page not found" in body and "Back to home" in body and "/static/dist/app.css" in body


def test_csrf_failure_page():
    c = Client(enforce_csrf_checks=True)
    r = c.post("/theme/", {"theme": "dark"})
    assert r.status_code == 403
    body = r.content.decode()
    assert "This page expired" in body and "reload the page" in body
    assert "CSRF cookie not set" not in body  # the technical reason stays in the logs


urlpatterns_extra = [path("boom/", _boom), path("bad/", _bad), path("denied/", _denied)]


@pytest.fixture
def error_urls(settings):  # type: ignore[no-untyped-def]
    import peerlearn.urls as root

    module = type(root)("test_error_urls")
    module.urlpatterns = [*urlpatterns_extra, *root.urlpatterns]  # type: ignore[attr-defined]
    for name in ("handler400", "handler403", "handler404", "handler500"):
        setattr(module, name, getattr(root, name))
    import sys

    sys.modules["test_error_urls"] = module
    settings.ROOT_URLCONF = "test_error_urls"
    settings.DEBUG = False
    yield
    del sys.modules["test_error_urls"]


def test_500_400_403_pages(error_urls):
    c = Client(raise_request_exception=False)
    r = c.get("/boom/")
    assert r.status_code == 500
    assert "Something went wrong on our side" in r.content.decode()
    assert "/static/dist/app.css" in r.content.decode()
    r = c.get("/bad/")
    assert r.status_code == 400 and "Something was wrong with that request" in r.content.decode()
    r = c.get("/denied/")
    assert r.status_code == 403 and "Access denied" in r.content.decode()


def test_500_template_renders_without_request_context():
    # The handler must not depend on context processors, the session or the database.
    request = RequestFactory().get("/")
    r = views.server_error(request)
    assert r.status_code == 500
    assert b"Back to home" in r.content


def test_icon_tag_inlines_svg_and_rejects_bad_names():
    from django.template import Context, Template

    out = Template('{% icon "home" class="size-6" %}').render(Context())
    assert out.startswith('<svg class="size-6" ') and 'aria-hidden="true"' in out
    # Inline markup carries only what HTML needs; the paths' caps are inherited from the root.
    assert "xmlns" not in out and "data-slot" not in out and "\n" not in out
    assert out.count("stroke-linecap") == 1 and 'viewBox="0 0 24 24"' in out and "<path " in out
    labelled = Template('{% icon "bell" label="Alerts" %}').render(Context())
    assert 'role="img" aria-label="Alerts"' in labelled and "aria-hidden" not in labelled
    with pytest.raises(ValueError):
        Template('{% icon "../secret" %}').render(Context())


def test_no_template_has_a_multi_line_short_comment():
    """Django's {# #} comment is one line only: one spanning lines is printed on the page as text
    (the learner's dashboard showed one). Longer notes use {% comment %}."""
    import re
    from pathlib import Path

    from django.conf import settings

    bad = [
        f"{path.relative_to(settings.BASE_DIR)}:{text[: m.start()].count(chr(10)) + 1}"
        for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html")
        for text in [path.read_text(encoding="utf-8")]
        for m in re.finditer(r"\{#[^\n]*?(?:\n)", text)
        if "#}" not in m.group(0)
    ]
    assert not bad, bad
