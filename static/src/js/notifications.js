/* Notifications: one WebSocket per signed-in page at /ws/notifications/.

   - Keeps the bell count live and shows a toast for each notification (title, message, Open link).
   - Session reminders (data.reminder) get a Join link and Snooze 5/10 min buttons; the T−10 min
     one also plays a short beep (WebAudio, no audio file) and stays until dismissed. Unread
     reminders of sessions not yet over also show when a tab first opens.
   - Typed events from the server ({"type": "request.new", ...}) refresh page regions: every element
     with data-refresh-on="<type> [<type> ...]", hx-get and hx-trigger="peerlearn:refresh" is
     re-fetched by htmx (honouring hx-target / hx-select / hx-swap, default innerHTML). Set that
     hx-trigger: without one htmx would also fire the GET on every click inside the region. After a reconnect every such region is
     refreshed, because events may have been missed; the server's "hello" message carries the
     unread count from the database. Scripts can listen for "peerlearn:event" on document.
   - Every user-facing string comes from the bell's data attributes (translated by the template).
   - The socket is the shared ReconnectingSocket (socket.js); close code 4401 (signed out) stops it.
*/
import { ReconnectingSocket, socketUrl } from "./socket.js";

(function () {
  if (document.documentElement.dataset.auth !== "1") return;

  var socket = null;
  var connectedOnce = false;
  var SEEN_KEY = "peerlearn:lastNotificationId";

  function bell() { return document.getElementById("notification-bell"); }
  function text(key) {
    var b = bell();
    return (b && b.dataset[key]) || "";
  }

  function csrfToken() {
    try {
      var h = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      if (h["X-CSRFToken"]) return h["X-CSRFToken"];
    } catch (e) { /* fall through */ }
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function setCount(n) {
    n = Math.max(0, parseInt(n, 10) || 0);
    var b = bell();
    if (!b) return;
    var badge = b.querySelector("[data-bell-count]");
    var btn = b.querySelector("[data-bell-toggle]");
    if (badge) {
      badge.textContent = n > 99 ? "99+" : String(n);
      badge.hidden = n === 0;
    }
    if (btn) {
      var label = n === 0 ? text("labelNone")
        : n === 1 ? text("labelOne")
        : text("labelMany").replace("{n}", String(n));
      btn.setAttribute("aria-label", label);
    }
    document.body.dataset.unreadNotifications = String(n);
  }

  function shakeBell() {
    var b = bell();
    if (!b) return;
    var btn = b.querySelector("[data-bell-toggle]");
    if (!btn) return;
    btn.classList.add("motion-safe:animate-bounce");
    window.setTimeout(function () { btn.classList.remove("motion-safe:animate-bounce"); }, 1200);
  }

  var audioCtx = null;
  function beep() {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return;
      audioCtx = audioCtx || new Ctx();
      if (audioCtx.state === "suspended") audioCtx.resume();
      [0, 0.22].forEach(function (offset) {
        var osc = audioCtx.createOscillator();
        var gain = audioCtx.createGain();
        var t = audioCtx.currentTime + offset;
        osc.type = "sine";
        osc.frequency.setValueAtTime(880, t);
        gain.gain.setValueAtTime(0.0001, t);
        gain.gain.exponentialRampToValueAtTime(0.25, t + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.18);
        osc.connect(gain).connect(audioCtx.destination);
        osc.start(t);
        osc.stop(t + 0.2);
      });
      document.body.dataset.lastBeep = String(Date.now());
    } catch (e) { /* sound is a nicety */ }
  }

  function el(tag, cls, content) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (content) node.textContent = content;
    return node;
  }

  function dismiss(node) {
    if (!node || !node.parentNode) return;
    node.classList.add("opacity-0");
    window.setTimeout(function () { if (node.parentNode) node.parentNode.removeChild(node); }, 200);
  }

  function snooze(n, minutes, node) {
    var b = bell();
    var url = b ? b.dataset.snoozeUrl.replace("/0/", "/" + n.id + "/") : null;
    if (!url) return;
    var body = new URLSearchParams();
    body.set("minutes", String(minutes));
    fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": csrfToken() } })
      .then(function (r) {
        if (r.ok && window.PeerLearn && window.PeerLearn.toast) {
          window.PeerLearn.toast(text("textSnoozed"), "info");
        }
      });
    dismiss(node);
  }

  function showToast(n) {
    var region = document.getElementById("toasts");
    if (!region) return;
    var data = n.data || {};
    var reminder = !!data.reminder;
    var node = el("div", "toast toast-info transition duration-200 pointer-events-auto");
    node.setAttribute("role", data.sound ? "alert" : "status");
    node.dataset.notificationToast = String(n.id);
    node.dataset.type = n.type;
    var body = el("div", "min-w-0 flex-1");
    body.appendChild(el("p", "font-semibold", n.title));
    if (n.message) body.appendChild(el("p", "mt-0.5 text-sm text-ink-muted", n.message));
    var actions = el("div", "mt-2 flex flex-wrap gap-2");
    var url = data.join_url || n.link;
    if (url) {
      var link = el("a", reminder ? "btn btn-primary btn-sm" : "btn btn-secondary btn-sm", reminder ? text("textJoin") : text("textOpen"));
      link.href = url;
      actions.appendChild(link);
    }
    if (reminder && data.snooze) {
      [5, 10].forEach(function (m) {
        var s = el("button", "btn btn-ghost btn-sm", text(m === 5 ? "textSnooze5" : "textSnooze10"));
        s.type = "button";
        s.dataset.snooze = String(m);
        s.addEventListener("click", function () { snooze(n, m, node); });
        actions.appendChild(s);
      });
    }
    if (actions.childNodes.length) body.appendChild(actions);
    node.appendChild(body);
    var close = el("button", "-m-1 rounded-lg p-1 text-ink-muted hover:bg-surface-2 hover:text-ink", "×");
    close.type = "button";
    close.setAttribute("aria-label", text("textDismiss"));
    close.addEventListener("click", function () { dismiss(node); });
    node.appendChild(close);
    region.appendChild(node);
    var ms = data.sound ? 120000 : reminder ? 20000 : 6000;
    var timer = window.setTimeout(function () { dismiss(node); }, ms);
    node.addEventListener("mouseenter", function () { window.clearTimeout(timer); });
    node.addEventListener("focusin", function () { window.clearTimeout(timer); });
    if (data.sound) beep();
  }

  function refreshRegions(type) {
    if (!window.htmx) return;
    document.querySelectorAll("[data-refresh-on]").forEach(function (node) {
      var types = node.getAttribute("data-refresh-on").split(/\s+/);
      if (type !== "*" && types.indexOf(type) === -1) return;
      var trigger = node.getAttribute("hx-trigger") || "";
      if (trigger.indexOf("peerlearn:refresh") !== -1) {
        // htmx issues the request itself, honouring hx-get/hx-target/hx-select/hx-swap.
        window.htmx.trigger(node, "peerlearn:refresh");
        return;
      }
      var url = node.getAttribute("hx-get") || node.dataset.refreshUrl;
      if (!url) return;
      var targetSel = node.getAttribute("hx-target");
      var target = targetSel && targetSel !== "this" ? document.querySelector(targetSel) : node;
      if (!target) return;
      var opts = { source: node, target: target, swap: node.getAttribute("hx-swap") || "innerHTML" };
      var select = node.getAttribute("hx-select");
      if (select) opts.select = select;
      window.htmx.ajax("GET", url, opts);
    });
  }

  // A session reminder stays worth showing until its session is well under way.
  var RELEVANT_AFTER_START_MS = 15 * 60 * 1000;
  function stillRelevant(n) {
    var data = n.data || {};
    var start = Date.parse(data.start || "");
    return !!data.reminder && !isNaN(start) && Date.now() < start + RELEVANT_AFTER_START_MS;
  }

  function lastSeen() { return parseInt(window.sessionStorage.getItem(SEEN_KEY) || "0", 10) || 0; }
  function markSeen(id) { if (id > lastSeen()) window.sessionStorage.setItem(SEEN_KEY, String(id)); }

  function handle(msg) {
    if (!msg || typeof msg.type !== "string") return;
    if (msg.type === "hello") {
      setCount(msg.unread);
      var seen = lastSeen();
      var missed = (msg.recent_unread || []).filter(function (n) { return n.id > seen; });
      if (connectedOnce) {
        missed.slice(0, 3).reverse().forEach(showToast);
        refreshRegions("*");
      } else {
        // First load of this tab: unread session reminders whose session has not ended yet show
        // again (a reminder sent while no page was open is not lost), the newest two at most.
        missed.filter(stillRelevant).slice(0, 2).reverse().forEach(showToast);
      }
      (msg.recent_unread || []).forEach(function (n) { markSeen(n.id); });
      connectedOnce = true;
      document.body.dataset.notificationsSocket = "open";
    } else if (msg.type === "notification") {
      var n = msg.notification;
      if (typeof msg.unread === "number") setCount(msg.unread);
      showToast(n);
      shakeBell();
      markSeen(n.id);
      refreshRegions("notification");
    } else if (msg.type === "unread") {
      setCount(msg.unread);
      refreshRegions("unread");
    } else {
      refreshRegions(msg.type);
    }
    document.dispatchEvent(new CustomEvent("peerlearn:event", { detail: msg }));
  }

  function connect() {
    var b = bell();
    socket = new ReconnectingSocket({
      url: socketUrl((b && b.dataset.wsPath) || "/ws/notifications/"),
      base: 2000,
      cap: 30000,
      onMessage: function (ev) {
        try { handle(JSON.parse(ev.data)); } catch (e) { /* ignore malformed */ }
      },
      onClose: function () { document.body.dataset.notificationsSocket = "closed"; },
      shouldRetry: function (ev) { return ev.code !== 4401; }, // signed out
    });
    socket.connect();
  }

  window.PeerLearn = window.PeerLearn || {};
  window.PeerLearn.notifications = {
    refresh: refreshRegions,
    beep: beep,
    reconnect: function () { if (socket) socket.drop(); },
  };

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && socket) socket.send({ action: "sync" });
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", connect);
  else connect();
})();
