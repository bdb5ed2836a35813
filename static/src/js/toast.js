/* Toasts: Django messages are rendered server-side into #toasts (an aria-live region); this file
   adds auto-dismiss, the close button, and `PeerLearn.toast(message, level)` for scripts. htmx
   responses can raise one with the header `HX-Trigger: {"toast": {"message": "...", "level": "success"}}`. */
(function () {
  "use strict";
  var DISMISS_MS = { error: 10000, warning: 8000 };

  function dismiss(el) {
    if (!el || !el.parentNode) return;
    el.classList.add("opacity-0", "translate-y-1");
    window.setTimeout(function () { if (el.parentNode) el.parentNode.removeChild(el); }, 200);
  }

  function arm(el) {
    if (el.dataset.armed) return;
    el.dataset.armed = "1";
    var close = el.querySelector("[data-toast-close]");
    if (close) close.addEventListener("click", function () { dismiss(el); });
    var level = el.dataset.level || "info";
    var ms = DISMISS_MS[level] || 6000;
    var timer = window.setTimeout(function () { dismiss(el); }, ms);
    // Keep it while the pointer or focus is on it (WCAG 2.2.1 timing adjustable).
    el.addEventListener("mouseenter", function () { window.clearTimeout(timer); });
    el.addEventListener("focusin", function () { window.clearTimeout(timer); });
  }

  function toast(message, level) {
    var region = document.getElementById("toasts");
    var tpl = document.getElementById("toast-template");
    if (!region || !tpl) return;
    var node = tpl.content.firstElementChild.cloneNode(true);
    level = level || "info";
    node.dataset.level = level;
    node.classList.add("toast-" + level);
    node.querySelector("[data-toast-text]").textContent = String(message);
    if (level === "error") node.setAttribute("role", "alert");
    region.appendChild(node);
    arm(node);
  }

  function init() {
    document.querySelectorAll("#toasts [data-toast]").forEach(arm);
    document.body.addEventListener("toast", function (ev) {
      var d = ev.detail || {};
      if (d.value && typeof d.value === "object") d = d.value;
      if (d.message) toast(d.message, d.level);
    });
  }

  window.PeerLearn = window.PeerLearn || {};
  window.PeerLearn.toast = toast;
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
