// Mentor analytics charts: data from the page's json_script block, drawn with the vendored
// Chart.js (global `Chart`). A canvas exists only where the page has data to show.
(function () {
  "use strict";

  function css(name, fallback) {
    const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function draw() {
    const source = document.getElementById("analytics-data");
    if (!source || typeof window.Chart === "undefined") return;
    const data = JSON.parse(source.textContent);
    const ink = css("--color-ink-muted", "#64748b");
    const primary = "#4f46e5";
    const emerald = "#059669";
    const amber = "#d97706";
    const grid = "rgba(148, 163, 184, 0.25)";
    window.Chart.defaults.color = ink;
    window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    const base = {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "index", intersect: false },
      plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
    };
    const charts = {
      sessions: () => ({
        type: "bar",
        data: {
          labels: data.labels,
          datasets: [
            { label: "Sessions", data: data.sessions, backgroundColor: primary, yAxisID: "y" },
            { label: "Seats booked", data: data.seats, backgroundColor: emerald, yAxisID: "y" },
            { type: "line", label: "Fill rate %", data: data.fill, borderColor: amber, backgroundColor: amber, yAxisID: "fill", spanGaps: true, tension: 0.3 },
          ],
        },
        options: {
          ...base,
          scales: {
            y: { beginAtZero: true, ticks: { precision: 0 }, grid: { color: grid } },
            fill: { position: "right", min: 0, max: 100, grid: { display: false }, ticks: { callback: (v) => v + "%" } },
            x: { grid: { display: false } },
          },
        },
      }),
      ratings: () => ({
        type: "line",
        data: { labels: data.labels, datasets: [{ label: "Average rating", data: data.rating, borderColor: amber, backgroundColor: amber, spanGaps: true, tension: 0.3 }] },
        options: { ...base, scales: { y: { min: 1, max: 5, grid: { color: grid } }, x: { grid: { display: false } } } },
      }),
      followers: () => ({
        type: "line",
        data: { labels: data.labels, datasets: [{ label: "Followers", data: data.followers, borderColor: primary, backgroundColor: "rgba(79, 70, 229, 0.15)", fill: true, tension: 0.3 }] },
        options: { ...base, scales: { y: { beginAtZero: true, ticks: { precision: 0 }, grid: { color: grid } }, x: { grid: { display: false } } } },
      }),
      earnings: () => ({
        type: "bar",
        data: { labels: data.earnings.map((e) => e.domain), datasets: [{ label: "Earned (₹)", data: data.earnings.map((e) => e.rupees), backgroundColor: emerald }] },
        options: { ...base, indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, grid: { color: grid } }, y: { grid: { display: false } } } },
      }),
    };
    document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
      const make = charts[canvas.dataset.chart];
      if (make) {
        const chart = new window.Chart(canvas, make());
        canvas.dataset.drawn = "true";
        canvas.chart = chart;
      }
    });
  }

  function autosubmit() {
    document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
      const form = select.form;
      const button = form && form.querySelector("[data-autosubmit-button]");
      if (button) button.hidden = true;
      select.addEventListener("change", () => form.requestSubmit());
    });
  }

  function start() {
    draw();
    autosubmit();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
