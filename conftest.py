"""Test-wide configuration shared by unit, integration and e2e tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _test_defaults(settings):  # type: ignore[no-untyped-def]
    # Celery tasks run inline in tests; everything else uses the real components.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
