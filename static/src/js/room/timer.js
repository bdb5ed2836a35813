// Server-authoritative timer: the server sends start/end, seconds already counted and whether
// the clock runs now (both sides present); the page only renders, corrected for clock skew.

const pad = (n) => String(Math.floor(n)).padStart(2, "0");
export function fmt(sec) {
  sec = Math.max(0, Math.floor(sec));
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  return h ? `${h}:${pad(m)}:${pad(sec % 60)}` : `${pad(m)}:${pad(sec % 60)}`;
}

export class Timer {
  constructor(el, { onWarning, onTick } = {}) {
    this.el = el;
    this.onWarning = onWarning;
    this.onTick = onTick;
    this.state = null;
    this.offset = 0;
    this.warned = false;
    this.interval = setInterval(() => this.render(), 500);
  }

  update(t) {
    this.state = t;
    this.offset = new Date(t.now).getTime() - Date.now();
    this.render();
  }

  now() {
    return Date.now() + this.offset;
  }

  elapsed() {
    const t = this.state;
    if (!t) return 0;
    let e = t.elapsed;
    if (t.running_since) e += Math.max(0, (this.now() - new Date(t.running_since).getTime()) / 1000);
    return e;
  }

  render() {
    const t = this.state;
    if (!t) return;
    const now = this.now();
    const start = new Date(t.start).getTime();
    const end = new Date(t.end).getTime();
    let mode;
    let label;
    if (t.ended) {
      mode = "idle";
      label = fmt(this.elapsed());
    } else if (now < start) {
      mode = "countdown";
      label = `Starts in ${fmt((start - now) / 1000)}`;
    } else {
      const running = Boolean(t.running_since) && now >= new Date(t.running_since).getTime();
      mode = running ? "running" : "paused";
      label = running ? fmt(this.elapsed()) : `Paused · ${fmt(this.elapsed())}`;
      const left = end - now;
      if (left <= 5 * 60 * 1000) {
        mode = "warning";
        if (!this.warned && left > 0 && this.onWarning) {
          this.warned = true;
          this.onWarning?.(Math.ceil(left / 60000));
        }
      }
    }
    this.el.dataset.mode = mode;
    this.el.textContent = label;
    this.el.setAttribute("aria-label", label);
    this.onTick?.(this.elapsed());
  }
}
