"""One room button everywhere: the label per role, enabled exactly in the join window."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from apps.bookings.models import Booking
from apps.catalog.models import SessionStatus
from apps.rooms.selectors import LEARNER, MENTOR
from apps.rooms.templatetags.rooms import room_button_context
from tests.factories import UserFactory

from .factories import session, trio

pytestmark = pytest.mark.django_db


def test_labels_and_window_edges():
    start = timezone.now().replace(microsecond=0) + timedelta(days=1)
    _m, _l, _o, s, _b = trio(start=start)
    opens, closes = start - timedelta(minutes=10), s.end + timedelta(minutes=5)
    early = room_button_context(s, LEARNER, now=opens - timedelta(seconds=1))
    assert early["show"] and not early["open"] and early["label"] == "Join" and early["opens"] == opens
    assert room_button_context(s, LEARNER, now=opens)["open"]
    assert room_button_context(s, MENTOR, now=opens)["label"] == "Go live"
    assert room_button_context(s, LEARNER, now=closes)["open"]
    assert not room_button_context(s, LEARNER, now=closes + timedelta(seconds=1))["show"]
    s.status = SessionStatus.LIVE
    assert room_button_context(s, MENTOR, now=start)["label"] == "Rejoin"
    for status in (SessionStatus.COMPLETED, SessionStatus.CANCELLED):
        s.status = status
        assert not room_button_context(s, MENTOR, now=start)["show"]


def test_my_sessions_opens_on_today_and_live_across_midnight(client):
    # 23:50 IST: a session at 00:15 the next day is in the default tab, with its countdown to Go live.
    from zoneinfo import ZoneInfo

    night = timezone.now().astimezone(ZoneInfo("Asia/Kolkata")).replace(hour=23, minute=50, second=0, microsecond=0)
    night += timedelta(days=1)
    mentor = UserFactory(mentor=True, full_name="Night Owl")
    s = session(mentor, start=night + timedelta(minutes=25), title="Just after midnight")
    Booking.objects.create(session=s, learner=UserFactory(), status="confirmed")
    with time_machine.travel(night, tick=False):
        client.force_login(mentor)
        body = client.get("/dashboard/mentor/sessions/").content.decode()
        assert 'aria-current="page">Today & live' in body
        assert s.title in body and 'data-testid="room-button"' in body and "data-opens=" in body
        assert s.title not in client.get("/dashboard/mentor/sessions/?tab=upcoming").content.decode()
        home = client.get("/dashboard/mentor/").content.decode()
        assert s.title in home
    with time_machine.travel(s.start - timedelta(minutes=10), tick=False):
        body = client.get("/dashboard/mentor/sessions/").content.decode()
        assert f'href="/session/{s.room_code}/" class="btn btn-primary btn-sm" data-testid="room-button"' in body


def test_learner_bookings_say_join_not_room(client):
    start = timezone.now().replace(microsecond=0) + timedelta(minutes=5)
    _m, learner, _o, _s, _b = trio(start=start)
    client.force_login(learner)
    with time_machine.travel(start - timedelta(minutes=5), tick=False):
        body = client.get("/dashboard/learner/bookings/").content.decode()
    assert ">Join</a>" in body and ">Room<" not in body
