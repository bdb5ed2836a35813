// The room's on-screen frame watch (../room/framewatch.js): when a picture that does not move asks
// for a new connection, and when it must not.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { FrameWatch } from "../room/framewatch.js";

// Feed looks 1 s apart ([presented, decoded, watching]); returns [time ms, why] of each request.
function run(watch, looks) {
  const asked = [];
  looks.forEach(([frames, decoded, watching], i) => {
    const now = i * 1000;
    const why = watch.tick({ frames, decoded, watching, now });
    if (why) asked.push([now, why]);
  });
  return asked;
}

const opts = { heldLooks: 2, stallMs: 8000, cooldownMs: 15000 };

describe("FrameWatch", () => {
  test("a moving picture never asks", () => {
    const looks = Array.from({ length: 30 }, (_, i) => [i * 20, i * 20, true]);
    assert.deepEqual(run(new FrameWatch(opts), looks), []);
  });

  test("frames decoded but not presented ask after heldLooks looks", () => {
    const looks = [[100, 100, true], [120, 120, true], [120, 140, true], [120, 160, true], [120, 180, true]];
    assert.deepEqual(run(new FrameWatch(opts), looks), [[3000, "held"]]);
  });

  test("a few stray decoded frames are not a held pipeline", () => {
    const looks = Array.from({ length: 8 }, (_, i) => [50, 100 + i * 2, true]);
    // decoder creeps (2 per look) while nothing shows: only the plain stall rule, at 8 s, would act
    assert.deepEqual(run(new FrameWatch(opts), looks), []);
  });

  test("nothing presented and nothing decoded asks once the stall lasts stallMs", () => {
    const looks = [[0, 0, true], [20, 20, true], ...Array.from({ length: 9 }, () => [40, 40, true])];
    // last change at 2 s: asks at 10 s
    assert.deepEqual(run(new FrameWatch(opts), looks), [[10000, "stalled"]]);
  });

  test("not watching (no video expected, connection down, socket silent, off screen) starts over", () => {
    const looks = [[80, 80, true], [80, 100, true], [80, 120, false], [80, 140, true], [80, 160, true], [80, 180, true]];
    // held counting restarts after the pause: looks at 4 s and 5 s are the two held looks
    assert.deepEqual(run(new FrameWatch(opts), looks), [[5000, "held"]]);
  });

  test("a new stream restarting the count from 0 is a change, not a stall", () => {
    const looks = [[500, 500, true], [500, 520, true], [0, 540, true], [0, 560, true], [30, 580, true], [60, 600, true]];
    assert.deepEqual(run(new FrameWatch(opts), looks), []);
  });

  test("after asking, waits for the cooldown before asking again", () => {
    const looks = Array.from({ length: 20 }, (_, i) => [7, i * 20, true]);
    // held from the first look: asks at 2 s; the cooldown holds until 17 s; held again by then → 17 s
    assert.deepEqual(run(new FrameWatch(opts), looks), [[2000, "held"], [17000, "held"]]);
  });

  test("unknown decoder counts fall back to the plain stall rule", () => {
    const looks = Array.from({ length: 10 }, () => [7, null, true]);
    assert.deepEqual(run(new FrameWatch(opts), looks), [[8000, "stalled"]]);
  });
});
