/* Requests & offers pages (/posts/, /dashboard/mentor/requests/).
   - The lists refresh themselves over the notifications WebSocket (data-refresh-on, see
     notifications.js); this file adds the small local behaviour:
   - "Free session" ticked → the price field is disabled (and re-enabled when unticked);
   - a new request arriving while a mentor has the Requests page open plays the short beep. */
(function () {
  "use strict";

  function syncFree(root) {
    (root || document).querySelectorAll("input[type=checkbox][name$='-free']").forEach(function (box) {
      var price = box.form && box.form.querySelector("input[name='" + box.name.replace(/-free$/, "-price") + "']");
      if (!price) return;
      price.disabled = box.checked;
      if (!box.dataset.bound) {
        box.dataset.bound = "1";
        box.addEventListener("change", function () { price.disabled = box.checked; if (!box.checked) price.focus(); });
      }
    });
  }

  document.addEventListener("peerlearn:event", function (ev) {
    var msg = ev.detail || {};
    if (msg.type === "request.new" && document.getElementById("mentor-requests")) {
      if (window.PeerLearn && window.PeerLearn.notifications) window.PeerLearn.notifications.beep();
    }
  });
  document.addEventListener("htmx:afterSwap", function (ev) { syncFree(ev.target); });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { syncFree(); });
  else syncFree();
})();
