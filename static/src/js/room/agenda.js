// Agenda: each item's share of the session, measured on the shared elapsed clock (so it pauses
// with the timer). agendaProgress() is the pure part (tested by node --test).

// For item durations in minutes and the seconds counted so far: per item whether it is the
// current one, whether it is done, how far along it is (0..1) and the minutes left in it.
export function agendaProgress(minutes, elapsedSec) {
  const now = elapsedSec / 60;
  let acc = 0;
  return minutes.map((m) => {
    const from = acc;
    acc += m;
    const current = now >= from && now < acc;
    return {
      current,
      done: now >= acc && m > 0,
      fraction: m ? Math.min(1, Math.max(0, (now - from) / m)) : 0,
      minutesLeft: current ? Math.ceil(Math.max(0, acc - now)) : null,
    };
  });
}

// The item running now and the minutes left in it, or null once the agenda is over.
export function currentItem(minutes, elapsedSec) {
  const progress = agendaProgress(minutes, elapsedSec);
  const index = progress.findIndex((p) => p.current);
  return index === -1 ? null : { index, minutesLeft: progress[index].minutesLeft };
}

export class Agenda {
  // t(key, vars) gives the translated "minutesLeftOne"/"minutesLeftOther" with {n}.
  constructor(root, { t }) {
    this.t = t;
    this.items = root ? Array.from(root.querySelectorAll("li")) : [];
    this.minutes = this.items.map((li) => Number(li.dataset.minutes) || 0);
    // The server-rendered "N min" label, shown again when an item is not the current one.
    this.labels = this.items.map((li) => li.querySelector("[data-time]").textContent);
  }

  render(elapsedSec) {
    agendaProgress(this.minutes, elapsedSec).forEach((p, i) => {
      const li = this.items[i];
      li.dataset.current = String(p.current);
      li.dataset.done = String(p.done);
      li.querySelector(".rm-agenda-bar i").style.transform = `scaleX(${p.fraction.toFixed(3)})`;
      li.querySelector("[data-time]").textContent = p.current
        ? this.t(p.minutesLeft === 1 ? "minutesLeftOne" : "minutesLeftOther", { n: p.minutesLeft })
        : this.labels[i];
    });
  }
}
