/* Countdowns and local times. The words come from the template (translated): data-prefix and
   data-started.
   <span data-countdown data-start="2026-11-22T10:30:00+05:30" data-prefix="Starts in"
         data-started="Starting now">…</span>  ->  "Starts in 04:46:53" (days shown as "2d 04:46:53").
   <time datetime="ISO" data-localtime>  -> re-rendered in the browser's timezone for visitors who are
   not signed in (signed-in users already get their own timezone from the server). */
(function () {
  "use strict";
  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function format(ms) {
    var total = Math.max(0, Math.floor(ms / 1000));
    var d = Math.floor(total / 86400);
    var h = Math.floor((total % 86400) / 3600);
    var m = Math.floor((total % 3600) / 60);
    var s = total % 60;
    return (d > 0 ? d + "d " : "") + pad(h) + ":" + pad(m) + ":" + pad(s);
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      var start = Date.parse(el.dataset.start || "");
      if (isNaN(start)) return;
      var left = start - now;
      var text = left > 0 ? [el.dataset.prefix, format(left)].filter(Boolean).join(" ") : (el.dataset.started || "");
      if (el.textContent !== text) el.textContent = text;
    });
    // A room button shown before its join window opens ({% room_button %}) becomes a live link then.
    document.querySelectorAll("a[data-opens][aria-disabled='true']").forEach(function (el) {
      var opens = Date.parse(el.dataset.opens || "");
      if (isNaN(opens) || opens > now) return;
      el.setAttribute("href", el.dataset.href || "#");
      el.removeAttribute("aria-disabled");
      el.removeAttribute("role");
      el.classList.remove("btn-secondary", "cursor-not-allowed", "opacity-60");
      el.classList.add("btn-primary");
      var lock = el.querySelector("svg");
      if (lock) lock.remove();
      var next = el.nextElementSibling;
      if (next && next.hasAttribute("data-countdown")) next.remove();
    });
  }

  function localTimes() {
    if (document.documentElement.getAttribute("data-auth") === "1") return;
    var fmt;
    try {
      fmt = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
        weekday: "short", day: "numeric", month: "short", hour: "numeric", minute: "2-digit", hour12: true, timeZoneName: "short",
      });
    } catch (e) { return; }
    document.querySelectorAll("time[data-localtime]").forEach(function (el) {
      var t = Date.parse(el.getAttribute("datetime") || "");
      if (!isNaN(t)) el.textContent = fmt.format(new Date(t));
    });
  }

  function init() {
    localTimes();
    tick();
    if (document.querySelector("[data-countdown], a[data-opens]")) window.setInterval(tick, 1000);
  }
  window.PeerLearn = window.PeerLearn || {};
  window.PeerLearn.refreshCountdowns = function () { localTimes(); tick(); };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
  document.addEventListener("htmx:afterSettle", function () { localTimes(); tick(); });
})();
