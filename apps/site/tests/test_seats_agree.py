"""One rule for "seats left" (``Booking.objects.holding_seat``): the landing page, the catalogue,
the session page and the cart agree, whatever mix of confirmed, live and expired holds."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.accounts.models import Role
from apps.bookings import services as bookings
from apps.bookings.models import Booking, BookingStatus
from apps.catalog.tests.factories import make_session, make_user

pytestmark = pytest.mark.django_db


def seats_on(html: str, title: str) -> str:
    """The seats badge of the card or page that shows ``title``."""
    start = html.index(title)
    match = re.search(r"(\d+ seats? left|Fully booked)", html[start:])
    assert match is not None, title
    return match.group(1)


def test_landing_catalogue_detail_and_cart_agree_with_an_expired_hold(client: Client) -> None:
    now = timezone.now()
    session = make_session(title="Seat arithmetic", capacity=3, price_paise=49_900, start=now + timedelta(days=2))
    Booking.objects.create(session=session, learner=make_user(), status=BookingStatus.CONFIRMED)
    Booking.objects.create(  # a hold whose 15 minutes ran out, not yet swept by the periodic task
        session=session,
        learner=make_user(),
        status=BookingStatus.PENDING_PAYMENT,
        hold_expires_at=now - timedelta(minutes=1),
    )
    Booking.objects.create(  # a live hold
        session=session,
        learner=make_user(),
        status=BookingStatus.PENDING_PAYMENT,
        hold_expires_at=now + timedelta(minutes=10),
    )
    assert bookings.seats_taken(session, now) == 2

    pages = {
        "landing": client.get("/").content.decode(),
        "catalogue": client.get("/sessions/").content.decode(),
        "detail": client.get(f"/sessions/{session.pk}/").content.decode(),
    }
    assert {name: seats_on(html, "Seat arithmetic") for name, html in pages.items()} == {
        "landing": "1 seat left",
        "catalogue": "1 seat left",
        "detail": "1 seat left",
    }
    # The cart uses the same rule: one seat is still free for a newcomer.
    newcomer = make_user(Role.LEARNER)
    bookings.add_to_cart(learner=newcomer, session=session)
    (line,) = bookings.cart_lines(learner=newcomer)
    assert line.available
