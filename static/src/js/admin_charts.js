// The admin overview's revenue and growth charts. The numbers come from the server as JSON
// (json_script "admin-series"); Chart.js is the vendored UMD build (window.Chart). Each chart also
// has a table of the same figures under it, and the page says so when a period has no data.

const COLORS = {
  gmv: "#e8552f",
  revenue: "#7c4dcc",
  refunds: "#d4a017",
  learners: "#0f766e",
  mentors: "#7c4dcc",
};

function inkColor(el) {
  return getComputedStyle(el).color || "#555";
}

function rupees(value) {
  return "₹" + Number(value).toLocaleString("en-IN", { maximumFractionDigits: 2 });
}

function draw() {
  const source = document.getElementById("admin-series");
  if (!source || !window.Chart) return;
  const series = JSON.parse(source.textContent);
  const Chart = window.Chart;
  const money = document.getElementById("chart-money");
  const growth = document.getElementById("chart-growth");
  const common = (el, money) => ({
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    interaction: { mode: "index", intersect: false },
    plugins: {
      legend: { labels: { color: inkColor(el), boxWidth: 12 } },
      tooltip: money ? { callbacks: { label: (c) => `${c.dataset.label}: ${rupees(c.parsed.y)}` } } : {},
    },
    scales: {
      x: { ticks: { color: inkColor(el), maxRotation: 0, autoSkip: true, maxTicksLimit: 8 }, grid: { display: false } },
      y: {
        beginAtZero: true,
        ticks: { color: inkColor(el), precision: 0, callback: money ? (v) => rupees(v) : undefined },
      },
    },
  });
  if (money) {
    const labels = JSON.parse(money.closest("[data-admin-charts]").dataset.moneyLabels || "{}");
    new Chart(money, {
      type: "bar",
      data: {
        labels: series.labels,
        datasets: [
          { label: labels.gmv || "GMV", data: series.gmv, backgroundColor: COLORS.gmv },
          { label: labels.revenue || "Platform revenue", data: series.revenue, backgroundColor: COLORS.revenue },
          { label: labels.refunds || "Refunds", data: series.refunds, backgroundColor: COLORS.refunds },
        ],
      },
      options: common(money, true),
    });
    money.dataset.drawn = "true";
  }
  if (growth) {
    const labels = JSON.parse(growth.closest("[data-admin-charts]").dataset.growthLabels || "{}");
    new Chart(growth, {
      type: "line",
      data: {
        labels: series.labels,
        datasets: [
          { label: labels.learners || "Learners", data: series.learners, borderColor: COLORS.learners, backgroundColor: COLORS.learners, tension: 0.25 },
          { label: labels.mentors || "Mentors", data: series.mentors, borderColor: COLORS.mentors, backgroundColor: COLORS.mentors, tension: 0.25 },
        ],
      },
      options: common(growth, false),
    });
    growth.dataset.drawn = "true";
  }
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", draw);
} else {
  draw();
}
