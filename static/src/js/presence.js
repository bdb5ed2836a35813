// "Live now" and participant counts, pushed over the public /ws/presence/ socket.
// Markup contract (any page):
//   <span data-live-session="42" hidden>Live now · <span data-live-participants>0</span></span>
// The element gets data-live="true|false"; `hidden` is toggled on elements that also carry
// data-live-badge (or on the element itself when it has no data-live-keep attribute).

import { ReconnectingSocket, socketUrl } from "./socket.js";

function apply(id, live, participants) {
  document.querySelectorAll(`[data-live-session="${String(id)}"]`).forEach((el) => {
    el.dataset.live = String(live);
    if (!el.hasAttribute("data-live-keep")) el.hidden = !live;
    el.querySelectorAll("[data-live-badge]").forEach((b) => (b.hidden = !live));
    el.querySelectorAll("[data-live-participants]").forEach((c) => (c.textContent = String(participants)));
  });
}

function handle(ev) {
  let m;
  try {
    m = JSON.parse(ev.data);
  } catch {
    return;
  }
  if (m.type === "snapshot") {
    const live = new Map(m.sessions.map((s) => [String(s.session), s]));
    document.querySelectorAll("[data-live-session]").forEach((el) => {
      const s = live.get(el.dataset.liveSession);
      apply(el.dataset.liveSession, Boolean(s), s ? s.participants : 0);
    });
  } else if (m.type === "presence") {
    apply(m.session, m.live, m.participants);
  }
}

if (document.querySelector("[data-live-session]") && window.WebSocket) {
  new ReconnectingSocket({ url: socketUrl("/ws/presence/"), onMessage: handle, base: 2000, cap: 30000 }).connect();
}
