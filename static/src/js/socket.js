// One reconnecting WebSocket for every page that keeps a socket open (notifications, presence and
// the live room's signalling).
//
// - Exponential backoff with jitter and a cap: the n-th retry waits min(cap, base * 2^(n-1)),
//   shortened by up to `jitter` of itself at random so many clients dropped together do not all
//   come back in the same instant. The wait never exceeds the cap.
// - The attempt counter is reset when a connection opens.
// - Hooks: onOpen(ws), onMessage(event), onClose(event, {retrying, delay}), onState(state, detail).
// - close() is explicit: it closes the socket and stops reconnecting. drop() closes the current
//   socket as if the network had dropped it (it reconnects).
// - shouldRetry(closeEvent) may refuse to reconnect (signed out, room closed): the state becomes
//   "failed"; so it does after maxAttempts failed attempts in a row. retryNow() starts again (and
//   cuts a scheduled wait short), except after close().
//
// States: idle -> connecting -> open -> waiting (a retry is scheduled) -> connecting ...;
// failed (gave up); closed (close() was called).

export const BACKOFF_DEFAULTS = Object.freeze({ base: 1000, cap: 30000, jitter: 0.5 });

// Delay in ms before retry number `attempt` (1 for the first retry). `random` returns [0, 1).
export function backoffDelay(attempt, { base = BACKOFF_DEFAULTS.base, cap = BACKOFF_DEFAULTS.cap, jitter = BACKOFF_DEFAULTS.jitter, random = Math.random } = {}) {
  const n = Math.max(1, Math.floor(attempt));
  const ceiling = Math.min(cap, base * 2 ** Math.min(n - 1, 30));
  return ceiling * (1 - jitter * random());
}

// ws:// or wss:// URL for a path on this page's host.
export function socketUrl(path, loc = globalThis.location) {
  const proto = loc.protocol === "https:" ? "wss:" : "ws:";
  return `${proto}//${loc.host}${path}`;
}

export class ReconnectingSocket {
  constructor({
    url,
    onOpen = () => {},
    onMessage = () => {},
    onClose = () => {},
    onState = () => {},
    shouldRetry = () => true,
    maxAttempts = Infinity,
    base = BACKOFF_DEFAULTS.base,
    cap = BACKOFF_DEFAULTS.cap,
    jitter = BACKOFF_DEFAULTS.jitter,
    random = Math.random,
    WebSocketImpl = globalThis.WebSocket,
    timers = globalThis,
  }) {
    this.url = typeof url === "function" ? url : () => url;
    Object.assign(this, { onOpen, onMessage, onClose, onState, shouldRetry, maxAttempts, WebSocketImpl, timers });
    this.backoff = { base, cap, jitter, random };
    this.ws = null;
    this.state = "idle";
    this.attempts = 0;
    this.retryTimer = null;
  }

  setState(state, detail = {}) {
    this.state = state;
    this.onState(state, { attempts: this.attempts, ...detail });
  }

  get isOpen() {
    return Boolean(this.ws) && this.ws.readyState === this.WebSocketImpl.OPEN;
  }

  connect() {
    this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.ws) return;
    this.setState("connecting");
    let ws;
    try {
      ws = new this.WebSocketImpl(this.url());
    } catch {
      this.retry(null);
      return;
    }
    this.ws = ws;
    ws.addEventListener("open", () => {
      if (this.ws !== ws) return;
      this.attempts = 0;
      this.setState("open");
      this.onOpen(ws);
    });
    ws.addEventListener("message", (ev) => {
      if (this.ws === ws) this.onMessage(ev);
    });
    ws.addEventListener("close", (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.state === "closed") return;
      this.retry(ev);
    });
  }

  retry(ev) {
    if (ev && !this.shouldRetry(ev)) {
      this.onClose(ev, { retrying: false, delay: null });
      this.setState("failed", { code: ev.code });
      return;
    }
    this.attempts += 1;
    if (this.attempts > this.maxAttempts) {
      this.onClose(ev, { retrying: false, delay: null });
      this.setState("failed", { code: ev ? ev.code : null });
      return;
    }
    const delay = backoffDelay(this.attempts, this.backoff);
    this.onClose(ev, { retrying: true, delay });
    this.setState("waiting", { delay });
    this.retryTimer = this.timers.setTimeout(() => this.connect(), delay);
  }

  // Connect at once with a fresh attempt count (the browser came back online, the user asked).
  // Does nothing on an open or connecting socket, nor after close(): connect() reopens that.
  retryNow() {
    if (this.state === "open" || this.state === "connecting" || this.state === "closed") return;
    this.attempts = 0;
    this.connect();
  }

  send(data) {
    if (!this.isOpen) return false;
    this.ws.send(typeof data === "string" ? data : JSON.stringify(data));
    return true;
  }

  // Close as if the network dropped the connection: the socket reconnects.
  drop() {
    if (this.ws) this.ws.close();
  }

  // Close for good: no reconnect until connect() is called again.
  close(code = 1000) {
    this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const ws = this.ws;
    this.ws = null;
    this.setState("closed");
    if (ws) {
      try {
        ws.close(code);
      } catch {}
    }
  }
}
