// Room WebSocket with reconnect (exponential backoff + jitter) and resume.
// The page keeps its peer id across reconnects (?peer=) so the other side keeps its
// RTCPeerConnection; after MAX_ATTEMPTS failures the state becomes "failed" (UI offers Rejoin).

const MAX_ATTEMPTS = 6;

export class Signalling extends EventTarget {
  constructor(path) {
    super();
    this.path = path;
    this.peerId = "";
    this.ws = null;
    this.state = "idle"; // idle | connecting | open | reconnecting | failed | closed
    this.attempts = 0;
    this.queue = [];
    this.closedByUs = false;
    this.everOpened = false;
  }

  url(extra = "") {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const q = new URLSearchParams();
    if (this.peerId) q.set("peer", this.peerId);
    if (extra) q.set(extra, "1");
    const qs = q.toString();
    return `${proto}//${location.host}${this.path}${qs ? "?" + qs : ""}`;
  }

  setState(s, detail = {}) {
    this.state = s;
    this.dispatchEvent(new CustomEvent("state", { detail: { state: s, attempts: this.attempts, ...detail } }));
  }

  connect() {
    this.closedByUs = false;
    clearTimeout(this.retryTimer);
    this.setState(this.everOpened ? "reconnecting" : "connecting");
    let ws;
    try {
      ws = new WebSocket(this.url());
    } catch (e) {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    ws.addEventListener("open", () => {
      this.attempts = 0;
      this.everOpened = true;
      this.setState("open");
      const pending = this.queue.splice(0);
      pending.forEach((m) => this.send(m));
    });
    ws.addEventListener("message", (ev) => {
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return;
      }
      if ((msg.type === "hello" || msg.type === "welcome") && msg.you) this.peerId = msg.you.id;
      this.dispatchEvent(new CustomEvent("message", { detail: msg }));
    });
    ws.addEventListener("close", (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.closedByUs) {
        this.setState("closed");
        return;
      }
      if (ev.code === 4403 || ev.code === 4409) {
        this.setState("failed", { code: ev.code });
        return;
      }
      this.scheduleRetry();
    });
  }

  scheduleRetry() {
    this.attempts += 1;
    if (this.attempts > MAX_ATTEMPTS) {
      this.setState("failed");
      return;
    }
    this.setState("reconnecting");
    const base = Math.min(8000, 400 * 2 ** (this.attempts - 1));
    const delay = base / 2 + Math.random() * (base / 2);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  // Reconnect now (the browser came back online, or the user pressed Rejoin).
  retryNow() {
    if (this.state === "open" || this.state === "connecting") return;
    this.attempts = 0;
    this.connect();
  }

  send(msg) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(msg));
      return true;
    }
    // Keep durable things (chat, strokes, ticks) for after the reconnect; signals go stale.
    if (["chat", "stroke", "check", "wb-clear", "media", "hand"].includes(msg.type) && this.queue.length < 500) {
      this.queue.push(msg);
    }
    return false;
  }

  leave() {
    this.closedByUs = true;
    clearTimeout(this.retryTimer);
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: "leave" }));
    if (this.ws) this.ws.close();
  }

  // Simulate a network drop (used by tests): close without marking it as ours.
  kill() {
    if (this.ws) this.ws.close();
  }
}

// One-shot reachability check used by the pre-join screen.
export function probe(path, timeoutMs = 6000) {
  return new Promise((resolve) => {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
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
    const ws = new WebSocket(`${proto}//${location.host}${path}?probe=1`);
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
