// Room not open yet: count down to the opening time and reload when it arrives.

import { pageStrings } from "./strings.js";
import { fmt } from "./timer.js";

const cfg = JSON.parse(document.getElementById("room-config").textContent);
const t = pageStrings();
const el = document.getElementById("opens-countdown");
if (el) {
  const offset = new Date(cfg.serverNow).getTime() - Date.now();
  const target = new Date(cfg.opens).getTime();
  const tick = () => {
    const left = Math.max(0, Math.round((target - (Date.now() + offset)) / 1000));
    el.textContent = t("opensIn", { time: fmt(left) });
    if (left <= 0) location.reload();
  };
  tick();
  setInterval(tick, 1000);
}
