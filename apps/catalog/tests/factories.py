"""Small factories shared by the catalogue, bookings and payments tests."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from apps.accounts.models import MentorStatus, Role, User
from apps.accounts.services import create_user
from apps.catalog.models import Domain, Session

_seq = itertools.count(1)


def make_user(role: str = Role.LEARNER, *, name: str | None = None, approved: bool = True, **extra: Any) -> User:
    n = next(_seq)
    return create_user(
        email=f"{role}{n}-{timezone.now().timestamp()}@example.com",
        password="Peer-learn-2026!",
        full_name=name or f"{role.title()} {n}",
        role=role,
        email_verified=True,
        mentor_status=MentorStatus.APPROVED if approved else MentorStatus.PENDING,
        **extra,
    )


def make_domain(name: str = "Programming") -> Domain:
    slug = name.lower().replace(" ", "-")
    return Domain.objects.get_or_create(slug=slug, defaults={"name": name})[0]


def make_session(
    *,
    mentor: User | None = None,
    start: datetime | None = None,
    price_paise: int = 0,
    capacity: int = 1,
    duration_minutes: int = 60,
    title: str = "Intro to Django",
    domain: Domain | None = None,
    **extra: Any,
) -> Session:
    mentor = mentor or make_user(Role.MENTOR)
    return Session.objects.create(
        mentor=mentor,
        domain=domain or make_domain(),
        title=title,
        description=extra.pop("description", "A practical session."),
        topics=extra.pop("topics", ["python"]),
        start=start or timezone.now() + timedelta(days=3),
        duration_minutes=duration_minutes,
        price_paise=price_paise,
        capacity=capacity,
        **extra,
    )
