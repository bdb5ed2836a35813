// The agenda (../room/agenda.js): which item is current and how long is left in it, on the
// shared elapsed clock.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { agendaProgress, currentItem } from "../room/agenda.js";

const ITEMS = [10, 20, 0, 15]; // minutes; a zero-minute item is never current nor done
const min = (m) => m * 60;

describe("agendaProgress", () => {
  test("at the start the first item is current with all its minutes left", () => {
    const p = agendaProgress(ITEMS, 0);
    assert.deepEqual(p[0], { current: true, done: false, fraction: 0, minutesLeft: 10 });
    assert.deepEqual(p.slice(1).map((i) => i.current), [false, false, false]);
  });

  test("part-way through the second item", () => {
    const p = agendaProgress(ITEMS, min(15));
    assert.equal(p[0].done, true);
    assert.equal(p[0].fraction, 1);
    assert.equal(p[1].current, true);
    assert.equal(p[1].fraction, 0.25);
    assert.equal(p[1].minutesLeft, 15);
    assert.equal(p[3].fraction, 0);
    assert.equal(p[3].minutesLeft, null);
  });

  test("minutes left round up (30 s left is one minute)", () => {
    assert.equal(agendaProgress(ITEMS, min(9.5))[0].minutesLeft, 1);
    assert.equal(agendaProgress(ITEMS, min(9) + 1)[0].minutesLeft, 1);
    assert.equal(agendaProgress(ITEMS, min(8) + 1)[0].minutesLeft, 2);
  });

  test("an item ends exactly at its boundary", () => {
    const p = agendaProgress(ITEMS, min(10));
    assert.equal(p[0].current, false);
    assert.equal(p[0].done, true);
    assert.equal(p[1].current, true);
    assert.equal(p[1].minutesLeft, 20);
  });

  test("after the last item nothing is current and every timed item is done", () => {
    const p = agendaProgress(ITEMS, min(50));
    assert.deepEqual(p.map((i) => i.current), [false, false, false, false]);
    assert.deepEqual(p.map((i) => i.done), [true, true, false, true]);
  });
});

describe("currentItem", () => {
  test("index and minutes left, or null when the agenda is over", () => {
    assert.deepEqual(currentItem(ITEMS, min(31)), { index: 3, minutesLeft: 14 });
    assert.deepEqual(currentItem(ITEMS, 0), { index: 0, minutesLeft: 10 });
    assert.equal(currentItem(ITEMS, min(45)), null);
    assert.equal(currentItem([], 0), null);
  });
});
