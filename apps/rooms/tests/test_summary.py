"""After the session: its page shows what the room left behind, to participants only."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from apps.progress.models import Feedback
from apps.rooms import services
from apps.rooms.models import ChatMessage, ChecklistTick
from tests.factories import UserFactory

from .factories import trio, user

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (16, 9), "white").save(buf, format="PNG")
    return buf.getvalue()


def _finished_session(tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    mentor, learner, outsider, s, b = trio(start=timezone.now() - timedelta(minutes=50), topics=["Loops", "Functions"])
    ChatMessage.objects.create(session=s, author=learner, body="see https://example.in/notes <b>x</b>")
    ChecklistTick.objects.create(session=s, topic="Loops", done=True, updated_by=mentor)
    services.save_snapshot(session=s, data=_png())
    services.complete_session(session=s)
    b.refresh_from_db()
    Feedback.objects.create(booking=b, session=s, mentor=mentor, learner=learner, rating=5, comment="Clear and kind")
    return mentor, learner, outsider, s


def test_participants_see_board_checklist_chat_and_feedback(client, tmp_path, settings):
    mentor, learner, _outsider, s = _finished_session(tmp_path, settings)
    url = f"/session/{s.room_code}/summary/"
    for who in (mentor, learner):
        client.force_login(who)
        body = client.get(url).content.decode()
        assert 'data-testid="summary-whiteboard"' in body
        assert "1 of 2 topics covered" in body
        assert 'href="https://example.in/notes"' in body and "<b>x</b>" not in body
        assert "Clear and kind" in body
    # The learner reaches it from past bookings, the mentor from past sessions.
    client.force_login(learner)
    assert f'href="{url}"' in client.get("/dashboard/learner/bookings/").content.decode()
    client.force_login(mentor)
    assert f'href="{url}"' in client.get("/dashboard/mentor/sessions/?tab=past").content.decode()


def test_whiteboard_is_private(client, tmp_path, settings):
    _mentor, learner, outsider, s = _finished_session(tmp_path, settings)
    png = f"/session/{s.room_code}/whiteboard.png"
    assert not list((tmp_path / "media").rglob("*.png")), "the snapshot must not sit under MEDIA_ROOT"
    client.force_login(learner)
    r = client.get(png)
    assert r.status_code == 200 and r["Content-Type"] == "image/png" and "no-store" in r["Cache-Control"]
    assert b"".join(r.streaming_content).startswith(b"\x89PNG")
    for who in (outsider, user("admin"), UserFactory(mentor=True)):
        client.force_login(who)
        assert client.get(png).status_code == 404
        assert client.get(f"/session/{s.room_code}/summary/").status_code == 404
    client.logout()
    assert client.get(png).status_code == 302


def test_summary_before_the_end_and_without_content(client, tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    _mentor, learner, _o, s, _b = trio(start=timezone.now() + timedelta(minutes=5), topics=[])
    client.force_login(learner)
    body = client.get(f"/session/{s.room_code}/summary/").content.decode()
    assert 'data-testid="summary-not-ended"' in body and "Nothing was drawn" in body
    assert "No chat messages" in body and "No feedback yet" in body
    assert client.get(f"/session/{s.room_code}/whiteboard.png").status_code == 404
