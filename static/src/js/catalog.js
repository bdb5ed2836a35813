/* Catalogue: skeletons while "Load more" fetches the next page (htmx), and filters that apply
   on change for selects/radios/checkboxes (the Apply button still works without JS). */
(function () {
  "use strict";
  document.addEventListener("htmx:beforeRequest", function (e) {
    var el = e.target;
    if (el && el.matches && el.matches("[data-load-more]")) {
      var box = el.closest("#load-more");
      var sk = box && box.querySelector("[data-load-skeleton]");
      if (sk) sk.hidden = false;
      el.setAttribute("aria-busy", "true");
    }
  });
  document.addEventListener("htmx:responseError", function (e) {
    var el = e.target;
    if (el && el.matches && el.matches("[data-load-more]")) {
      var sk = el.closest("#load-more").querySelector("[data-load-skeleton]");
      if (sk) sk.hidden = true;
      el.removeAttribute("aria-busy");
    }
  });
  document.addEventListener("change", function (e) {
    var t = e.target;
    var form = t && t.closest && t.closest("form[data-filter-form]");
    if (!form) return;
    if (t.tagName === "SELECT" || t.type === "radio" || t.type === "checkbox") form.requestSubmit();
  });
})();
