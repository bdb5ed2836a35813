from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError

from apps.bookings.models import Booking, BookingStatus
from apps.catalog.models import Session
from apps.notifications.models import Notification, NotificationType
from apps.requests import services
from apps.requests.models import Offer, OfferStatus, RequestStatus, SessionRequest

NOW = datetime(2030, 3, 1, 6, 0, tzinfo=UTC)
START = NOW + timedelta(days=1)


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def _input(domain: Any, **kw: Any) -> services.RequestInput:
    base = {
        "title": "Help with Django ORM",
        "domain": domain,
        "description": "Aggregations and subqueries",
        "proposed_start": START,
        "duration_minutes": 60,
        "budget_paise": 50_000,
    }
    base.update(kw)
    return services.RequestInput(**base)


def _offer(**kw: Any) -> services.OfferInput:
    base = {"price_paise": 40_000, "start": START, "duration_minutes": 60, "note": "Happy to help"}
    base.update(kw)
    return services.OfferInput(**base)


@pytest.mark.django_db
def test_open_post_reaches_only_mentors_of_its_domain(
    alice: Any, domain: Any, other_domain: Any, mentor_factory: Any, django_capture_on_commit_callbacks: Any
) -> None:
    m1, m2 = mentor_factory("M1"), mentor_factory("M2")
    m3 = mentor_factory("M3", domains=[other_domain])
    with django_capture_on_commit_callbacks(execute=True):
        req = services.create_request(learner=alice, data=_input(domain))
    assert req.status == RequestStatus.OPEN and req.mentor is None
    assert req.expires_at == NOW + timedelta(hours=24)
    got = set(Notification.objects.filter(type=NotificationType.REQUEST_NEW).values_list("user_id", flat=True))
    assert got == {m1.pk, m2.pk}
    assert m3.pk not in got


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"proposed_start": NOW - timedelta(minutes=1)}, "proposed_start", "Select a future time."),
        ({"proposed_start": NOW + timedelta(minutes=30)}, "proposed_start", "at least 2 hours"),
        ({"budget_paise": -100}, "budget", "Enter a positive value."),
        ({"budget_paise": 10_000_001}, "budget", "at most"),
        ({"title": "x" * 121}, "title", "under 120"),
        ({"title": "  "}, "title", "short title"),
        ({"duration_minutes": 5}, "duration_minutes", "between 15 and 240"),
        ({"description": "d" * 2001}, "description", "under 2000"),
    ],
)
def test_bad_request_input_is_rejected_and_changes_nothing(
    alice: Any, domain: Any, change: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        services.create_request(learner=alice, data=_input(domain, **change))
    assert field in exc.value.message_dict
    assert message in " ".join(exc.value.message_dict[field])
    assert SessionRequest.objects.count() == 0


@pytest.mark.django_db
def test_two_offers_then_accept_one_books_and_closes_the_other(
    alice: Any, domain: Any, mentor_factory: Any, django_capture_on_commit_callbacks: Any
) -> None:
    m1, m2 = mentor_factory("M1"), mentor_factory("M2")
    req = services.create_request(learner=alice, data=_input(domain, budget_paise=0))
    with django_capture_on_commit_callbacks(execute=True):
        o1 = services.make_offer(mentor=m1, request_id=req.pk, data=_offer(price_paise=0), as_proposed=True)
        o2 = services.make_offer(
            mentor=m2, request_id=req.pk, data=_offer(price_paise=0, start=START + timedelta(hours=2))
        )
    req.refresh_from_db()
    assert req.status == RequestStatus.OFFERED
    assert o1.as_proposed and o1.start == START and o1.price_paise == 0
    assert o1.expires_at == NOW + timedelta(hours=24) - timedelta(hours=1) or o1.expires_at == START - timedelta(
        hours=1
    )
    assert Notification.objects.filter(user=alice, type=NotificationType.OFFER_NEW).count() == 2
    # Duplicate offer by the same mentor is refused.
    with pytest.raises(services.RequestError, match="already have an open offer"):
        services.make_offer(mentor=m1, request_id=req.pk, data=_offer())
    with django_capture_on_commit_callbacks(execute=True):
        result = services.accept_offer(learner=alice, offer_id=o2.pk)
    assert result.payment is None
    assert result.booking.status == BookingStatus.CONFIRMED
    session = result.session
    assert session.capacity == 1 and session.mentor == m2 and session.start == START + timedelta(hours=2)
    o1.refresh_from_db()
    o2.refresh_from_db()
    req.refresh_from_db()
    assert (o1.status, o2.status, req.status) == (OfferStatus.CLOSED, OfferStatus.ACCEPTED, RequestStatus.ACCEPTED)
    assert req.booking == result.booking
    assert Notification.objects.filter(user=m1, type=NotificationType.OFFER_CLOSED).count() == 1
    assert Notification.objects.filter(user=m2, type=NotificationType.OFFER_ACCEPTED).count() == 1
    # Accepting again (or the closed one) changes nothing.
    with pytest.raises(services.RequestError):
        services.accept_offer(learner=alice, offer_id=o2.pk)
    with pytest.raises(services.RequestError):
        services.accept_offer(learner=alice, offer_id=o1.pk)
    assert Session.objects.count() == 1 and Booking.objects.count() == 1


@pytest.mark.django_db
def test_paid_offer_goes_to_payment(alice: Any, domain: Any, mentor_factory: Any) -> None:
    m1 = mentor_factory("M1")
    req = services.create_request(learner=alice, data=_input(domain))
    offer = services.make_offer(mentor=m1, request_id=req.pk, data=_offer(price_paise=60_000))
    result = services.accept_offer(learner=alice, offer_id=offer.pk)
    assert result.booking.status == BookingStatus.PENDING_PAYMENT
    assert result.payment is not None
    assert result.session.price_paise == 60_000


@pytest.mark.django_db
def test_offer_rules(alice: Any, charlie: Any, domain: Any, other_domain: Any, mentor_factory: Any) -> None:
    m1 = mentor_factory("M1")
    outsider_mentor = mentor_factory("Elsewhere", domains=[other_domain])
    req = services.create_request(learner=alice, data=_input(domain))
    with pytest.raises(services.RequestError, match="not found"):
        services.make_offer(mentor=outsider_mentor, request_id=req.pk, data=_offer())
    with pytest.raises(ValidationError) as exc:
        services.make_offer(mentor=m1, request_id=req.pk, data=_offer(start=NOW - timedelta(hours=1)))
    assert "future" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.make_offer(mentor=m1, request_id=req.pk, data=_offer(price_paise=-5))
    assert "positive" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.make_offer(mentor=m1, request_id=req.pk, data=_offer(price_paise=1_000))
    assert "₹50" in str(exc.value)
    with pytest.raises(ValidationError):
        services.make_offer(mentor=m1, request_id=req.pk, data=_offer(note="n" * 501))
    # Overlap with the mentor's existing session.
    Session.objects.create(
        mentor=m1,
        domain=domain,
        title="Busy",
        description="x",
        start=START + timedelta(minutes=30),
        duration_minutes=60,
    )
    with pytest.raises(ValidationError) as exc:
        services.make_offer(mentor=m1, request_id=req.pk, data=_offer())
    assert "overlaps" in str(exc.value)
    assert Offer.objects.count() == 0
    # Someone else's offer cannot be accepted or declined by an outsider learner.
    offer = services.make_offer(mentor=m1, request_id=req.pk, data=_offer(start=START + timedelta(hours=3)))
    with pytest.raises(services.RequestError, match="not found"):
        services.accept_offer(learner=charlie, offer_id=offer.pk)
    with pytest.raises(services.RequestError):
        services.decline_offer(learner=charlie, offer=offer)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PENDING


@pytest.mark.django_db
def test_expired_offer_cannot_be_accepted_and_expiry_notifies_both_once(
    alice: Any, domain: Any, mentor_factory: Any, django_capture_on_commit_callbacks: Any
) -> None:
    m1 = mentor_factory("M1")
    req = services.create_request(learner=alice, data=_input(domain, proposed_start=NOW + timedelta(hours=3)))
    offer = services.make_offer(
        mentor=m1, request_id=req.pk, data=_offer(start=NOW + timedelta(hours=3)), as_proposed=True
    )
    assert offer.expires_at == NOW + timedelta(hours=2)  # start - 1 h comes before created + 24 h
    later = NOW + timedelta(hours=2, minutes=1)
    with pytest.raises(services.RequestError, match="expired"):
        services.accept_offer(learner=alice, offer_id=offer.pk, now=later)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.expire_due(now=later) == 1
        assert services.expire_due(now=later) == 0
    offer.refresh_from_db()
    req.refresh_from_db()
    assert offer.status == OfferStatus.EXPIRED
    assert req.status == RequestStatus.OPEN  # still within its own 24 h
    assert Notification.objects.filter(type=NotificationType.OFFER_EXPIRED).count() == 2
    day_later = NOW + timedelta(hours=24, seconds=1)
    assert services.expire_due(now=day_later) == 1
    req.refresh_from_db()
    assert req.status == RequestStatus.EXPIRED
    assert Notification.objects.filter(user=alice, type=NotificationType.REQUEST_EXPIRED).count() == 1


@pytest.mark.django_db
def test_direct_request_expiry_tells_both(alice: Any, mentor_factory: Any, domain: Any) -> None:
    m1 = mentor_factory("M1")
    services.create_request(learner=alice, data=_input(domain), mentor=m1)
    assert services.expire_due(now=NOW + timedelta(hours=25)) == 1
    assert Notification.objects.filter(type=NotificationType.REQUEST_EXPIRED).count() == 2


@pytest.mark.django_db
def test_direct_request_declined_with_reason(alice: Any, domain: Any, mentor_factory: Any) -> None:
    m1, m2 = mentor_factory("M1"), mentor_factory("M2")
    req = services.create_request(learner=alice, data=_input(domain), mentor=m1)
    # Another mentor of the domain cannot see or answer a direct request.
    with pytest.raises(services.RequestError, match="not found"):
        services.make_offer(mentor=m2, request_id=req.pk, data=_offer())
    services.decline_request(mentor=m1, request_id=req.pk, reason="Fully booked that week")
    req.refresh_from_db()
    assert req.status == RequestStatus.DECLINED and req.decline_reason == "Fully booked that week"
    n = Notification.objects.get(user=alice, type=NotificationType.REQUEST_DECLINED)
    assert "Fully booked that week" in n.message


@pytest.mark.django_db
def test_withdraw_closes_pending_offers(alice: Any, domain: Any, mentor_factory: Any) -> None:
    m1 = mentor_factory("M1")
    req = services.create_request(learner=alice, data=_input(domain))
    offer = services.make_offer(mentor=m1, request_id=req.pk, data=_offer())
    services.withdraw_request(learner=alice, request=req)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.CLOSED
    assert Notification.objects.filter(user=m1, type=NotificationType.OFFER_CLOSED).exists()
    with pytest.raises(services.RequestError):
        services.withdraw_request(learner=alice, request=req)


@pytest.mark.django_db
def test_a_learner_has_at_most_five_open_requests_and_twenty_a_day(
    alice: Any, domain: Any, mentor_factory: Any
) -> None:
    """Issue 14 #8: one learner cannot flood the domain's mentors."""
    from django.core import mail

    mentor_factory("Meera")
    for i in range(services.MAX_OPEN_REQUESTS):
        services.create_request(learner=alice, data=_input(domain, title=f"Question {i}"))
    sent = len(mail.outbox)
    with pytest.raises(services.RequestError, match="5 open requests"):
        services.create_request(learner=alice, data=_input(domain, title="One too many"))
    assert SessionRequest.objects.filter(learner=alice).count() == services.MAX_OPEN_REQUESTS
    assert len(mail.outbox) == sent  # the refused one told nobody
    # Withdrawn requests free a slot, but the day's total still counts them.
    for req in SessionRequest.objects.filter(learner=alice):
        services.withdraw_request(learner=alice, request=req)
    for i in range(services.MAX_REQUESTS_PER_DAY - services.MAX_OPEN_REQUESTS):
        req = services.create_request(learner=alice, data=_input(domain, title=f"More {i}"))
        services.withdraw_request(learner=alice, request=req)
    with pytest.raises(services.RequestError, match="today"):
        services.create_request(learner=alice, data=_input(domain, title="Twenty-first"))
