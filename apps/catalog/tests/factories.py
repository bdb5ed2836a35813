"""Short helpers over the factory_boy factories in ``tests/factories.py``, used by the catalogue,
bookings and payments tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from apps.accounts.models import MentorStatus, Role, User
from apps.catalog.models import Session
from apps.taxonomy.models import Domain
from tests.factories import DomainFactory, SessionFactory, UserFactory


def make_user(role: str = Role.LEARNER, *, name: str | None = None, approved: bool = True, **extra: Any) -> User:
    """Shorthand over ``tests.factories.UserFactory`` (the one place users are made)."""
    if name is not None:
        extra["full_name"] = name
    if not approved:
        extra["mentor_status"] = MentorStatus.PENDING
    return UserFactory(role=role, **extra)


def make_domain(name: str = "Programming") -> Domain:
    return DomainFactory(name=name)


def make_session(
    *,
    mentor: User | None = None,
    start: datetime | None = None,
    domain: Domain | None = None,
    **fields: Any,
) -> Session:
    """Shorthand over ``tests.factories.SessionFactory``; a mentor is created when none is given."""
    extra: dict[str, Any] = {"mentor": mentor or make_user(Role.MENTOR), **fields}
    if start is not None:
        extra["start"] = start
    if domain is not None:
        extra["domain"] = domain
    return SessionFactory(**extra)
