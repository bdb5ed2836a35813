// Lighthouse (mobile preset: Lighthouse's default config, simulated slow 4G and a mid-range phone)
// for the landing page, the catalogue and one session detail page, driving the OS Chromium headless.
//
//   flock /tmp/heavy.lock node bench/lighthouse.mjs [BASE_URL]
//
// Without BASE_URL it serves the app itself the way `make run` does (daphne, embedded profile, a
// throwaway var dir migrated and seeded with `seed_demo`), with static files collected and served
// hashed and compressed as in production (STATIC_MANIFEST=true). CHROME_PATH overrides the browser
// (default: `chromium` on PATH). Prints performance / accessibility / best-practices scores, the
// landing page's transfer size (all of it, and what arrived before the first contentful paint),
// the audits that lost points and every best-practices audit that did not pass (unscored ones too,
// such as csp-xss); writes a summary and each page's full Lighthouse report (JSON) to bench/results/.
// Loopback only.
import { spawn, spawnSync, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const PY = join(ROOT, ".venv", "bin", "python");
const CATEGORIES = ["performance", "accessibility", "best-practices"];
const TARGETS = { performance: 95, accessibility: 100, "best-practices": 95 };
const CHROME_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"];

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

async function waitFor(url, proc, seconds) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`the server exited early (${proc.exitCode})`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not answer within ${seconds} s`);
}

// The app as `make run` serves it, in a throwaway var dir; returns {base, stop}.
async function serveApp() {
  const varDir = mkdtempSync(join(tmpdir(), "peerlearn-lighthouse-"));
  const env = { ...process.env, PEERLEARN_VAR_DIR: varDir, STATIC_MANIFEST: "true", PYTHONWARNINGS: "ignore" };
  for (const name of ["DATABASE_URL", "REDIS_URL", "SQLITE_PATH", "DEBUG", "CELERY_TASK_ALWAYS_EAGER"]) delete env[name];
  for (const args of [["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"], ["seed_demo"]]) {
    const done = spawnSync(PY, ["manage.py", ...args], { cwd: ROOT, env, stdio: ["ignore", "ignore", "inherit"] });
    if (done.status !== 0) throw new Error(`manage.py ${args[0]} failed`);
  }
  const port = await freePort();
  const proc = spawn("bash", ["scripts/run.sh", "127.0.0.1", String(port)], {
    cwd: ROOT,
    env,
    stdio: "ignore",
    detached: true, // its own process group, stopped as one
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/healthz`, proc, 60);
  const stop = async () => {
    try {
      process.kill(-proc.pid, "SIGTERM"); // run.sh's trap stops daphne and the worker
    } catch {
      // already gone
    }
    await new Promise((r) => setTimeout(r, 1500));
    rmSync(varDir, { recursive: true, force: true });
  };
  return { base, stop };
}

function score(lhr, id) {
  const s = lhr.categories[id]?.score;
  return s === null || s === undefined ? null : Math.round(s * 100);
}

// Audits that count towards a category and did not get full marks, heaviest first.
function failing(lhr) {
  const out = [];
  for (const id of CATEGORIES) {
    for (const ref of lhr.categories[id].auditRefs) {
      const audit = lhr.audits[ref.id];
      if (ref.weight > 0 && audit.score !== null && audit.score < 1) {
        out.push({
          category: id,
          id: ref.id,
          weight: ref.weight,
          score: audit.score,
          title: audit.title,
          value: audit.displayValue || "",
          items: describe(ref.id === "cumulative-layout-shift" ? lhr.audits["layout-shifts"] : audit),
        });
      }
    }
  }
  return out.sort((a, b) => b.weight * (1 - b.score) - a.weight * (1 - a.score));
}

// Every best-practices audit that did not pass, scored or not (csp-xss and the like weigh 0 but still
// say what is wrong): failed, informative with findings, or errored. Not-applicable and manual audits
// are left out.
function bestPracticesFindings(lhr) {
  const out = [];
  for (const ref of lhr.categories["best-practices"].auditRefs) {
    const audit = lhr.audits[ref.id];
    const mode = audit.scoreDisplayMode;
    if (mode === "notApplicable" || mode === "manual") continue;
    const items = audit.details?.items ?? [];
    const failed = audit.score !== null && audit.score < 1;
    if (failed || mode === "error" || (mode === "informative" && items.length)) {
      out.push({ id: ref.id, weight: ref.weight, score: audit.score, mode, title: audit.title, value: audit.displayValue || audit.errorMessage || "", items: describe(audit) });
    }
  }
  return out;
}

// A few words on what an audit found: the first items of its details table.
function describe(audit) {
  const items = audit?.details?.items ?? [];
  return items.slice(0, 3).map((item) => {
    const where = item.node?.selector || item.source?.url || item.url || "";
    const said = item.value ?? item.description ?? item.directive;
    const what = typeof said === "string" ? said : item.score !== undefined ? `shift ${Number(item.score).toFixed(3)}` : "";
    const text = [what, where].filter(Boolean).join(" @ ");
    return (text || JSON.stringify(item)).slice(0, 200);
  });
}

// Bytes over the network in total, and in requests that finished before the first contentful paint.
function transfer(lhr) {
  const total = lhr.audits["total-byte-weight"].numericValue;
  const fcp = lhr.audits.metrics?.details?.items?.[0]?.observedFirstContentfulPaint;
  const requests = lhr.audits["network-requests"]?.details?.items ?? [];
  const start = Math.min(...requests.map((r) => r.networkRequestTime ?? Infinity));
  const beforePaint = requests
    .filter((r) => fcp !== undefined && r.networkEndTime !== undefined && r.networkEndTime - start <= fcp)
    .reduce((sum, r) => sum + (r.transferSize || 0), 0);
  return { totalBytes: total, beforeFcpBytes: fcp === undefined ? null : beforePaint, requests: requests.length };
}

async function main() {
  const given = process.argv[2];
  const server = given ? { base: given.replace(/\/$/, ""), stop: async () => {} } : await serveApp();
  const chromePath = process.env.CHROME_PATH || execFileSync("which", ["chromium"]).toString().trim();
  let chrome;
  const results = [];
  const reports = [];
  try {
    // One session detail page: the first session the landing page links to.
    const landing = await (await fetch(`${server.base}/`)).text();
    const detail = landing.match(/href="(\/sessions\/\d+\/)"/);
    const pages = [
      ["landing", "/"],
      ["catalogue", "/sessions/"],
      ["session detail", detail ? detail[1] : null],
    ].filter(([, path]) => path);
    chrome = await chromeLauncher.launch({ chromePath, chromeFlags: CHROME_FLAGS });
    for (const [name, path] of pages) {
      const run = await lighthouse(`${server.base}${path}`, {
        port: chrome.port,
        output: "json",
        logLevel: "error",
        onlyCategories: CATEGORIES,
      });
      const lhr = run.lhr;
      if (lhr.runtimeError) throw new Error(`${name}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
      results.push({
        name,
        path,
        scores: Object.fromEntries(CATEGORIES.map((c) => [c, score(lhr, c)])),
        metrics: {
          fcp_ms: Math.round(lhr.audits["first-contentful-paint"].numericValue),
          lcp_ms: Math.round(lhr.audits["largest-contentful-paint"].numericValue),
          tbt_ms: Math.round(lhr.audits["total-blocking-time"].numericValue),
          cls: Number(lhr.audits["cumulative-layout-shift"].numericValue.toFixed(3)),
        },
        transfer: transfer(lhr),
        failing: failing(lhr),
        bestPractices: bestPracticesFindings(lhr),
      });
      reports.push([name, run.report]);
    }
  } finally {
    if (chrome) await chrome.kill();
    await server.stop();
  }

  const kib = (b) => (b === null ? "n/a" : `${(b / 1024).toFixed(1)} KiB`);
  console.log(`\nLighthouse 12.2.3, mobile preset, ${chromePath} --headless=new; targets: perf >= 95, a11y 100, best practices >= 95`);
  console.log(`${"page".padEnd(16)} ${"perf".padStart(5)} ${"a11y".padStart(5)} ${"best".padStart(5)}  ${"FCP".padStart(7)} ${"LCP".padStart(7)} ${"TBT".padStart(6)} ${"CLS".padStart(6)}  transfer`);
  for (const r of results) {
    const s = r.scores;
    const m = r.metrics;
    console.log(
      `${r.name.padEnd(16)} ${String(s.performance).padStart(5)} ${String(s.accessibility).padStart(5)} ${String(s["best-practices"]).padStart(5)}  ` +
        `${String(m.fcp_ms).padStart(5)}ms ${String(m.lcp_ms).padStart(5)}ms ${String(m.tbt_ms).padStart(4)}ms ${String(m.cls).padStart(6)}  ${kib(r.transfer.totalBytes)} (${r.transfer.requests} requests)`,
    );
  }
  const landing = results.find((r) => r.name === "landing");
  if (landing) {
    console.log(`landing transfer: ${kib(landing.transfer.totalBytes)} in all, ${kib(landing.transfer.beforeFcpBytes)} finished before the first contentful paint (target <= 150 KiB)`);
  }
  for (const r of results) {
    console.log(`\n${r.name} ${r.path}: best-practices audits not passed (scored or not): ${r.bestPractices.length ? "" : "none"}`);
    for (const f of r.bestPractices) {
      console.log(`  ${f.id} (${f.mode}, score ${f.score}, weight ${f.weight}) ${f.title}${f.value ? ` — ${f.value}` : ""}`);
      for (const item of f.items) if (item) console.log(`      ${item}`);
    }
  }
  for (const r of results) {
    if (!r.failing.length) continue;
    console.log(`\n${r.name} ${r.path}: audits below full marks (heaviest first)`);
    for (const f of r.failing.slice(0, 8)) {
      console.log(`  [${f.category}] ${f.id} (score ${f.score}, weight ${f.weight}) ${f.title}${f.value ? ` — ${f.value}` : ""}`);
      for (const item of f.items) if (item) console.log(`      ${item}`);
    }
  }
  const results_dir = join(ROOT, "bench", "results");
  mkdirSync(results_dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const file = join(results_dir, `lighthouse-${stamp}.json`);
  writeFileSync(file, JSON.stringify({ base: server.base, targets: TARGETS, results }, null, 2));
  for (const [name, report] of reports) {
    writeFileSync(join(results_dir, `lighthouse-${stamp}-${name.replace(/\W+/g, "-")}.report.json`), report);
  }
  console.log(`\nwrote bench/results/lighthouse-${stamp}.json and the pages' full reports beside it`);
  const met = results.every((r) => CATEGORIES.every((c) => (r.scores[c] ?? 0) >= TARGETS[c]));
  process.exitCode = met ? 0 : 1;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 2;
});
