"""Tips ("gift", SPEC §5): a learner thanks a mentor they had a session with, ₹10 to ₹10,000 with an
optional message, paid through the same order → Checkout → callback/webhook path as bookings and
split with the same platform fee (the ledger posting is the payments app's, atomic with the
capture). When the tip is paid the mentor is told — as a toast on any open page, the live room
included — and it shows on their Earnings page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.bookings.models import Booking, BookingStatus
from apps.catalog.models import room_group_name
from apps.core.realtime import broadcast
from apps.core.templatetags.ui import inr
from apps.notifications.models import NotificationType
from apps.notifications.services import notify
from apps.payments import services as payments
from apps.payments.gateway import get_gateway
from apps.payments.models import Payment, Tip

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.catalog.models import Session

MIN_TIP_PAISE = 1_000  # ₹10
MAX_TIP_PAISE = 1_000_000  # ₹10,000
TIPPABLE_BOOKINGS = (BookingStatus.CONFIRMED, BookingStatus.COMPLETED, BookingStatus.NO_SHOW)


class TipError(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def can_tip(*, learner: User, session: Session) -> bool:
    """Only a learner who booked (and did not cancel) this session may tip its mentor."""
    return Booking.objects.filter(learner=learner, session=session, status__in=TIPPABLE_BOOKINGS).exists()


def start_tip(*, learner: User, session: Session, amount_paise: int, message: str = "") -> Tip:
    """Record the tip and its payment (no gateway call yet: the Checkout page creates the order)."""
    if not MIN_TIP_PAISE <= amount_paise <= MAX_TIP_PAISE:
        raise TipError(
            _("A tip is between %(min)s and %(max)s.") % {"min": inr(MIN_TIP_PAISE), "max": inr(MAX_TIP_PAISE)},
            field="amount",
        )
    if not can_tip(learner=learner, session=session):
        raise TipError(_("You can tip the mentor of a session you booked."))
    with transaction.atomic():
        payment = Payment.objects.create(
            learner=learner,
            gateway=get_gateway().name,
            receipt=payments.new_receipt(),
            amount_paise=amount_paise,
        )
        return Tip.objects.create(
            learner=learner,
            mentor_id=session.mentor_id,
            session=session,
            payment=payment,
            amount_paise=amount_paise,
            message=message.strip()[:280],
        )


def payment_received(*, payment: Payment) -> None:
    """A captured payment (once per payment, inside its transaction): if it is a tip, tell the mentor."""
    tip = Tip.objects.filter(payment=payment).select_related("learner", "mentor", "session").first()
    if tip is None:
        return
    who = tip.learner.full_name or _("A learner")
    if tip.session is not None:
        # The mentor may be live in the room, which has its own socket: a toast there too.
        text = _("%(name)s sent you a %(amount)s tip") % {"name": who, "amount": inr(tip.amount_paise)}
        if tip.message:
            text += f": “{tip.message}”"
        group = room_group_name(tip.session.room_code)
        event = {"type": "room.relay", "message": {"type": "tip", "text": text[:400]}}
        transaction.on_commit(lambda: broadcast(group, event))
    notify(
        user=tip.mentor,
        type=NotificationType.TIP_RECEIVED,
        title=_("%(name)s sent you a %(amount)s tip") % {"name": who, "amount": inr(tip.amount_paise)},
        message=tip.message or (_("For “%(title)s”.") % {"title": tip.session.title} if tip.session else ""),
        link=reverse("payments:earnings"),
        reference=f"tip:{tip.pk}",
        data={"tip": tip.pk, "amount_paise": tip.amount_paise},
    )
