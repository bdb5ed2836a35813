"""Booking and payment flows (SPEC §5): book and pay, cart checkout, payment received or failed,
cancellation with refund, hold expiry."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit import services as audit
from apps.bookings import services as bookings
from apps.bookings.models import Booking, BookingStatus, CancelledBy, CartItem
from apps.bookings.services import BookingError
from apps.catalog.models import room_group_name
from apps.core import versions
from apps.core.realtime import broadcast
from apps.core.templatetags.ui import inr
from apps.notifications.ics import event_ics
from apps.notifications.models import NotificationType
from apps.notifications.services import notify, send_event
from apps.payments import services as payments
from apps.payments.models import Payment, PaymentItem, Refund

from . import reminders

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.catalog.models import Session

log = logging.getLogger(__name__)


def booking_changed(booking: Booking) -> None:
    """Open pages of the learner and the mentor refresh their booking lists."""
    # Recommendations: what the learner booked (seats are the catalogue's version, bumped by the
    # booking's own save or transition).
    versions.bump_on_commit(versions.learner_inputs(booking.learner_id))
    send_event(
        user_ids=[booking.learner_id, booking.session.mentor_id],
        type="booking.changed",
        data={"booking": booking.pk, "status": booking.status},
    )


def ics_attachment(booking: Booking) -> dict[str, str]:
    s = booking.session
    return {
        "filename": "peerlearn-session.ics",
        "mimetype": "text/calendar; method=PUBLISH; charset=utf-8",
        "content": event_ics(
            uid=f"booking-{booking.pk}@peerlearn",
            start=s.start,
            end=s.end,
            summary=f"PeerLearn: {s.title}",
            description=f"Mentor: {s.mentor.full_name}",
            url=settings.SITE_URL.rstrip("/") + reverse("rooms:room", args=[s.room_code]),
        ),
    }


def booking_confirmed(booking: Booking) -> None:
    """A booking became confirmed (free, or paid): reminders scheduled, both sides told."""
    session = booking.session
    reminders.schedule_booking(booking=booking)
    calendar = [ics_attachment(booking)]
    notify(
        user=booking.learner,
        type=NotificationType.BOOKING_CONFIRMED,
        title=_("Booking confirmed"),
        message=_("“%(title)s” with %(mentor)s is booked. We will remind you before it starts.")
        % {"title": session.title, "mentor": session.mentor.full_name},
        link=reverse("bookings:list"),
        reference=f"booking:{booking.pk}",
        data={"start": session.start.isoformat()},
        attachments=calendar,
    )
    notify(
        user=session.mentor,
        type=NotificationType.BOOKING_CONFIRMED,
        title=_("New booking"),
        message=_("%(learner)s booked “%(title)s”.") % {"learner": booking.learner.full_name, "title": session.title},
        link=reverse("catalog:mentor_sessions"),
        reference=f"booking:{booking.pk}",
        attachments=calendar,
    )
    booking_changed(booking)


def book_and_pay(*, learner: User, session: Session, now: datetime | None = None) -> tuple[Booking, Payment | None]:
    """Single-session "Book": free → confirmed booking; paid → a 15-minute hold and the payment
    to check out (the open one, if this learner already started paying for this seat)."""
    with transaction.atomic():
        booking = bookings.book_session(learner=learner, session=session, now=now)
        versions.bump_on_commit(versions.learner_inputs(learner.pk))
        if booking.status == BookingStatus.CONFIRMED:
            transaction.on_commit(lambda: booking_confirmed(booking))
            return booking, None
        payment = payments.open_payment_for_booking(booking) or payments.create_payment(
            learner=learner, bookings=[booking]
        )
    return booking, payment


def checkout_cart(*, learner: User, now: datetime | None = None) -> Payment:
    """Hold a seat for every cart item and create ONE payment covering them all.

    All-or-nothing: if any item cannot be held the transaction rolls back and the cart is kept. A
    seat that already has a payment under way is refused here: paying it twice would charge twice.
    The gateway order is created afterwards by the caller (outside the transaction)."""
    now = now or timezone.now()
    with transaction.atomic():
        items = list(CartItem.objects.filter(learner=learner).select_related("session"))
        if not items:
            raise BookingError(_("Your cart is empty."))
        held: list[Booking] = []
        for item in items:
            try:
                booking = bookings.book_session(learner=learner, session=item.session, now=now)
            except BookingError as exc:
                raise BookingError(f"{item.session.title}: {exc}") from exc
            if booking.status != BookingStatus.PENDING_PAYMENT or payments.open_payment_for_booking(booking):
                raise BookingError(
                    _("%(title)s: you already booked this session — finish or cancel it from your bookings.")
                    % {"title": item.session.title}
                )
            held.append(booking)
        payment = payments.create_payment(learner=learner, bookings=held)
        CartItem.objects.filter(pk__in=[i.pk for i in items]).delete()
    return payment


def payment_received(*, payment: Payment) -> None:
    """A payment was captured (callback, webhook or reconciliation; once per payment). Runs in the
    payment's transaction: every booking it covers is confirmed, or — when its seat went to someone
    else, or it is already confirmed by another payment — refunded in full after commit."""
    for item in payment.items.select_related("booking__session__mentor", "booking__learner"):
        booking = item.booking
        if bookings.confirm_paid_booking(booking):
            booking.refresh_from_db()
            transaction.on_commit(_confirmed_later(booking))
            continue
        log.warning(
            "payment %s item %s not needed (booking %s is %s): refunding",
            payment.pk,
            item.pk,
            booking.pk,
            booking.status,
        )

        def refund(item_id: int = item.pk) -> None:
            payments.request_refund(
                item=PaymentItem.objects.get(pk=item_id),
                percent=100,
                reason="seat not available or already paid when this payment arrived",
            )

        transaction.on_commit(refund, robust=True)


def _confirmed_later(booking: Booking) -> Callable[[], None]:
    return lambda: booking_confirmed(booking)


def payment_failed(*, payment: Payment) -> None:
    """A payment attempt failed: the learner may retry while the hold lasts."""
    notify(
        user=payment.learner,
        type=NotificationType.PAYMENT_FAILED,
        title=_("Payment failed"),
        message=_("Your payment did not go through. Your seat is held for a few more minutes — retry payment?"),
        link=reverse("payments:checkout", args=[payment.receipt]),
        reference=f"payment:{payment.pk}",
    )
    send_event(user_ids=[payment.learner_id], type="booking.changed", data={"payment": payment.pk})


def refund_processed(*, refund: Refund) -> None:
    booking = refund.item.booking
    notify(
        user=booking.learner,
        type=NotificationType.BOOKING_REFUNDED,
        title=_("Refund processed"),
        message=_("%(amount)s for “%(title)s” is on its way back to you.")
        % {"amount": inr(refund.amount_paise), "title": booking.session.title},
        link=reverse("payments:list"),
        reference=f"booking:{booking.pk}",
    )
    booking_changed(booking)


def cancel_booking(
    *, booking: Booking, by: str, reason: str = "", now: datetime | None = None, notify_people: bool = True
) -> Booking:
    """Cancel one booking: the policy's refund goes to the gateway after commit, the learner (and,
    when the learner cancelled, the mentor) are told."""
    with transaction.atomic():
        booking = bookings.cancel_booking(booking=booking, by=by, reason=reason, now=now)
        percent = booking.refund_percent or 0
        if percent:
            bid = booking.pk

            def refund() -> None:
                payments.refund_booking(
                    booking=Booking.objects.get(pk=bid), percent=percent, reason=reason or f"cancelled by {by}"
                )

            transaction.on_commit(refund, robust=True)
        code, learner_id = booking.session.room_code, booking.learner_id
        transaction.on_commit(lambda: broadcast(room_group_name(code), {"type": "room.revoke", "user_id": learner_id}))
        if notify_people:
            transaction.on_commit(lambda: _tell_cancelled(booking, percent, by))
        else:
            transaction.on_commit(lambda: booking_changed(booking))
    return booking


def _tell_cancelled(booking: Booking, percent: int, by: str) -> None:
    session = booking.session
    booking_changed(booking)
    refund = _("You will get a %(pct)s%% refund.") % {"pct": percent} if percent else _("No payment was taken.")
    if by == CancelledBy.LEARNER:
        text = _("You cancelled “%(title)s”. %(refund)s") % {"title": session.title, "refund": refund}
    elif by == CancelledBy.ADMIN and booking.cancellation_reason:
        text = _("PeerLearn cancelled “%(title)s”: %(reason)s. %(refund)s") % {
            "title": session.title,
            "reason": booking.cancellation_reason.rstrip("."),
            "refund": refund,
        }
    else:
        text = _("“%(title)s” was cancelled. %(refund)s") % {"title": session.title, "refund": refund}
    notify(
        user=booking.learner,
        type=NotificationType.BOOKING_CANCELLED,
        title=_("Booking cancelled"),
        message=text,
        link=reverse("bookings:list"),
        reference=f"booking:{booking.pk}",
    )
    if by == CancelledBy.LEARNER:
        notify(
            user=session.mentor,
            type=NotificationType.BOOKING_CANCELLED,
            title=_("A learner cancelled"),
            message=_("%(learner)s cancelled their booking of “%(title)s”.")
            % {"learner": booking.learner.full_name, "title": session.title},
            link=reverse("catalog:mentor_sessions"),
            reference=f"booking:{booking.pk}",
        )


def expire_payment_holds(*, now: datetime | None = None) -> int:
    """Periodic: unpaid holds past their 15 minutes release their seats; open pages refresh."""
    expired = bookings.expire_payment_holds(now)
    for booking in Booking.objects.filter(pk__in=[b.pk for b in expired]).select_related("session"):
        booking_changed(booking)
    return len(expired)


def admin_refund(*, item: PaymentItem, amount_paise: int, reason: str, by: Any, ip: str | None = None) -> Refund:
    """An admin refunds part or all of one paid item (SPEC §11) through the gateway and the ledger.
    The amount must be positive and at most what is still refundable; the learner hears when the
    gateway confirms (``refund_processed``). Audited."""
    reason = (reason or "").strip()
    refundable = payments.refundable_paise(item)
    if not reason:
        raise payments.PaymentError(_("Give a reason for the refund."))
    if not 0 < amount_paise <= refundable:
        raise payments.PaymentError(
            _("Refund between ₹0.01 and %(max)s (what is still refundable).") % {"max": inr(refundable)}
        )
    percent = max(1, min(100, round(amount_paise * 100 / item.amount_paise)))
    refund = payments.request_refund(item=item, percent=percent, reason=reason, amount_paise=amount_paise)
    if refund is None:
        raise payments.PaymentError(_("Nothing left to refund on this payment."))
    audit.record(
        actor=by,
        action="payment.refund",
        obj=item.payment,
        before={"refunded": inr(item.amount_paise - refundable)},
        after={"refunded": inr(item.amount_paise - refundable + refund.amount_paise), "refund": refund.pk},
        reason=reason,
        ip=ip,
    )
    return refund
