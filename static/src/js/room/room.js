// Live room entry point: pre-join, then the call. One module per concern (signalling, peers,
// media, stage, controls, panel, chat, whiteboard, checklist, agenda, timer, quality, feedback);
// this file wires them together around the Call state machine (call.js): socket and peer events
// move the call between states, and the connection banner and the end of the call react to
// those state changes.

import { Agenda } from "./agenda.js";
import { Call, settledState } from "./call.js";
import { Chat } from "./chat.js";
import { Checklist } from "./checklist.js";
import { wireControls } from "./controls.js";
import { wireFeedback } from "./feedback.js";
import { LocalMedia } from "./media.js";
import { Panel, wireBoardTools } from "./panel.js";
import { PeerSet } from "./peers.js";
import { prejoin } from "./prejoin.js";
import { watchQuality } from "./quality.js";
import { Signalling } from "./signalling.js";
import { Stage } from "./stage.js";
import { pageStrings } from "./strings.js";
import { Timer } from "./timer.js";
import { Whiteboard } from "./whiteboard.js";

const cfg = JSON.parse(document.getElementById("room-config").textContent);
const t = pageStrings();
const $ = (id) => document.getElementById(id);
const app = $("room-app");
const dashboardUrl = app.dataset.dashboardUrl;
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

async function main() {
  const call = new Call();
  // The header clock counts down from the first paint (server time, skew-corrected).
  const timer = new Timer($("timer"), { t });
  timer.update({ start: cfg.start, end: cfg.end, elapsed: 0, running_since: null, now: cfg.serverNow, ended: false });
  const iceReady = fetchIce();
  const joined = await prejoin(cfg, iceReady, t);
  mark("join");
  const ice = await iceReady;
  app.dataset.phase = "call";
  $("prejoin").hidden = true;
  $("call").hidden = false;
  startCall({ call, timer, joined, ice });
}

function startCall({ call, timer, joined, ice }) {
  const sig = new Signalling(cfg.wsPath);
  const local = new LocalMedia(joined);
  const peers = new PeerSet({ role: cfg.role, iceServers: ice.iceServers, relayOnly: cfg.forceRelay, sig, local, mark });
  const stage = new Stage({ local, peers, role: cfg.role, otherName: cfg.otherName, t, mark });
  const send = (m) => sig.send(m);

  // ---- side panel: chat, whiteboard, topics, agenda ----
  let panel = null;
  const chat = new Chat({
    list: $("chat-list"), empty: $("chat-empty"), form: $("chat-form"), input: $("chat-input"),
    badges: [$("unread-badge"), $("tab-unread")], me: cfg.userId, send, t,
    isVisible: () => panel.shows("chat"),
  });
  const board = new Whiteboard($("board"), { send });
  const checklist = new Checklist($("checklist"), $("topics-progress"), { send, t });
  panel = new Panel({
    onShow: (name) => {
      if (name === "chat") chat.setUnread(0);
      if (name === "board") board.resize();
    },
  });
  wireBoardTools(board);
  const agenda = new Agenda($("agenda"), { t });
  Object.assign(timer, {
    onWarning: (mins) => {
      const w = $("warn-banner");
      w.textContent = t(`warn${Math.min(5, mins)}`);
      w.hidden = false;
      announce(w.textContent);
      setTimeout(() => (w.hidden = true), 12000);
    },
    onTick: (elapsed) => agenda.render(elapsed),
  });

  const { sendMedia } = wireControls({ local, peers, stage, sig, announce, t });

  // ---- call state: where we are, and what the page shows for it ----
  // In the room (socket open), the call settles on waiting / negotiating / connected from the peers.
  const settle = () => {
    if (sig.state === "open") call.tryTransition(settledState({ peerPresent: peers.size > 0, mediaConnected: peers.mediaConnected }));
  };
  const banner = $("conn-banner");
  const rejoin = $("rejoin-btn");
  call.subscribe(({ to, detail }) => {
    app.dataset.call = to;
    if (to === "reconnecting") {
      banner.hidden = false;
      rejoin.hidden = true;
      $("conn-banner-text").textContent = t("reconnecting");
    } else if (to === "failed") {
      banner.hidden = false;
      rejoin.hidden = false;
      $("conn-banner-text").textContent = t(detail.code === 4409 ? "roomClosed" : "connectionLost");
    } else if (to === "ended") {
      finish(detail);
    } else {
      banner.hidden = true;
    }
  });

  // ---- peers ----
  peers.addEventListener("joined", ({ detail }) => {
    stage.paintRemote();
    announce(t("peerJoined", { name: detail.info.name }));
    settle();
  });
  peers.addEventListener("back", () => {
    stage.setAway(false);
    stage.paintRemote();
  });
  peers.addEventListener("change", () => stage.paintRemote());
  peers.addEventListener("ice", ({ detail }) => {
    stage.setAway(detail.bad);
    if (detail.connected) stage.paintRemote();
    settle();
  });

  // ---- signalling ----
  sig.addEventListener("state", ({ detail }) => {
    if (detail.state === "open") settle();
    else if (detail.state === "reconnecting") call.tryTransition("reconnecting");
    else if (detail.state === "connecting") call.tryTransition("joining");
    else if (detail.state === "failed") call.tryTransition("failed", { code: detail.code });
  });
  rejoin.addEventListener("click", () => {
    rejoin.hidden = true;
    sig.retryNow();
  });
  window.addEventListener("online", () => {
    if (!call.isOver) sig.retryNow();
  });

  let welcomed = false;
  sig.addEventListener("message", ({ detail: m }) => {
    if (call.isOver) return;
    switch (m.type) {
      case "welcome":
        mark("welcome");
        if (welcomed) peers.heal(); // a resumed socket: restart ICE on anything that broke meanwhile
        welcomed = true;
        timer.update(m.timer);
        chat.load(m.chat);
        board.load(m.strokes);
        checklist.load(m.checklist);
        sendMedia();
        if (local.hand) sig.send({ type: "hand", up: true });
        if (m.status === "completed") call.transition("ended", { automatic: true });
        else settle();
        break;
      case "peer-joined":
      case "peer-present":
        peers.ensure(m.peer);
        break;
      case "peer-away":
        if (peers.get(m.peer.id)) {
          stage.setAway(true);
          announce(t("peerReconnecting", { name: m.peer.name }));
        }
        break;
      case "peer-left":
        if (peers.drop(m.peer.id)) {
          stage.clearRemote();
          stage.paintRemote();
          settle();
        }
        announce(t("peerLeft", { name: m.peer.name }));
        break;
      case "peer-media":
      case "peer-hand":
        if (peers.update(m.peer)) {
          if (m.type === "peer-hand" && m.peer.hand) announce(t("peerHand", { name: m.peer.name }));
        } else {
          peers.ensure(m.peer);
        }
        break;
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
        call.transition("ended", m);
        break;
      default:
        break;
    }
  });
  call.transition("joining");
  sig.connect();

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
        $("warn-banner").textContent = t("endFailed");
        $("warn-banner").hidden = false;
        return;
      }
      call.tryTransition("ended", { automatic: false });
    } else {
      sig.leave();
      teardown();
      location.href = dashboardUrl;
    }
  });

  async function saveSnapshot() {
    if (!board.strokes.length) return;
    try {
      const blob = await board.snapshot();
      await postJSON(cfg.snapshotUrl, blob, { "Content-Type": "image/png" });
    } catch {}
  }

  const qualityTimer = watchQuality({ peers, t });
  function teardown() {
    peers.closeAll();
    local.stop();
    clearInterval(qualityTimer);
  }

  // The call reached "ended" (the server said so, or the mentor ended it here).
  async function finish(m) {
    if (cfg.role === "mentor" && m.automatic) await saveSnapshot();
    sig.leave();
    teardown();
    banner.hidden = true;
    announce(t("sessionEnded"));
    if (cfg.role === "learner" && $("feedback-dialog")) {
      $("feedback-dialog").showModal();
    } else {
      $("ended-text").textContent = t(cfg.role === "mentor" ? "endedMentor" : "endedLearner");
      $("ended-overlay").hidden = false;
    }
  }

  stage.paintLocal();
  stage.paintRemote();
  if (cfg.testHooks) {
    window.__room = { call, sig, peers, local, state: local, board, killSocket: () => sig.kill() };
  }
}

wireFeedback({ t, mentorProfileUrl: cfg.mentorProfileUrl, dashboardUrl });
if (cfg.state === "open") main();
