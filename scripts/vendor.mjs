// Copy the front-end files PeerLearn serves from node_modules into static/ (committed).
// Development-time only: running the app never needs Node. Usage: `node scripts/vendor.mjs`.
import { copyFileSync, mkdirSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const nm = (...p) => join(root, "node_modules", ...p);
const out = (...p) => join(root, "static", ...p);

function copy(src, dest) {
  if (!existsSync(src)) throw new Error(`missing ${src} (run npm install)`);
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(src, dest);
  console.log(`  ${dest.replace(root + "/", "")}`);
}

// A script without its source map comment: the map is not shipped, and collectstatic's manifest
// step (production) refuses a reference to a missing file.
function copyScript(src, dest) {
  copy(src, dest);
  writeFileSync(dest, readFileSync(dest, "utf8").replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, "\n"));
}

console.log("vendor: scripts");
copy(nm("htmx.org", "dist", "htmx.min.js"), out("vendor", "htmx.min.js"));
copyScript(nm("chart.js", "dist", "chart.umd.min.js"), out("vendor", "chart.umd.min.js"));

console.log("vendor: fonts");
// Inter as one variable file (every weight, 47 KiB) where four static weights took 96 KiB and a page
// typically needed three of them; Poppins (headings) stays static: 8 KiB a weight.
copy(nm("@fontsource-variable", "inter", "files", "inter-latin-wght-normal.woff2"), out("fonts", "inter-latin-wght-normal.woff2"));
for (const weight of [400, 500, 600, 700]) {
  const name = `poppins-latin-${weight}-normal.woff2`;
  copy(nm("@fontsource", "poppins", "files", name), out("fonts", name));
}

// Heroicons (24/outline): only the icons the templates use; the {% icon %} tag inlines them.
const ICONS = [
  "academic-cap", "arrow-down-tray", "arrow-left", "arrow-right", "arrow-right-start-on-rectangle",
  "arrow-path", "arrow-top-right-on-square", "banknotes", "bars-3", "bell", "bell-slash", "book-open",
  "calendar", "calendar-days", "chart-bar", "chart-pie", "chat-bubble-left-right", "check", "check-circle",
  "chevron-down", "chevron-right", "clipboard-document-list", "clock", "cog-6-tooth", "computer-desktop",
  "credit-card", "currency-rupee", "document-text", "envelope", "exclamation-circle", "exclamation-triangle",
  "eye", "face-frown", "flag", "home", "inbox", "information-circle", "lifebuoy", "light-bulb", "lock-closed",
  "magnifying-glass", "map", "megaphone", "microphone", "moon", "no-symbol", "pencil-square", "play",
  "play-circle", "plus", "presentation-chart-line", "question-mark-circle", "receipt-refund", "rocket-launch",
  "shield-check", "shopping-cart", "signal", "sparkles", "star", "sun", "ticket", "user", "user-circle",
  "user-group", "user-plus", "users", "video-camera", "wallet", "wifi", "x-mark",
];
console.log(`vendor: ${ICONS.length} heroicons`);
for (const name of ICONS) {
  const src = nm("heroicons", "24", "outline", `${name}.svg`);
  if (!existsSync(src)) throw new Error(`unknown heroicon ${name}`);
  mkdirSync(out("icons"), { recursive: true });
  // Strip the fixed size so CSS classes decide it; keep viewBox, stroke and paths.
  const svg = readFileSync(src, "utf8").replace(/\s(width|height)="24"/g, "").trim();
  writeFileSync(out("icons", `${name}.svg`), svg + "\n");
}
console.log("vendor: done");
