/* Apply the colour theme before first paint. Loaded as a small blocking script in <head>
   (no inline script: CSP script-src 'self').
   <html data-theme="light|dark|system" data-theme-source="user|local">: signed-in users' choice comes
   from User.theme (server-rendered); anonymous visitors' from localStorage (mirrored in a cookie). */
(function () {
  "use strict";
  var root = document.documentElement;
  var pref = root.getAttribute("data-theme") || "system";
  if (root.getAttribute("data-theme-source") !== "user") {
    try {
      var stored = window.localStorage.getItem("theme");
      if (stored === "light" || stored === "dark" || stored === "system") pref = stored;
    } catch (e) { /* storage disabled: keep the cookie/server value */ }
  }
  var media = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  function apply(p) {
    var dark = p === "dark" || (p === "system" && media !== null && media.matches);
    root.classList.toggle("dark", dark);
    root.setAttribute("data-theme", p);
  }
  apply(pref);
  if (media && media.addEventListener) {
    media.addEventListener("change", function () {
      if (root.getAttribute("data-theme") === "system") apply("system");
    });
  }
  window.PeerLearnTheme = { apply: apply };
})();
