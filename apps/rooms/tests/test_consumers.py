"""Room WebSocket: who gets in, what gets relayed, and that bad input never reaches the peer."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from apps.rooms.models import ChatMessage, ChecklistTick, WhiteboardStroke
from apps.rooms.routing import websocket_urlpatterns

from .factories import trio, user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

app = URLRouter(websocket_urlpatterns)


def communicator(session, who, query: str = "") -> WebsocketCommunicator:
    c = WebsocketCommunicator(app, f"/ws/room/{session.room_code}/{query}")
    c.scope["user"] = who
    return c


async def receive_until(c: WebsocketCommunicator, kind: str, timeout: float = 8) -> dict:
    while True:
        msg = await c.receive_json_from(timeout=timeout)
        if msg["type"] == kind:
            return msg


async def drain(c: WebsocketCommunicator) -> list[dict]:
    out = []
    while not await c.receive_nothing(timeout=0.15):
        out.append(await c.receive_json_from())
    return out


async def both_joined():
    mentor, learner, outsider, s, _b = await database_sync_to_async(trio)()
    m = communicator(s, mentor)
    assert (await m.connect())[0]
    welcome = await receive_until(m, "welcome")
    l_ = communicator(s, learner)
    assert (await l_.connect())[0]
    # The mentor introduces itself as soon as it hears of the learner, so "peer-present" may come
    # before or after the learner's welcome (which waits for the database).
    seen = [await l_.receive_json_from(timeout=8)]
    while not {"welcome", "peer-present"} <= {x["type"] for x in seen}:
        seen.append(await l_.receive_json_from(timeout=8))
    lw = next(x for x in seen if x["type"] == "welcome")
    await receive_until(m, "peer-joined")
    await drain(m)
    await drain(l_)
    return mentor, learner, outsider, s, m, l_, welcome, lw


async def test_outsider_anonymous_admin_and_other_mentor_are_refused():
    _mentor, _learner, outsider, s, _b = await database_sync_to_async(trio)()
    admin = await database_sync_to_async(user)("admin")
    other_mentor = await database_sync_to_async(user)("mentor")
    for who in (outsider, AnonymousUser(), admin, other_mentor):
        c = communicator(s, who)
        connected, code = await c.connect()
        assert connected is False, who
        assert code == 4403


async def test_learner_of_another_session_is_refused():
    _mentor, _learner, _outsider, s, _b = await database_sync_to_async(trio)()
    _m2, learner2, _o2, _s2, _b2 = await database_sync_to_async(trio)()
    c = communicator(s, learner2)
    assert (await c.connect())[0] is False


async def test_outside_the_window_is_refused():
    _mentor, learner, _outsider, s, _b = await database_sync_to_async(trio)(start=timezone.now() + timedelta(hours=3))
    c = communicator(s, learner)
    connected, code = await c.connect()
    assert connected is False and code == 4409


async def test_mentor_join_goes_live_and_peers_introduce_each_other():
    mentor, _learner, _outsider, s, m, l_, welcome, lw = await both_joined()
    await database_sync_to_async(s.refresh_from_db)()
    assert s.status == "live"
    assert welcome["you"]["role"] == "mentor" and welcome["you"]["id"].startswith(f"u{mentor.pk}-")
    assert lw["you"]["role"] == "learner"
    await m.disconnect()
    await l_.disconnect()


async def test_signal_reaches_only_the_addressed_peer():
    _mentor, _learner, _outsider, _s, m, l_, welcome, lw = await both_joined()
    offer = {"type": "signal", "to": lw["you"]["id"], "description": {"type": "offer", "sdp": "v=0\r\n"}}
    await m.send_json_to(offer)
    got = await receive_until(l_, "signal")
    assert got["from"] == welcome["you"]["id"]
    assert got["description"] == {"type": "offer", "sdp": "v=0\r\n"}
    assert await m.receive_nothing(timeout=0.2)  # not echoed back
    # "Replace our connection" (the last resort after failed ICE restarts) travels the same way.
    await m.send_json_to({"type": "signal", "to": lw["you"]["id"], "reset": 3})
    got = await receive_until(l_, "signal")
    assert got == {"type": "signal", "from": welcome["you"]["id"], "reset": 3}
    await m.disconnect()
    await l_.disconnect()


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        json.dumps({"type": "signal", "to": "u1-abcdefgh", "reset": True}),
        json.dumps({"type": "signal", "to": "u1-abcdefgh", "reset": 0}),
        json.dumps({"type": "signal", "to": "u1-abcdefgh", "reset": "again"}),
        json.dumps([1, 2, 3]),
        json.dumps({"type": "launch-missiles"}),
        json.dumps({"no": "type"}),
        json.dumps({"type": "signal", "to": "../../etc", "description": {"type": "offer", "sdp": "x"}}),
        json.dumps({"type": "signal", "to": "u1-abcdefgh", "description": {"type": "bogus", "sdp": "x"}}),
        json.dumps({"type": "chat", "body": 42}),
        json.dumps(
            {
                "type": "stroke",
                "stroke": {"id": "sabcdef1", "tool": "pen", "color": "red", "width": 3, "points": [[0, 0]]},
            }
        ),
        json.dumps(
            {
                "type": "stroke",
                "stroke": {"id": "sabcdef1", "tool": "pen", "color": "#ff0000", "width": 3, "points": [[5, 5]]},
            }
        ),
        json.dumps({"type": "check", "topic": "Loops", "done": "yes"}),
        json.dumps({"type": "media", "audio": "off"}),
        json.dumps({"type": "chat", "body": "x" * (70 * 1024)}),  # oversized frame
    ],
)
async def test_malformed_unknown_and_oversized_messages_are_dropped(raw):
    _mentor, _learner, _outsider, _s, m, l_, _welcome, _lw = await both_joined()
    await m.send_to(text_data=raw)
    err = await receive_until(m, "error")
    assert err["error"] in {"invalid", "too-large"}
    assert await l_.receive_nothing(timeout=0.3)  # nothing leaked to the peer
    # The consumer is still alive and relays valid traffic afterwards.
    await m.send_json_to({"type": "chat", "body": "still here"})
    assert (await receive_until(l_, "chat"))["message"]["body"] == "still here"
    assert await database_sync_to_async(WhiteboardStroke.objects.count)() == 0
    await m.disconnect()
    await l_.disconnect()


async def test_binary_frames_are_dropped():
    _mentor, _learner, _outsider, _s, m, l_, _welcome, _lw = await both_joined()
    await m.send_to(bytes_data=b"\x00\x01")
    assert (await receive_until(m, "error"))["error"] == "binary-not-supported"
    assert await l_.receive_nothing(timeout=0.3)
    await m.disconnect()
    await l_.disconnect()


async def test_chat_is_persisted_and_relayed_verbatim_as_text():
    _mentor, learner, _outsider, s, m, l_, _welcome, _lw = await both_joined()
    body = '<img src=x onerror="alert(1)"> see https://example.in/a?b=1'
    await l_.send_json_to({"type": "chat", "body": body})
    got = await receive_until(m, "chat")
    assert got["message"]["body"] == body and got["message"]["name"] == "Lalit Learner"
    stored = await database_sync_to_async(lambda: list(ChatMessage.objects.values_list("body", flat=True)))()
    assert stored == [body]
    # A page reload gets the history back in the welcome.
    again = communicator(s, learner)
    assert (await again.connect())[0]
    w = await receive_until(again, "welcome")
    assert [c["body"] for c in w["chat"]] == [body]
    await again.disconnect()
    await m.disconnect()
    await l_.disconnect()


async def test_whiteboard_and_checklist_are_persisted_and_replayed():
    _mentor, learner, _outsider, s, m, l_, _welcome, _lw = await both_joined()
    stroke = {"id": "sabc123456", "tool": "pen", "color": "#FF5734", "width": 3, "points": [[0.1, 0.2], [0.3, 0.4]]}
    await m.send_json_to({"type": "stroke", "stroke": stroke})
    got = await receive_until(l_, "stroke")
    assert got["stroke"]["points"] == [[0.1, 0.2], [0.3, 0.4]] and got["stroke"]["color"] == "#ff5734"
    await l_.send_json_to({"type": "check", "topic": "Loops", "done": True})
    assert (await receive_until(m, "check")) == {"type": "check", "topic": "Loops", "done": True}
    await l_.send_json_to({"type": "check", "topic": "Not on the list", "done": True})
    assert (await receive_until(l_, "error"))["error"] == "rejected"
    await asyncio.sleep(0.05)
    assert await database_sync_to_async(ChecklistTick.objects.filter(topic="Loops", done=True).count)() == 1
    again = communicator(s, learner)
    assert (await again.connect())[0]
    w = await receive_until(again, "welcome")
    assert [st["id"] for st in w["strokes"]] == ["sabc123456"]
    assert {"topic": "Loops", "done": True} in w["checklist"]
    await again.disconnect()
    await m.send_json_to({"type": "wb-clear"})
    await receive_until(l_, "wb-clear")
    # Cleared strokes are archived, not deleted (test_whiteboard.py covers the archive).
    assert await database_sync_to_async(WhiteboardStroke.objects.filter(archived_at__isnull=True).count)() == 0
    await m.disconnect()
    await l_.disconnect()


async def test_drop_is_shown_as_away_and_resume_keeps_the_peer_id():
    mentor, learner, _outsider, s, m, l_, _welcome, lw = await both_joined()
    await l_.disconnect()
    away = await receive_until(m, "peer-away")
    assert away["peer"]["id"] == lw["you"]["id"]
    back = communicator(s, learner, f"?peer={lw['you']['id']}")
    assert (await back.connect())[0]
    w = await receive_until(back, "welcome")
    assert w["you"]["id"] == lw["you"]["id"]
    joined = await receive_until(m, "peer-joined")
    assert joined["peer"]["id"] == lw["you"]["id"]
    # Signals to that id reach the new socket (not the dropped one's channel).
    offer = {"type": "signal", "to": lw["you"]["id"], "description": {"type": "offer", "sdp": "v=0\r\n"}, "t": 7}
    await m.send_json_to(offer)
    got = await receive_until(back, "signal")
    assert got == {"type": "signal", "from": _welcome["you"]["id"], "description": offer["description"], "t": 7}
    # Someone else's id is not accepted.
    spoof = communicator(s, learner, f"?peer=u{mentor.pk}-abcdefgh")
    assert (await spoof.connect())[0]
    assert (await receive_until(spoof, "welcome"))["you"]["id"] != f"u{mentor.pk}-abcdefgh"
    await spoof.disconnect()
    await back.send_json_to({"type": "leave"})
    assert (await receive_until(m, "peer-left"))["peer"]["id"] == lw["you"]["id"]
    # A signal to someone who left goes nowhere, and the sender is not told anything.
    await drain(m)
    await m.send_json_to(offer)
    assert not [x for x in await drain(m) if x["type"] in ("signal", "error")]
    await m.disconnect()


async def test_timer_runs_when_both_present_and_presence_is_published():
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    probe = await layer.new_channel()
    await layer.group_add("presence", probe)
    _mentor, _learner, _outsider, s, m, l_, _welcome, _lw = await both_joined()
    events = []
    while True:
        try:
            events.append(await asyncio.wait_for(layer.receive(probe), 0.3))
        except TimeoutError:
            break
    assert {"type": "presence.update", "session": s.pk, "live": True, "participants": 2} in events
    await l_.disconnect()
    t = await receive_until(m, "timer")
    assert t["timer"]["running_since"] is None
    await m.disconnect()


async def test_presence_socket_sends_snapshot_of_live_sessions():
    _mentor, _learner, _outsider, s, m, l_, _welcome, _lw = await both_joined()
    c = WebsocketCommunicator(app, "/ws/presence/")
    c.scope["user"] = AnonymousUser()
    assert (await c.connect())[0]
    snap = await c.receive_json_from()
    assert snap == {"type": "snapshot", "sessions": [{"session": s.pk, "live": True, "participants": 2}]}
    await l_.disconnect()
    assert await c.receive_json_from() == {"type": "presence", "session": s.pk, "live": True, "participants": 1}
    await c.disconnect()
    await m.disconnect()


async def test_ended_event_reaches_the_room():
    from apps.rooms import services

    _mentor, _learner, _outsider, s, m, l_, _welcome, _lw = await both_joined()
    await database_sync_to_async(services.complete_session)(session=s)
    ended = await receive_until(l_, "ended")
    assert ended["automatic"] is False
    # Then both sockets are closed: nothing more is relayed once the session is over.
    assert await l_.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}
    assert await close_code(m) == 4403


async def close_code(c: WebsocketCommunicator, timeout: float = 5) -> int:
    """Read what the server sends until it closes the socket; return the close code."""
    while True:
        out = await c.receive_output(timeout=timeout)
        if out["type"] == "websocket.close":
            return int(out["code"])


async def test_a_cancelled_booking_closes_that_learners_socket_and_only_theirs():
    """Issue 14 #6: rights are re-checked when a flow takes them away, not only at connect."""
    from apps.bookings.models import Booking
    from apps.workflows.booking import cancel_booking

    _mentor, learner, _outsider, s, m, l_, _welcome, _lw = await both_joined()
    booking = await database_sync_to_async(Booking.objects.get)(session=s, learner=learner)
    await database_sync_to_async(cancel_booking)(booking=booking, by="admin", reason="test")
    assert await close_code(l_) == 4403
    # The mentor is still in the room.
    await m.send_json_to({"type": "chat", "body": "still here?"})
    chat = await receive_until(m, "chat")
    assert chat["message"]["body"] == "still here?"
    await m.disconnect()


async def test_a_cancelled_session_closes_the_sockets_of_learners_waiting_in_it():
    from apps.workflows.sessions import cancel_session

    _mentor, learner, _outsider, s, _b = await database_sync_to_async(trio)()
    l_ = communicator(s, learner)
    assert (await l_.connect())[0]
    await receive_until(l_, "welcome")  # early, waiting for the mentor: the session is still scheduled
    await database_sync_to_async(cancel_session)(session=s, by="admin", reason="test")
    assert await close_code(l_) == 4403


async def test_lobby_socket_enters_with_one_message_and_hears_only_revokes():
    mentor, learner, _outsider, s, _b = await database_sync_to_async(trio)()
    m = communicator(s, mentor)
    assert (await m.connect())[0]
    await receive_until(m, "welcome")
    lobby = communicator(s, learner, "?lobby=1")
    assert (await lobby.connect())[0]
    assert (await lobby.receive_json_from())["type"] == "lobby"
    # In the lobby: the mentor does not see the learner yet, and room traffic does not reach it.
    assert not [x for x in await drain(m) if x["type"].startswith("peer")]
    await m.send_json_to({"type": "chat", "body": "anyone?"})
    await receive_until(m, "chat")
    assert await lobby.receive_nothing(timeout=0.3)
    # Anything but "join" is ignored in the lobby.
    await lobby.send_json_to({"type": "chat", "body": "sneaky"})
    assert await lobby.receive_nothing(timeout=0.3)
    await lobby.send_json_to({"type": "join"})
    assert (await receive_until(lobby, "hello"))["you"]["user"] == learner.pk
    assert (await receive_until(m, "peer-joined"))["peer"]["user"] == learner.pk
    welcome = await receive_until(lobby, "welcome")
    assert [c["body"] for c in welcome["chat"]] == ["anyone?"]
    await m.disconnect()
    await lobby.disconnect()


async def test_a_cancelled_booking_closes_the_lobby_socket_too():
    from apps.core.realtime import broadcast
    from apps.rooms.conf import room_group

    _mentor, learner, _o, s, _b = await database_sync_to_async(trio)()
    lobby = communicator(s, learner, "?lobby=1")
    assert (await lobby.connect())[0]
    await lobby.receive_json_from()
    await database_sync_to_async(broadcast)(room_group(s.room_code), {"type": "room.revoke", "user_id": learner.pk})
    assert (await lobby.receive_output(timeout=3))["type"] == "websocket.close"


async def test_room_events_are_not_held_up_by_a_join_busy_in_the_database(monkeypatch):
    """The database work of a join runs in the one thread every database call shares. Until it
    finishes, the rest of the room must still hear about the newcomer and relay signals to it (each
    event used to wait for that thread first: up to 180 ms on the way to the first video frame)."""
    import threading

    from apps.rooms import services

    mentor, learner, _outsider, s, _b = await database_sync_to_async(trio)()
    m = communicator(s, mentor)
    assert (await m.connect())[0]
    mw = await receive_until(m, "welcome")
    release = threading.Event()
    real = services.record_join

    def slow_record_join(**kwargs):
        release.wait(10)
        return real(**kwargs)

    monkeypatch.setattr(services, "record_join", slow_record_join)
    lobby = communicator(s, learner, "?lobby=1")
    assert (await lobby.connect())[0]
    await receive_until(lobby, "lobby")
    try:
        await lobby.send_json_to({"type": "join"})
        hello = await receive_until(lobby, "hello", timeout=2)
        assert (await receive_until(m, "peer-joined", timeout=2))["peer"]["id"] == hello["you"]["id"]
        assert (await receive_until(lobby, "peer-present", timeout=2))["peer"]["id"] == mw["you"]["id"]
        offer = {"type": "signal", "to": hello["you"]["id"], "description": {"type": "offer", "sdp": "v=0\r\n"}}
        await m.send_json_to(offer)
        assert (await receive_until(lobby, "signal", timeout=2))["from"] == mw["you"]["id"]
        assert not release.is_set()  # all of the above while the learner's join was still in the database
    finally:
        release.set()
    await receive_until(lobby, "welcome")
    await m.disconnect()
    await lobby.disconnect()
