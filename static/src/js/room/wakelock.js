// Keeps the phone's screen awake while a call is in progress (Screen Wake Lock API, where the
// browser has it). The browser drops the lock whenever the page is hidden, so it is asked for
// again when the page becomes visible while the call still wants it. Without the API this does
// nothing: the call works the same, the screen may just dim.
export class ScreenAwake {
  constructor(nav = globalThis.navigator, doc = globalThis.document) {
    this.nav = nav;
    this.doc = doc;
    this.wanted = false;
    this.sentinel = null;
    this.onVisible = () => {
      if (this.wanted && this.doc.visibilityState === "visible") this.acquire();
    };
    if (this.doc && this.doc.addEventListener) this.doc.addEventListener("visibilitychange", this.onVisible);
  }

  get supported() {
    return Boolean(this.nav && this.nav.wakeLock && typeof this.nav.wakeLock.request === "function");
  }

  async acquire() {
    if (!this.supported || (this.sentinel && !this.sentinel.released)) return;
    try {
      this.sentinel = await this.nav.wakeLock.request("screen");
    } catch {
      this.sentinel = null; // refused (battery saver, hidden page): the next visibility change retries
    }
  }

  // want(true) while in a call, want(false) once it is over.
  async want(on) {
    this.wanted = on;
    if (on) return this.acquire();
    const s = this.sentinel;
    this.sentinel = null;
    if (s && !s.released) await s.release().catch(() => {});
  }
}

// The call states in which the screen should stay on.
export const AWAKE_STATES = new Set(["waiting", "negotiating", "connected", "reconnecting"]);
