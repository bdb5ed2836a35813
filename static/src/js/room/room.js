// Live room entry point: pre-join, then the call (signalling, peers, media controls, side panel,
// timer, resilience, end and feedback). One module per concern; this file wires them together.

import { Chat } from "./chat.js";
import { Checklist } from "./checklist.js";
import { getScreen, stopStream } from "./media.js";
import { Peer } from "./peer.js";
import { prejoin } from "./prejoin.js";
import { Signalling } from "./signalling.js";
import { Timer } from "./timer.js";
import { Whiteboard } from "./whiteboard.js";

const cfg = JSON.parse(document.getElementById("room-config").textContent);
const $ = (id) => document.getElementById(id);
const app = $("room-app");
const announce = (text) => {
  const a = $("announcer");
  if (a) a.textContent = text;
};

async function fetchIce() {
  try {
    const r = await fetch(cfg.iceUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (r.ok) return await r.json();
  } catch {}
  return { iceServers: [], turn: false, ttl: 0 };
}

function postJSON(url, body, extra = {}) {
  return fetch(url, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": cfg.csrf, Accept: "application/json", ...extra }, body });
}

// Timing marks for tests and bench/room.py (only exposed with the test flag).
const marks = {};
export const mark = (name) => {
  if (!(name in marks)) marks[name] = performance.now();
};
if (cfg.testHooks) window.__marks = marks;

let timer = null;

async function main() {
  // The header clock counts down from the first paint (server time, skew-corrected).
  timer = new Timer($("timer"), {});
  timer.update({ start: cfg.start, end: cfg.end, elapsed: 0, running_since: null, now: cfg.serverNow, ended: false });
  const iceReady = fetchIce();
  const joined = await prejoin(cfg, iceReady);
  mark("join");
  const ice = await iceReady;
  app.dataset.phase = "call";
  $("prejoin").hidden = true;
  $("call").hidden = false;
  startCall(joined, ice);
}

function startCall({ stream, audioOn, videoOn }, ice) {
  const localVideo = $("local-video");
  const remoteVideo = $("remote-video");
  const tileLocal = $("tile-local");
  const tileRemote = $("tile-remote");
  const stage = $("stage");
  const callEl = $("call");
  const sig = new Signalling(cfg.wsPath);
  const peers = new Map(); // peer id -> {peer, info}
  const camTrack = stream.getVideoTracks()[0] || null;
  const micTrack = stream.getAudioTracks()[0] || null;
  const state = { audio: Boolean(micTrack) && audioOn, video: Boolean(camTrack) && videoOn, screen: false, lowBandwidth: false, hand: false };
  let screenStream = null;
  let ended = false;
  let me = null;
  if (micTrack) micTrack.enabled = state.audio;
  if (camTrack) camTrack.enabled = state.video;
  localVideo.srcObject = stream;
  localVideo.muted = true;

  // ---- side panel ----
  const tabs = ["chat", "board", "topics", "agenda"];
  let activeTab = "chat";
  const wide = () => window.matchMedia("(min-width: 1024px)").matches;
  let panelOpen = wide();
  const chat = new Chat({
    list: $("chat-list"), empty: $("chat-empty"), form: $("chat-form"), input: $("chat-input"),
    badges: [$("unread-badge"), $("tab-unread")], me: cfg.userId, send: (m) => sig.send(m),
    isVisible: () => panelOpen && activeTab === "chat",
  });
  const board = new Whiteboard($("board"), { send: (m) => sig.send(m) });
  const checklist = new Checklist($("checklist"), $("topics-progress"), { send: (m) => sig.send(m) });

  function selectTab(name) {
    activeTab = name;
    tabs.forEach((t) => {
      const tab = $(`tab-${t}`);
      tab.setAttribute("aria-selected", String(t === name));
      tab.tabIndex = t === name ? 0 : -1;
      $(`pane-${t}`).hidden = t !== name;
    });
    if (name === "board") board.resize();
    if (name === "chat" && panelOpen) chat.setUnread(0);
  }
  function setPanel(open) {
    panelOpen = open;
    callEl.classList.toggle("rm-panel-hidden", !open);
    $("ctl-panel").setAttribute("aria-pressed", String(open));
    if (open && activeTab === "chat") chat.setUnread(0);
    if (open) board.resize();
  }
  tabs.forEach((t, i) => {
    const tab = $(`tab-${t}`);
    tab.addEventListener("click", () => selectTab(t));
    tab.addEventListener("keydown", (e) => {
      if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
      const next = tabs[(i + (e.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
      selectTab(next);
      $(`tab-${next}`).focus();
    });
  });
  $("ctl-panel").addEventListener("click", () => setPanel(!panelOpen));
  $("panel-close").addEventListener("click", () => setPanel(false));
  setPanel(panelOpen);
  selectTab("chat");

  document.querySelectorAll("[data-tool]").forEach((b) =>
    b.addEventListener("click", () => {
      board.tool = b.dataset.tool;
      document.querySelectorAll("[data-tool]").forEach((x) => x.setAttribute("aria-pressed", String(x === b)));
    }),
  );
  document.querySelectorAll("[data-color]").forEach((b) =>
    b.addEventListener("click", () => {
      board.color = b.dataset.color;
      board.tool = "pen";
      document.querySelectorAll("[data-color]").forEach((x) => x.setAttribute("aria-pressed", String(x === b)));
      document.querySelectorAll("[data-tool]").forEach((x) => x.setAttribute("aria-pressed", String(x.dataset.tool === "pen")));
    }),
  );
  $("board-clear").addEventListener("click", () => board.clear());

  // ---- agenda (per-item time from the shared elapsed clock) ----
  const agendaItems = Array.from(document.querySelectorAll("#agenda li"));
  function renderAgenda(elapsedSec) {
    let acc = 0;
    const min = elapsedSec / 60;
    agendaItems.forEach((li) => {
      const m = Number(li.dataset.minutes) || 0;
      const from = acc;
      acc += m;
      const frac = m ? Math.min(1, Math.max(0, (min - from) / m)) : 0;
      li.dataset.current = String(min >= from && min < acc);
      li.dataset.done = String(min >= acc && m > 0);
      li.querySelector(".rm-agenda-bar i").style.transform = `scaleX(${frac.toFixed(3)})`;
      const left = Math.max(0, acc - min);
      li.querySelector("[data-time]").textContent = min >= from && min < acc ? `${Math.ceil(left)} min left` : `${m} min`;
    });
  }
  Object.assign(timer, {
    onWarning: (mins) => {
      const w = $("warn-banner");
      w.textContent = `${mins} minute${mins === 1 ? "" : "s"} left in this session`;
      w.hidden = false;
      announce(w.textContent);
      setTimeout(() => (w.hidden = true), 12000);
    },
    onTick: renderAgenda,
  });

  // ---- video tiles ----
  function paintLocal() {
    tileLocal.dataset.video = (state.video && camTrack) || state.screen ? "on" : "off";
    localVideo.classList.toggle("rm-mirror", !state.screen);
    tileLocal.dataset.screen = String(state.screen);
    $("local-muted").hidden = state.audio;
    const mic = $("ctl-mic");
    mic.setAttribute("aria-pressed", String(!state.audio));
    mic.querySelector(".rm-ctl-label").textContent = state.audio ? "Mute" : "Unmute";
    mic.disabled = !micTrack;
    const cam = $("ctl-cam");
    cam.setAttribute("aria-pressed", String(!state.video));
    cam.querySelector(".rm-ctl-label").textContent = state.video ? "Stop video" : "Start video";
    cam.disabled = !camTrack;
    $("ctl-share").setAttribute("aria-pressed", String(state.screen));
    $("ctl-share").querySelector(".rm-ctl-label").textContent = state.screen ? "Stop share" : "Share";
    $("ctl-lowbw").setAttribute("aria-pressed", String(state.lowBandwidth));
    $("ctl-hand").setAttribute("aria-pressed", String(state.hand));
    $("ctl-hand").querySelector(".rm-ctl-label").textContent = state.hand ? "Lower hand" : "Raise hand";
  }
  function sendMedia() {
    sig.send({ type: "media", audio: state.audio, video: state.video, screen: state.screen, lowBandwidth: state.lowBandwidth });
  }
  let remoteInfo = null;
  function paintRemote() {
    const entry = [...peers.values()][0];
    const info = entry ? entry.info : remoteInfo;
    const stream = entry ? entry.peer.remoteStream : null;
    if (stream && remoteVideo.srcObject !== stream) {
      remoteVideo.srcObject = stream;
      remoteVideo.play().catch(() => {});
    }
    const hasVideo = Boolean(stream && stream.getVideoTracks().some((t) => t.readyState === "live"));
    const videoOn = Boolean(entry) && hasVideo && (!info || (info.media.video || info.media.screen)) && !(info && info.media.lowBandwidth) && !state.lowBandwidth;
    tileRemote.dataset.video = videoOn ? "on" : "off";
    $("remote-initials").textContent = info ? info.name.split(/\s+/).map((p) => p[0]).slice(0, 2).join("").toUpperCase() : "";
    $("remote-name").textContent = info ? info.name : cfg.otherName;
    $("remote-muted").hidden = !info || info.media.audio;
    $("remote-hand").hidden = !info || !info.hand;
    $("remote-screen").hidden = !info || !info.media.screen;
    tileRemote.dataset.screen = String(Boolean(info && info.media.screen));
    const waiting = $("remote-waiting");
    if (!entry) waiting.textContent = cfg.role === "mentor" ? "Waiting for your learner to join…" : "Waiting for your mentor to join…";
    else if (info && (info.media.lowBandwidth || state.lowBandwidth)) waiting.textContent = "Audio-only mode";
    else if (info && !info.media.video) waiting.textContent = `${info.name} turned their camera off`;
    else waiting.textContent = "Connecting video…";
  }
  remoteVideo.addEventListener("resize", paintRemote);
  remoteVideo.addEventListener("playing", () => mark("first-frame"));
  remoteVideo.addEventListener("loadeddata", paintRemote);
  document.querySelectorAll("[data-swap]").forEach((b) =>
    b.addEventListener("click", () => {
      stage.dataset.pinned = stage.dataset.pinned === "remote" ? "local" : "remote";
    }),
  );
  tileLocal.addEventListener("dblclick", () => (stage.dataset.pinned = stage.dataset.pinned === "remote" ? "local" : "remote"));
  tileRemote.addEventListener("dblclick", () => (stage.dataset.pinned = stage.dataset.pinned === "remote" ? "local" : "remote"));

  // ---- peers ----
  function politeTowards(info) {
    // The mentor is always impolite; between two learners the lower id is polite.
    if (cfg.role === "mentor") return false;
    if (info.role === "mentor") return true;
    return sig.peerId < info.id;
  }
  function ensurePeer(info) {
    for (const [id, e] of peers) {
      if (id !== info.id && e.info.user === info.user) {
        e.peer.close(); // the same person reloaded: replace the old connection
        peers.delete(id);
      }
    }
    let entry = peers.get(info.id);
    if (entry) {
      entry.info = info;
      $("remote-away").hidden = true;
      healPeers(); // the other side came back on the same connection id
      paintRemote();
      return entry;
    }
    const peer = new Peer({
      id: info.id, polite: politeTowards(info), iceServers: ice.iceServers, relayOnly: cfg.forceRelay,
      stream: outgoingStream(), send: (payload) => sig.send({ type: "signal", to: info.id, ...payload }),
    });
    entry = { peer, info };
    mark("peer");
    peers.set(info.id, entry);
    peer.addEventListener("track", paintRemote);
    peer.addEventListener("state", ({ detail }) => {
      const bad = detail.ice === "disconnected" || detail.ice === "failed";
      $("remote-away").hidden = !bad;
      if (detail.ice === "connected" || detail.ice === "completed") {
        mark("ice-connected");
        paintRemote();
      }
    });
    if (state.lowBandwidth || info.media.lowBandwidth) peer.setVideoSending(false);
    remoteInfo = info;
    paintRemote();
    announce(`${info.name} joined`);
    return entry;
  }
  function healPeers() {
    for (const { peer } of peers.values()) {
      const ice = peer.pc.iceConnectionState;
      if (ice === "failed" || ice === "disconnected") {
        peer.lastRestart = 0;
        peer.restart();
      }
    }
  }
  function outgoingStream() {
    const s = new MediaStream();
    if (micTrack) s.addTrack(micTrack);
    const v = state.screen && screenStream ? screenStream.getVideoTracks()[0] : camTrack;
    if (v) s.addTrack(v);
    return s;
  }
  function dropPeer(id) {
    const e = peers.get(id);
    if (!e) return;
    e.peer.close();
    peers.delete(id);
    remoteVideo.srcObject = null;
    paintRemote();
  }

  // ---- signalling ----
  sig.addEventListener("state", ({ detail }) => {
    const banner = $("conn-banner");
    const text = $("conn-banner-text");
    const rejoin = $("rejoin-btn");
    if (ended) return;
    if (detail.state === "open") {
      banner.hidden = true;
    } else if (detail.state === "reconnecting") {
      banner.hidden = false;
      rejoin.hidden = true;
      text.textContent = "Reconnecting…";
    } else if (detail.state === "failed") {
      banner.hidden = false;
      rejoin.hidden = false;
      text.textContent = detail.code === 4409 ? "The room is closed." : "Connection lost.";
    }
  });
  $("rejoin-btn").addEventListener("click", () => {
    $("rejoin-btn").hidden = true;
    sig.retryNow();
  });
  window.addEventListener("online", () => sig.retryNow());

  sig.addEventListener("message", ({ detail: m }) => {
    switch (m.type) {
      case "welcome":
        mark("welcome");
        if (me) healPeers(); // a resumed socket: restart ICE on anything that broke meanwhile
        me = m.you;
        timer.update(m.timer);
        chat.load(m.chat);
        board.load(m.strokes);
        checklist.load(m.checklist);
        sendMedia();
        if (state.hand) sig.send({ type: "hand", up: true });
        if (m.status === "completed") onEnded({ automatic: true });
        break;
      case "peer-joined":
      case "peer-present":
        ensurePeer(m.peer);
        break;
      case "peer-away":
        if (peers.has(m.peer.id)) {
          $("remote-away").hidden = false;
          announce(`${m.peer.name} is reconnecting`);
        }
        break;
      case "peer-left":
        dropPeer(m.peer.id);
        announce(`${m.peer.name} left`);
        break;
      case "peer-media":
      case "peer-hand": {
        const e = peers.get(m.peer.id);
        if (e) {
          const wasLow = e.info.media.lowBandwidth;
          e.info = m.peer;
          if (m.peer.media.lowBandwidth !== wasLow) e.peer.setVideoSending(!(m.peer.media.lowBandwidth || state.lowBandwidth));
          if (m.type === "peer-hand" && m.peer.hand) announce(`${m.peer.name} raised their hand`);
          paintRemote();
        } else {
          ensurePeer(m.peer);
        }
        break;
      }
      case "signal": {
        const e = peers.get(m.from);
        if (e) e.peer.handle(m);
        break;
      }
      case "chat":
        chat.add(m.message);
        break;
      case "stroke":
        board.add(m.stroke);
        break;
      case "wb-clear":
        board.clear({ broadcast: false });
        break;
      case "check":
        checklist.set(m.topic, m.done);
        break;
      case "timer":
        timer.update(m.timer);
        break;
      case "ended":
        if (m.timer) timer.update(m.timer);
        onEnded(m);
        break;
      default:
        break;
    }
  });
  sig.connect();

  // ---- controls ----
  $("ctl-mic").addEventListener("click", () => {
    if (!micTrack) return;
    state.audio = !state.audio;
    micTrack.enabled = state.audio;
    paintLocal();
    sendMedia();
  });
  $("ctl-cam").addEventListener("click", () => {
    if (!camTrack) return;
    state.video = !state.video;
    camTrack.enabled = state.video;
    paintLocal();
    sendMedia();
  });
  $("ctl-hand").addEventListener("click", () => {
    state.hand = !state.hand;
    sig.send({ type: "hand", up: state.hand });
    paintLocal();
  });
  $("ctl-lowbw").addEventListener("click", () => {
    state.lowBandwidth = !state.lowBandwidth;
    for (const { peer, info } of peers.values()) peer.setVideoSending(!(state.lowBandwidth || info.media.lowBandwidth));
    paintLocal();
    paintRemote();
    sendMedia();
    announce(state.lowBandwidth ? "Audio-only mode on" : "Video back on");
  });

  // Screen share: preview first, then replaceTrack on every peer's video sender.
  const shareDialog = $("share-dialog");
  async function stopShare() {
    if (!state.screen) return;
    state.screen = false;
    stopStream(screenStream);
    screenStream = null;
    for (const { peer } of peers.values()) await peer.replaceVideo(camTrack, stream);
    localVideo.srcObject = stream;
    paintLocal();
    sendMedia();
  }
  $("ctl-share").addEventListener("click", async () => {
    if (state.screen) return stopShare();
    let s;
    try {
      s = await getScreen();
    } catch {
      return;
    }
    $("share-preview").srcObject = s;
    shareDialog.showModal();
    const ok = await new Promise((resolve) => {
      $("share-confirm").onclick = () => resolve(true);
      $("share-cancel").onclick = () => resolve(false);
      shareDialog.addEventListener("cancel", () => resolve(false), { once: true });
    });
    shareDialog.close();
    $("share-preview").srcObject = null;
    if (!ok) return stopStream(s);
    screenStream = s;
    const track = s.getVideoTracks()[0];
    track.addEventListener("ended", stopShare);
    state.screen = true;
    for (const { peer } of peers.values()) await peer.replaceVideo(track, s);
    localVideo.srcObject = s;
    paintLocal();
    sendMedia();
  });
  const more = $("more-menu");
  $("ctl-more").addEventListener("click", () => {
    more.hidden = !more.hidden;
    $("ctl-more").setAttribute("aria-expanded", String(!more.hidden));
  });
  more.querySelectorAll("[data-proxy]").forEach((b) =>
    b.addEventListener("click", () => {
      more.hidden = true;
      $("ctl-more").setAttribute("aria-expanded", "false");
      $(b.dataset.proxy).click();
    }),
  );

  // ---- end / leave ----
  const endDialog = $("end-dialog");
  $("end-cancel").addEventListener("click", () => endDialog.close());
  ($("ctl-end") || $("ctl-leave")).addEventListener("click", () => endDialog.showModal());
  $("end-confirm").addEventListener("click", async () => {
    endDialog.close();
    if (cfg.role === "mentor") {
      await saveSnapshot();
      const r = await postJSON(cfg.endUrl, null).catch(() => null);
      if (!r || !r.ok) {
        $("warn-banner").textContent = "Couldn't end the session. Check your connection and try again.";
        $("warn-banner").hidden = false;
        return;
      }
      onEnded({ automatic: false });
    } else {
      sig.leave();
      teardown();
      location.href = "/dashboard/";
    }
  });

  async function saveSnapshot() {
    if (!board.strokes.length) return;
    try {
      const blob = await board.snapshot();
      await postJSON(cfg.snapshotUrl, blob, { "Content-Type": "image/png" });
    } catch {}
  }

  function teardown() {
    for (const { peer } of peers.values()) peer.close();
    peers.clear();
    stopStream(stream);
    stopStream(screenStream);
    clearInterval(statsTimer);
  }

  async function onEnded(m) {
    if (ended) return;
    ended = true;
    if (cfg.role === "mentor" && m.automatic) await saveSnapshot();
    sig.leave();
    teardown();
    $("conn-banner").hidden = true;
    announce("The session has ended");
    if (cfg.role === "learner" && $("feedback-dialog")) {
      $("feedback-dialog").showModal();
    } else {
      $("ended-text").textContent = cfg.role === "mentor" ? "Thanks for teaching. Your learner has been asked for feedback." : "The session has ended.";
      $("ended-overlay").hidden = false;
    }
  }

  // ---- network quality ----
  const q = $("net-quality");
  const statsTimer = setInterval(async () => {
    const entry = [...peers.values()][0];
    if (!entry) {
      q.hidden = true;
      return;
    }
    const s = await entry.peer.quality().catch(() => null);
    if (!s) return;
    q.hidden = false;
    q.dataset.q = s.level;
    const label = { good: "Good", fair: "Fair", poor: "Poor", unknown: "Connecting" }[s.level];
    $("net-quality-label").textContent = label;
    q.title = `Network ${label}${s.rtt != null ? ` · RTT ${Math.round(s.rtt * 1000)} ms` : ""} · loss ${s.loss.toFixed(1)}%${s.kbps != null ? ` · ${Math.round(s.kbps)} kbps` : ""}`;
    q.setAttribute("aria-label", q.title);
  }, 2000);

  paintLocal();
  paintRemote();
  if (cfg.testHooks) {
    window.__room = { sig, peers, state, board, killSocket: () => sig.kill() };
  }
}

// Feedback form (in-call modal and the ended page): submit with fetch, errors next to the field.
document.addEventListener("submit", async (e) => {
  const form = e.target.closest("[data-feedback-form]");
  if (!form) return;
  e.preventDefault();
  form.querySelectorAll("[data-error]").forEach((p) => (p.hidden = true));
  const r = await fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin", headers: { Accept: "application/json" } }).catch(() => null);
  const data = r ? await r.json().catch(() => ({})) : { error: "Network error — please retry." };
  if (r && r.ok) {
    const done = document.createElement("div");
    done.className = "rm-thanks";
    done.setAttribute("role", "status");
    const p = document.createElement("p");
    p.textContent = data.message || "Thanks for your feedback!";
    const a = document.createElement("a");
    a.className = "btn btn-primary";
    a.href = cfg.mentorProfileUrl;
    a.textContent = "See the mentor's profile";
    const d = document.createElement("a");
    d.className = "btn btn-ghost";
    d.href = "/dashboard/";
    d.textContent = "Dashboard";
    const actions = document.createElement("div");
    actions.className = "rm-actions";
    actions.append(a, d);
    done.append(p, actions);
    form.replaceWith(done);
    return;
  }
  const err = form.querySelector(`[data-error="${data.field || "rating"}"]`);
  err.textContent = data.error || "Something went wrong — please retry.";
  err.hidden = false;
});

if (cfg.state === "open") main();
