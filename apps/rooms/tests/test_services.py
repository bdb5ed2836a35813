from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from apps.accounts.models import MentorProfile
from apps.bookings.models import Booking
from apps.catalog.models import Session
from apps.rooms import selectors, services
from apps.rooms.models import RoomState

from .factories import trio, user

pytestmark = pytest.mark.django_db


def test_join_window_opens_ten_minutes_before_and_closes_five_after_end():
    start = timezone.now().replace(microsecond=0) + timedelta(hours=2)
    _m, _l, _o, s, _b = trio(start=start, minutes=30)
    assert selectors.window_state(session=s, now=start - timedelta(minutes=10, seconds=1)) == "early"
    assert selectors.window_state(session=s, now=start - timedelta(minutes=10)) == "open"
    assert selectors.window_state(session=s, now=start + timedelta(minutes=35)) == "open"
    assert selectors.window_state(session=s, now=start + timedelta(minutes=35, seconds=1)) == "closed"


def test_participants_are_mentor_and_confirmed_learner_only():
    mentor, learner, outsider, s, b = trio()
    admin = user("admin")
    other_mentor = user("mentor")
    assert selectors.participant_for(user=mentor, room_code=s.room_code).role == "mentor"
    assert selectors.participant_for(user=learner, room_code=s.room_code).role == "learner"
    assert selectors.participant_for(user=outsider, room_code=s.room_code) is None
    assert selectors.participant_for(user=other_mentor, room_code=s.room_code) is None
    assert selectors.participant_for(user=admin, room_code=s.room_code) is None  # privacy
    Booking.objects.filter(pk=b.pk).update(status="pending_payment")
    assert selectors.participant_for(user=learner, room_code=s.room_code) is None


def test_go_live_only_from_ten_minutes_before_start():
    start = timezone.now() + timedelta(hours=1)
    _mentor, _l, _o, s, _b = trio(start=start)
    with time_machine.travel(start - timedelta(minutes=11), tick=False), pytest.raises(services.RoomError):
        services.go_live(session=s)
    with time_machine.travel(start - timedelta(minutes=9), tick=False):
        assert services.go_live(session=s) is True
        assert services.go_live(session=s) is False  # already live
    s.refresh_from_db()
    assert s.status == "live"
    assert RoomState.objects.get(session=s).went_live_at is not None


def test_end_completes_session_and_bookings_once_and_counts_teaching():
    mentor, _learner, _o, s, b = trio(start=timezone.now() - timedelta(minutes=5))
    services.go_live(session=s)
    assert services.complete_session(session=s) is True
    assert services.complete_session(session=Session.objects.get(pk=s.pk)) is False
    s.refresh_from_db()
    b.refresh_from_db()
    assert (s.status, b.status) == ("completed", "completed")
    assert MentorProfile.objects.get(user=mentor).sessions_taught == 1


def test_auto_complete_runs_after_end_plus_grace_exactly_once():
    start = timezone.now() - timedelta(minutes=50)
    mentor, _l, _o, s, b = trio(start=start, minutes=30)  # ended 20 min ago
    services.go_live(session=s, now=start)
    _m2, _l2, _o2, s2, _b2 = trio(start=timezone.now() - timedelta(minutes=33), minutes=30)  # ended 3 min ago
    services.go_live(session=s2, now=s2.start)
    now = timezone.now()
    assert services.auto_complete_sessions(now) == 1
    assert services.auto_complete_sessions(now) == 0
    s.refresh_from_db()
    s2.refresh_from_db()
    b.refresh_from_db()
    assert (s.status, b.status, s2.status) == ("completed", "completed", "live")
    assert MentorProfile.objects.get(user=mentor).sessions_taught == 1
    assert services.auto_complete_sessions(now + timedelta(minutes=3)) == 1


def test_timer_runs_only_while_both_present_and_not_before_start():
    start = timezone.now().replace(microsecond=0) + timedelta(minutes=5)
    mentor, learner, _o, s, _b = trio(start=start)
    with time_machine.travel(start - timedelta(minutes=5), tick=False):
        t = services.record_join(session=s, user=mentor)
        assert t["running_since"] is None
        t = services.record_join(session=s, user=learner)
        assert t["running_since"] == start.isoformat()  # both in early: counting starts at start
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        t = services.record_leave(session=s, user=learner)
        assert (t["running_since"], t["elapsed"]) == (None, 600)
    with time_machine.travel(start + timedelta(minutes=15), tick=False):
        t = services.record_join(session=s, user=learner)
        assert t["running_since"] == (start + timedelta(minutes=15)).isoformat()
        assert t["elapsed"] == 600  # the 5 minutes away were not counted


def test_turn_credentials_follow_coturn_rest_scheme(settings):
    settings.TURN_SECRET = "s3cret"
    settings.TURN_CREDENTIAL_TTL = 600
    settings.TURN_URLS = ["turn:turn.example.in:3478?transport=udp"]
    settings.STUN_URLS = ["stun:stun.example.in:3478"]
    username, password, ttl = services.turn_credentials(user_id=42, now=1_000_000)
    assert username == "1000600:42"
    expected = base64.b64encode(hmac.new(b"s3cret", b"1000600:42", hashlib.sha1).digest()).decode()
    assert password == expected and ttl == 600
    ice = services.ice_servers_for(user_id=42)
    assert ice["iceServers"][0] == {"urls": ["stun:stun.example.in:3478"]}
    assert ice["iceServers"][1]["urls"] == ["turn:turn.example.in:3478?transport=udp"]
    assert ice["iceServers"][1]["username"].endswith(":42")


def test_chat_is_stored_as_plain_text_and_validated():
    mentor, _l, _o, s, _b = trio()
    msg = services.post_chat(session=s, author=mentor, body="  <script>alert(1)</script>\x00 ")
    assert msg.body == "<script>alert(1)</script>"
    with pytest.raises(services.RoomError):
        services.post_chat(session=s, author=mentor, body="   ")


def test_checklist_only_accepts_session_topics():
    mentor, _l, _o, s, _b = trio()
    services.set_tick(session=s, user=mentor, topic="Loops", done=True)
    assert selectors.checklist_for(s) == [
        {"topic": "Variables", "done": False},
        {"topic": "Loops", "done": True},
        {"topic": "Functions", "done": False},
    ]
    with pytest.raises(services.RoomError):
        services.set_tick(session=s, user=mentor, topic="Not a topic", done=True)


def test_snapshot_must_be_a_png(tmp_path, settings):
    import io

    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    _m, _l, _o, s, _b = trio()
    buf = io.BytesIO()
    Image.new("RGB", (20, 10), "white").save(buf, format="PNG")
    state = services.save_snapshot(session=s, data=buf.getvalue())
    assert state.snapshot.name.endswith(".png")
    with pytest.raises(services.RoomError):
        services.save_snapshot(session=s, data=b"<svg onload=alert(1)>")


def test_has_attended_records_first_join_for_no_show_rules():
    mentor, learner, _o, s, _b = trio()
    assert selectors.has_attended(session_id=s.pk, user_id=mentor.pk) is False
    services.record_join(session=s, user=mentor)
    services.record_leave(session=s, user=mentor)
    assert selectors.has_attended(session_id=s.pk, user_id=mentor.pk) is True
    assert selectors.has_attended(session_id=s.pk, user_id=learner.pk) is False
