from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from apps.rooms.models import RoomState

from .factories import trio, user

pytestmark = pytest.mark.django_db


def test_room_page_owner_counterparty_outsider_admin_anonymous(client):
    mentor, learner, outsider, s, _b = trio()
    url = f"/session/{s.room_code}/"
    assert client.get(url).status_code == 302  # anonymous -> login
    for who in (outsider, user("admin"), user("mentor")):
        client.force_login(who)
        assert client.get(url).status_code == 404
    client.force_login(learner)
    r = client.get(url)
    assert r.status_code == 200
    assert b"Join session" in r.content and b"room/room.js" in r.content
    client.force_login(mentor)
    r = client.get(url)
    assert b"Go live" in r.content and b"End the session for everyone?" in r.content


def test_room_page_before_window_says_when_it_opens(client):
    _mentor, learner, _outsider, s, _b = trio(start=timezone.now() + timedelta(hours=2))
    client.force_login(learner)
    r = client.get(f"/session/{s.room_code}/")
    assert b"Join available at" in r.content and b"join-btn" not in r.content


def test_ice_servers_only_for_participants_and_rate_limited(client, settings):
    settings.TURN_SECRET = "x" * 20
    settings.TURN_URLS = ["turn:127.0.0.1:3478"]
    settings.STUN_URLS = ["stun:127.0.0.1:3478"]
    _mentor, learner, outsider, s, _b = trio()
    url = f"/session/{s.room_code}/ice/"
    # django-ratelimit counts in fixed windows: the clock stands still so every request of this
    # test falls in one window and the count is exact.
    with time_machine.travel(timezone.now(), tick=False):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        client.force_login(learner)
        data = client.get(url).json()
        assert data["turn"] is True and data["iceServers"][1]["username"].endswith(f":{learner.pk}")
        codes = [client.get(url).status_code for _ in range(40)]
    assert codes.count(200) == 29 and codes.count(429) == 11  # 30 per 10 minutes, the first above included


def test_open_room_page_carries_ice_servers_counted_with_the_endpoint(client, settings):
    settings.TURN_SECRET = "x" * 20
    settings.TURN_URLS = ["turn:127.0.0.1:3478"]
    settings.STUN_URLS = []
    _mentor, learner, _outsider, s, _b = trio()
    client.force_login(learner)

    def page_ice():
        page = client.get(f"/session/{s.room_code}/")
        return page.context["config"].get("ice")

    with time_machine.travel(timezone.now(), tick=False):  # one rate-limit window, as above
        ice = page_ice()
        assert ice["turn"] is True and ice["iceServers"][0]["username"].endswith(f":{learner.pk}")
        codes = [client.get(f"/session/{s.room_code}/ice/").status_code for _ in range(29)]
        assert codes.count(200) == 29
        # 30 per 10 minutes between the page and the endpoint: the next page carries none (the
        # page then asks the endpoint, which refuses too).
        assert page_ice() is None
        assert client.get(f"/session/{s.room_code}/ice/").status_code == 429


def test_room_page_outside_the_window_carries_no_ice_servers(client):
    _mentor, learner, _outsider, s, _b = trio(start=timezone.now() + timedelta(hours=2))
    client.force_login(learner)
    assert "ice" not in client.get(f"/session/{s.room_code}/").context["config"]


def test_only_mentor_ends_and_uploads_snapshot(client, tmp_path, settings):
    import io

    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    mentor, learner, outsider, s, b = trio(start=timezone.now() - timedelta(minutes=1))
    client.force_login(learner)
    assert client.post(f"/session/{s.room_code}/end/").status_code == 403
    client.force_login(outsider)
    assert client.post(f"/session/{s.room_code}/end/").status_code == 404
    client.force_login(mentor)
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buf, format="PNG")
    r = client.post(f"/session/{s.room_code}/snapshot/", buf.getvalue(), content_type="image/png")
    assert r.status_code == 200 and RoomState.objects.get(session=s).snapshot
    assert client.post(f"/session/{s.room_code}/end/").json()["status"] == "completed"
    s.refresh_from_db()
    b.refresh_from_db()
    assert (s.status, b.status) == ("completed", "completed")
    client.force_login(learner)
    page = client.get(f"/session/{s.room_code}/")
    assert b"Session complete" in page.content and b"Submit feedback" in page.content


def test_mentor_cannot_end_before_the_scheduled_start(client):
    start = timezone.now().replace(microsecond=0) + timedelta(minutes=5)
    mentor, _learner, _outsider, s, b = trio(start=start)
    client.force_login(mentor)
    with time_machine.travel(start - timedelta(seconds=1), tick=False):
        r = client.post(f"/session/{s.room_code}/end/")
    assert r.status_code == 400 and "hasn't started yet" in r.json()["error"]
    s.refresh_from_db()
    b.refresh_from_db()
    assert (s.status, b.status) == ("scheduled", "confirmed")
    mentor.refresh_from_db()
    with time_machine.travel(start, tick=False):
        assert client.post(f"/session/{s.room_code}/end/").json()["status"] == "completed"
