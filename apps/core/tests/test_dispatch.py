"""The consumers' single-inbox loop (apps/core/dispatch.py): every message of every source reaches
the handler once, each source in order; a handler's StopConsumer ends a consumer; a failing source
fails the loop; nothing is left running afterwards."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.testing import WebsocketCommunicator

from apps.core.dispatch import SingleInboxMixin, dispatch_from


def _source(queue: asyncio.Queue[dict[str, Any]]) -> Any:
    return queue.get


def test_every_message_of_each_source_in_order_then_stop() -> None:
    async def go() -> None:
        a: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        b: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        seen: list[tuple[str, int]] = []

        async def handle(m: dict[str, Any]) -> None:
            if m["type"] == "stop":
                raise StopConsumer
            seen.append((m["type"], m["n"]))
            await asyncio.sleep(0)  # a handler that awaits: the next message waits for it

        for n in range(50):
            a.put_nowait({"type": "a", "n": n})
            if n % 2:
                b.put_nowait({"type": "b", "n": n})
        loop = asyncio.ensure_future(dispatch_from([_source(a), _source(b)], handle))
        await asyncio.sleep(0.05)
        b.put_nowait({"type": "stop"})
        with pytest.raises(StopConsumer):
            await asyncio.wait_for(loop, 2)
        assert [n for kind, n in seen if kind == "a"] == list(range(50))
        assert [n for kind, n in seen if kind == "b"] == list(range(1, 50, 2))
        assert len(asyncio.all_tasks()) == 1  # the pumps are gone: only this test's task is left

    asyncio.run(go())


def test_a_failing_source_fails_the_loop() -> None:
    async def go() -> None:
        async def broken() -> dict[str, Any]:
            raise RuntimeError("layer down")

        idle: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

        async def handle(m: dict[str, Any]) -> None:
            raise AssertionError("nothing to handle")

        with pytest.raises(RuntimeError, match="layer down"):
            await asyncio.wait_for(dispatch_from([_source(idle), broken], handle), 2)

    asyncio.run(go())


class _Echo(SingleInboxMixin, AsyncWebsocketConsumer):
    async def connect(self) -> None:
        await self.channel_layer.group_add("dispatch-test", self.channel_name)
        await self.accept()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        await self.channel_layer.group_send("dispatch-test", {"type": "shout", "text": text_data})

    async def shout(self, event: dict[str, Any]) -> None:
        await self.send(text_data=event["text"])


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)  # Channels' dispatch closes stale database connections
async def test_a_consumer_on_the_single_inbox_hears_its_socket_and_the_layer() -> None:
    one = WebsocketCommunicator(_Echo.as_asgi(), "/")
    two = WebsocketCommunicator(_Echo.as_asgi(), "/")
    assert (await one.connect())[0] and (await two.connect())[0]
    for i in range(20):
        await one.send_to(text_data=f"m{i}")
    assert [await two.receive_from() for _ in range(20)] == [f"m{i}" for i in range(20)]
    assert [await one.receive_from() for _ in range(20)] == [f"m{i}" for i in range(20)]
    await one.disconnect()
    await two.disconnect()
