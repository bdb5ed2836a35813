"""Request and offer writes (SPEC §6). Status changes only through ``_move_request`` /
``_move_offer`` (conditional updates against the allowed-from states), so every transition —
and the notification that goes with it — happens once even when two requests race."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import MentorProfile, MentorStatus, Role, User
from apps.catalog.limits import MAX_MINUTES, MAX_PRICE_PAISE, MIN_MINUTES, MIN_PRICE_PAISE
from apps.catalog.models import Session, SessionStatus
from apps.notifications.models import NotificationType
from apps.notifications.services import notify, notify_many, send_event
from apps.taxonomy.models import Domain

from .models import ACTIVE_REQUEST, Offer, OfferStatus, RequestDismissal, RequestStatus, SessionRequest

if TYPE_CHECKING:
    from apps.bookings.models import Booking

log = logging.getLogger(__name__)

REQUEST_TTL = timedelta(hours=24)
# Per learner (issue 14 #8: 120 open posts in 3.6 s mailed four mentors 480 times).
MAX_OPEN_REQUESTS = 5
MAX_REQUESTS_PER_DAY = 20
OFFER_TTL = timedelta(hours=24)
OFFER_CUTOFF_BEFORE_START = timedelta(hours=1)
MIN_LEAD = timedelta(hours=2)  # proposals must leave time to answer (offers expire 1 h before start)
MAX_AHEAD = timedelta(days=180)
# A request and an offer become a session: the catalogue's bounds apply (apps/catalog/limits.py).
MAX_BUDGET = MAX_PRICE_PAISE
MIN_PRICE = MIN_PRICE_PAISE
TITLE_MAX, DESCRIPTION_MAX, NOTE_MAX, REASON_MAX = 120, 2000, 500, 300

MENTOR_REQUESTS_URL = reverse_lazy("requests:mentor")
POSTS_URL = reverse_lazy("requests:posts")


class RequestError(Exception):
    """A rule was broken; the message is safe to show."""


# --- transitions ------------------------------------------------------------------------------

REQUEST_TRANSITIONS: dict[str, set[str]] = {
    RequestStatus.OPEN: {
        RequestStatus.OFFERED,
        RequestStatus.ACCEPTED,
        RequestStatus.DECLINED,
        RequestStatus.EXPIRED,
        RequestStatus.WITHDRAWN,
    },
    RequestStatus.OFFERED: {
        RequestStatus.OPEN,
        RequestStatus.ACCEPTED,
        RequestStatus.EXPIRED,
        RequestStatus.WITHDRAWN,
        RequestStatus.DECLINED,
    },
}
OFFER_TRANSITIONS: dict[str, set[str]] = {
    OfferStatus.PENDING: {OfferStatus.ACCEPTED, OfferStatus.DECLINED, OfferStatus.EXPIRED, OfferStatus.CLOSED},
}


def _move_request(pk: int, to: str, **fields: Any) -> bool:
    allowed_from = [s for s, targets in REQUEST_TRANSITIONS.items() if to in targets]
    return bool(
        SessionRequest.objects.filter(pk=pk, status__in=allowed_from).update(
            status=to, updated_at=timezone.now(), **fields
        )
    )


def _move_offer(pk: int, to: str, **fields: Any) -> bool:
    allowed_from = [s for s, targets in OFFER_TRANSITIONS.items() if to in targets]
    return bool(
        Offer.objects.filter(pk=pk, status__in=allowed_from).update(status=to, updated_at=timezone.now(), **fields)
    )


# --- validation -------------------------------------------------------------------------------


@dataclass
class RequestInput:
    title: str
    domain: Domain | None
    description: str
    proposed_start: datetime | None
    duration_minutes: int | None
    budget_paise: int | None


def validate_request(data: RequestInput, *, now: datetime) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = _("Give your request a short title.")
    elif len(data.title) > TITLE_MAX:
        errors["title"] = _("Keep the title under %(n)s characters.") % {"n": TITLE_MAX}
    if data.domain is None:
        errors["domain"] = _("Choose a domain.")
    if len(data.description) > DESCRIPTION_MAX:
        errors["description"] = _("Keep the description under %(n)s characters.") % {"n": DESCRIPTION_MAX}
    errors.update(_validate_time(data.proposed_start, data.duration_minutes, now=now, field="proposed_start"))
    if data.budget_paise is None:
        errors["budget"] = _("Enter a budget (0 if you hope for a free session).")
    elif data.budget_paise < 0:
        errors["budget"] = _("Enter a positive value.")
    elif data.budget_paise > MAX_BUDGET:
        errors["budget"] = _("The budget can be at most ₹1,00,000.")
    return errors


def _validate_time(start: datetime | None, minutes: int | None, *, now: datetime, field: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if start is None:
        errors[field] = _("Choose a date and time.")
    elif start <= now:
        errors[field] = _("Select a future time.")
    elif start < now + MIN_LEAD:
        errors[field] = _("Choose a time at least 2 hours from now, so there is time to answer.")
    elif start > now + MAX_AHEAD:
        errors[field] = _("Choose a time within the next 6 months.")
    if minutes is None or not MIN_MINUTES <= minutes <= MAX_MINUTES:
        errors["duration_minutes"] = _("Duration must be between 15 and 240 minutes.")
    return errors


def _approved_mentors_for(domain: Domain) -> QuerySet[Any]:
    from apps.accounts.models import User

    return User.objects.filter(
        role=Role.MENTOR,
        is_active=True,
        mentor_profile__status=MentorStatus.APPROVED,
        mentor_profile__domains=domain,
    ).distinct()


def _is_approved_mentor(user: User) -> bool:
    return (
        getattr(user, "role", None) == Role.MENTOR
        and MentorProfile.objects.filter(user=user, status=MentorStatus.APPROVED).exists()
    )


# --- learner side -----------------------------------------------------------------------------


def create_request(
    *, learner: User, data: RequestInput, mentor: User | None = None, now: datetime | None = None
) -> SessionRequest:
    """A direct request to ``mentor`` or (no mentor) an open post for the domain's mentors."""
    now = now or timezone.now()
    if getattr(learner, "role", None) != Role.LEARNER:
        raise RequestError(_("Only learners can request sessions."))
    errors = validate_request(data, now=now)
    if mentor is not None and not _is_approved_mentor(mentor):
        raise RequestError(_("This mentor is not taking requests."))
    if errors:
        raise ValidationError(errors)
    assert data.domain is not None and data.proposed_start is not None and data.duration_minutes is not None  # noqa: S101
    with transaction.atomic():
        # Counted inside the transaction (SQLite: the write lock; PostgreSQL: the learner's row lock).
        User.objects.select_for_update().filter(pk=learner.pk).first()
        mine = SessionRequest.objects.filter(learner=learner)
        if mine.filter(status__in=ACTIVE_REQUEST).count() >= MAX_OPEN_REQUESTS:
            raise RequestError(
                _("You have %(n)s open requests. Withdraw one or wait for answers before posting another.")
                % {"n": MAX_OPEN_REQUESTS}
            )
        if mine.filter(created_at__gt=now - timedelta(days=1)).count() >= MAX_REQUESTS_PER_DAY:
            raise RequestError(
                _("You have posted %(n)s requests today. Please try again tomorrow.") % {"n": MAX_REQUESTS_PER_DAY}
            )
        req = SessionRequest.objects.create(
            learner=learner,
            mentor=mentor,
            domain=data.domain,
            title=data.title.strip(),
            description=data.description.strip(),
            proposed_start=data.proposed_start,
            duration_minutes=data.duration_minutes,
            budget_paise=data.budget_paise or 0,
            expires_at=now + REQUEST_TTL,
        )
        recipients = [mentor] if mentor is not None else list(_approved_mentors_for(data.domain).exclude(pk=learner.pk))
        notify_many(
            users=recipients,
            type=NotificationType.REQUEST_NEW,
            title=_("New session request")
            if mentor is not None
            else _("New open request in %(domain)s") % {"domain": data.domain.name},
            message=_("%(learner)s: “%(title)s”") % {"learner": learner.full_name, "title": req.title},
            link=MENTOR_REQUESTS_URL + ("" if mentor is not None else "?tab=board"),
            reference=f"request:{req.pk}",
        )
        send_event(user_ids=[m.pk for m in recipients], type="request.new", data={"request": req.pk})
        send_event(user_ids=[learner.pk], type="request.changed", data={"request": req.pk})
    return req


def withdraw_request(*, learner: User, request: SessionRequest) -> None:
    if request.learner_id != learner.pk:
        raise RequestError(_("Request not found."))
    with transaction.atomic():
        if not _move_request(request.pk, RequestStatus.WITHDRAWN):
            raise RequestError(_("This request is no longer open."))
        _close_pending_offers(request, reason=_("The learner withdrew the request."))
        audience = [request.mentor_id] if request.mentor_id else []
        send_event(user_ids=[learner.pk, *audience], type="request.changed", data={"request": request.pk})


def _close_pending_offers(request: SessionRequest, *, reason: str, except_offer: int | None = None) -> list[int]:
    closed_mentors: list[int] = []
    for offer in Offer.objects.filter(request=request, status=OfferStatus.PENDING).select_related("mentor"):
        if offer.pk == except_offer:
            continue
        if _move_offer(offer.pk, OfferStatus.CLOSED):
            closed_mentors.append(offer.mentor_id)
            notify(
                user=offer.mentor,
                type=NotificationType.OFFER_CLOSED,
                title=_("Request closed"),
                message=_("“%(title)s” is closed. %(reason)s") % {"title": request.title, "reason": reason},
                link=MENTOR_REQUESTS_URL,
                reference=f"offer:{offer.pk}",
            )
    if closed_mentors:
        send_event(user_ids=closed_mentors, type="request.changed", data={"request": request.pk})
    return closed_mentors


def decline_offer(*, learner: User, offer: Offer) -> None:
    request = offer.request
    if request.learner_id != learner.pk:
        raise RequestError(_("Offer not found."))
    with transaction.atomic():
        if not _move_offer(offer.pk, OfferStatus.DECLINED):
            raise RequestError(_("This offer can no longer be declined."))
        if not Offer.objects.filter(request=request, status=OfferStatus.PENDING).exists():
            SessionRequest.objects.filter(pk=request.pk, status=RequestStatus.OFFERED).update(status=RequestStatus.OPEN)
        notify(
            user=offer.mentor,
            type=NotificationType.OFFER_DECLINED,
            title=_("Offer declined"),
            message=_("%(learner)s declined your offer for “%(title)s”.")
            % {"learner": learner.full_name, "title": request.title},
            link=MENTOR_REQUESTS_URL,
            reference=f"offer:{offer.pk}",
        )
        send_event(user_ids=[learner.pk, offer.mentor_id], type="offer.changed", data={"offer": offer.pk})


@dataclass
class Accepted:
    booking: Booking
    payment: Any | None
    session: Session


def create_session_and_booking(*, offer: Offer, learner: User, now: datetime) -> tuple[Session, Any, Any | None]:
    """The Session (capacity 1) and its Booking through the catalogue and bookings services, so
    capacity, overlap and payment holds follow the same rules as the catalogue."""
    from apps.bookings.services import BookingError
    from apps.catalog.services import SessionInput, create_session
    from apps.workflows.booking import book_and_pay

    request = offer.request
    data = SessionInput(
        title=request.title,
        description=request.description or request.title,
        domain=request.domain,
        start=offer.start,
        duration_minutes=offer.duration_minutes,
        price_paise=offer.price_paise,
        capacity=1,
        topics=[request.title[:40]],
    )
    try:
        session = create_session(mentor=offer.mentor, data=data, now=now)
    except ValidationError as exc:
        messages = [str(m) for m in exc.messages]
        raise RequestError(
            _("The mentor can no longer hold this time (%(why)s). Ask for another offer.") % {"why": " ".join(messages)}
        ) from exc
    try:
        booking, payment = book_and_pay(learner=learner, session=session)
    except BookingError as exc:
        raise RequestError(str(exc)) from exc
    return session, booking, payment


def accept_offer(*, learner: User, offer_id: int, now: datetime | None = None) -> Accepted:
    """Accept one offer: Session + Booking in one transaction, other offers closed and notified."""
    now = now or timezone.now()
    with transaction.atomic():
        offer = (
            Offer.objects.select_related("request", "request__domain", "mentor")
            .filter(pk=offer_id, request__learner=learner)
            .first()
        )
        if offer is None:
            raise RequestError(_("Offer not found."))
        # Lock the request so two accepts (two tabs, two offers) serialise.
        request = SessionRequest.objects.select_for_update().get(pk=offer.request_id)
        offer.refresh_from_db()
        if request.status not in ACTIVE_REQUEST:
            raise RequestError(_("This request is already closed."))
        if offer.status != OfferStatus.PENDING:
            raise RequestError(_("This offer is no longer available (it was accepted, declined or has expired)."))
        if offer.expires_at <= now:
            raise RequestError(_("This offer has expired. Ask the mentor for a new one."))
        session, booking, payment = create_session_and_booking(offer=offer, learner=learner, now=now)
        if not _move_offer(offer.pk, OfferStatus.ACCEPTED, booking=booking):
            raise RequestError(_("This offer is no longer available."))
        if not _move_request(request.pk, RequestStatus.ACCEPTED, session=session, booking=booking):
            raise RequestError(_("This request is already closed."))
        _close_pending_offers(request, reason=_("The learner accepted another offer."), except_offer=offer.pk)
        notify(
            user=offer.mentor,
            type=NotificationType.OFFER_ACCEPTED,
            title=_("Offer accepted"),
            message=_("%(learner)s accepted your offer for “%(title)s”.%(pay)s")
            % {
                "learner": learner.full_name,
                "title": request.title,
                "pay": _(" The booking is confirmed once they pay.") if payment is not None else "",
            },
            link=reverse("catalog:mentor_sessions"),
            reference=f"offer:{offer.pk}",
        )
        send_event(user_ids=[learner.pk, offer.mentor_id], type="offer.changed", data={"offer": offer.pk})
    return Accepted(booking=booking, payment=payment, session=session)


# --- mentor side ------------------------------------------------------------------------------


def visible_to_mentor(mentor: User) -> Q:
    """Requests a mentor may see: addressed to them, or open posts in their domains."""
    domain_ids = MentorProfile.objects.filter(user=mentor).values_list("domains", flat=True)
    return Q(mentor=mentor) | Q(mentor__isnull=True, domain_id__in=domain_ids)


@dataclass
class OfferInput:
    price_paise: int | None
    start: datetime | None
    duration_minutes: int | None
    note: str = ""


def validate_offer(data: OfferInput, *, now: datetime) -> dict[str, str]:
    errors = _validate_time(data.start, data.duration_minutes, now=now, field="start")
    if data.price_paise is None:
        errors["price"] = _("Enter a price, or tick “Free session”.")
    elif data.price_paise < 0:
        errors["price"] = _("Enter a positive value.")
    elif 0 < data.price_paise < MIN_PRICE:
        errors["price"] = _("A paid session costs at least ₹50 (or offer it free).")
    elif data.price_paise > MAX_BUDGET:
        errors["price"] = _("The price can be at most ₹1,00,000.")
    if len(data.note) > NOTE_MAX:
        errors["note"] = _("Keep the note under %(n)s characters.") % {"n": NOTE_MAX}
    return errors


def _mentor_request(mentor: User, request_id: int) -> SessionRequest:
    req = SessionRequest.objects.filter(visible_to_mentor(mentor), pk=request_id).exclude(learner=mentor).first()
    if req is None:
        raise RequestError(_("Request not found."))
    return req


def make_offer(
    *, mentor: User, request_id: int, data: OfferInput, as_proposed: bool = False, now: datetime | None = None
) -> Offer:
    """Accept as proposed (``as_proposed=True``: the request's time and budget) or counter-offer."""
    now = now or timezone.now()
    if not _is_approved_mentor(mentor):
        raise RequestError(_("Only approved mentors can answer requests."))
    with transaction.atomic():
        req = _mentor_request(mentor, request_id)
        req = SessionRequest.objects.select_for_update().get(pk=req.pk)
        if req.status not in ACTIVE_REQUEST or req.expires_at <= now:
            raise RequestError(_("This request is no longer open."))
        if as_proposed:
            data = OfferInput(
                price_paise=req.budget_paise if req.budget_paise == 0 or req.budget_paise >= MIN_PRICE else MIN_PRICE,
                start=req.proposed_start,
                duration_minutes=req.duration_minutes,
                note=data.note,
            )
            if req.budget_paise and req.budget_paise < MIN_PRICE:
                raise RequestError(_("The budget is below ₹50, the smallest paid price: send a counter-offer instead."))
        errors = validate_offer(data, now=now)
        if errors:
            raise ValidationError(errors)
        assert data.start is not None and data.duration_minutes is not None and data.price_paise is not None  # noqa: S101
        if Offer.objects.filter(request=req, mentor=mentor, status=OfferStatus.PENDING).exists():
            raise RequestError(_("You already have an open offer on this request. Wait for the learner's answer."))
        end = data.start + timedelta(minutes=data.duration_minutes)
        clash = (
            Session.objects.filter(mentor=mentor, start__lt=end, end__gt=data.start)
            .exclude(status=SessionStatus.CANCELLED)
            .exists()
        )
        if clash:
            raise ValidationError({"start": _("This overlaps one of your sessions. Choose another time.")})
        expires = min(now + OFFER_TTL, data.start - OFFER_CUTOFF_BEFORE_START)
        try:
            with transaction.atomic():
                offer = Offer.objects.create(
                    request=req,
                    mentor=mentor,
                    as_proposed=as_proposed,
                    price_paise=data.price_paise,
                    start=data.start,
                    duration_minutes=data.duration_minutes,
                    note=data.note.strip(),
                    expires_at=expires,
                )
        except IntegrityError as exc:
            raise RequestError(
                _("You already have an open offer on this request. Wait for the learner's answer.")
            ) from exc
        if req.status == RequestStatus.OPEN:
            _move_request(req.pk, RequestStatus.OFFERED)
        notify(
            user=req.learner,
            type=NotificationType.OFFER_NEW,
            title=_("New offer from %(mentor)s") % {"mentor": mentor.full_name},
            message=_("For “%(title)s”.") % {"title": req.title},
            link=POSTS_URL + f"#request-{req.pk}",
            reference=f"offer:{offer.pk}",
        )
        send_event(user_ids=[req.learner_id], type="offer.new", data={"request": req.pk, "offer": offer.pk})
        send_event(user_ids=[mentor.pk], type="request.changed", data={"request": req.pk})
    return offer


def decline_request(*, mentor: User, request_id: int, reason: str = "") -> None:
    """Direct request: declined (learner told, with the reason). Open post: off this mentor's board."""
    reason = reason.strip()
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("Keep the reason under %(n)s characters.") % {"n": REASON_MAX}})
    with transaction.atomic():
        req = _mentor_request(mentor, request_id)
        if req.mentor_id == mentor.pk:
            if not _move_request(req.pk, RequestStatus.DECLINED, decline_reason=reason):
                raise RequestError(_("This request is no longer open."))
            _close_pending_offers(req, reason=_("The request was declined."))
            notify(
                user=req.learner,
                type=NotificationType.REQUEST_DECLINED,
                title=_("%(mentor)s declined your request") % {"mentor": mentor.full_name},
                message=(_("“%(title)s”. Reason: %(reason)s") if reason else _("“%(title)s”."))
                % {"title": req.title, "reason": reason},
                link=POSTS_URL,
                reference=f"request:{req.pk}",
            )
            send_event(user_ids=[req.learner_id], type="request.changed", data={"request": req.pk})
        else:
            if req.status not in ACTIVE_REQUEST:
                raise RequestError(_("This request is no longer open."))
            RequestDismissal.objects.get_or_create(request=req, mentor=mentor, defaults={"reason": reason})
        send_event(user_ids=[mentor.pk], type="request.changed", data={"request": req.pk})


# --- expiry (called by the scheduler tick) ----------------------------------------------------


def expire_due(now: datetime | None = None) -> int:
    """Expire offers past their deadline and requests unanswered for 24 h; each once, both sides told."""
    now = now or timezone.now()
    changed = 0
    for offer in Offer.objects.filter(status=OfferStatus.PENDING, expires_at__lte=now).select_related(
        "request", "request__learner", "mentor"
    )[:500]:
        with transaction.atomic():
            if not _move_offer(offer.pk, OfferStatus.EXPIRED):
                continue
            changed += 1
            req = offer.request
            for user, msg in (
                (req.learner, _("The offer from %(mentor)s for “%(title)s” expired.")),
                (offer.mentor, _("Your offer to %(learner)s for “%(title)s” expired without an answer.")),
            ):
                notify(
                    user=user,
                    type=NotificationType.OFFER_EXPIRED,
                    title=_("Offer expired"),
                    message=msg
                    % {"mentor": offer.mentor.full_name, "learner": req.learner.full_name, "title": req.title},
                    link=POSTS_URL if user.pk == req.learner_id else MENTOR_REQUESTS_URL,
                    reference=f"offer:{offer.pk}",
                )
            if not Offer.objects.filter(request=req, status=OfferStatus.PENDING).exists():
                SessionRequest.objects.filter(pk=req.pk, status=RequestStatus.OFFERED).update(status=RequestStatus.OPEN)
            send_event(user_ids=[req.learner_id, offer.mentor_id], type="offer.changed", data={"offer": offer.pk})
    for req in SessionRequest.objects.filter(status=RequestStatus.OPEN, expires_at__lte=now).select_related(
        "learner", "mentor"
    )[:500]:
        with transaction.atomic():
            if not SessionRequest.objects.filter(pk=req.pk, status=RequestStatus.OPEN).update(
                status=RequestStatus.EXPIRED, updated_at=now
            ):
                continue
            changed += 1
            notify(
                user=req.learner,
                type=NotificationType.REQUEST_EXPIRED,
                title=_("Request expired"),
                message=_("“%(title)s” got no accepted answer within 24 hours. You can post it again.")
                % {"title": req.title},
                link=POSTS_URL,
                reference=f"request:{req.pk}",
            )
            if req.mentor is not None:
                notify(
                    user=req.mentor,
                    type=NotificationType.REQUEST_EXPIRED,
                    title=_("Request expired"),
                    message=_("The request “%(title)s” from %(learner)s expired without an answer.")
                    % {"title": req.title, "learner": req.learner.full_name},
                    link=MENTOR_REQUESTS_URL,
                    reference=f"request:{req.pk}",
                )
            send_event(
                user_ids=[req.learner_id, *([req.mentor_id] if req.mentor_id else [])],
                type="request.changed",
                data={"request": req.pk},
            )
    return changed
