// Room signalling over the shared ReconnectingSocket (../socket.js): backoff with jitter, resume.
// The page keeps its peer id across reconnects (?peer=) so the other side keeps its
// RTCPeerConnection; after MAX_ATTEMPTS failures in a row, or when the server refuses us
// (4403 not allowed, 4409 room closed), the state becomes "failed" (the UI offers Rejoin).
//
// States (the "state" event): connecting (first time) | open | reconnecting | failed | closed.

import { ReconnectingSocket, socketUrl } from "../socket.js";

export const MAX_ATTEMPTS = 6;
export const BACKOFF = Object.freeze({ base: 400, cap: 8000, jitter: 0.5 });
const REFUSED = [4403, 4409];
// Durable messages are kept while the socket is down and sent after the reconnect; signals go stale.
const DURABLE = ["chat", "stroke", "check", "wb-clear", "media", "hand"];
const QUEUE_MAX = 500;

export class Signalling extends EventTarget {
  constructor(path) {
    super();
    this.path = path;
    this.peerId = "";
    this.state = "idle";
    this.queue = [];
    this.everOpened = false;
    this.socket = new ReconnectingSocket({
      url: () => this.url(),
      maxAttempts: MAX_ATTEMPTS,
      ...BACKOFF,
      shouldRetry: (ev) => !REFUSED.includes(ev.code),
      onState: (state, detail) => this.onSocketState(state, detail),
      onOpen: () => this.queue.splice(0).forEach((m) => this.send(m)),
      onMessage: (ev) => this.onMessage(ev),
    });
  }

  url() {
    const q = new URLSearchParams();
    if (this.peerId) q.set("peer", this.peerId);
    const qs = q.toString();
    return socketUrl(`${this.path}${qs ? "?" + qs : ""}`);
  }

  onSocketState(state, detail) {
    if (state === "open") this.everOpened = true;
    const mapped = {
      connecting: this.everOpened ? "reconnecting" : "connecting",
      waiting: "reconnecting",
      open: "open",
      failed: "failed",
      closed: "closed",
    }[state];
    if (mapped) this.setState(mapped, detail.code ? { code: detail.code } : {});
  }

  setState(s, detail = {}) {
    this.state = s;
    this.dispatchEvent(new CustomEvent("state", { detail: { state: s, attempts: this.socket.attempts, ...detail } }));
  }

  onMessage(ev) {
    let msg;
    try {
      msg = JSON.parse(ev.data);
    } catch {
      return;
    }
    if ((msg.type === "hello" || msg.type === "welcome") && msg.you) this.peerId = msg.you.id;
    this.dispatchEvent(new CustomEvent("message", { detail: msg }));
  }

  connect() {
    this.socket.connect();
  }

  // Reconnect now (the browser came back online, or the user pressed Rejoin).
  retryNow() {
    this.socket.retryNow();
  }

  send(msg) {
    if (this.socket.send(msg)) return true;
    if (DURABLE.includes(msg.type) && this.queue.length < QUEUE_MAX) this.queue.push(msg);
    return false;
  }

  leave() {
    this.socket.send({ type: "leave" });
    this.socket.close();
  }

  // Simulate a network drop (used by tests): close without marking it as ours.
  kill() {
    this.socket.drop();
  }
}

// One-shot reachability check used by the pre-join screen.
export function probe(path, timeoutMs = 6000) {
  return new Promise((resolve) => {
    let done = false;
    const finish = (ok, why) => {
      if (done) return;
      done = true;
      clearTimeout(t);
      try {
        ws.close();
      } catch {}
      resolve({ ok, why });
    };
    const ws = new WebSocket(socketUrl(`${path}?probe=1`));
    const t = setTimeout(() => finish(false, "timeout"), timeoutMs);
    ws.addEventListener("message", (ev) => {
      try {
        if (JSON.parse(ev.data).type === "probe-ok") finish(true);
      } catch {}
    });
    ws.addEventListener("close", (ev) => finish(false, ev.code));
    ws.addEventListener("error", () => finish(false, "error"));
  });
}
