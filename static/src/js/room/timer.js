// Server-authoritative timer: the server sends start/end, seconds already counted and whether
// the clock runs now (running_since is set only while both sides are present); the page only
// renders, corrected for clock skew. timerView() is the pure part (tested by node --test).

const WARN_MS = 5 * 60 * 1000;

const pad = (n) => String(Math.floor(n)).padStart(2, "0");
export function fmt(sec) {
  sec = Math.max(0, Math.floor(sec));
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  return h ? `${h}:${pad(m)}:${pad(sec % 60)}` : `${pad(m)}:${pad(sec % 60)}`;
}

// Seconds counted at `now` (ms): what the server counted plus the current running stretch.
export function elapsedAt(t, now) {
  let e = t.elapsed;
  if (t.running_since) e += Math.max(0, (now - new Date(t.running_since).getTime()) / 1000);
  return e;
}

// What the clock shows at `now` (ms since the epoch, server time):
//   mode: countdown (before the start) | running | paused | warning (5 minutes or less left) | idle (ended)
//   running: the clock advances (both sides present); seconds: the number to show
//   warnMinutes: whole minutes left while in the last five minutes, else null
export function timerView(t, now) {
  const elapsed = elapsedAt(t, now);
  if (t.ended) return { mode: "idle", running: false, seconds: elapsed, elapsed, warnMinutes: null };
  const start = new Date(t.start).getTime();
  if (now < start) return { mode: "countdown", running: false, seconds: (start - now) / 1000, elapsed, warnMinutes: null };
  const running = Boolean(t.running_since) && now >= new Date(t.running_since).getTime();
  const left = new Date(t.end).getTime() - now;
  const warning = left <= WARN_MS;
  return {
    mode: warning ? "warning" : running ? "running" : "paused",
    running,
    seconds: elapsed,
    elapsed,
    warnMinutes: warning && left > 0 ? Math.ceil(left / 60000) : null,
  };
}

export class Timer {
  // t(key, vars) gives translated strings: "startsIn" and "paused" with {time}.
  constructor(el, { t, onWarning, onTick } = {}) {
    this.el = el;
    this.t = t;
    this.onWarning = onWarning;
    this.onTick = onTick;
    this.state = null;
    this.offset = 0;
    this.warned = false;
    this.interval = setInterval(() => this.render(), 500);
  }

  update(state) {
    this.state = state;
    this.offset = new Date(state.now).getTime() - Date.now();
    this.render();
  }

  now() {
    return Date.now() + this.offset;
  }

  render() {
    if (!this.state) return;
    const v = timerView(this.state, this.now());
    const time = fmt(v.seconds);
    let label = time;
    if (v.mode === "countdown") label = this.t("startsIn", { time });
    else if (v.mode !== "idle" && !v.running) label = this.t("paused", { time });
    if (v.warnMinutes !== null && !this.warned && this.onWarning) {
      this.warned = true;
      this.onWarning(v.warnMinutes);
    }
    this.el.dataset.mode = v.mode;
    this.el.textContent = label;
    this.el.setAttribute("aria-label", label);
    this.onTick?.(v.elapsed);
  }
}
