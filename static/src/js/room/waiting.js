// Room not open yet: count down to the opening time and reload when it arrives. Also handles the
// feedback form on the ended page (plain form post works without this file).

const cfg = JSON.parse(document.getElementById("room-config").textContent);
const el = document.getElementById("opens-countdown");
if (el) {
  const offset = new Date(cfg.serverNow).getTime() - Date.now();
  const target = new Date(cfg.opens).getTime();
  const pad = (n) => String(n).padStart(2, "0");
  const tick = () => {
    const left = Math.max(0, Math.round((target - (Date.now() + offset)) / 1000));
    const h = Math.floor(left / 3600);
    const m = Math.floor((left % 3600) / 60);
    el.textContent = `Opens in ${h ? h + ":" : ""}${pad(m)}:${pad(left % 60)}`;
    if (left <= 0) location.reload();
  };
  tick();
  setInterval(tick, 1000);
}
