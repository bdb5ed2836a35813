/* Shared page behaviour, plain script (no framework): theme switching, disclosures (the public
   header's menu, the bell's panel, the account menu, the dashboard's navigation drawer), tabs. */
(function () {
  "use strict";

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) { return ""; }
  }

  // --- Theme ------------------------------------------------------------------------------------
  var ORDER = ["light", "dark", "system"];
  function currentTheme() { return document.documentElement.getAttribute("data-theme") || "system"; }
  function saveTheme(pref) {
    var root = document.documentElement;
    if (window.PeerLearnTheme) window.PeerLearnTheme.apply(pref);
    try { window.localStorage.setItem("theme", pref); } catch (e) { /* ignore */ }
    document.cookie = "theme=" + pref + "; path=/; max-age=31536000; SameSite=Lax";
    if (root.getAttribute("data-theme-source") === "user") {
      var body = new URLSearchParams({ theme: pref });
      fetch(root.getAttribute("data-theme-url") || "/theme/", {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
      }).catch(function () { /* offline: the local choice still applies */ });
    }
    document.dispatchEvent(new CustomEvent("peerlearn:theme", { detail: { theme: pref } }));
  }

  // --- Tabs (WAI-ARIA tabs pattern, no framework needed) ----------------------------------------
  function initTabs(root) {
    var tabs = Array.prototype.slice.call(root.querySelectorAll('[role="tab"]'));
    function select(tab, focus) {
      tabs.forEach(function (t) {
        var on = t === tab;
        t.setAttribute("aria-selected", on ? "true" : "false");
        t.tabIndex = on ? 0 : -1;
        var panel = document.getElementById(t.getAttribute("aria-controls"));
        if (panel) panel.hidden = !on;
      });
      if (focus) tab.focus();
    }
    tabs.forEach(function (tab, i) {
      tab.addEventListener("click", function () { select(tab, false); });
      tab.addEventListener("keydown", function (e) {
        var j = null;
        if (e.key === "ArrowRight") j = (i + 1) % tabs.length;
        else if (e.key === "ArrowLeft") j = (i - 1 + tabs.length) % tabs.length;
        else if (e.key === "Home") j = 0;
        else if (e.key === "End") j = tabs.length - 1;
        if (j !== null) { e.preventDefault(); select(tabs[j], true); }
      });
    });
  }

  // --- Theme toggle -------------------------------------------------------------------------------
  function showTheme(button, theme) {
    button.setAttribute("data-state", theme);
    button.querySelectorAll("[data-theme-icon]").forEach(function (icon) {
      icon.hidden = icon.getAttribute("data-theme-icon") !== theme;
    });
    var label = button.dataset["label" + theme.charAt(0).toUpperCase() + theme.slice(1)] || theme;
    button.setAttribute("aria-label", label);
    button.setAttribute("title", label);
  }
  function initThemeToggles() {
    var buttons = document.querySelectorAll("[data-theme-toggle]");
    buttons.forEach(function (button) {
      showTheme(button, currentTheme());
      button.addEventListener("click", function () {
        saveTheme(ORDER[(ORDER.indexOf(currentTheme()) + 1) % ORDER.length]);
      });
    });
    document.addEventListener("peerlearn:theme", function (e) {
      buttons.forEach(function (button) { showTheme(button, e.detail.theme); });
    });
  }

  // --- Disclosures -------------------------------------------------------------------------------
  // <button data-menu-button aria-controls="panel-id" aria-expanded="false"> shows and hides the
  // element with that id (its `hidden` attribute). Escape closes the open one and gives focus back
  // to its button; [data-menu-close] inside the panel closes it; [data-disclosure-focus] inside the
  // panel takes focus when it opens (the drawer's close button); with data-dismiss-outside a click
  // anywhere else closes it (dropdowns), so opening one dropdown closes the other. While one is open
  // the root carries data-menu-open, which puts toasts behind it (app.css).
  var disclosures = [];
  function initMenuButton(button) {
    var panel = document.getElementById(button.getAttribute("aria-controls"));
    if (!panel) return;
    var d = {
      button: button,
      panel: panel,
      outside: button.hasAttribute("data-dismiss-outside"),
      isOpen: function () { return !panel.hidden; },
      set: function (open) {
        panel.hidden = !open;
        button.setAttribute("aria-expanded", open ? "true" : "false");
        button.querySelectorAll("[data-when-open]").forEach(function (icon) {
          icon.hidden = (icon.getAttribute("data-when-open") === "true") !== open;
        });
        document.documentElement.toggleAttribute("data-menu-open", disclosures.some(function (o) { return o.isOpen(); }));
        if (open) {
          var target = panel.querySelector("[data-disclosure-focus]");
          if (target) target.focus();
        }
      },
    };
    disclosures.push(d);
    button.addEventListener("click", function () { d.set(panel.hidden); });
    panel.addEventListener("click", function (e) {
      if (e.target.closest && e.target.closest("[data-menu-close]")) { d.set(false); button.focus(); }
    });
  }
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    disclosures.forEach(function (d) {
      if (!d.isOpen()) return;
      d.set(false);
      d.button.focus();
    });
  });
  document.addEventListener("click", function (e) {
    disclosures.forEach(function (d) {
      if (d.outside && d.isOpen() && !d.button.contains(e.target) && !d.panel.contains(e.target)) d.set(false);
    });
  });

  function init() {
    document.querySelectorAll("[data-tabs]").forEach(initTabs);
    initThemeToggles();
    document.querySelectorAll("[data-menu-button]").forEach(initMenuButton);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

/* Native <dialog> modals: <button data-modal-open="id">, [data-modal-close] inside the dialog. */
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var opener = e.target.closest ? e.target.closest("[data-modal-open]") : null;
    if (opener) {
      var dlg = document.getElementById(opener.getAttribute("data-modal-open"));
      if (dlg && typeof dlg.showModal === "function") { e.preventDefault(); dlg.showModal(); }
      return;
    }
    var closer = e.target.closest ? e.target.closest("[data-modal-close]") : null;
    if (closer) {
      var d = closer.closest("dialog");
      if (d) d.close();
    }
  });
})();

/* A destructive form asks first: <form data-confirm="Delete …?"> (the words come from the template). */
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var question = form && form.getAttribute ? form.getAttribute("data-confirm") : null;
    if (question && !window.confirm(question)) e.preventDefault();
  });
})();
