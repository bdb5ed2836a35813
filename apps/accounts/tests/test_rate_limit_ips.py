"""Per-IP limits key on an address the client cannot choose (issue 14: rotating X-Forwarded-For
used to pass every check-email and failed-login limit behind the documented proxy)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, RequestFactory

from apps.core.net import client_ip

pytestmark = pytest.mark.django_db


def test_client_ip_trusts_only_the_configured_proxy_hops(settings: Any) -> None:
    rf = RequestFactory()
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"  # no proxy: the header is the client's own words
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"  # what nginx appended, not what the client wrote
    short = rf.get("/", REMOTE_ADDR="10.0.0.2")
    assert client_ip(short) == "10.0.0.2"


@pytest.mark.parametrize("hops", [0, 1])
def test_rotating_forwarded_for_does_not_reset_check_email_limit(
    client: Client, settings: Any, monkeypatch: Any, hops: int
) -> None:
    from apps.accounts import views

    settings.TRUSTED_PROXY_COUNT = hops
    monkeypatch.setattr(views, "CHECK_EMAIL_RATE", "3/m")
    codes = [
        client.get(
            "/register/check-email/",
            {"email": f"p{i}@example.in"},
            headers={"X-Forwarded-For": f"198.51.100.{i}, 203.0.113.9"},
        ).status_code
        for i in range(5)
    ]
    assert codes == [200, 200, 200, 429, 429]


@pytest.mark.parametrize("hops", [0, 1])
def test_rotating_forwarded_for_does_not_reset_login_limit(client: Client, settings: Any, hops: int) -> None:
    settings.TRUSTED_PROXY_COUNT = hops
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = hops
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    statuses = [
        client.post(
            "/login/",
            {"login": "x@example.in", "password": "whatever-1"},
            headers={"X-Forwarded-For": f"198.51.100.{i}, 203.0.113.9"},
        ).status_code
        for i in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]
