// Chat list: text is always inserted as text nodes (never HTML); http(s) links become anchors
// built with DOM APIs, so nothing a user types can run or restyle the page.

const URL_RE = /\bhttps?:\/\/[^\s<>"']+/gi;

function linkify(el, text) {
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    if (m.index > last) el.append(document.createTextNode(text.slice(last, m.index)));
    const a = document.createElement("a");
    a.href = m[0];
    a.textContent = m[0];
    a.rel = "noopener noreferrer nofollow";
    a.target = "_blank";
    el.append(a);
    last = m.index + m[0].length;
  }
  if (last < text.length) el.append(document.createTextNode(text.slice(last)));
}

export class Chat {
  constructor({ list, empty, form, input, badges, me, send, isVisible, t }) {
    Object.assign(this, { list, empty, form, input, badges, me, send, isVisible, t });
    this.ids = new Set();
    this.unread = 0;
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const body = input.value.trim();
      if (!body) return;
      send({ type: "chat", body });
      input.value = "";
    });
  }

  load(messages) {
    messages.forEach((m) => this.add(m, { silent: true }));
  }

  add(m, { silent = false } = {}) {
    if (this.ids.has(m.id)) return;
    this.ids.add(m.id);
    const li = document.createElement("li");
    li.className = "rm-msg" + (m.author === this.me ? " rm-mine" : "");
    li.dataset.id = m.id;
    const meta = document.createElement("p");
    meta.className = "rm-msg-meta";
    const t = new Date(m.at);
    meta.textContent = `${m.author === this.me ? this.t("you") : m.name} · ${t.toLocaleTimeString(document.documentElement.lang || undefined, { hour: "numeric", minute: "2-digit", hour12: true })}`;
    const body = document.createElement("div");
    body.className = "rm-msg-body";
    linkify(body, m.body);
    li.append(meta, body);
    this.list.append(li);
    this.empty.hidden = true;
    this.list.scrollTop = this.list.scrollHeight;
    if (!silent && m.author !== this.me && !this.isVisible()) this.setUnread(this.unread + 1);
  }

  setUnread(n) {
    this.unread = n;
    for (const b of this.badges) {
      b.textContent = n > 9 ? "9+" : String(n);
      b.hidden = n === 0;
      b.setAttribute("aria-label", this.t("unread", { n }));
    }
  }
}
