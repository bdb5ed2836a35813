"""A WebSocket path that matches no route: refuse it politely instead of failing the handshake
with a server error."""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import WebsocketConsumer

NOT_FOUND_CLOSE_CODE = 4404


class NotFoundConsumer(WebsocketConsumer):
    def connect(self) -> None:
        self.close(code=NOT_FOUND_CLOSE_CODE)

    def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        self.close(code=NOT_FOUND_CLOSE_CODE)
