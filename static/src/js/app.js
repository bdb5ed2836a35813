/* Shared page behaviour: Alpine components for signed-in pages (registered before Alpine starts:
   this file is deferred and placed before the vendored Alpine CSP build), theme switching, the
   public header's menu, tabs. */
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

  document.addEventListener("alpine:init", function () {
    var Alpine = window.Alpine;

    // Disclosure: menus, dropdowns, the mobile navigation drawer.
    Alpine.data("disclosure", function () {
      return {
        open: false,
        toggle: function () {
          this.open = !this.open;
          if (!this.open) return;
          // Move focus into a drawer/menu that asks for it (data-disclosure-focus), once it is shown.
          var root = this.$root;
          this.$nextTick(function () {
            var target = root.querySelector("[data-disclosure-focus]");
            if (target) target.focus();
          });
        },
        close: function () { this.open = false; },
        get expanded() { return this.open ? "true" : "false"; },
        get closed() { return !this.open; },
        closeOnEscape: function () {
          if (!this.open) return;
          this.open = false;
          // The component's own trigger (x-ref="trigger"); nested menus have their own refs.
          var btn = (this.$refs && this.$refs.trigger) || this.$root.querySelector("[data-disclosure-button]");
          if (btn) btn.focus();
        },
      };
    });
  });

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

  // --- Theme toggle and the public header's menu: plain script, so that public pages (anonymous
  // visitors) need no Alpine at all (its start-up walk of the page was the landing page's longest
  // task on a mid-range phone).
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

  function initMenuButton(button) {
    var panel = document.getElementById(button.getAttribute("aria-controls"));
    if (!panel) return;
    function set(open) {
      panel.hidden = !open;
      button.setAttribute("aria-expanded", open ? "true" : "false");
      button.querySelectorAll("[data-when-open]").forEach(function (icon) {
        icon.hidden = (icon.getAttribute("data-when-open") === "true") !== open;
      });
    }
    button.addEventListener("click", function () { set(panel.hidden); });
    document.addEventListener("keydown", function (e) {
      if (e.key !== "Escape" || panel.hidden) return;
      set(false);
      button.focus();
    });
  }

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
