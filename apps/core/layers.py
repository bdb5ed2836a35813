"""The two channel layers PeerLearn runs on, tuned for fan-out (one notification to hundreds of
sockets) without changing what a group send means.

Both are the stock Channels layers with these changes, measured by ``bench/notify.py`` (and the
relay by ``bench/room.py``):

* ``group_send_many(sends)`` sends many ``(group, message)`` pairs at once. On Redis that is one
  pipelined read of every group's members and one script call that queues every message (the stock
  ``group_send`` costs four round trips per group, paid one after another).
* Redis: a process's receive loop pops up to ``receive_batch`` waiting messages per round trip
  (stock: one message per four round trips, one after another, while 500 toasts wait), and one
  waiting receive at a time reads for the whole process, filing messages into per-socket inboxes.
* In memory: the sweep for expired messages and groups runs at most once a second instead of on
  every send and every receive (each sweep walks every channel and every group, so a fan-out to N
  sockets cost N² steps); messages are copied by ``copy_message`` rather than ``deepcopy``, and
  send/receive make no throwaway queue per call.

``group_send_many(layer, sends)`` works with any layer (it falls back to one ``group_send`` each).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import logging
import time
from collections.abc import Sequence
from copy import deepcopy
from typing import Any

from channels.exceptions import ChannelFull
from channels.layers import BaseChannelLayer
from channels.layers import InMemoryChannelLayer as StockInMemoryChannelLayer
from channels_redis.core import RedisChannelLayer as StockRedisChannelLayer

log = logging.getLogger(__name__)

Send = tuple[str, dict[str, Any]]

# Redis Lua: queue ARGV[i] on KEYS[i] for every i, dropping expired messages first and skipping a
# queue at capacity, as the stock layer's send does. The same key repeats (one process's sockets
# share one queue), so each queue is swept, counted and given its expiry once per call rather
# than once per message. Returns how many were dropped for capacity.
_QUEUE_MANY = """
local n = #KEYS
local now = tonumber(ARGV[2 * n + 1])
local expiry = tonumber(ARGV[2 * n + 2])
local counts = {}
local dropped = 0
for i = 1, n do
    local key = KEYS[i]
    local count = counts[key]
    if count == nil then
        redis.call('ZREMRANGEBYSCORE', key, 0, now - expiry)
        count = redis.call('ZCARD', key)
    end
    if count < tonumber(ARGV[n + i]) then
        -- a microsecond apart, so a socket receives its messages in the order they were sent
        redis.call('ZADD', key, now + i / 1000000, ARGV[i])
        count = count + 1
    else
        dropped = dropped + 1
    end
    counts[key] = count
end
for key in pairs(counts) do
    redis.call('EXPIRE', key, expiry)
end
return dropped
"""
_QUEUE_CHUNK = 1000  # messages per script call, so one huge fan-out never stalls Redis for long


_ATOMS = frozenset({str, int, float, bool, type(None), bytes})


def copy_message(value: Any) -> Any:
    """A deep copy of a channel message, as ``copy.deepcopy`` makes it, several times faster for
    what messages are made of (dicts, lists, strings, numbers): deepcopy's memo and dispatch cost
    more than the copy itself. Anything else is handed to deepcopy."""
    kind = type(value)
    if kind in _ATOMS:
        return value
    if kind is dict:
        return {k: copy_message(v) for k, v in value.items()}
    if kind is list:
        return [copy_message(v) for v in value]
    return deepcopy(value)


# Redis Lua: the members of group KEYS[i] (after dropping those added before ARGV[1]) as line i of
# one string, space-separated. Channel and group names allow neither a space nor a newline.
_MEMBERS = """
local out = {}
for i = 1, #KEYS do
    redis.call('ZREMRANGEBYSCORE', KEYS[i], 0, ARGV[1])
    out[i] = table.concat(redis.call('ZRANGE', KEYS[i], 0, -1), ' ')
end
return table.concat(out, '\\n')
"""


async def group_send_many(layer: BaseChannelLayer, sends: Sequence[Send]) -> None:
    """Send each message to its group; batched when the layer can batch."""
    if isinstance(layer, InMemoryChannelLayer | RedisChannelLayer):
        await layer.group_send_many(sends)
        return
    for group, message in sends:
        await layer.group_send(group, message)


class InMemoryChannelLayer(StockInMemoryChannelLayer):  # type: ignore[misc]
    """The embedded profile's layer (one process). Same semantics as the stock one; the expiry
    sweep is rate-limited and a group send queues directly instead of one task per member."""

    sweep_interval = 1.0  # seconds

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._swept_at = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._swept_at < self.sweep_interval:
            return
        self._swept_at = now
        super()._clean_expired()

    def _queue_for_group(self, group: str, message: dict[str, Any]) -> None:
        self.require_valid_group_name(group)  # raises TypeError, as the stock group_send does
        if not isinstance(message, dict):
            raise TypeError("message is not a dict")
        for channel in list(self.groups.get(group, ())):
            queue = self.channels.get(channel)
            if queue is None:
                queue = self.channels[channel] = asyncio.Queue(maxsize=self.get_capacity(channel))
            # A copy per member, as the stock layer's send makes. A full queue is a socket that
            # stopped reading: the stock group_send drops the message the same way.
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait((time.time() + self.expiry, copy_message(message)))

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        """The stock send with the faster copy (and no throwaway queue made on every call)."""
        if not isinstance(message, dict):
            raise TypeError("message is not a dict")
        self.require_valid_channel_name(channel)
        if "__asgi_channel__" in message:
            raise ValueError("message names its own channel")
        queue = self.channels.get(channel)
        if queue is None:
            queue = self.channels[channel] = asyncio.Queue(maxsize=self.get_capacity(channel))
        try:
            queue.put_nowait((time.time() + self.expiry, copy_message(message)))
        except asyncio.QueueFull:
            raise ChannelFull(channel) from None

    async def receive(self, channel: str) -> dict[str, Any]:
        """The stock receive without its throwaway queue: it built a new ``asyncio.Queue`` on every
        call, even when the channel had one (twice per message with the queue dropped when empty)."""
        self.require_valid_channel_name(channel)
        self._clean_expired()
        queue = self.channels.get(channel)
        if queue is None:
            queue = self.channels[channel] = asyncio.Queue(maxsize=self.get_capacity(channel))
        try:
            _, message = await queue.get()
        finally:
            if queue.empty() and self.channels.get(channel) is queue:
                del self.channels[channel]  # as the stock layer does: no queue kept for an idle channel
        return message  # type: ignore[no-any-return]

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        self._clean_expired()
        self._queue_for_group(group, message)

    async def group_send_many(self, sends: Sequence[Send]) -> None:
        self._clean_expired()
        for group, message in sends:
            self._queue_for_group(group, message)


class RedisChannelLayer(StockRedisChannelLayer):  # type: ignore[misc]
    """The production profile's layer: the stock channels_redis layer with batched group sends
    and batched receives (see the module docstring). Storage layout, expiry, capacity and group
    membership are the stock layer's, so processes on either class interoperate."""

    def __init__(self, *args: Any, receive_batch: int = 200, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.receive_batch = receive_batch
        # Messages popped for this process but not yet handed out, per process channel.
        self._popped: dict[str, collections.deque[tuple[Any, dict[str, Any]]]] = collections.defaultdict(
            collections.deque
        )
        # Messages read for each socket's channel and not yet received (the oldest dropped past
        # capacity, as the stock layer's buffer does), and the receives waiting on each channel.
        self._inbox: dict[str, collections.deque[dict[str, Any]]] = collections.defaultdict(
            functools.partial(collections.deque, maxlen=self.capacity)
        )
        self._waiting: dict[str, list[asyncio.Future[None]]] = {}
        self._reading = False  # one waiting receive reads from Redis for the whole process
        self._next_reader: asyncio.Future[None] | None = None  # woken to read, not yet running
        self._receivers = 0
        self._receive_loop: asyncio.AbstractEventLoop | None = None

    async def receive(self, channel: str) -> dict[str, Any]:
        """The next message on a channel. The stock layer has every waiting socket of the process
        race for one lock (two new tasks per receive) and files one message per lock hand-over, so
        500 queued toasts took 500 hand-overs one after another. Here one waiting receive at a
        time reads for the whole process (``receive_single``: a batch per round trip), files every
        message in its channel's inbox and wakes just that channel's receive; when the reader has
        its own message it passes the reading on to another waiting receive."""
        if "!" not in channel:  # a shared (non-process) channel: the stock receive
            message: dict[str, Any] = await super().receive(channel)
            return message
        self.require_valid_channel_name(channel)  # raises TypeError, as the stock receive does
        process_channel = self.non_local_name(channel)
        if not process_channel.endswith(self.client_prefix + "!"):
            raise ValueError(f"{channel} belongs to another process")
        loop = asyncio.get_running_loop()
        if self._receivers == 0:
            self._receive_loop = loop
        elif self._receive_loop is not loop:
            raise RuntimeError("Two event loops are trying to receive() on one channel layer at once!")
        self._receivers += 1
        try:
            while not self._inbox[channel]:
                if self._reading:
                    await self._wait(channel, loop)
                    continue
                self._reading = True
                try:
                    while not self._inbox[channel]:
                        self._file(*await self.receive_single(process_channel))
                        popped = self._popped[process_channel]
                        while popped:
                            self._file(*popped.popleft())
                finally:
                    self._reading = False
            inbox = self._inbox[channel]
            message = inbox.popleft()
            if not inbox:
                del self._inbox[channel]
            return message
        except asyncio.CancelledError:
            self._inbox.pop(channel, None)  # the socket is closing: the stock receive drops its buffer too
            raise
        finally:
            self._receivers -= 1
            self._hand_over()

    def _file(self, name: str | list[str], message: dict[str, Any]) -> None:
        """Put a message read from Redis in the inbox of its channel(s) and wake their receives.
        (A stock group message names every channel of this process it is for, sharing one copy.)"""
        for channel in [name] if isinstance(name, str) else name:
            self._inbox[channel].append(message)
            for waiter in self._waiting.pop(channel, ()):
                if not waiter.done():
                    waiter.set_result(None)

    async def _wait(self, channel: str, loop: asyncio.AbstractEventLoop) -> None:
        """Wait until a message is filed for ``channel`` or the reading is handed to this receive."""
        waiter = loop.create_future()
        self._waiting.setdefault(channel, []).append(waiter)
        try:
            await waiter
        finally:
            if self._next_reader is waiter:
                self._next_reader = None
            waiters = self._waiting.get(channel)
            if waiters is not None and waiter in waiters:
                waiters.remove(waiter)
                if not waiters:
                    del self._waiting[channel]

    def _hand_over(self) -> None:
        """Whenever nobody reads, one waiting receive is woken to read (the reader may have left
        with its message, been cancelled, or the woken one may have found a message of its own
        and left too). Only one is woken at a time."""
        if self._reading or self._next_reader is not None:
            return
        for waiters in self._waiting.values():
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)
                    self._next_reader = waiter
                    return

    async def receive_single(self, channel: str) -> tuple[Any, dict[str, Any]]:
        if "!" not in channel:  # a shared (non-process) channel: the stock one-at-a-time receive
            name, message = await super().receive_single(channel)
            return name, message
        popped = self._popped[channel]
        if not popped:
            # Block for the first message the stock way (its in-flight backup keeps a message
            # safe if this receive is cancelled), then take whatever else is waiting in one hop.
            name, message = await super().receive_single(channel)
            popped.append((name, message))
            # Shielded: if the receive is cancelled meanwhile, what was popped still lands in the
            # buffer for the next receive instead of being lost.
            await asyncio.shield(asyncio.ensure_future(self._pop_waiting(channel, popped)))
        return popped.popleft()

    async def _pop_waiting(self, channel: str, into: collections.deque[tuple[Any, dict[str, Any]]]) -> None:
        connection = self.connection(self.consistent_hash(channel))
        for content, _score in await connection.zpopmin(self.prefix + channel, self.receive_batch - 1):
            message = self.deserialize(content)
            into.append((message.pop("__asgi_channel__", channel), message))

    async def group_send_many(self, sends: Sequence[Send]) -> None:
        if not sends:
            return
        for group, _ in sends:
            self.require_valid_group_name(group)  # raises TypeError, as the stock group_send does
        members = await self._members({group for group, _ in sends})
        # Per shard: the queue key, the serialised message and the capacity of each delivery.
        queued: dict[int, list[tuple[str, bytes, int]]] = collections.defaultdict(list)
        for group, message in sends:
            names = members.get(group)
            if not names:
                continue
            by_shard, messages, capacities = self._map_channel_keys_to_connection(names, message)
            for index, keys in by_shard.items():
                queued[index].extend((key, messages[key], capacities[key]) for key in keys)
        for index, items in queued.items():
            connection = self.connection(index)
            for start in range(0, len(items), _QUEUE_CHUNK):
                chunk = items[start : start + _QUEUE_CHUNK]
                args = [m for _, m, _ in chunk] + [c for _, _, c in chunk] + [time.time(), int(self.expiry)]
                dropped = await connection.eval(_QUEUE_MANY, len(chunk), *[k for k, _, _ in chunk], *args)
                if dropped:  # the stock group_send logs and carries on the same way
                    log.info("%s of %s group messages over capacity", dropped, len(chunk))

    async def _members(self, groups: set[str]) -> dict[str, list[str]]:
        """Every group's current channels: one script call per shard, expired members dropped
        first as the stock group_send does. The reply is one string (a line of space-separated
        channel names per group; names never contain either), which redis-py parses in one step
        where a pipeline of two commands per group cost 1,000 replies for 500 groups."""
        by_shard: dict[int, list[str]] = collections.defaultdict(list)
        for group in groups:
            by_shard[self.consistent_hash(group)].append(group)
        cutoff = int(time.time()) - self.group_expiry
        out: dict[str, list[str]] = {}
        for index, shard_groups in by_shard.items():
            for start in range(0, len(shard_groups), _QUEUE_CHUNK):
                names = shard_groups[start : start + _QUEUE_CHUNK]
                keys = [self._group_key(group) for group in names]
                reply = await self.connection(index).eval(_MEMBERS, len(keys), *keys, cutoff)
                lines = reply.decode("utf8").split("\n") if reply else [""]
                for group, line in zip(names, lines, strict=True):
                    out[group] = line.split()
        return out
