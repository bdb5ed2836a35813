// The side panel: its tabs (chat, board, topics, agenda), open/close, and the whiteboard toolbar.

const $ = (id) => document.getElementById(id);
const TABS = ["chat", "board", "topics", "agenda"];

export class Panel {
  // onShow(tab) runs when a tab comes on screen (selected while the panel is open, or the panel opens on it).
  constructor({ onShow }) {
    this.onShow = onShow;
    this.active = "chat";
    this.open = window.matchMedia("(min-width: 1024px)").matches;
    TABS.forEach((name, i) => {
      const tab = $(`tab-${name}`);
      tab.addEventListener("click", () => this.select(name));
      tab.addEventListener("keydown", (e) => {
        if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
        const next = TABS[(i + (e.key === "ArrowRight" ? 1 : TABS.length - 1)) % TABS.length];
        this.select(next);
        $(`tab-${next}`).focus();
      });
    });
    $("ctl-panel").addEventListener("click", () => this.setOpen(!this.open));
    $("panel-close").addEventListener("click", () => this.setOpen(false));
    this.setOpen(this.open);
    this.select("chat");
  }

  // Whether `name` is on screen now.
  shows(name) {
    return this.open && this.active === name;
  }

  select(name) {
    this.active = name;
    TABS.forEach((t) => {
      const tab = $(`tab-${t}`);
      tab.setAttribute("aria-selected", String(t === name));
      tab.tabIndex = t === name ? 0 : -1;
      $(`pane-${t}`).hidden = t !== name;
    });
    if (this.open) this.onShow(name);
  }

  setOpen(open) {
    this.open = open;
    $("call").classList.toggle("rm-panel-hidden", !open);
    $("ctl-panel").setAttribute("aria-pressed", String(open));
    if (open) this.onShow(this.active);
  }
}

// Pen/eraser and colour buttons of the whiteboard.
export function wireBoardTools(board) {
  const tools = document.querySelectorAll("[data-tool]");
  const colors = document.querySelectorAll("[data-color]");
  tools.forEach((b) =>
    b.addEventListener("click", () => {
      board.tool = b.dataset.tool;
      tools.forEach((x) => x.setAttribute("aria-pressed", String(x === b)));
    }),
  );
  colors.forEach((b) =>
    b.addEventListener("click", () => {
      board.color = b.dataset.color;
      board.tool = "pen";
      colors.forEach((x) => x.setAttribute("aria-pressed", String(x === b)));
      tools.forEach((x) => x.setAttribute("aria-pressed", String(x.dataset.tool === "pen")));
    }),
  );
  $("board-clear").addEventListener("click", () => board.clear());
}
