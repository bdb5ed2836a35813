/* Registration wizard and profile settings enhancements (progressive: every form works without JS).
   - tag inputs: chips + Enter/comma to add, suggestion buttons, max count
   - password strength meter (the server still runs Django's validators)
   - live character counter for the mentor bio
   - image preview before upload; at most N checked domain boxes */
(function () {
  "use strict";

  // --- Tag input ---------------------------------------------------------------------------------
  function splitTags(raw) {
    var seen = {};
    return (raw || "").split(/[,\n]/).map(function (t) { return t.replace(/\s+/g, " ").trim(); })
      .filter(function (t) {
        var k = t.toLowerCase();
        if (!t || seen[k]) return false;
        seen[k] = true;
        return true;
      });
  }

  function enhanceTagInput(original) {
    var max = parseInt(original.getAttribute("data-tag-input"), 10) || 5;
    function t(key, fallback) { return original.getAttribute("data-text-" + key) || fallback; }
    var id = original.id;
    var tags = splitTags(original.value);

    var wrap = document.createElement("div");
    wrap.className = "input flex h-auto flex-wrap items-center gap-2 focus-within:border-primary-500 focus-within:ring-4 focus-within:ring-primary-500/20";
    if (original.getAttribute("aria-invalid") === "true") wrap.setAttribute("data-invalid", "true");
    var list = document.createElement("ul");
    list.className = "contents";
    list.setAttribute("aria-label", t("selected", "Selected"));
    var entry = document.createElement("input");
    entry.type = "text";
    entry.className = "min-w-32 flex-1 border-0 bg-transparent p-0 text-base text-ink outline-none focus:ring-0";
    entry.setAttribute("autocomplete", "off");
    if (original.getAttribute("list")) entry.setAttribute("list", original.getAttribute("list"));
    if (original.getAttribute("aria-describedby")) entry.setAttribute("aria-describedby", original.getAttribute("aria-describedby"));
    if (original.getAttribute("aria-invalid")) entry.setAttribute("aria-invalid", original.getAttribute("aria-invalid"));
    // The visible entry takes over the id so the <label for> still names it.
    original.id = id + "_value";
    entry.id = id;
    original.type = "hidden";
    original.removeAttribute("list");
    wrap.appendChild(list);
    wrap.appendChild(entry);
    original.parentNode.insertBefore(wrap, original);

    var status = document.createElement("p");
    status.className = "sr-only";
    status.setAttribute("aria-live", "polite");
    wrap.parentNode.insertBefore(status, wrap.nextSibling);

    function sync() {
      original.value = tags.join(", ");
      list.innerHTML = "";
      tags.forEach(function (tag, i) {
        var li = document.createElement("li");
        li.className = "inline-flex items-center gap-1 rounded-full bg-primary-50 py-1 pl-3 pr-1 text-sm font-medium text-primary-800 dark:bg-primary-900/40 dark:text-primary-100";
        var label = document.createElement("span");
        label.textContent = tag;
        var rm = document.createElement("button");
        rm.type = "button";
        rm.className = "inline-flex size-6 items-center justify-center rounded-full hover:bg-primary-100 dark:hover:bg-primary-800";
        rm.setAttribute("aria-label", t("remove", "Remove") + " " + tag);
        rm.textContent = "×";
        rm.addEventListener("click", function () { tags.splice(i, 1); sync(); entry.focus(); status.textContent = tag + " " + t("removed", "removed"); });
        li.appendChild(label);
        li.appendChild(rm);
        list.appendChild(li);
      });
      var full = tags.length >= max;
      entry.placeholder = full ? t("full", "Maximum reached") + " (" + max + ")" : (tags.length ? t("more", "Add another…") : t("empty", "Type and press Enter"));
      entry.readOnly = full;
      document.querySelectorAll("[data-suggest-tag]").forEach(function (b) {
        var on = tags.some(function (t) { return t.toLowerCase() === b.getAttribute("data-suggest-tag").toLowerCase(); });
        b.disabled = full || on;
        b.classList.toggle("opacity-50", b.disabled);
      });
    }

    var text = t;
    function add(raw) {
      splitTags(raw).forEach(function (t) {
        if (tags.length >= max) return;
        if (tags.some(function (x) { return x.toLowerCase() === t.toLowerCase(); })) return;
        tags.push(t);
        status.textContent = t + " " + text("added", "added");
      });
      sync();
    }

    entry.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === ",") {
        if (entry.value.trim()) { e.preventDefault(); add(entry.value); entry.value = ""; }
        else if (e.key === ",") { e.preventDefault(); }
      } else if (e.key === "Backspace" && !entry.value && tags.length) {
        tags.pop();
        sync();
      }
    });
    entry.addEventListener("change", function () {
      // Picking an option from the datalist.
      if (entry.value.trim() && tags.length < max) { add(entry.value); entry.value = ""; }
    });
    var form = original.form;
    if (form) form.addEventListener("submit", function () {
      if (entry.value.trim()) { add(entry.value); entry.value = ""; }
    });
    document.querySelectorAll("[data-suggest-tag]").forEach(function (b) {
      b.addEventListener("click", function () { add(b.getAttribute("data-suggest-tag")); entry.focus(); });
    });
    sync();
  }

  // --- Password strength -------------------------------------------------------------------------
  var STRENGTH = ["Too weak", "Weak", "Fair", "Good", "Strong"];  // replaced by data-labels when present
  var COLOURS = ["bg-red-600", "bg-red-600", "bg-amber-500", "bg-emerald-600", "bg-emerald-600"];
  function scorePassword(pw) {
    if (!pw) return -1;
    var score = 0;
    if (pw.length >= 8) score++;
    if (pw.length >= 12) score++;
    if (/[a-z]/.test(pw) && /[A-Z]/.test(pw)) score++;
    if (/\d/.test(pw)) score++;
    if (/[^A-Za-z0-9]/.test(pw)) score++;
    if (pw.length < 8 || /^\d+$/.test(pw) || /^(password|qwerty|123456|iloveyou|abc123)/i.test(pw)) score = Math.min(score, 1);
    return Math.min(score, 4);
  }
  function enhancePasswordMeter(input) {
    var meter = document.querySelector("[data-password-strength]");
    if (!meter) return;
    var bars = meter.querySelectorAll("[data-bar]");
    var label = meter.querySelector("[data-strength-label]");
    var names = STRENGTH;
    try { names = JSON.parse(meter.getAttribute("data-labels")) || STRENGTH; } catch (e) { /* keep English */ }
    var prefix = meter.getAttribute("data-prefix") || "Password strength:";
    function update() {
      var s = scorePassword(input.value);
      meter.hidden = s < 0;
      bars.forEach(function (bar, i) {
        COLOURS.concat(["bg-surface-2"]).forEach(function (c) { bar.classList.remove(c); });
        bar.classList.add(i < Math.max(s, 1) && s >= 0 ? COLOURS[Math.max(s, 0)] : "bg-surface-2");
      });
      if (s >= 0) label.textContent = prefix + " " + names[s];
    }
    input.addEventListener("input", update);
    update();
  }

  // --- Character counter -------------------------------------------------------------------------
  function enhanceCounter(out) {
    var field = document.getElementById(out.getAttribute("data-char-count-for"));
    if (!field) return;
    var min = parseInt(out.getAttribute("data-min"), 10) || 0;
    var max = parseInt(out.getAttribute("data-max"), 10) || 0;
    function update() {
      var n = field.value.trim().length;
      var msg = n + " / " + max;
      if (n < min) msg += " · " + (out.getAttribute("data-more-needed") || "%s more needed").replace("%s", String(min - n));
      out.textContent = msg;
      out.classList.toggle("text-emerald-800", n >= min && n <= max);
      out.classList.toggle("dark:text-emerald-300", n >= min && n <= max);
    }
    field.addEventListener("input", update);
    update();
  }

  // --- Avatar preview ----------------------------------------------------------------------------
  function enhanceAvatar(input) {
    var box = document.querySelector("[data-avatar-preview]");
    if (!box) return;
    var img = box.querySelector("[data-preview-img]");
    var initials = box.querySelector("[data-preview-initials]");
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file || !/^image\//.test(file.type) || !img) return;
      img.src = URL.createObjectURL(file);
      img.classList.remove("hidden");
      if (initials) initials.classList.add("hidden");
    });
  }

  // --- Max checked boxes -------------------------------------------------------------------------
  function enhanceMaxChecked(group) {
    var max = parseInt(group.getAttribute("data-max-checked"), 10) || 5;
    var boxes = group.querySelectorAll("input[type=checkbox]");
    function update() {
      var count = Array.prototype.filter.call(boxes, function (b) { return b.checked; }).length;
      boxes.forEach(function (b) { if (!b.checked) b.disabled = count >= max; });
    }
    boxes.forEach(function (b) { b.addEventListener("change", update); });
    update();
  }

  function init() {
    document.querySelectorAll("input[data-tag-input]").forEach(enhanceTagInput);
    document.querySelectorAll("input[data-password-meter]").forEach(enhancePasswordMeter);
    document.querySelectorAll("[data-char-count-for]").forEach(enhanceCounter);
    document.querySelectorAll('input[type=file][accept^="image/"]').forEach(enhanceAvatar);
    document.querySelectorAll("[data-max-checked]").forEach(enhanceMaxChecked);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
