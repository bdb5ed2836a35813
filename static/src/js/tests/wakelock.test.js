// The screen wake lock (../room/wakelock.js): held during a call, re-taken after the page was hidden.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { AWAKE_STATES, ScreenAwake } from "../room/wakelock.js";

function fakes({ refuse = false } = {}) {
  const listeners = {};
  const doc = { visibilityState: "visible", addEventListener: (ev, fn) => { listeners[ev] = fn; } };
  const requests = [];
  const nav = {
    wakeLock: {
      request: async (type) => {
        requests.push(type);
        if (refuse) throw new Error("NotAllowedError");
        const s = { released: false, release: async () => { s.released = true; } };
        return s;
      },
    },
  };
  const hide = () => { doc.visibilityState = "hidden"; if (awake.sentinel) awake.sentinel.released = true; listeners.visibilitychange(); };
  const show = () => { doc.visibilityState = "visible"; listeners.visibilitychange(); };
  const awake = new ScreenAwake(nav, doc);
  return { awake, requests, hide, show };
}

describe("ScreenAwake", () => {
  test("takes the screen lock once while wanted and releases it at the end", async () => {
    const { awake, requests } = fakes();
    await awake.want(true);
    await awake.want(true);
    assert.deepEqual(requests, ["screen"]);
    const held = awake.sentinel;
    await awake.want(false);
    assert.equal(held.released, true);
    assert.equal(awake.sentinel, null);
  });

  test("asks again when the page comes back, only while the call wants it", async () => {
    const { awake, requests, hide, show } = fakes();
    await awake.want(true);
    hide();
    show();
    await new Promise((r) => setImmediate(r));
    assert.equal(requests.length, 2);
    await awake.want(false);
    hide();
    show();
    await new Promise((r) => setImmediate(r));
    assert.equal(requests.length, 2);
  });

  test("a refusal or a browser without the API is not an error", async () => {
    const { awake } = fakes({ refuse: true });
    await awake.want(true);
    assert.equal(awake.sentinel, null);
    const bare = new ScreenAwake({}, { addEventListener() {} });
    assert.equal(bare.supported, false);
    await bare.want(true);
    await bare.want(false);
  });

  test("the screen stays on in every in-call state and not before or after", () => {
    assert.deepEqual([...AWAKE_STATES].sort(), ["connected", "negotiating", "reconnecting", "waiting"]);
    for (const s of ["idle", "joining", "failed", "ended"]) assert.equal(AWAKE_STATES.has(s), false);
  });
});
