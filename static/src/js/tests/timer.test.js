// The room timer (../room/timer.js): countdown before the start, a clock that runs only while
// both sides are present (the server sets running_since then), the five-minute warning.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { elapsedAt, fmt, timerView } from "../room/timer.js";

const START = Date.parse("2026-11-22T10:00:00Z");
const END = Date.parse("2026-11-22T11:00:00Z");
const at = (minutes, seconds = 0) => START + minutes * 60000 + seconds * 1000;
const iso = (ms) => new Date(ms).toISOString();
const state = (over = {}) => ({ start: iso(START), end: iso(END), elapsed: 0, running_since: null, ended: false, ...over });

describe("fmt", () => {
  test("minutes and seconds, hours when there are any", () => {
    assert.equal(fmt(0), "00:00");
    assert.equal(fmt(65.9), "01:05");
    assert.equal(fmt(3600 + 62), "1:01:02");
    assert.equal(fmt(-5), "00:00");
  });
});

describe("timerView", () => {
  test("before the start it counts down to the start", () => {
    const v = timerView(state(), at(-4, -30));
    assert.equal(v.mode, "countdown");
    assert.equal(v.seconds, 270);
    assert.equal(fmt(v.seconds), "04:30");
    assert.equal(v.running, false);
  });

  test("after the start with one side missing the clock is paused at what was counted", () => {
    const s = state({ elapsed: 125 });
    const early = timerView(s, at(5));
    const later = timerView(s, at(9));
    assert.equal(early.mode, "paused");
    assert.equal(early.running, false);
    assert.equal(early.seconds, 125);
    assert.equal(later.seconds, 125, "a paused clock does not move");
  });

  test("while both sides are present it runs from running_since", () => {
    const s = state({ elapsed: 60, running_since: iso(at(2)) });
    const v = timerView(s, at(7));
    assert.equal(v.mode, "running");
    assert.equal(v.running, true);
    assert.equal(v.seconds, 60 + 5 * 60);
  });

  test("one side leaves: the server folds the stretch into elapsed and the clock stops there", () => {
    const running = state({ elapsed: 0, running_since: iso(at(0)) });
    assert.equal(timerView(running, at(10)).seconds, 600);
    const paused = state({ elapsed: 600, running_since: null });
    assert.equal(timerView(paused, at(15)).seconds, 600);
    assert.equal(timerView(paused, at(15)).mode, "paused");
  });

  test("running_since in the future (clock skew) neither runs nor counts", () => {
    const s = state({ elapsed: 30, running_since: iso(at(3)) });
    const v = timerView(s, at(2));
    assert.equal(v.running, false);
    assert.equal(v.mode, "paused");
    assert.equal(v.seconds, 30);
    assert.equal(elapsedAt(s, at(2)), 30);
  });

  test("the last five minutes warn, with the whole minutes left", () => {
    const s = state({ running_since: iso(at(0)) });
    assert.equal(timerView(s, at(54, 59)).warnMinutes, null);
    assert.equal(timerView(s, at(54, 59)).mode, "running");
    const v = timerView(s, at(55));
    assert.equal(v.mode, "warning");
    assert.equal(v.running, true);
    assert.equal(v.warnMinutes, 5);
    assert.equal(timerView(s, at(57, 30)).warnMinutes, 3);
    assert.equal(timerView(s, at(59, 59)).warnMinutes, 1);
    assert.equal(timerView(s, at(61)).warnMinutes, null, "no warning once the time is up");
  });

  test("an ended session shows the time counted, still", () => {
    const v = timerView(state({ elapsed: 1800, ended: true }), at(70));
    assert.equal(v.mode, "idle");
    assert.equal(v.seconds, 1800);
    assert.equal(v.running, false);
  });
});
