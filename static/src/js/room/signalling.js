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
const HEARTBEAT_MS = 2000;

export class Signalling extends EventTarget {
  // lobby: open the socket while the pre-join screen shows (authorised, not yet in the room);
  // join() then enters with one message instead of a new handshake.
  constructor(path, { lobby = false } = {}) {
    super();
    this.path = path;
    this.lobby = lobby;
    this.urlWasLobby = false;
    this.peerId = "";
    this.state = "idle";
    this.queue = [];
    this.everOpened = false;
    this.lastPong = 0;
    this.heartbeat = null;
    this.socket = new ReconnectingSocket({
      url: () => this.url(),
      maxAttempts: MAX_ATTEMPTS,
      ...BACKOFF,
      shouldRetry: (ev) => !REFUSED.includes(ev.code),
      onState: (state, detail) => this.onSocketState(state, detail),
      onOpen: () => {
        if (this.urlWasLobby && !this.lobby) this.socket.send({ type: "join" }); // Join pressed while connecting
        this.queue.splice(0).forEach((m) => this.send(m));
      },
      onMessage: (ev) => this.onMessage(ev),
    });
  }

  url() {
    const q = new URLSearchParams();
    if (this.peerId) q.set("peer", this.peerId);
    if (this.lobby) q.set("lobby", "1");
    this.urlWasLobby = this.lobby;
    const qs = q.toString();
    return socketUrl(`${this.path}${qs ? "?" + qs : ""}`);
  }

  onSocketState(state, detail) {
    if (state === "open") {
      this.everOpened = true;
      this.lastPong = performance.now();
      this.startHeartbeat();
    }
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
    if (msg.type === "pong") {
      const silent = performance.now() - this.lastPong;
      this.lastPong = performance.now();
      // The server answered again after a silence longer than two heartbeats: an outage ended.
      if (silent > HEARTBEAT_MS * 2) this.dispatchEvent(new CustomEvent("recovered", { detail: { silent } }));
      return;
    }
    if ((msg.type === "hello" || msg.type === "welcome" || msg.type === "lobby") && msg.you) this.peerId = msg.you.id;
    this.dispatchEvent(new CustomEvent("message", { detail: msg }));
  }

  connect() {
    this.socket.connect();
  }

  // A ping every 2 s while the socket is open: an open socket to a server that stopped answering
  // (frozen, or the path dropped without a FIN) is not healthy.
  startHeartbeat() {
    if (this.heartbeat || typeof setInterval !== "function") return;
    this.heartbeat = setInterval(() => {
      if (this.state === "open") this.socket.send({ type: "ping", t: Date.now() });
    }, HEARTBEAT_MS);
  }

  get healthy() {
    return this.state === "open" && performance.now() - this.lastPong < HEARTBEAT_MS * 2 + 500;
  }

  // Enter the room from the lobby: one message on the open socket; if it is still connecting, the
  // open handler sends it; a reconnect after this point joins directly (no lobby in the URL).
  join() {
    const fromLobby = this.lobby;
    this.lobby = false;
    if (!fromLobby) return this.connect();
    if (this.urlWasLobby) this.socket.send({ type: "join" });
    this.socket.connect(); // no-op on an open or connecting socket; reopens a waiting one at once
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
    clearInterval(this.heartbeat);
    this.heartbeat = null;
    this.socket.send({ type: "leave" });
    this.socket.close();
  }

  // Simulate a network drop (used by tests): close without marking it as ours.
  kill() {
    this.socket.drop();
  }
}

// Resolves true once the socket is open (or already is), false if it fails or 6 s pass first.
export function lobbyReady(sig, timeoutMs = 6000) {
  if (sig.state === "open") return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(false), timeoutMs);
    const onState = ({ detail }) => {
      if (detail.state === "open") done(true);
      else if (detail.state === "failed") done(false);
    };
    function done(ok) {
      clearTimeout(timer);
      sig.removeEventListener("state", onState);
      resolve(ok);
    }
    sig.addEventListener("state", onState);
  });
}
