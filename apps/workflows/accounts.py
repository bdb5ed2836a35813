"""Account flows: deleting an account (SPEC §3) and an admin's decision on a mentor application."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts import services as accounts
from apps.accounts.models import MentorProfile, MentorStatus, Role, User
from apps.bookings.models import Booking, BookingStatus, CancelledBy
from apps.bookings.services import CancellationNotAllowed
from apps.catalog.models import Session, SessionStatus, room_group_name
from apps.core.realtime import broadcast
from apps.notifications.models import NotificationType
from apps.notifications.services import notify, user_group

from .booking import cancel_booking
from .sessions import cancel_session

MENTOR_LEFT = "The mentor closed their PeerLearn account: full refund"
LEARNER_LEFT = "The learner closed their PeerLearn account"
MENTOR_BLOCKED = "The mentor is no longer available on PeerLearn: full refund"
LEARNER_BLOCKED = "The learner's account was suspended"
# Rooms a blocked person could be in right now or soon (a broadcast to an empty group is free).
ROOM_HORIZON = timedelta(hours=24)


def _release_future(user: User, *, mentor_reason: str, learner_reason: str, now: datetime) -> None:
    """Cancel a leaving mentor's future sessions (every learner refunded in full and told) and a
    leaving learner's future bookings under the cancellation policy (a booking too close to its
    start to cancel stays, as it would for any learner)."""
    if user.role == Role.MENTOR:
        upcoming = Session.objects.filter(mentor=user, status=SessionStatus.SCHEDULED, start__gt=now)
        for session in upcoming.select_related("mentor"):
            cancel_session(session=session, by=CancelledBy.SYSTEM, reason=mentor_reason)
    future = Booking.objects.filter(
        learner=user,
        status__in=(BookingStatus.PENDING_PAYMENT, BookingStatus.CONFIRMED),
        session__start__gt=now,
    ).select_related("session__mentor", "learner")
    for booking in future:
        try:
            cancel_booking(booking=booking, by=CancelledBy.LEARNER, reason=learner_reason, now=now)
        except CancellationNotAllowed:
            continue


def _revoke_sockets(user: User, now: datetime) -> None:
    """After commit: close the person's notification sockets and their place in every room they
    could be in (4403), so nothing they send reaches anyone any more."""
    rooms = list(
        Session.objects.filter(status__in=(SessionStatus.SCHEDULED, SessionStatus.LIVE), start__lte=now + ROOM_HORIZON)
        .filter(Q(mentor=user) | Q(bookings__learner=user))
        .values_list("room_code", flat=True)
        .distinct()
    )
    uid = user.pk

    def push() -> None:
        broadcast(user_group(uid), {"type": "user.revoke"})
        for code in rooms:
            broadcast(room_group_name(code), {"type": "room.revoke", "user_id": uid})

    transaction.on_commit(push)


def block_user(*, user: User, by: User, reason: str, ip: str | None = None) -> User:
    """An admin blocks an account (SPEC §11): it cannot sign in, its open sockets are closed, a
    blocked mentor's future sessions are cancelled with full refunds and the learners told, a
    blocked learner's future bookings are cancelled under the policy. Audited with the reason."""
    now = timezone.now()
    with transaction.atomic():
        user = accounts.block_user(user=user, by=by, reason=reason, ip=ip)
        _release_future(user, mentor_reason=MENTOR_BLOCKED, learner_reason=LEARNER_BLOCKED, now=now)
        _revoke_sockets(user, now)
    return user


def unblock_user(*, user: User, by: User, reason: str = "", ip: str | None = None) -> User:
    """Lift a block: the person can sign in again (cancelled sessions and bookings stay cancelled)."""
    return accounts.unblock_user(user=user, by=by, reason=reason, ip=ip)


def delete_account(*, user: User) -> User:
    """Close an account. A mentor's future sessions are cancelled and every learner refunded in
    full and told; a learner's future bookings are cancelled under the cancellation policy (a
    booking too close to its start to cancel stays, as it would for any learner). Then the personal
    data is anonymised (``accounts.services.delete_account``)."""
    now = timezone.now()
    with transaction.atomic():
        _release_future(user, mentor_reason=MENTOR_LEFT, learner_reason=LEARNER_LEFT, now=now)
        _revoke_sockets(user, now)
        return accounts.delete_account(user=user)


def decide_mentor(
    *, mentor: User | MentorProfile, by: User, approve: bool, reason: str = "", ip: str | None = None
) -> MentorProfile:
    """An admin approves or rejects a mentor application: the decision is recorded and emailed
    (accounts) and shown in-app (notifications)."""
    with transaction.atomic():
        if approve:
            profile = accounts.approve_mentor(mentor=mentor, by=by, ip=ip)
        else:
            profile = accounts.reject_mentor(mentor=mentor, by=by, reason=reason, ip=ip)
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
