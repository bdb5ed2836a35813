"""Booking services: book, hold/expire, confirm on payment, cancel with refunds, cart checkout.

Booking status changes only through ``transition_booking`` (a conditional update against the
allowed-from states of one table)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Role
from apps.catalog.models import Session, SessionStatus
from apps.core import versions
from apps.core.state import conditional_transition

from .models import SEAT_HOLDING, Booking, BookingStatus, CancelledBy, CartItem
from .policy import HOLD_MINUTES, learner_refund_percent

if TYPE_CHECKING:
    from apps.accounts.models import User

BOOKING_TRANSITIONS: dict[str, set[str]] = {
    BookingStatus.PENDING_PAYMENT: {BookingStatus.CONFIRMED, BookingStatus.EXPIRED, BookingStatus.CANCELLED},
    BookingStatus.CONFIRMED: {BookingStatus.CANCELLED, BookingStatus.COMPLETED, BookingStatus.NO_SHOW},
    # A payment that lands after the hold expired re-takes the seat if one is still free.
    BookingStatus.EXPIRED: {BookingStatus.CONFIRMED},
    BookingStatus.COMPLETED: set(),
    BookingStatus.CANCELLED: set(),
    BookingStatus.NO_SHOW: set(),
}


class BookingError(Exception):
    """A booking rule was broken; the message is safe to show to the user."""


class SessionFull(BookingError):
    pass


class AlreadyBooked(BookingError):
    pass


class NotBookable(BookingError):
    pass


class CancellationNotAllowed(BookingError):
    pass


class InvalidTransition(BookingError):
    pass


def transition_booking(booking: Booking, to: str, **fields: Any) -> Booking:
    if not conditional_transition(Booking, booking.pk, to, table=BOOKING_TRANSITIONS, **fields):
        booking.refresh_from_db()
        raise InvalidTransition(f"booking {booking.pk}: {booking.status} -> {to} not allowed")
    booking.refresh_from_db()
    return booking


def seats_taken(session: Session, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return Booking.objects.holding_seat(now).filter(session=session).count()


def _expire(bookings: Iterable[Booking], now: datetime) -> int:
    count = 0
    for b in bookings:
        # Conditional update: only a still-pending, still-expired hold is claimed.
        if Booking.objects.filter(pk=b.pk, status=BookingStatus.PENDING_PAYMENT, hold_expires_at__lte=now).update(
            status=BookingStatus.EXPIRED, updated_at=now
        ):
            count += 1
            b.status = BookingStatus.EXPIRED
    if count:
        versions.bump_on_commit(versions.SEATS)  # the seats are free again
    return count


def expire_payment_holds(now: datetime | None = None) -> list[Booking]:
    """Expire unpaid holds whose 15 minutes are over, releasing the seats; returns the bookings
    that expired now (the periodic workflow tells their learners' open pages)."""
    now = now or timezone.now()
    stale = list(
        Booking.objects.filter(status=BookingStatus.PENDING_PAYMENT, hold_expires_at__lte=now).only(
            "pk", "session_id", "learner_id", "status"
        )[:500]
    )
    with transaction.atomic():
        _expire(stale, now)
    return [b for b in stale if b.status == BookingStatus.EXPIRED]


def check_bookable(session: Session, learner: User, now: datetime) -> None:
    if getattr(learner, "role", None) != Role.LEARNER:
        raise NotBookable(_("Only learners can book sessions."))
    if session.mentor_id == learner.pk:
        raise NotBookable(_("You cannot book your own session."))
    if session.status != SessionStatus.SCHEDULED or session.start <= now:
        raise NotBookable(_("Session unavailable: it has started, ended or was cancelled."))


def book_session(*, learner: User, session: Session, now: datetime | None = None) -> Booking:
    """Book a seat. Free → confirmed now; paid → pending_payment holding the seat 15 minutes.

    The session row is locked (``select_for_update`` on PostgreSQL; on SQLite the IMMEDIATE
    transaction already serialises writers), so the seat count cannot be exceeded."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        check_bookable(locked, learner, now)
        _expire(
            Booking.objects.filter(session=locked, status=BookingStatus.PENDING_PAYMENT, hold_expires_at__lte=now), now
        )
        mine = Booking.objects.filter(session=locked, learner=learner, status__in=SEAT_HOLDING).first()
        if mine is not None:
            if mine.status == BookingStatus.PENDING_PAYMENT:
                return mine  # resume paying for the seat already held
            raise AlreadyBooked(_("You have already booked this session."))
        if seats_taken(locked, now) >= locked.capacity:
            raise SessionFull(_("Session full: no seats left."))
        free = locked.price_paise == 0
        try:
            with transaction.atomic():
                booking = Booking.objects.create(
                    session=locked,
                    learner=learner,
                    price_paise=locked.price_paise,
                    status=BookingStatus.CONFIRMED if free else BookingStatus.PENDING_PAYMENT,
                    hold_expires_at=None if free else now + timedelta(minutes=HOLD_MINUTES),
                    confirmed_at=now if free else None,
                )
        except IntegrityError as exc:
            raise AlreadyBooked(_("You have already booked this session.")) from exc
    return booking


def confirm_paid_booking(booking: Booking, now: datetime | None = None) -> bool:
    """Called inside the payment's transaction when a payment covering ``booking`` has just been
    captured. Returns False when this payment must be refunded: the seat went to someone else
    after the hold expired, or the booking is already confirmed (paid by another payment)."""
    now = now or timezone.now()
    booking.refresh_from_db()
    if booking.status == BookingStatus.PENDING_PAYMENT:
        transition_booking(booking, BookingStatus.CONFIRMED, confirmed_at=now, hold_expires_at=None)
    elif booking.status == BookingStatus.EXPIRED:
        session = Session.objects.select_for_update().get(pk=booking.session_id)
        clash = Booking.objects.filter(session=session, learner_id=booking.learner_id, status__in=SEAT_HOLDING).exists()
        if clash or session.status != SessionStatus.SCHEDULED or seats_taken(session, now) >= session.capacity:
            return False
        transition_booking(booking, BookingStatus.CONFIRMED, confirmed_at=now, hold_expires_at=None)
    else:
        return False  # already confirmed, completed or cancelled: this capture is not needed
    return True


def cancel_booking(*, booking: Booking, by: str, reason: str = "", now: datetime | None = None) -> Booking:
    """Cancel a booking. A learner gets the SPEC §5 policy; mentor/admin/system cancels refund 100%.

    Records the refund percentage on the booking (``refund_percent``, None when nothing was paid);
    sending the refund and telling people is the cancellation workflow's job."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = Booking.objects.select_for_update().select_related("session").get(pk=booking.pk)
        if booking.status == BookingStatus.PENDING_PAYMENT:
            percent = 0  # nothing was paid
        elif booking.status != BookingStatus.CONFIRMED:
            raise CancellationNotAllowed(_("This booking can no longer be cancelled."))
        elif by == CancelledBy.LEARNER:
            pct = learner_refund_percent(start=booking.session.start, now=now)
            if pct is None:
                raise CancellationNotAllowed(_("Cannot cancel within 1 hour of the start."))
            percent = pct
        else:
            percent = 100
        paid = booking.price_paise > 0 and booking.status == BookingStatus.CONFIRMED
        transition_booking(
            booking,
            BookingStatus.CANCELLED,
            cancelled_at=now,
            cancelled_by=by,
            cancellation_reason=reason[:500],
            refund_percent=percent if paid else None,
            hold_expires_at=None,
        )
    return booking


# --- cart ----------------------------------------------------------------------------------


@dataclass
class CartLine:
    item: CartItem
    session: Session
    available: bool
    problem: str


def add_to_cart(*, learner: User, session: Session, now: datetime | None = None) -> CartItem:
    now = now or timezone.now()
    check_bookable(session, learner, now)
    if session.price_paise == 0:
        raise NotBookable(_("Free sessions are booked directly, not through the cart."))
    if Booking.objects.filter(session=session, learner=learner, status__in=SEAT_HOLDING).exists():
        # Confirmed, or a seat already held and awaiting its own payment: a second payment for
        # the same seat would charge twice.
        raise AlreadyBooked(_("You have already booked this session (finish or cancel it from your bookings)."))
    item, _created = CartItem.objects.get_or_create(learner=learner, session=session)
    return item


def remove_from_cart(*, learner: User, session_id: int) -> int:
    deleted, _rows = CartItem.objects.filter(learner=learner, session_id=session_id).delete()
    return deleted


def cart_lines(*, learner: User, now: datetime | None = None) -> list[CartLine]:
    """Each cart item with whether it can still be bought (SPEC §5: flag unavailable items)."""
    now = now or timezone.now()
    items = list(CartItem.objects.filter(learner=learner).select_related("session__mentor", "session__domain"))
    session_ids = [i.session_id for i in items]
    taken: dict[int, int] = {}
    for sid in (
        Booking.objects.holding_seat(now)
        .filter(session_id__in=session_ids)
        .exclude(learner=learner)
        .values_list("session_id", flat=True)
    ):
        taken[sid] = taken.get(sid, 0) + 1
    mine = set(
        Booking.objects.filter(
            session_id__in=session_ids, learner=learner, status__in=(BookingStatus.CONFIRMED, BookingStatus.COMPLETED)
        ).values_list("session_id", flat=True)
    )
    lines = []
    for item in items:
        s = item.session
        problem = ""
        if s.status != SessionStatus.SCHEDULED or s.start <= now:
            problem = str(_("No longer available"))
        elif s.pk in mine:
            problem = str(_("Already booked"))
        elif taken.get(s.pk, 0) >= s.capacity:
            problem = str(_("Session full"))
        lines.append(CartLine(item=item, session=s, available=not problem, problem=problem))
    return lines
