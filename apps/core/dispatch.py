"""A lighter event loop for async consumers than Channels' ``await_many_dispatch``.

Channels waits on the socket and the channel layer with ``asyncio.wait`` and makes a new task for
every message it receives; a message then takes three turns of the event loop (the receive task,
``asyncio.wait``'s callback, the consumer) before its handler runs. Here one long-lived task per
source takes each message and runs the handler itself, under a lock that keeps handlers one at a
time as in Channels: one turn, and no task or waiter made per message. Each source's messages are
handled in order; at most one message per source is taken off its queue ahead of its handler, as
with Channels; once a handler raises (``StopConsumer`` ends a consumer) nothing more is handled.
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
    """Call ``dispatch`` with every message from every source, one call at a time, until a call
    raises (that error is raised here) or a source fails (likewise)."""
    lock = asyncio.Lock()
    stopped = False

    async def pump(source: Callable[[], Awaitable[Message]]) -> None:
        nonlocal stopped
        while True:
            message = await source()
            async with lock:
                if stopped:
                    return
                try:
                    await dispatch(message)
                except BaseException:
                    stopped = True
                    raise

    pumps = [asyncio.ensure_future(pump(source)) for source in sources]
    try:
        done, _ = await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            task.result()  # raises what ended it
    finally:
        for task in pumps:
            task.cancel()
        for task in pumps:
            with contextlib.suppress(asyncio.CancelledError, Exception, StopConsumer):
                await task


class SingleInboxMixin:
    """For an ``AsyncConsumer`` subclass: the same start-up as ``AsyncConsumer.__call__`` (channel
    layer, channel name, send), with :func:`dispatch_from` as its loop. Handlers run in the
    loop's own tasks (one per source), which start with the consumer's context."""

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
