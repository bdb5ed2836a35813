"""Test-wide configuration shared by unit, integration and e2e tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _test_defaults(request, settings):  # type: ignore[no-untyped-def]
    # Celery tasks run inline in tests; everything else uses the real components.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    # A fast hasher for in-process tests only. Playwright tests create users here that a separate
    # server process must authenticate with its own (default) hashers, so they keep the real one.
    if request.node.get_closest_marker("e2e") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
