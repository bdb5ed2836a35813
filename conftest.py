"""Test-wide configuration shared by unit, integration and e2e tests."""

from __future__ import annotations

import copy
import uuid

import pytest


@pytest.fixture(autouse=True)
def _test_defaults(request, settings):  # type: ignore[no-untyped-def]
    # Celery tasks run inline in tests; everything else uses the real components.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    if request.node.get_closest_marker("e2e") is not None:
        return
    # A fast hasher for in-process tests only. Playwright tests create users here that a separate
    # server process must authenticate with its own (default) hashers, so they keep the real one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Every test starts with an empty cache and channel layer of its own, even when they live in a
    # Redis shared by the xdist workers and other runs (production-profile suite): a fresh key
    # prefix isolates rate-limit counters, cached fragments and channel groups between tests.
    prefix = f"t{uuid.uuid4().hex[:12]}"
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = prefix
    settings.CACHES = caches
    layers = copy.deepcopy(settings.CHANNEL_LAYERS)
    if "Redis" in layers["default"]["BACKEND"]:
        layers["default"].setdefault("CONFIG", {})["prefix"] = prefix
        settings.CHANNEL_LAYERS = layers


@pytest.fixture(autouse=True)
def _sandbox_webhooks_through_the_test_client(request, monkeypatch, settings):  # type: ignore[no-untyped-def]
    """In-process tests have no server to receive the sandbox's webhooks over HTTP: hand each
    signed request to Django's test client instead (run time always uses real HTTP)."""
    if request.node.get_closest_marker("e2e") is not None or not settings.PAYMENTS_SANDBOX:
        return
    from urllib.parse import urlsplit

    from django.test import Client

    from apps.payments_sandbox import webhooks

    def post(url: str, body: bytes, headers: dict[str, str]) -> int:
        extra = {k: v for k, v in headers.items() if k.lower() != "content-type"}
        response = Client().post(urlsplit(url).path, data=body, content_type="application/json", headers=extra)
        return int(response.status_code)

    monkeypatch.setattr(webhooks, "post", post)


@pytest.fixture(autouse=True)
def _memory_layer_and_mail(request):  # type: ignore[no-untyped-def]
    """Unit and integration tests: an in-memory channel layer of their own and the locmem mail
    backend, whatever the profile (Playwright tests use the real ones of the served app)."""
    if request.node.get_closest_marker("e2e") is not None:
        yield
        return
    from channels.layers import channel_layers
    from django.test import override_settings

    with override_settings(
        CHANNEL_LAYERS={"default": {"BACKEND": "apps.core.layers.InMemoryChannelLayer"}},
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    ):
        channel_layers.backends.clear()
        yield
        channel_layers.backends.clear()


# --- factories and the three actors (owner, counterparty, outsider) -------------------------


@pytest.fixture
def user_factory():  # type: ignore[no-untyped-def]
    from tests.factories import UserFactory

    return UserFactory


@pytest.fixture
def session_factory():  # type: ignore[no-untyped-def]
    from tests.factories import SessionFactory

    return SessionFactory


@pytest.fixture
def booking_factory():  # type: ignore[no-untyped-def]
    from tests.factories import BookingFactory

    return BookingFactory


@pytest.fixture
def make_user(user_factory):  # type: ignore[no-untyped-def]
    """``make_user(role, name)`` for tests written against the actor fixtures."""

    def make(role: str = "learner", name: str = "Asha Rao", **kw):  # type: ignore[no-untyped-def]
        return user_factory(role=role, full_name=name, **kw)

    return make


@pytest.fixture
def alice(make_user):  # type: ignore[no-untyped-def]
    return make_user("learner", "Alice Learner")


@pytest.fixture
def bob(make_user):  # type: ignore[no-untyped-def]
    return make_user("mentor", "Bob Mentor")


@pytest.fixture
def charlie(make_user):  # type: ignore[no-untyped-def]
    return make_user("learner", "Charlie Outsider")
