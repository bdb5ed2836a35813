"""The admin's feedback inbox: an abusive review can be hidden (off the profile, out of the
rating) with a reason, and shown again; both audited."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from apps.accounts.models import MentorProfile
from apps.audit.models import AuditEntry
from apps.bookings.models import Booking, BookingStatus
from apps.progress import services
from apps.rooms.services import complete_session
from apps.rooms.tests.factories import trio, user

from .test_dashboards import admin_with_totp, sign_in_confirmed

pytestmark = pytest.mark.django_db
URL = "/dashboard/admin/feedback/"


def test_hiding_a_review_takes_it_off_the_profile_and_the_rating(client: Client) -> None:
    mentor, learner, _o, s, b = trio(start=timezone.now() - timedelta(minutes=5))
    second = user("learner")
    Booking.objects.create(session=s, learner=second, status=BookingStatus.CONFIRMED)
    complete_session(session=s)
    services.submit_feedback(booking=Booking.objects.get(pk=b.pk), learner=learner, rating=5, comment="Superb")
    rude = services.submit_feedback(
        booking=Booking.objects.get(session=s, learner=second), learner=second, rating=1, comment="rude words here"
    )
    profile = MentorProfile.objects.get(user=mentor)
    assert profile.rating_count == 2

    sign_in_confirmed(client, admin_with_totp())
    assert "rude words here" in client.get(URL, {"max_rating": "2"}).content.decode()
    r = client.post(
        f"{URL}{rude.pk}/", {"decision": "hide", "reason": "Insults, no feedback", "confirm": "on"}, follow=True
    )
    assert "no longer counts" in r.content.decode()
    profile.refresh_from_db()
    assert (profile.rating_count, profile.rating) == (1, Decimal("5.0"))
    public = client.get(f"/mentors/{mentor.pk}/?tab=reviews").content.decode()
    assert "Superb" in public and "rude words here" not in public
    hidden = client.get(URL, {"visibility": "hidden"}).content.decode()
    assert "rude words here" in hidden and "Insults, no feedback" in hidden and "Superb" not in hidden

    client.post(f"{URL}{rude.pk}/", {"decision": "unhide"})
    profile.refresh_from_db()
    assert profile.rating_count == 2
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "feedback.hide",
        "feedback.unhide",
    ]


def test_hiding_needs_a_reason_and_confirmation_and_filters_are_checked(client: Client) -> None:
    _mentor, learner, _o, s, b = trio(start=timezone.now() - timedelta(minutes=5))
    complete_session(session=s)
    review = services.submit_feedback(booking=Booking.objects.get(pk=b.pk), learner=learner, rating=2)
    sign_in_confirmed(client, admin_with_totp())
    client.post(f"{URL}{review.pk}/", {"decision": "hide", "reason": "spam"})
    review.refresh_from_db()
    assert review.hidden_at is None
    body = client.get(URL, {"max_rating": "9", "visibility": "gone"}).content.decode()
    assert "Select a valid choice." in body and "Correct the filter above." in body
