"""Small builders for room tests: mentor (owner), learner (counterparty), outsider."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from apps.bookings.models import Booking
from apps.catalog.models import Session
from apps.taxonomy.models import Domain
from tests.factories import UserFactory


def user(role: str, name: str = "") -> Any:
    """Shorthand over ``tests.factories.UserFactory``."""
    return UserFactory(role=role, full_name=name or f"Test {role.title()}")


def session(mentor: Any, *, start: datetime | None = None, minutes: int = 60, **extra: Any) -> Session:
    domain, _ = Domain.objects.get_or_create(slug="programming", defaults={"name": "Programming"})
    return Session.objects.create(
        mentor=mentor,
        domain=domain,
        title=extra.pop("title", "Python basics"),
        description="Learn Python",
        start=start or timezone.now() + timedelta(minutes=5),
        duration_minutes=minutes,
        topics=extra.pop("topics", ["Variables", "Loops", "Functions"]),
        agenda=extra.pop("agenda", [{"title": "Intro", "minutes": 10}, {"title": "Practice", "minutes": 50}]),
        **extra,
    )


def trio(**kw: Any) -> tuple[Any, Any, Any, Session, Booking]:
    mentor = user("mentor", "Meera Mentor")
    learner = user("learner", "Lalit Learner")
    outsider = user("learner", "Omar Outsider")
    s = session(mentor, **kw)
    b = Booking.objects.create(session=s, learner=learner, status="confirmed")
    return mentor, learner, outsider, s, b
