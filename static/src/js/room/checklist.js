// Topics checklist: ticks are sent to the room, persisted, and applied from either side.

export class Checklist {
  constructor(root, progressEl, { send, t }) {
    this.root = root;
    this.t = t;
    this.progressEl = progressEl;
    this.boxes = root ? Array.from(root.querySelectorAll("input[data-topic]")) : [];
    this.boxes.forEach((box) =>
      box.addEventListener("change", () => {
        send({ type: "check", topic: box.dataset.topic, done: box.checked });
        this.progress();
      }),
    );
    this.progress();
  }

  set(topic, done) {
    const box = this.boxes.find((b) => b.dataset.topic === topic);
    if (box) box.checked = done;
    this.progress();
  }

  load(items) {
    items.forEach((i) => this.set(i.topic, i.done));
  }

  progress() {
    if (!this.progressEl) return;
    const done = this.boxes.filter((b) => b.checked).length;
    this.progressEl.textContent = this.t("topicsCovered", { done, total: this.boxes.length });
  }
}
