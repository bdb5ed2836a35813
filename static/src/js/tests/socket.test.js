// Reconnect backoff and the shared ReconnectingSocket (../socket.js), with a fake WebSocket and
// fake timers: nothing here opens a connection or waits.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { backoffDelay, ReconnectingSocket } from "../socket.js";

class FakeSocket {
  static OPEN = 1;
  static made = [];
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    this.listeners = {};
    FakeSocket.made.push(this);
  }
  addEventListener(type, fn) {
    (this.listeners[type] ||= []).push(fn);
  }
  fire(type, ev = {}) {
    for (const fn of this.listeners[type] || []) fn(ev);
  }
  open() {
    this.readyState = FakeSocket.OPEN;
    this.fire("open");
  }
  send(data) {
    this.sent.push(data);
  }
  // The server or the network closed it.
  drop(code = 1006) {
    this.readyState = 3;
    this.fire("close", { code });
  }
  close() {
    this.drop(1000);
  }
}

class FakeTimers {
  constructor() {
    this.pending = new Map();
    this.next = 1;
  }
  setTimeout(fn, ms) {
    const id = this.next++;
    this.pending.set(id, { fn, ms });
    return id;
  }
  clearTimeout(id) {
    this.pending.delete(id);
  }
  // The delay of the one scheduled timer, then run it.
  fire() {
    assert.equal(this.pending.size, 1, "exactly one retry is scheduled");
    const [[id, { fn, ms }]] = this.pending;
    this.pending.delete(id);
    fn();
    return ms;
  }
}

function make(options = {}) {
  FakeSocket.made = [];
  const timers = new FakeTimers();
  const events = [];
  const socket = new ReconnectingSocket({
    url: "ws://example.test/ws/x/",
    WebSocketImpl: FakeSocket,
    timers,
    random: () => 0, // no jitter: the delay is the ceiling itself
    onState: (state) => events.push(state),
    ...options,
  });
  const last = () => FakeSocket.made[FakeSocket.made.length - 1];
  return { socket, timers, events, last };
}

describe("backoffDelay", () => {
  test("doubles from the base on each attempt", () => {
    const opts = { base: 1000, cap: 60000, jitter: 0.5, random: () => 0 };
    assert.deepEqual([1, 2, 3, 4, 5].map((n) => backoffDelay(n, opts)), [1000, 2000, 4000, 8000, 16000]);
  });

  test("never exceeds the cap, however many attempts", () => {
    const opts = { base: 400, cap: 8000, jitter: 0.5, random: () => 0 };
    assert.equal(backoffDelay(5, opts), 6400);
    assert.equal(backoffDelay(6, opts), 8000);
    assert.equal(backoffDelay(7, opts), 8000);
    assert.equal(backoffDelay(1000, opts), 8000);
  });

  test("jitter shortens the wait by at most its share", () => {
    const low = backoffDelay(3, { base: 1000, cap: 30000, jitter: 0.5, random: () => 0.999999 });
    const high = backoffDelay(3, { base: 1000, cap: 30000, jitter: 0.5, random: () => 0 });
    assert.equal(high, 4000);
    assert.ok(low > 2000 && low < 2001, `got ${low}`);
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(10, { base: 1000, cap: 30000, jitter: 0.5 });
      assert.ok(d > 15000 && d <= 30000, `got ${d}`);
    }
  });

  test("attempt numbers below one count as the first attempt", () => {
    assert.equal(backoffDelay(0, { base: 500, random: () => 0 }), 500);
  });
});

describe("ReconnectingSocket", () => {
  test("retries with growing delays and resets them after a successful open", () => {
    const { socket, timers, last } = make({ base: 100, cap: 1000 });
    socket.connect();
    last().drop();
    assert.equal(timers.fire(), 100);
    last().drop();
    assert.equal(timers.fire(), 200);
    last().drop();
    assert.equal(timers.fire(), 400);
    last().open();
    assert.equal(socket.attempts, 0);
    last().drop();
    assert.equal(timers.fire(), 100, "the first retry after an open waits the base delay again");
  });

  test("the delay stops growing at the cap", () => {
    const { socket, timers, last } = make({ base: 100, cap: 300 });
    socket.connect();
    const delays = [];
    for (let i = 0; i < 5; i++) {
      last().drop();
      delays.push(timers.fire());
    }
    assert.deepEqual(delays, [100, 200, 300, 300, 300]);
  });

  test("hooks see open, message and close", () => {
    const seen = [];
    const { socket, timers, last } = make({
      onOpen: () => seen.push("open"),
      onMessage: (ev) => seen.push(`message:${ev.data}`),
      onClose: (ev, info) => seen.push(`close:${ev.code}:${info.retrying}`),
    });
    socket.connect();
    last().open();
    last().fire("message", { data: "hi" });
    last().drop(1011);
    assert.deepEqual(seen, ["open", "message:hi", "close:1011:true"]);
    assert.equal(timers.pending.size, 1);
  });

  test("close() is explicit: no reconnect afterwards", () => {
    const { socket, timers, last, events } = make();
    socket.connect();
    last().open();
    socket.close();
    assert.equal(socket.state, "closed");
    assert.equal(timers.pending.size, 0);
    assert.equal(FakeSocket.made.length, 1);
    assert.equal(events.at(-1), "closed");
  });

  test("retryNow() cuts the wait short, but does not undo close()", () => {
    const { socket, timers, last } = make({ base: 100 });
    socket.connect();
    last().drop();
    socket.retryNow();
    assert.equal(timers.pending.size, 0, "the scheduled retry is replaced by the immediate one");
    assert.equal(FakeSocket.made.length, 2);
    last().open();
    socket.close();
    socket.retryNow();
    assert.equal(FakeSocket.made.length, 2);
    assert.equal(socket.state, "closed");
  });

  test("close() while a retry is scheduled cancels it", () => {
    const { socket, timers, last } = make();
    socket.connect();
    last().drop();
    assert.equal(timers.pending.size, 1);
    socket.close();
    assert.equal(timers.pending.size, 0);
  });

  test("drop() closes the connection and reconnects", () => {
    const { socket, timers, last } = make();
    socket.connect();
    last().open();
    socket.drop();
    assert.equal(socket.state, "waiting");
    timers.fire();
    assert.equal(FakeSocket.made.length, 2);
  });

  test("a refused close code stops retrying", () => {
    const { socket, timers, last } = make({ shouldRetry: (ev) => ev.code !== 4401 });
    socket.connect();
    last().drop(4401);
    assert.equal(socket.state, "failed");
    assert.equal(timers.pending.size, 0);
  });

  test("gives up after maxAttempts failures in a row; retryNow starts again", () => {
    const { socket, timers, last } = make({ maxAttempts: 3 });
    socket.connect();
    for (let i = 0; i < 3; i++) {
      last().drop();
      timers.fire();
    }
    last().drop();
    assert.equal(socket.state, "failed");
    assert.equal(timers.pending.size, 0);
    socket.retryNow();
    assert.equal(socket.attempts, 0);
    assert.equal(socket.state, "connecting");
    assert.equal(FakeSocket.made.length, 5);
  });

  test("the URL is asked for on every connect", () => {
    let n = 0;
    const { socket, timers, last } = make({ url: () => `ws://h/x/?n=${++n}` });
    socket.connect();
    last().drop();
    timers.fire();
    assert.deepEqual(FakeSocket.made.map((s) => s.url), ["ws://h/x/?n=1", "ws://h/x/?n=2"]);
  });

  test("send() only while open; objects are sent as JSON", () => {
    const { socket, last } = make();
    assert.equal(socket.send({ a: 1 }), false);
    socket.connect();
    assert.equal(socket.send({ a: 1 }), false);
    last().open();
    assert.equal(socket.send({ a: 1 }), true);
    assert.deepEqual(last().sent, ['{"a":1}']);
  });

  test("a close event from a replaced socket is ignored", () => {
    const { socket, timers, last } = make();
    socket.connect();
    const first = last();
    socket.close();
    first.drop();
    assert.equal(timers.pending.size, 0);
    assert.equal(socket.state, "closed");
  });
});
