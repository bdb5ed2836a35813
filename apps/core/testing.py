"""Shared pytest fixtures for app tests: the three actors (alice the learner, bob the mentor,
charlie the outsider), a user factory, and an in-memory channel layer with locmem mail whatever
the profile. App conftests import what they need from here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import override_settings

from apps.accounts.models import MentorStatus, Role
from apps.accounts.services import create_user


@pytest.fixture(autouse=True)
def _memory_layer_and_mail() -> Any:
    # In-memory channel layer and the locmem mail backend for unit tests, whatever the profile.
    with override_settings(
        CHANNEL_LAYERS={"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}},
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    ):
        from channels.layers import channel_layers

        channel_layers.backends.clear()
        yield
        channel_layers.backends.clear()


_counter = {"n": 0}


@pytest.fixture
def make_user() -> Callable[..., Any]:
    def make(role: str = Role.LEARNER, name: str = "Asha Rao", **kw: Any) -> Any:
        _counter["n"] += 1
        return create_user(
            email=f"{role}{_counter['n']}@example.in",
            password="Peer-learn-2026!",  # noqa: S106 - test accounts only
            full_name=name,
            role=role,
            email_verified=True,
            mentor_status=MentorStatus.APPROVED,
        )

    return make


@pytest.fixture
def alice(make_user: Callable[..., Any]) -> Any:
    return make_user(Role.LEARNER, "Alice Learner")


@pytest.fixture
def bob(make_user: Callable[..., Any]) -> Any:
    return make_user(Role.MENTOR, "Bob Mentor")


@pytest.fixture
def charlie(make_user: Callable[..., Any]) -> Any:
    return make_user(Role.LEARNER, "Charlie Outsider")
