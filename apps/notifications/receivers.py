"""Notifications for other apps' events (connected in NotificationsConfig.ready).

The bookings and accounts apps send their signals from ``transaction.on_commit``, so by the time these run the
booking state is committed; ``notify`` then pushes at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.dispatch import Signal
from django.utils.translation import gettext as _

from .models import NotificationType
from .services import notify, send_event

LEARNER_BOOKINGS = "/dashboard/learner/bookings/"
MENTOR_SESSIONS = "/dashboard/mentor/sessions/"
NO_SHOW_REASON = "Mentor did not join within 10 minutes (no-show): full refund"


def _booking_event(booking: Any) -> None:
    send_event(
        user_ids=[booking.learner_id, booking.session.mentor_id],
        type="booking.changed",
        data={"booking": booking.pk, "status": booking.status},
    )


def on_booking_confirmed(sender: Any, booking: Any, **kwargs: Any) -> None:
    from .scheduler import schedule_booking

    session = booking.session
    schedule_booking(booking=booking)
    notify(
        user=booking.learner,
        type=NotificationType.BOOKING_CONFIRMED,
        title=_("Booking confirmed"),
        message=_("“%(title)s” with %(mentor)s is booked. We will remind you before it starts.")
        % {"title": session.title, "mentor": session.mentor.full_name},
        link=LEARNER_BOOKINGS,
        reference=f"booking:{booking.pk}",
        data={"start": session.start.isoformat()},
        attachments=[f"ics:booking:{booking.pk}"],
    )
    notify(
        user=session.mentor,
        type=NotificationType.BOOKING_CONFIRMED,
        title=_("New booking"),
        message=_("%(learner)s booked “%(title)s”.") % {"learner": booking.learner.full_name, "title": session.title},
        link=MENTOR_SESSIONS,
        reference=f"booking:{booking.pk}",
        attachments=[f"ics:booking:{booking.pk}"],
    )
    _booking_event(booking)


def on_booking_cancelled(
    sender: Any, booking: Any, refund_percent: int = 0, cancelled_by: str = "", **kwargs: Any
) -> None:
    session = booking.session
    _booking_event(booking)
    if booking.cancellation_reason == NO_SHOW_REASON:
        return  # the scheduler's no-show rule sends its own, clearer notifications
    refund = (
        _("You will get a %(pct)s%% refund.") % {"pct": refund_percent}
        if refund_percent
        else _("No payment was taken.")
    )
    if cancelled_by == "learner":
        learner_msg = _("You cancelled “%(title)s”. %(refund)s") % {"title": session.title, "refund": refund}
    else:
        learner_msg = _("“%(title)s” was cancelled. %(refund)s") % {"title": session.title, "refund": refund}
    notify(
        user=booking.learner,
        type=NotificationType.BOOKING_CANCELLED,
        title=_("Booking cancelled"),
        message=learner_msg,
        link=LEARNER_BOOKINGS,
        reference=f"booking:{booking.pk}",
    )
    if cancelled_by == "learner":
        notify(
            user=session.mentor,
            type=NotificationType.BOOKING_CANCELLED,
            title=_("A learner cancelled"),
            message=_("%(learner)s cancelled their booking of “%(title)s”.")
            % {"learner": booking.learner.full_name, "title": session.title},
            link=MENTOR_SESSIONS,
            reference=f"booking:{booking.pk}",
        )


def on_booking_expired(sender: Any, booking: Any, **kwargs: Any) -> None:
    _booking_event(booking)


def on_payment_failed(sender: Any, payment: Any, booking_ids: list[int] | None = None, **kwargs: Any) -> None:
    notify(
        user=payment.learner,
        type=NotificationType.PAYMENT_FAILED,
        title=_("Payment failed"),
        message=_("Your payment did not go through. Your seat is held for a few more minutes — retry payment?"),
        link=f"/payments/checkout/{payment.receipt}/",
        reference=f"payment:{payment.pk}",
    )
    send_event(user_ids=[payment.learner_id], type="booking.changed", data={"payment": payment.pk})


def on_refund_processed(sender: Any, refund: Any, booking: Any, **kwargs: Any) -> None:
    from apps.core.templatetags.ui import inr

    notify(
        user=booking.learner,
        type=NotificationType.BOOKING_REFUNDED,
        title=_("Refund processed"),
        message=_("%(amount)s for “%(title)s” is on its way back to you.")
        % {"amount": inr(refund.amount_paise), "title": booking.session.title},
        link="/dashboard/learner/payments/",
        reference=f"booking:{booking.pk}",
    )
    _booking_event(booking)


def connect() -> None:
    from apps.accounts.signals import mentor_decided
    from apps.bookings import signals

    pairs: list[tuple[Signal, Callable[..., None]]] = [
        (signals.booking_confirmed, on_booking_confirmed),
        (signals.booking_cancelled, on_booking_cancelled),
        (signals.booking_expired, on_booking_expired),
        (signals.payment_failed, on_payment_failed),
        (signals.refund_processed, on_refund_processed),
        (mentor_decided, on_mentor_decided),
    ]
    for sig, handler in pairs:
        sig.connect(handler, dispatch_uid=f"notifications.{handler.__name__}")


def on_mentor_decided(sender: Any, profile: Any, **_: Any) -> None:
    notify_mentor_decision(profile=profile)


def notify_mentor_decision(*, profile: Any) -> None:
    """In-app notification for a mentor approval/rejection. The accounts service emails the
    decision itself, so this one is in-app only (sent on accounts' ``mentor_decided`` signal)."""
    approved = profile.status == "approved"
    notify(
        user=profile.user,
        type=NotificationType.MENTOR_APPROVED if approved else NotificationType.MENTOR_REJECTED,
        title=_("You're approved as a mentor!") if approved else _("Your mentor application was not approved"),
        message=_("You can now publish sessions and answer requests.")
        if approved
        else (profile.rejection_reason or _("See your email for details.")),
        link="/dashboard/mentor/",
        reference=f"mentor:{profile.user_id}",
        email=False,
    )
