"""Account writes: creating users with their role profile, mentor approval."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import transaction

from .models import LearnerProfile, MentorProfile, MentorStatus, Role, User


@transaction.atomic
def create_user(
    *,
    email: str,
    password: str | None,
    full_name: str,
    role: str = Role.LEARNER,
    email_verified: bool = False,
    mentor_status: str = MentorStatus.PENDING,
) -> User:
    """Create an account and the profile its role needs. The email address is recorded with
    allauth so verification by code works for it."""
    user = User.objects.create_user(email=email, password=password, full_name=full_name, role=role)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=email_verified)
    if role == Role.LEARNER:
        LearnerProfile.objects.create(user=user)
    elif role == Role.MENTOR:
        MentorProfile.objects.create(user=user, status=mentor_status)
    elif role == Role.ADMIN:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return user
