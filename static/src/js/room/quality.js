// Network quality badge: every 2 s, loss, RTT and bitrate of the first peer connection.

const $ = (id) => document.getElementById(id);
const LABEL_KEYS = { good: "qualityGood", fair: "qualityFair", poor: "qualityPoor", unknown: "qualityUnknown" };

export function watchQuality({ peers, t }) {
  const q = $("net-quality");
  return setInterval(async () => {
    const entry = peers.first();
    if (!entry) {
      q.hidden = true;
      return;
    }
    const s = await entry.peer.quality().catch(() => null);
    if (!s) return;
    q.hidden = false;
    q.dataset.q = s.level;
    const label = t(LABEL_KEYS[s.level]);
    $("net-quality-label").textContent = label;
    const parts = [t("network", { quality: label })];
    if (s.rtt != null) parts.push(t("networkRtt", { ms: Math.round(s.rtt * 1000) }));
    parts.push(t("networkLoss", { percent: s.loss.toFixed(1) }));
    if (s.kbps != null) parts.push(t("networkKbps", { kbps: Math.round(s.kbps) }));
    q.title = parts.join(" · ");
    q.setAttribute("aria-label", q.title);
  }, 2000);
}
