"""Whiteboard limits (issue 14 #5): a board has a cap, a full board refuses strokes with a clear
error, a join to a board of any allowed size still gets its welcome (the replay comes in parts,
each well under the 1 MiB that channel layers and common WebSocket clients accept), and "clear"
archives the strokes instead of deleting them."""

from __future__ import annotations

import json
import random

import pytest
from channels.db import database_sync_to_async

from apps.rooms import selectors
from apps.rooms.conf import MAX_BOARD_POINTS, MAX_BOARD_STROKES, MAX_STROKE_POINTS, REPLAY_PART_BYTES
from apps.rooms.models import WhiteboardStroke

from .test_consumers import both_joined, communicator, drain, receive_until

ONE_MIB = 1024 * 1024


def _points(n: int, seed: int) -> list[list[float]]:
    rnd = random.Random(seed)
    return [[round(rnd.random(), 4), round(rnd.random(), 4)] for _ in range(n)]


def _stroke(i: int, n: int = 2) -> dict:
    return {"id": f"s{i:08x}", "tool": "pen", "color": "#3355ff", "width": 3, "points": _points(n, i)}


def _fill(session, author, count: int, n_points: int) -> None:
    WhiteboardStroke.objects.bulk_create(
        WhiteboardStroke(
            session=session,
            author=author,
            client_id=s["id"],
            tool=s["tool"],
            color=s["color"],
            width=s["width"],
            points=s["points"],
            n_points=len(s["points"]),
        )
        for s in (_stroke(i, n_points) for i in range(count))
    )


async def _join_and_collect(session, who):
    """Join as ``who``; return (welcome, every stroke replayed, the size of the largest message)."""
    c = communicator(session, who)
    assert (await c.connect())[0]
    biggest = 0
    while True:
        raw = await c.receive_from(timeout=10)
        biggest = max(biggest, len(raw.encode()))
        welcome = json.loads(raw)
        if welcome["type"] == "welcome":
            break
    strokes = list(welcome["strokes"])
    for expected in range(2, welcome["boardParts"] + 1):
        raw = await c.receive_from(timeout=10)
        biggest = max(biggest, len(raw.encode()))
        part = json.loads(raw)
        assert part["type"] == "board" and part["part"] == expected and part["parts"] == welcome["boardParts"]
        strokes.extend(part["strokes"])
    return c, welcome, strokes, biggest


pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.asyncio
async def test_drawing_past_the_cap_is_refused_and_a_later_join_still_gets_welcome():
    mentor, learner, _outsider, s, m, l_, _w, _lw = await both_joined()
    await database_sync_to_async(_fill)(s, mentor, MAX_BOARD_STROKES - 1, 40)

    # The last place on the board is taken and relayed ...
    await l_.send_json_to({"type": "stroke", "stroke": _stroke(10_000_001, 3)})
    assert (await receive_until(m, "stroke"))["stroke"]["id"] == f"s{10_000_001:08x}"
    # ... the next stroke is refused, with the reason and the stroke to take back, and not relayed.
    await m.send_json_to({"type": "stroke", "stroke": _stroke(10_000_002, 3)})
    err = await receive_until(m, "error")
    assert err["error"] == "board-full"
    assert err["stroke"] == f"s{10_000_002:08x}"
    assert "Clear it" in err["detail"]
    assert await l_.receive_nothing(timeout=0.3)
    assert await database_sync_to_async(WhiteboardStroke.objects.filter(session=s).count)() == MAX_BOARD_STROKES

    # A later join (the learner's second tab) gets its welcome and the whole board, in parts.
    c, welcome, strokes, biggest = await _join_and_collect(s, learner)
    assert welcome["boardParts"] > 1
    assert len(strokes) == MAX_BOARD_STROKES
    assert [x["id"] for x in strokes[-2:]] == [f"s{MAX_BOARD_STROKES - 2:08x}", f"s{10_000_001:08x}"]
    assert biggest < ONE_MIB
    for x in (c, m, l_):
        await x.disconnect()


@pytest.mark.asyncio
async def test_a_board_of_long_strokes_replays_below_one_mib_per_message():
    """The reported case: 35 strokes of 2,000 points (about 1.2 MB of JSON in one message before)."""
    mentor, learner, _outsider, s, m, l_, _w, _lw = await both_joined()
    await database_sync_to_async(_fill)(s, mentor, 35, MAX_STROKE_POINTS)
    total = len(json.dumps(await database_sync_to_async(selectors.strokes_for)(s)))
    assert total > ONE_MIB  # the board really is bigger than one message may be
    c, welcome, strokes, biggest = await _join_and_collect(s, learner)
    assert len(strokes) == 35 and all(len(x["points"]) == MAX_STROKE_POINTS for x in strokes)
    assert welcome["boardParts"] >= total // REPLAY_PART_BYTES
    assert biggest < ONE_MIB
    for x in (c, m, l_):
        await x.disconnect()


@pytest.mark.asyncio
async def test_the_point_cap_refuses_a_stroke_that_would_pass_it():
    mentor, _learner, _outsider, s, m, l_, _w, _lw = await both_joined()
    per = MAX_STROKE_POINTS
    await database_sync_to_async(_fill)(s, mentor, MAX_BOARD_POINTS // per, per)  # exactly at the point cap
    await m.send_json_to({"type": "stroke", "stroke": _stroke(99_999_999, 2)})
    assert (await receive_until(m, "error"))["error"] == "board-full"
    await m.disconnect()
    await l_.disconnect()


@pytest.mark.asyncio
async def test_clear_archives_the_board_and_frees_it():
    mentor, learner, _outsider, s, m, l_, _w, _lw = await both_joined()
    await database_sync_to_async(_fill)(s, mentor, MAX_BOARD_STROKES, 2)
    await m.send_json_to({"type": "wb-clear"})
    await receive_until(l_, "wb-clear")
    await drain(m)
    # Kept, but off the board.
    rows = WhiteboardStroke.objects.filter(session=s)
    assert await database_sync_to_async(rows.count)() == MAX_BOARD_STROKES
    assert await database_sync_to_async(rows.filter(archived_at__isnull=True).count)() == 0
    # The board takes strokes again, and a join replays only the new one.
    await m.send_json_to({"type": "stroke", "stroke": _stroke(50_000_077, 5)})
    assert (await receive_until(l_, "stroke"))["stroke"]["id"] == f"s{50_000_077:08x}"
    c, welcome, strokes, _biggest = await _join_and_collect(s, learner)
    assert welcome["boardParts"] == 1 and [x["id"] for x in strokes] == [f"s{50_000_077:08x}"]
    for x in (c, m, l_):
        await x.disconnect()


def test_replay_parts_keep_order_and_size():
    strokes = [_stroke(i, 300) for i in range(200)]
    parts = selectors.replay_parts(strokes, max_bytes=20_000)
    assert [x for p in parts for x in p] == strokes
    assert all(len(json.dumps(p, separators=(",", ":"))) <= 20_000 + 2 for p in parts)
    assert len(parts) > 1
    assert selectors.replay_parts([]) == [[]]
