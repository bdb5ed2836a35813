"""A lighter event loop for async consumers: one inbox instead of Channels' ``await_many_dispatch``.

Channels waits on the socket and the channel layer with ``asyncio.wait`` and makes a new task for
every message it receives; a message from the layer then takes three turns of the event loop
(the receive task, ``asyncio.wait``'s callback, the consumer) before its handler runs. Here one
long-lived task per source hands each message to the consumer through a one-slot inbox: two turns,
and no task or waiter made per message. Each source still yields its messages in order, and at
most one message per source is taken off its queue ahead of the handler, as with Channels.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Awaitable, Callable
from typing import Any

from channels.exceptions import StopConsumer
from channels.layers import get_channel_layer

Message = dict[str, Any]


async def dispatch_from(
    sources: list[Callable[[], Awaitable[Message]]], dispatch: Callable[[Message], Awaitable[None]]
) -> None:
    """Call ``dispatch`` with every message from every source, until it raises (StopConsumer ends a
    consumer). A source that raises makes this raise the same error."""
    inbox: asyncio.Queue[tuple[Message | None, BaseException | None]] = asyncio.Queue(maxsize=1)

    async def pump(source: Callable[[], Awaitable[Message]]) -> None:
        while True:
            try:
                message = await source()
            except asyncio.CancelledError:
                raise
            except BaseException as exc:  # handed to the consumer's loop below
                await inbox.put((None, exc))
                return
            await inbox.put((message, None))

    pumps = [asyncio.ensure_future(pump(source)) for source in sources]
    try:
        while True:
            message, error = await inbox.get()
            if error is not None:
                raise error
            await dispatch(message)  # type: ignore[arg-type]
    finally:
        for task in pumps:
            task.cancel()
        for task in pumps:
            with contextlib.suppress(asyncio.CancelledError):
                await task


class SingleInboxMixin:
    """For an ``AsyncConsumer`` subclass: the same start-up as ``AsyncConsumer.__call__`` (channel
    layer, channel name, send), with :func:`dispatch_from` as its loop."""

    channel_layer_alias: str
    dispatch: Callable[[Message], Awaitable[None]]

    async def __call__(
        self, scope: Any, receive: Callable[[], Awaitable[Message]], send: Callable[[Message], Awaitable[None]]
    ) -> None:
        self.scope = scope
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        sources = [receive]
        if self.channel_layer is not None:
            self.channel_name = await self.channel_layer.new_channel()
            self.channel_receive = functools.partial(self.channel_layer.receive, self.channel_name)
            sources.append(self.channel_receive)
        self.base_send = send
        with contextlib.suppress(StopConsumer):  # the consumer closed: its loop ends
            await dispatch_from(sources, self.dispatch)
