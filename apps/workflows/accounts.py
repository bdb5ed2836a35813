"""Account flows: deleting an account (SPEC §3) and an admin's decision on a mentor application."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts import services as accounts
from apps.accounts.models import MentorProfile, MentorStatus, Role, User
from apps.bookings.models import Booking, BookingStatus, CancelledBy
from apps.bookings.services import CancellationNotAllowed
from apps.catalog.models import Session, SessionStatus
from apps.notifications.models import NotificationType
from apps.notifications.services import notify

from .booking import cancel_booking
from .sessions import cancel_session

MENTOR_LEFT = "The mentor closed their PeerLearn account: full refund"
LEARNER_LEFT = "The learner closed their PeerLearn account"


def delete_account(*, user: User) -> User:
    """Close an account. A mentor's future sessions are cancelled and every learner refunded in
    full and told; a learner's future bookings are cancelled under the cancellation policy (a
    booking too close to its start to cancel stays, as it would for any learner). Then the personal
    data is anonymised (``accounts.services.delete_account``)."""
    now = timezone.now()
    with transaction.atomic():
        if user.role == Role.MENTOR:
            upcoming = Session.objects.filter(mentor=user, status=SessionStatus.SCHEDULED, start__gt=now)
            for session in upcoming.select_related("mentor"):
                cancel_session(session=session, by=CancelledBy.SYSTEM, reason=MENTOR_LEFT)
        future = Booking.objects.filter(
            learner=user,
            status__in=(BookingStatus.PENDING_PAYMENT, BookingStatus.CONFIRMED),
            session__start__gt=now,
        ).select_related("session__mentor", "learner")
        for booking in future:
            try:
                cancel_booking(booking=booking, by=CancelledBy.LEARNER, reason=LEARNER_LEFT, now=now)
            except CancellationNotAllowed:
                continue
        return accounts.delete_account(user=user)


def decide_mentor(*, mentor: User | MentorProfile, by: User, approve: bool, reason: str = "") -> MentorProfile:
    """An admin approves or rejects a mentor application: the decision is recorded and emailed
    (accounts) and shown in-app (notifications)."""
    with transaction.atomic():
        if approve:
            profile = accounts.approve_mentor(mentor=mentor, by=by)
        else:
            profile = accounts.reject_mentor(mentor=mentor, by=by, reason=reason)
        approved = profile.status == MentorStatus.APPROVED
        transaction.on_commit(
            lambda: notify(
                user=profile.user,
                type=NotificationType.MENTOR_APPROVED if approved else NotificationType.MENTOR_REJECTED,
                title=_("You're approved as a mentor!") if approved else _("Your mentor application was not approved"),
                message=_("You can now publish sessions and answer requests.")
                if approved
                else (profile.rejection_reason or _("See your email for details.")),
                link=reverse("dashboards:mentor"),
                reference=f"mentor:{profile.user_id}",
                email=False,  # the accounts service emails the decision itself
            )
        )
    return profile
