"""The channel layers (apps/core/layers.py): a batched group send delivers exactly what one
``group_send`` per group would — each message to every member of its group and nobody else, in
order, as a copy — on the in-memory layer and on Redis (the Redis tests run when REDIS_URL is set),
and a process's batched receive hands out every waiting message once, in order."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from typing import Any

import pytest

from apps.core.layers import InMemoryChannelLayer, RedisChannelLayer, group_send_many


async def _take(layer: Any, channel: str, n: int, timeout: float = 5) -> list[dict[str, Any]]:
    return [await asyncio.wait_for(layer.receive(channel), timeout) for _ in range(n)]


async def _nothing(layer: Any, channel: str) -> bool:
    try:
        await asyncio.wait_for(layer.receive(channel), 0.1)
    except TimeoutError:
        return True
    return False


async def _scene(layer: Any, *, copies: bool = True) -> None:
    """Two users; Asha has two sockets, Bilal one; 300 other groups have one socket each.
    ``copies``: each socket gets its own copy of a message (the in-memory layers; channels_redis
    hands one decoded message to all the sockets of a process that a group send reaches)."""
    asha1, asha2, bilal = [await layer.new_channel() for _ in range(3)]
    for group, channel in (("user.1", asha1), ("user.1", asha2), ("user.2", bilal)):
        await layer.group_add(group, channel)
    crowd = [await layer.new_channel() for _ in range(300)]
    for i, channel in enumerate(crowd):
        await layer.group_add(f"user.{100 + i}", channel)

    sends = [("user.1", {"type": "user.event", "event": {"n": 1, "to": "asha"}})]
    sends += [(f"user.{100 + i}", {"type": "user.event", "event": {"n": i}}) for i in range(300)]
    sends += [("user.2", {"type": "user.event", "event": {"n": 2, "to": "bilal"}})]
    sends += [("user.1", {"type": "user.event", "event": {"n": 3, "to": "asha"}})]
    sends += [("user.nobody", {"type": "user.event", "event": {"n": 4}})]  # an empty group: nothing
    await group_send_many(layer, sends)

    for channel in (asha1, asha2):
        got = await _take(layer, channel, 2)
        assert [m["event"]["n"] for m in got] == [1, 3]  # in the order sent
        assert await _nothing(layer, channel)
    assert [m["event"] for m in await _take(layer, bilal, 1)] == [{"n": 2, "to": "bilal"}]
    assert await _nothing(layer, bilal)
    crowd_got = await asyncio.gather(*(_take(layer, c, 1) for c in crowd))
    assert [got[0]["event"]["n"] for got in crowd_got] == list(range(300))
    for channel in crowd[:5]:
        assert await _nothing(layer, channel)

    if copies:  # one socket changing its message changes nobody else's
        await group_send_many(layer, [("user.1", {"type": "user.event", "event": {"tags": ["a"]}})])
        first = await _take(layer, asha1, 1)
        first[0]["event"]["tags"].append("changed")
        assert (await _take(layer, asha2, 1))[0]["event"] == {"tags": ["a"]}

    # The single group_send still works, and a discarded channel no longer receives.
    await layer.group_discard("user.1", asha2)
    await layer.group_send("user.1", {"type": "user.event", "event": {"n": 5}})
    assert (await _take(layer, asha1, 1))[0]["event"] == {"n": 5}
    assert await _nothing(layer, asha2)


def test_in_memory_batched_group_send_delivers_like_one_send_per_group() -> None:
    asyncio.run(_scene(InMemoryChannelLayer()))


def test_in_memory_sweep_still_drops_expired_messages_and_their_channels() -> None:
    async def go() -> None:
        layer = InMemoryChannelLayer(expiry=0.05)
        layer.sweep_interval = 0.0
        gone = await layer.new_channel()
        await layer.group_add("user.1", gone)
        await layer.group_send("user.1", {"type": "user.event", "event": {}})
        await asyncio.sleep(0.1)
        layer._clean_expired()  # the socket never read its message: it is dropped from its groups
        assert "user.1" not in layer.groups or gone not in layer.groups["user.1"]

    asyncio.run(go())


def test_group_send_many_falls_back_to_one_send_per_group_on_other_layers() -> None:
    from channels.layers import InMemoryChannelLayer as StockLayer

    asyncio.run(_scene(StockLayer()))


redis_only = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis: set REDIS_URL")


def _redis_layer(**kwargs: Any) -> RedisChannelLayer:
    return RedisChannelLayer(
        hosts=[{"address": os.environ["REDIS_URL"], "socket_timeout": None}],
        prefix=f"t{uuid.uuid4().hex[:12]}",
        capacity=1500,
        expiry=30,
        **kwargs,
    )


@redis_only
def test_redis_batched_group_send_and_receive_deliver_like_the_stock_layer() -> None:
    async def go() -> None:
        layer = _redis_layer(receive_batch=50)  # several batches for the 300 waiting messages
        try:
            await _scene(layer, copies=False)
        finally:
            await layer.flush()

    asyncio.run(go())


@redis_only
def test_redis_processes_on_the_stock_layer_and_on_ours_interoperate() -> None:
    from channels_redis.core import RedisChannelLayer as StockRedis

    async def go() -> None:
        ours = _redis_layer()
        stock = StockRedis(hosts=ours.hosts, prefix=ours.prefix, capacity=1500, expiry=30)
        try:
            on_stock = await stock.new_channel()
            on_ours = await ours.new_channel()
            await ours.group_add("user.1", on_stock)
            await ours.group_add("user.1", on_ours)
            await group_send_many(ours, [("user.1", {"type": "user.event", "event": {"from": "ours"}})])
            await stock.group_send("user.1", {"type": "user.event", "event": {"from": "stock"}})
            for layer, channel in ((stock, on_stock), (ours, on_ours)):
                got = await _take(layer, channel, 2)
                assert [m["event"]["from"] for m in got] == ["ours", "stock"]
        finally:
            await ours.flush()
            await stock.flush()

    asyncio.run(go())


@redis_only
def test_redis_a_cancelled_receive_loses_no_message() -> None:
    """Sockets come and go while messages wait: a receive cancelled mid-way (a socket closing)
    must leave every popped message for the other sockets of the process."""

    async def go() -> None:
        layer = _redis_layer(receive_batch=10)
        try:
            channels = [await layer.new_channel() for _ in range(40)]
            for i, channel in enumerate(channels):
                await layer.group_add(f"user.{i}", channel)
            quitter = await layer.new_channel()
            waiting = asyncio.ensure_future(layer.receive(quitter))
            await asyncio.sleep(0.05)
            await group_send_many(layer, [(f"user.{i}", {"type": "user.event", "event": {"n": i}}) for i in range(40)])
            waiting.cancel()
            got = await asyncio.gather(*(_take(layer, c, 1) for c in channels))
            assert sorted(g[0]["event"]["n"] for g in got) == list(range(40))
        finally:
            await layer.flush()

    asyncio.run(go())


def test_copy_message_copies_like_deepcopy() -> None:
    from copy import deepcopy

    from apps.core.layers import copy_message

    class Custom:
        def __init__(self) -> None:
            self.items = [1]

    message = {"type": "x", "a": [1, {"b": "c", "d": None, "e": 1.5, "f": True}], "g": b"raw", "h": (1, [2])}
    copied = copy_message(message)
    assert copied == deepcopy(message)
    copied["a"][1]["b"] = "changed"
    copied["h"][1].append(3)  # a tuple goes to deepcopy: its list is a copy too
    assert message["a"][1]["b"] == "c" and message["h"] == (1, [2])
    other = copy_message({"obj": Custom()})["obj"]
    assert isinstance(other, Custom) and other.items == [1]


def test_in_memory_send_and_receive_keep_the_stock_contract() -> None:
    from channels.exceptions import ChannelFull

    async def go() -> None:
        layer = InMemoryChannelLayer(capacity=2)
        channel = await layer.new_channel()
        message = {"type": "a.b", "n": [1]}
        await layer.send(channel, message)
        message["n"].append(2)  # the sender's later change does not reach the receiver
        await layer.send(channel, {"type": "a.b", "n": [3]})
        with pytest.raises(ChannelFull):
            await layer.send(channel, {"type": "a.b", "n": [4]})
        assert [m["n"] for m in await _take(layer, channel, 2)] == [[1], [3]]
        assert channel not in layer.channels  # an emptied queue is not kept
        with pytest.raises(TypeError):
            await layer.send(channel, "not a dict")  # type: ignore[arg-type]
        waiting = asyncio.ensure_future(layer.receive(channel))
        await asyncio.sleep(0)
        await layer.send(channel, {"type": "a.b", "n": [5]})
        assert (await asyncio.wait_for(waiting, 2))["n"] == [5]


@redis_only
def test_redis_reading_passes_on_when_the_reading_receive_is_cancelled_or_served() -> None:
    """One waiting receive reads for the whole process. Whether it leaves because its socket
    closes (cancelled while blocked on Redis) or because its own message came, a receive that
    was already waiting takes over, so no socket waits on a message that sits in Redis."""

    async def go() -> None:
        layer = _redis_layer(receive_batch=3)  # several reads for the 12 messages below
        try:
            reader = await layer.new_channel()
            reading = asyncio.ensure_future(layer.receive(reader))  # first in: it reads
            await asyncio.sleep(0.05)
            assert layer._reading
            others = [await layer.new_channel() for _ in range(12)]
            for i, channel in enumerate(others):
                await layer.group_add(f"user.{i}", channel)
            waiting = [asyncio.ensure_future(layer.receive(c)) for c in others]
            await asyncio.sleep(0.05)
            reading.cancel()  # its socket closes while it blocks in Redis
            with contextlib.suppress(asyncio.CancelledError):
                await reading
            await group_send_many(layer, [(f"user.{i}", {"type": "user.event", "event": {"n": i}}) for i in range(12)])
            got = await asyncio.wait_for(asyncio.gather(*waiting), 5)
            assert [m["event"]["n"] for m in got] == list(range(12))

            # The reader's own message comes first in the queue: it leaves with it after one
            # read, and the receives still waiting get theirs from whoever reads next.
            await layer.group_add("user.first", reader)
            waiting = [asyncio.ensure_future(layer.receive(c)) for c in [reader, *others]]
            await asyncio.sleep(0.05)
            sends = [("user.first", {"type": "user.event", "event": {"n": -1}})]
            sends += [(f"user.{i}", {"type": "user.event", "event": {"n": i}}) for i in range(12)]
            await group_send_many(layer, sends)
            got = await asyncio.wait_for(asyncio.gather(*waiting), 5)
            assert [m["event"]["n"] for m in got] == list(range(-1, 12))
            assert not layer._reading and not layer._waiting
        finally:
            await layer.flush()

    asyncio.run(go())


@redis_only
def test_redis_two_receives_on_one_channel_each_get_one_message() -> None:
    async def go() -> None:
        layer = _redis_layer()
        try:
            channel = await layer.new_channel()
            await layer.group_add("user.1", channel)
            both = [asyncio.ensure_future(layer.receive(channel)) for _ in range(2)]
            await asyncio.sleep(0.05)
            await group_send_many(layer, [("user.1", {"type": "user.event", "event": {"n": n}}) for n in (1, 2)])
            got = await asyncio.wait_for(asyncio.gather(*both), 5)
            assert sorted(m["event"]["n"] for m in got) == [1, 2]
        finally:
            await layer.flush()

    asyncio.run(go())


@redis_only
def test_redis_batched_send_stops_at_a_channels_capacity_like_the_stock_send() -> None:
    """Messages past a queue's capacity are dropped (a socket that stopped reading), counted per
    queue across one batch; other queues still get theirs."""

    async def go() -> None:
        layer = _redis_layer()
        layer.capacity = 3
        try:
            full, other = await layer.new_channel(), await layer.new_channel()
            await layer.group_add("user.1", full)
            await layer.group_add("user.2", other)
            sends = [("user.1", {"type": "user.event", "event": {"n": n}}) for n in range(5)]
            sends.append(("user.2", {"type": "user.event", "event": {"n": 9}}))
            await group_send_many(layer, sends)
            # Both channels share this process's queue: three messages fit, the rest are dropped.
            got = await _take(layer, full, 3)
            assert [m["event"]["n"] for m in got] == [0, 1, 2]
            assert await _nothing(layer, full)
            assert await _nothing(layer, other)
            await group_send_many(layer, [("user.2", {"type": "user.event", "event": {"n": 10}})])
            assert [m["event"]["n"] for m in await _take(layer, other, 1)] == [10]  # room again once read
        finally:
            await layer.flush()

    asyncio.run(go())


@redis_only
def test_redis_direct_and_group_sends_reach_each_sockets_loop_in_order() -> None:
    """The room relay sends a signal straight to a socket's channel (``send``) while room events
    go to the group; each socket's single-inbox loop (apps/core/dispatch.py) receives through the
    process's one reader and gets both kinds, each once and in the order they were sent."""
    from channels.exceptions import StopConsumer

    from apps.core.dispatch import dispatch_from

    async def go() -> None:
        layer = _redis_layer(receive_batch=4)  # several reads for the messages below
        try:
            a, b = await layer.new_channel(), await layer.new_channel()
            for channel in (a, b):
                await layer.group_add("room.1", channel)
            seen: dict[str, list[int]] = {a: [], b: []}

            def loop_for(channel: str) -> asyncio.Future[None]:
                async def handle(message: dict[str, Any]) -> None:
                    if message["type"] == "stop":
                        raise StopConsumer
                    seen[channel].append(message["n"])

                return asyncio.ensure_future(dispatch_from([lambda: layer.receive(channel)], handle))

            loops = [loop_for(a), loop_for(b)]
            for i in range(10):
                await layer.send(b, {"type": "room.signal", "n": i})
                await group_send_many(layer, [("room.1", {"type": "room.peer", "n": 100 + i})])
            for channel in (a, b):
                await layer.send(channel, {"type": "stop"})
            for loop in loops:
                with pytest.raises(StopConsumer):
                    await asyncio.wait_for(loop, 5)
            assert seen[a] == [100 + i for i in range(10)]
            assert seen[b] == [n for i in range(10) for n in (i, 100 + i)]
            assert not layer._reading and not layer._waiting
        finally:
            await layer.flush()

    asyncio.run(go())
