"""Room WebSocket: signalling relay, media state, chat, whiteboard, checklist, hands, timer.

One group per room (``room.<room_code>``). Every inbound message is size-checked, schema-checked
(:mod:`apps.rooms.protocol`) and rate-limited before anything else happens; invalid ones are
dropped, logged and answered with an ``error`` to the sender only — they never reach the peer.

Peers are addressed by a per-page ``peer id`` (``u<user id>-<random>``). A reconnecting page sends
its old id back (``?peer=``) so the other side keeps its RTCPeerConnection: a WebSocket drop is
shown as "away", not as leaving.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

from channels.db import database_sync_to_async
from channels.exceptions import ChannelFull
from channels.generic.websocket import AsyncJsonWebsocketConsumer, AsyncWebsocketConsumer
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.catalog.models import SessionStatus
from apps.core.dispatch import SingleInboxMixin

from . import recording, selectors, services
from .conf import MAX_MESSAGE_BYTES, MESSAGES_PER_SECOND, PRESENCE_GROUP, room_group
from .protocol import InvalidMessage, validate

log = logging.getLogger(__name__)

CLOSE_FORBIDDEN = 4403
CLOSE_NOT_OPEN = 4409


def _is_join(text: str) -> bool:
    try:
        message = json.loads(text)
    except ValueError:
        return False
    return isinstance(message, dict) and message.get("type") == "join"


class RoomConsumer(SingleInboxMixin, AsyncJsonWebsocketConsumer):
    peer_id: str = ""
    joined = False
    in_lobby = False

    # --- connection lifecycle -------------------------------------------------------------------

    async def connect(self) -> None:
        user = self.scope.get("user")
        code = self.scope["url_route"]["kwargs"]["room_code"]
        participant = await database_sync_to_async(selectors.participant_for)(
            user=user, room_code=code, include_completed=False
        )
        if participant is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.participant = participant
        self.session = participant.session
        self.user = user
        state = selectors.window_state(session=self.session, now=timezone.now())
        if state != "open":
            await self.close(code=CLOSE_NOT_OPEN)
            return
        query = _parse_query(self.scope.get("query_string", b""))
        wanted = query.get("peer", "")
        prefix = f"u{user.pk}-"
        if wanted.startswith(prefix) and re.fullmatch(r"[A-Za-z0-9_-]{6,40}", wanted):
            self.peer_id = wanted
        else:
            self.peer_id = prefix + secrets.token_urlsafe(8)
        self.group = room_group(code)
        self.media: dict[str, bool] = {"audio": True, "video": True, "screen": False, "lowBandwidth": False}
        self.hand = False
        self.left = False
        # Peer id -> channel of each socket in the room that introduced itself to this one (its
        # peer-joined or its reply to ours); forgotten when it goes away. Signals to them skip the group.
        self.peer_channels: dict[str, str] = {}
        self._bucket = float(MESSAGES_PER_SECOND)
        self._bucket_at = time.monotonic()
        if query.get("lobby") == "1":
            # Opened while the pre-join screen shows: authorised and connected now, so pressing
            # Join costs one message instead of a handshake and the access checks.
            # It is in the room's group already, so a revoke (booking or session cancelled) or the
            # session's end reaches it; everything else waits for Join.
            self.in_lobby = True
            await self.channel_layer.group_add(self.group, self.channel_name)
            await self.accept()
            await self.send_json({"type": "lobby", "you": self._peer_info()})
            return
        await self.accept()
        await self._enter()

    async def _enter(self) -> None:
        """Join the room: introduce ourselves before the database work so media negotiation starts
        at once; the full room state follows in the welcome."""
        if not self.in_lobby:
            await self.channel_layer.group_add(self.group, self.channel_name)
        self.in_lobby = False
        self.joined = True
        await self.send_json({"type": "hello", "you": self._peer_info()})
        await self._broadcast(
            {"type": "room.peer", "event": "peer-joined", "peer": self._peer_info(), "reply_to": self.channel_name}
        )
        # The database part runs beside the message loop, so signals from the other side are
        # relayed while it is still in progress (its welcome may follow their first offer).
        self._join_task = asyncio.ensure_future(self._finish_join())

    async def _finish_join(self) -> None:
        try:
            welcome = await database_sync_to_async(self._join)()
        except Exception:
            log.exception("room %s: join failed for %s", self.session.pk, self.peer_id)
            await self.send_json({"type": "error", "error": "server"})
            await self.close(code=4500)
            return
        presence = welcome.pop("_presence")
        # A full board is replayed in parts, each a message well under 1 MiB: the first rides in
        # the welcome, the rest follow in order as "board" messages.
        parts = welcome.pop("_board")
        await self.send_json({**welcome, "strokes": parts[0], "boardParts": len(parts)})
        for i, part in enumerate(parts[1:], start=2):
            await self.send_json({"type": "board", "part": i, "parts": len(parts), "strokes": part})
        await self._broadcast({"type": "room.timer", "timer": welcome["timer"]})
        await self.channel_layer.group_send(PRESENCE_GROUP, presence)

    def _join(self) -> dict[str, Any]:
        session = self.session
        if self.participant.role == selectors.MENTOR and session.status == SessionStatus.SCHEDULED:
            try:
                services.go_live(session=session)
            except services.RoomError:
                log.info("mentor %s could not go live in %s", self.user.pk, session.pk)
            session.refresh_from_db(fields=["status"])
        timer = services.record_join(session=session, user=self.user)
        live = session.status == SessionStatus.LIVE
        return {
            "type": "welcome",
            "you": self._peer_info(),
            "status": session.status,
            "timer": timer,
            "chat": selectors.chat_history(session),
            "_board": selectors.replay_parts(selectors.strokes_for(session)),
            "checklist": selectors.checklist_for(session),
            "_presence": services.presence_event(
                session.pk, live=live, participants=selectors.participant_count(session.pk) if live else 0
            ),
        }

    async def disconnect(self, code: int) -> None:
        if self.in_lobby:
            self.in_lobby = False
            await self.channel_layer.group_discard(self.group, self.channel_name)
            return
        await self._depart()

    async def _depart(self) -> None:
        if not self.joined:
            return
        self.joined = False
        task = getattr(self, "_join_task", None)
        if task is not None and not task.done():
            try:
                await task  # record the join before the leave, so counts stay right
            except Exception:
                log.exception("room %s: join did not finish", self.session.pk)
        await self.channel_layer.group_discard(self.group, self.channel_name)
        timer, presence = await database_sync_to_async(self._leave)()
        event = "peer-left" if self.left else "peer-away"
        await self._broadcast({"type": "room.peer", "event": event, "peer": self._peer_info()})
        await self._broadcast({"type": "room.timer", "timer": timer})
        await self.channel_layer.group_send(PRESENCE_GROUP, presence)

    def _leave(self) -> tuple[dict[str, Any], dict[str, Any]]:
        timer = services.record_leave(session=self.session, user=self.user)
        live = self.session.status == SessionStatus.LIVE
        count = selectors.participant_count(self.session.pk) if live else 0
        return timer, services.presence_event(self.session.pk, live=live, participants=count)

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels runs close_old_connections() in the sync thread before every handler. That thread
        # is the one every database_sync_to_async call shares, so while one page's join did its
        # database work there, every event for the other sockets of the room (the newcomer's
        # peer-joined, the reply introducing us, each relayed signal) queued behind it: 20-180 ms
        # in bench/room.py, on the path to the first frame. None of these handlers touches the
        # database except through database_sync_to_async, which closes stale connections itself,
        # so no event of this consumer takes the hop.
        handler = _ROOM_HANDLERS.get(message["type"])
        if handler is None:
            await super().dispatch(message)  # Channels' own lookup (raises for an unknown type)
        else:
            await handler(self, message)

    # --- inbound --------------------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.in_lobby:
            if text_data is not None and len(text_data) < 64 and _is_join(text_data):
                await self._enter()
            return
        if not self.joined:
            return
        if text_data is None:
            log.warning("room %s: binary frame dropped", self.session.pk)
            await self.send_json({"type": "error", "error": "binary-not-supported"})
            return
        # UTF-8 takes at most 4 bytes a character: only a long text needs encoding to be measured.
        if len(text_data) > MAX_MESSAGE_BYTES // 4 and len(text_data.encode()) > MAX_MESSAGE_BYTES:
            log.warning(
                "room %s: oversized message (%s bytes) from %s dropped", self.session.pk, len(text_data), self.peer_id
            )
            await self.send_json({"type": "error", "error": "too-large"})
            return
        if not self._take_token():
            log.warning("room %s: rate limit hit by %s", self.session.pk, self.peer_id)
            await self.send_json({"type": "error", "error": "rate-limited"})
            return
        try:
            message = validate(json.loads(text_data))
        except (ValueError, InvalidMessage) as exc:  # JSONDecodeError is a ValueError
            log.warning("room %s: invalid message from %s dropped: %s", self.session.pk, self.peer_id, exc)
            await self.send_json({"type": "error", "error": "invalid", "detail": str(exc)[:120]})
            return
        try:
            await self.handle(message)
        except services.RoomError as exc:
            await self.send_json({"type": "error", "error": "rejected", "detail": str(exc)})
        except Exception:  # one bad message must never take the room down
            log.exception("room %s: handling %s failed", self.session.pk, message.get("type"))
            await self.send_json({"type": "error", "error": "server"})

    def _take_token(self) -> bool:
        now = time.monotonic()
        self._bucket = min(float(MESSAGES_PER_SECOND), self._bucket + (now - self._bucket_at) * MESSAGES_PER_SECOND)
        self._bucket_at = now
        if self._bucket < 1:
            return False
        self._bucket -= 1
        return True

    async def handle(self, m: dict[str, Any]) -> None:
        kind = m["type"]
        if kind == "signal":
            # Encoded here, once, from the validated message: the receiving socket sends the text as
            # it is, and the layer copies a string instead of the nested description.
            payload = {k: v for k, v in m.items() if k not in ("type", "to")}
            text = json.dumps({"type": "signal", "from": self.peer_id, **payload})
            event = {"type": "room.signal", "to": m["to"], "from": self.peer_id, "text": text}
            channel = self.peer_channels.get(m["to"])
            if channel is None:
                await self._broadcast(event)  # not introduced (yet): the room's sockets pick it out
            else:
                # Straight to the addressed socket: no other socket of the room wakes up for it.
                with contextlib.suppress(ChannelFull):  # a socket that stopped reading, as in a group send
                    await self.channel_layer.send(channel, event)
        elif kind == "media":
            self.media.update({k: v for k, v in m.items() if k != "type"})
            await self._broadcast({"type": "room.peer", "event": "peer-media", "peer": self._peer_info()})
        elif kind == "hand":
            self.hand = m["up"]
            await self._broadcast({"type": "room.peer", "event": "peer-hand", "peer": self._peer_info()})
        elif kind == "chat":
            msg = await database_sync_to_async(services.post_chat)(
                session=self.session, author=self.user, body=m["body"]
            )
            await self._broadcast(
                {"type": "room.relay", "message": {"type": "chat", "message": selectors.chat_payload(msg)}}
            )
        elif kind == "stroke":
            try:
                stored = await database_sync_to_async(services.add_stroke)(
                    session=self.session, author=self.user, stroke=m["stroke"]
                )
            except services.BoardFull as exc:
                # The sender takes its stroke back off its canvas and tells the user to clear.
                await self.send_json(
                    {"type": "error", "error": "board-full", "detail": str(exc), "stroke": m["stroke"]["id"]}
                )
                return
            if stored:
                await self._broadcast(
                    {
                        "type": "room.relay",
                        "message": {"type": "stroke", "stroke": m["stroke"]},
                        "skip": self.channel_name,
                    }
                )
        elif kind == "wb-clear":
            await database_sync_to_async(services.clear_whiteboard)(session=self.session)
            await self._broadcast({"type": "room.relay", "message": {"type": "wb-clear", "by": self.peer_id}})
        elif kind == "check":
            await database_sync_to_async(services.set_tick)(
                session=self.session, user=self.user, topic=m["topic"], done=m["done"]
            )
            await self._broadcast(
                {"type": "room.relay", "message": {"type": "check", "topic": m["topic"], "done": m["done"]}}
            )
        elif kind == "ping":
            await self.send_json({"type": "pong", "t": m.get("t")})
        elif kind == "resync":  # an outage ended on the sender's side: others send key frames
            await self._broadcast({"type": "room.relay", "message": {"type": "resync"}, "skip": self.channel_name})
        elif kind.startswith("rec-"):
            await self._recording(m)
        elif kind == "leave":
            self.left = True
            await self._depart()
            await self.close()

    async def _recording(self, m: dict[str, Any]) -> None:
        """Consent-first recording: every step is checked and stored by apps.rooms.recording, then
        told to the whole room (both sides show the same state)."""
        kind, uid = m["type"], self.user.pk
        try:
            if kind == "rec-request":
                rec = await database_sync_to_async(recording.request)(session=self.session, user=self.user)
                event = "requested"
            elif kind == "rec-answer":
                rec = await database_sync_to_async(recording.answer)(
                    session=self.session, user=self.user, recording_id=m["id"], accept=m["accept"]
                )
                event = {"declined": "declined", "consented": "consented"}.get(rec.status, "accepted")
            elif kind == "rec-start":
                rec = await database_sync_to_async(recording.start)(
                    session=self.session, user=self.user, recording_id=m["id"]
                )
                event = "started"
            else:
                rec = await database_sync_to_async(recording.stop)(
                    session=self.session, user=self.user, recording_id=m["id"]
                )
                event = "stopped" if rec.status == "stopped" else "withdrawn"
        except recording.RecordingError as exc:
            await self.send_json({"type": "error", "error": "recording", "detail": str(exc)})
            return
        name = self.user.full_name or self.user.email
        message = {"type": "rec", "event": event, "id": rec.pk, "by": uid, "byName": name,
                   "requester": rec.requested_by_id, "needed": rec.needed}  # fmt: skip
        await self._broadcast({"type": "room.relay", "message": message})

    # --- group events ---------------------------------------------------------------------------

    async def _broadcast(self, event: dict[str, Any]) -> None:
        await self.channel_layer.group_send(self.group, event)

    def _peer_info(self) -> dict[str, Any]:
        return {
            "id": self.peer_id,
            "user": self.user.pk,
            "role": self.participant.role,
            "name": self.user.full_name or self.user.email,
            "media": dict(self.media),
            "hand": self.hand,
        }

    async def room_signal(self, event: dict[str, Any]) -> None:
        if self.in_lobby:
            return
        if event["to"] == self.peer_id and event["from"] != self.peer_id:
            await self.send(text_data=event["text"])

    async def room_peer(self, event: dict[str, Any]) -> None:
        if self.in_lobby:
            return
        peer = event["peer"]
        if peer["id"] == self.peer_id:
            return
        kind = event["event"]
        if kind == "peer-joined" and event.get("reply_to"):
            self.peer_channels[peer["id"]] = event["reply_to"]
        elif kind in ("peer-away", "peer-left"):
            self.peer_channels.pop(peer["id"], None)
        await self.send_json({"type": kind, "peer": peer})
        if kind == "peer-joined" and event.get("reply_to") and self.joined:
            # Introduce ourselves to the newcomer only (works across processes via the layer).
            await self.channel_layer.send(
                event["reply_to"], {"type": "room.present", "peer": self._peer_info(), "channel": self.channel_name}
            )

    async def room_present(self, event: dict[str, Any]) -> None:
        if self.in_lobby:
            return
        if event.get("channel"):
            self.peer_channels[event["peer"]["id"]] = event["channel"]
        await self.send_json({"type": "peer-present", "peer": event["peer"]})

    async def room_relay(self, event: dict[str, Any]) -> None:
        if self.in_lobby:
            return
        if event.get("skip") == self.channel_name:
            return
        await self.send_json(event["message"])

    async def room_timer(self, event: dict[str, Any]) -> None:
        if self.in_lobby:
            return
        await self.send_json({"type": "timer", "timer": event["timer"]})

    async def room_ended(self, event: dict[str, Any]) -> None:
        await self.send_json(
            {
                "type": "ended",
                "automatic": event.get("automatic", False),
                "timer": event.get("timer"),
                "message": _("The session has ended."),
            }
        )
        # The session is over: nothing more may be relayed through this socket (issue 14 #6).
        await self.close(code=CLOSE_FORBIDDEN)

    async def room_revoke(self, event: dict[str, Any]) -> None:
        """A flow took away this socket's right to be here (booking cancelled, session cancelled,
        account closed): ``user_id`` names whose sockets go, or None for everyone's."""
        if event.get("user_id") in (None, self.user.pk):
            await self.close(code=4403)

    async def room_close(self, event: dict[str, Any]) -> None:
        """Server-side kick of every socket in the room (used by tests to simulate a drop)."""
        await self.close(code=event.get("code", 4000))


# Every event a room socket handles, by type: the connection's own and the room group's.
_ROOM_HANDLERS: dict[str, Callable[[RoomConsumer, dict[str, Any]], Awaitable[None]]] = {
    "websocket.connect": RoomConsumer.websocket_connect,
    "websocket.receive": RoomConsumer.websocket_receive,
    "websocket.disconnect": RoomConsumer.websocket_disconnect,
    "room.signal": RoomConsumer.room_signal,
    "room.peer": RoomConsumer.room_peer,
    "room.present": RoomConsumer.room_present,
    "room.relay": RoomConsumer.room_relay,
    "room.timer": RoomConsumer.room_timer,
    "room.ended": RoomConsumer.room_ended,
    "room.revoke": RoomConsumer.room_revoke,
    "room.close": RoomConsumer.room_close,
}


class PresenceConsumer(AsyncJsonWebsocketConsumer):
    """Public, read-only feed of "live now" and participant counts for landing/catalog/dashboards."""

    async def connect(self) -> None:
        await self.channel_layer.group_add(PRESENCE_GROUP, self.channel_name)
        await self.accept()
        snapshot = await database_sync_to_async(selectors.live_sessions)()
        await self.send_json({"type": "snapshot", "sessions": snapshot})

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(PRESENCE_GROUP, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        return  # read-only: anything sent is ignored

    async def presence_update(self, event: dict[str, Any]) -> None:
        await self.send_json(
            {
                "type": "presence",
                "session": event["session"],
                "live": event["live"],
                "participants": event["participants"],
            }
        )


class EchoConsumer(AsyncWebsocketConsumer):
    """Raw echo used by bench/room.py as the baseline (routed only when PEERLEARN_BENCH=1)."""

    async def connect(self) -> None:
        await self.accept()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        await self.send(text_data=text_data, bytes_data=bytes_data)


def _parse_query(raw: bytes) -> dict[str, str]:
    from urllib.parse import parse_qsl

    try:
        return dict(parse_qsl(raw.decode("latin-1"))[:10])
    except ValueError:
        return {}
