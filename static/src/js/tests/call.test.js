// The room's Call state machine (../room/call.js): legal and illegal transitions.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { Call, IllegalTransition, settledState, STATES, TRANSITIONS } from "../room/call.js";

function callIn(...path) {
  const call = new Call();
  for (const s of path) call.transition(s);
  return call;
}

describe("Call", () => {
  test("starts idle", () => {
    assert.equal(new Call().state, "idle");
  });

  test("a whole call: join, wait, negotiate, connect, drop, come back, end", () => {
    const call = callIn("joining", "waiting", "negotiating", "connected", "reconnecting", "connected", "ended");
    assert.equal(call.state, "ended");
    assert.deepEqual(call.history, ["joining", "waiting", "negotiating", "connected", "reconnecting", "connected", "ended"]);
  });

  test("ICE restart goes back to negotiating; the peer leaving goes back to waiting", () => {
    const call = callIn("joining", "waiting", "negotiating", "connected", "negotiating", "connected", "waiting");
    assert.equal(call.state, "waiting");
  });

  test("Rejoin after giving up: failed -> reconnecting (or joining if never in) -> in the room", () => {
    assert.equal(callIn("joining", "waiting", "reconnecting", "failed", "reconnecting", "negotiating").state, "negotiating");
    assert.equal(callIn("joining", "failed", "joining", "waiting").state, "waiting");
  });

  const illegal = [
    ["idle", "connected"],
    ["idle", "waiting"],
    ["idle", "reconnecting"],
    ["joining", "connected"],
    ["waiting", "connected"],
    ["waiting", "joining"],
    ["connected", "joining"],
    ["failed", "connected"],
    ["failed", "waiting"],
    ["ended", "joining"],
    ["ended", "connected"],
    ["ended", "reconnecting"],
  ];
  const paths = {
    idle: [],
    joining: ["joining"],
    waiting: ["joining", "waiting"],
    negotiating: ["joining", "waiting", "negotiating"],
    connected: ["joining", "waiting", "negotiating", "connected"],
    reconnecting: ["joining", "reconnecting"],
    failed: ["joining", "failed"],
    ended: ["joining", "ended"],
  };
  for (const [from, to] of illegal) {
    test(`refuses ${from} -> ${to} and stays in ${from}`, () => {
      const call = callIn(...paths[from]);
      const seen = [];
      call.subscribe((change) => seen.push(change));
      assert.throws(() => call.transition(to), (err) => err instanceof IllegalTransition && err.from === from && err.to === to);
      assert.equal(call.state, from);
      assert.deepEqual(seen, []);
      assert.equal(call.tryTransition(to), false);
      assert.equal(call.state, from);
    });
  }

  test("the table only names known states, and ended is terminal", () => {
    assert.deepEqual(Object.keys(TRANSITIONS).sort(), [...STATES].sort());
    for (const targets of Object.values(TRANSITIONS)) for (const s of targets) assert.ok(STATES.includes(s), s);
    assert.deepEqual(TRANSITIONS.ended, []);
    for (const s of STATES) if (s !== "ended" && s !== "idle") assert.ok(TRANSITIONS[s].includes("ended"), `${s} can end`);
  });

  test("an unknown state is refused", () => {
    assert.throws(() => new Call().transition("dancing"), IllegalTransition);
  });

  test("staying in the same state is a no-op", () => {
    const call = callIn("joining", "reconnecting");
    const seen = [];
    call.subscribe((change) => seen.push(change));
    assert.equal(call.transition("reconnecting"), false);
    assert.deepEqual(seen, []);
  });

  test("listeners get from, to and the detail; unsubscribe stops them", () => {
    const call = callIn("joining");
    const seen = [];
    const stop = call.subscribe((change) => seen.push(change));
    call.transition("failed", { code: 4409 });
    stop();
    call.transition("joining");
    assert.deepEqual(seen, [{ from: "joining", to: "failed", detail: { code: 4409 } }]);
    assert.deepEqual(call.detail, {});
  });

  test("inRoom and isOver", () => {
    assert.equal(callIn("joining").inRoom, false);
    assert.equal(callIn("joining", "waiting").inRoom, true);
    assert.equal(callIn("joining", "waiting", "negotiating", "connected").inRoom, true);
    assert.equal(callIn("joining", "reconnecting").inRoom, false);
    assert.equal(callIn("joining", "ended").isOver, true);
  });
});

describe("settledState", () => {
  test("no peer: waiting; a peer: negotiating until media flows, then connected", () => {
    assert.equal(settledState({ peerPresent: false, mediaConnected: false }), "waiting");
    assert.equal(settledState({ peerPresent: true, mediaConnected: false }), "negotiating");
    assert.equal(settledState({ peerPresent: true, mediaConnected: true }), "connected");
  });
});
