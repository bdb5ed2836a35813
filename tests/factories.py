"""The one set of test factories (factory_boy), used by unit, integration and Playwright tests.

Users are created through the accounts service (``create_user``), so every test account has the
profile its role needs and a verified email, exactly like a registered person. Sessions and
bookings are plain rows with believable defaults; tests that exercise booking or payment rules
create those through the workflows instead.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone

from apps.accounts.models import MentorStatus, Role, User
from apps.accounts.services import create_user
from apps.bookings.models import Booking, BookingStatus
from apps.catalog.models import Session
from apps.taxonomy.models import Domain

PASSWORD = "Peer-learn-2026!"


class UserFactory(factory.Factory):
    """``UserFactory()`` is a verified learner; ``UserFactory(mentor=True)`` an approved mentor,
    ``UserFactory(pending_mentor=True)`` one awaiting approval, ``UserFactory(admin=True)`` an admin."""

    class Meta:
        model = User

    class Params:
        mentor = factory.Trait(role=Role.MENTOR)
        pending_mentor = factory.Trait(role=Role.MENTOR, mentor_status=MentorStatus.PENDING)
        admin = factory.Trait(role=Role.ADMIN)

    role = Role.LEARNER
    full_name = factory.Sequence(lambda n: f"Test Person {n}")
    email = factory.LazyAttribute(lambda o: f"{o.role}-{uuid.uuid4().hex[:10]}@example.in")
    password = PASSWORD
    email_verified = True
    mentor_status = MentorStatus.APPROVED

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        return create_user(**kwargs)

    @classmethod
    def _build(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        raise NotImplementedError("users are created through create_user; use UserFactory() / .create()")


class DomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Domain
        django_get_or_create = ("slug",)

    name = "Programming"
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    mentor = factory.SubFactory(UserFactory, mentor=True)
    domain = factory.SubFactory(DomainFactory)
    title = "Intro to Django"
    description = "A practical session."
    topics = factory.LazyFunction(lambda: ["python"])
    start = factory.LazyFunction(lambda: timezone.now() + timedelta(days=3))
    duration_minutes = 60
    price_paise = 0
    capacity = 1


class BookingFactory(factory.django.DjangoModelFactory):
    """A confirmed booking row (price copied from the session, as the booking service does)."""

    class Meta:
        model = Booking

    session = factory.SubFactory(SessionFactory)
    learner = factory.SubFactory(UserFactory)
    status = BookingStatus.CONFIRMED
    price_paise = factory.LazyAttribute(lambda o: o.session.price_paise)
