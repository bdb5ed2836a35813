"""A mentor answers a review publicly, once; nobody else can."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.bookings.models import Booking
from apps.progress import services
from apps.rooms.services import complete_session
from apps.rooms.tests.factories import trio, user

pytestmark = pytest.mark.django_db


def test_the_mentor_replies_once_and_it_shows_under_the_review(client: Client) -> None:
    mentor, learner, _o, s, b = trio(start=timezone.now() - timedelta(minutes=5))
    complete_session(session=s)
    review = services.submit_feedback(
        booking=Booking.objects.get(pk=b.pk), learner=learner, rating=3, comment="Too fast"
    )
    url = f"/reviews/{review.pk}/reply/"

    other_mentor = user("mentor")
    client.force_login(other_mentor)
    assert client.post(url, {"reply": "Not mine"}).status_code == 404
    client.force_login(learner)
    assert client.post(url, {"reply": "I am the learner"}).status_code in (302, 403)
    review.refresh_from_db()
    assert review.reply == ""

    client.force_login(mentor)
    page = client.get(f"/mentors/{mentor.pk}/?tab=reviews").content.decode()
    assert "Reply publicly" in page
    r = client.post(url, {"reply": "   "}, follow=True)
    assert "Write a reply first." in r.content.decode()
    r = client.post(url, {"reply": "Thanks — I will slow down and pause for questions."}, follow=True)
    assert "Your reply is public on your profile." in r.content.decode()
    again = client.post(url, {"reply": "Second try"}, follow=True)
    assert "already replied" in again.content.decode()
    public = Client().get(f"/mentors/{mentor.pk}/?tab=reviews").content.decode()
    assert "Reply from" in public and "I will slow down" in public and "Second try" not in public
    assert "Reply publicly" not in public
