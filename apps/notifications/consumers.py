"""Per-user WebSocket at /ws/notifications/: toasts, bell count and typed refresh events."""

from __future__ import annotations

import json
import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from apps.core.dispatch import SingleInboxMixin

from .services import user_group

log = logging.getLogger(__name__)

MAX_CLIENT_MESSAGE = 512  # bytes; the client only ever sends tiny control messages
RECENT = 5


@database_sync_to_async
def _state(user_id: int) -> dict[str, Any]:
    from .models import Notification

    unread = Notification.objects.filter(user_id=user_id, read=False)
    return {
        "type": "hello",
        "unread": unread.count(),
        "recent_unread": [n.as_event() for n in unread.order_by("-created_at", "-id")[:RECENT]],
    }


class NotificationConsumer(SingleInboxMixin, AsyncWebsocketConsumer):
    """Signed-in users only; each socket joins its user's group ``user.<id>``.

    Runs on the single-inbox loop (apps/core/dispatch.py): a pushed event is handled by the task
    that took it from the layer, with no task, ``asyncio.wait`` or extra loop turn per message, which
    a fan-out to hundreds of sockets of one process otherwise pays once per socket.

    On connect (and on ``{"action": "sync"}``) the client receives ``{"type": "hello", "unread": N,
    "recent_unread": [...]}`` read from the database, so a reconnecting client catches up on what it
    missed. Server events arrive as ``{"type": "notification" | "unread" | "<app>.<event>", ...}``.
    """

    group: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send(text_data=json.dumps(await _state(user.pk)))

    async def disconnect(self, code: int) -> None:
        if self.group:
            try:
                await self.channel_layer.group_discard(self.group, self.channel_name)
            except Exception:  # e.g. Redis pool exhausted during a mass disconnect; membership expires
                log.warning("notifications ws: group_discard failed for %s", self.group, exc_info=True)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None or len(text_data.encode()) > MAX_CLIENT_MESSAGE:
            log.warning("notifications ws: dropped oversized or binary message")
            return
        try:
            message = json.loads(text_data)
        except ValueError:
            log.warning("notifications ws: dropped malformed message")
            return
        action = message.get("action") if isinstance(message, dict) else None
        if action == "sync":
            await self.send(text_data=json.dumps(await _state(self.scope["user"].pk)))
        elif action == "ping":
            await self.send(text_data=json.dumps({"type": "pong"}))
        else:
            log.warning("notifications ws: dropped unknown action %r", str(action)[:40])

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels runs close_old_connections() in the sync thread before every handler: one hop to
        # the thread that every synchronous view shares, per message per socket, so a fan-out to
        # 500 sockets queued 500 hops behind the request that sent it. A pushed event never touches
        # the database (and ``_state`` goes through database_sync_to_async, which closes stale
        # connections itself), so it skips the hop.
        if message["type"] == "user.event":
            await self.user_event(message)
        else:
            await super().dispatch(message)

    async def user_revoke(self, message: dict[str, Any]) -> None:
        """The account was blocked or closed: 4401 tells the page it is signed out (no reconnect)."""
        await self.close(code=4401)

    async def user_event(self, message: dict[str, Any]) -> None:
        # The sender encoded the frame once (services._group_send_many); "event" is the older
        # form, still sent by a process running the previous release during a deploy.
        text = message.get("text")
        await self.send(text_data=text if isinstance(text, str) else json.dumps(message["event"]))
