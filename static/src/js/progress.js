/* The learner's progress page: the sessions-per-week bar chart (Chart.js, vendored), data from the
   page's json_script block. Without JavaScript the screen-reader table next to it carries the figures. */
(function () {
  "use strict";
  function draw() {
    var canvas = document.getElementById("weekly-chart");
    var source = document.getElementById("weekly-data");
    if (!canvas || !source || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var css = getComputedStyle(document.documentElement);
    var bar = css.getPropertyValue("--color-primary-600").trim() || "#c93512";
    var ink = css.getPropertyValue("--color-ink-muted").trim() || "#555";
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: [{ label: data.label, data: data.counts, backgroundColor: bar, borderRadius: 6, maxBarThickness: 28 }] },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: {
          x: { ticks: { color: ink, maxRotation: 0, autoSkip: true }, grid: { display: false } },
          y: { beginAtZero: true, ticks: { color: ink, precision: 0 } },
        },
      },
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
