/* Money pages (payout details, earnings).
   - Payout details: only the fields of the chosen method (UPI or bank account) are shown; without
     JavaScript both are, and the server validates whichever is chosen.
   - Earnings: the daily earnings chart (Chart.js, vendored) from the server's JSON
     (json_script #earnings-series), switchable between 30 and 90 days. */
(function () {
  "use strict";

  function syncMethod(form) {
    var checked = form.querySelector("input[name=method]:checked");
    var method = checked ? checked.value : "upi";
    form.querySelectorAll("[data-method-panel]").forEach(function (panel) {
      panel.hidden = panel.getAttribute("data-method-panel") !== method;
    });
  }

  function bindPayoutForm() {
    document.querySelectorAll("[data-payout-form]").forEach(function (form) {
      syncMethod(form);
      form.addEventListener("change", function (ev) {
        if (ev.target && ev.target.name === "method") syncMethod(form);
      });
    });
  }

  function rupees(paise) {
    return "₹" + (paise / 100).toLocaleString("en-IN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  function bindChart() {
    var source = document.getElementById("earnings-series");
    var canvas = document.getElementById("earnings-chart");
    if (!source || !canvas || !window.Chart) return;
    var series = JSON.parse(source.textContent);
    var styles = getComputedStyle(document.documentElement);
    var color = (styles.getPropertyValue("--color-primary-600") || "").trim() || "#d9431f";
    var chart = null;
    function show(days) {
      var data = series[days];
      var empty = document.querySelector("[data-chart-empty]");
      var total = data.values.reduce(function (a, b) { return a + b; }, 0);
      if (empty) empty.hidden = total !== 0;
      canvas.hidden = total === 0;
      canvas.setAttribute("data-points", String(data.values.filter(function (v) { return v > 0; }).length));
      document.querySelectorAll("[data-chart-range]").forEach(function (b) {
        b.setAttribute("aria-pressed", b.getAttribute("data-chart-range") === days ? "true" : "false");
      });
      if (total === 0) return;
      if (chart) chart.destroy();
      chart = new window.Chart(canvas, {
        type: "bar",
        data: { labels: data.labels, datasets: [{ label: canvas.getAttribute("data-label"), data: data.values.map(function (v) { return v / 100; }), backgroundColor: color, borderRadius: 4 }] },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          plugins: { legend: { display: false }, tooltip: { callbacks: { label: function (ctx) { return rupees(Math.round(ctx.parsed.y * 100)); } } } },
          scales: { y: { beginAtZero: true, ticks: { callback: function (v) { return "₹" + v; } } }, x: { ticks: { maxTicksLimit: 8 } } },
        },
      });
    }
    document.querySelectorAll("[data-chart-range]").forEach(function (b) {
      b.addEventListener("click", function () { show(b.getAttribute("data-chart-range")); });
    });
    show("30");
  }

  function init() { bindPayoutForm(); bindChart(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
