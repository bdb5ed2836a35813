// Live room entry point: pre-join, then the call. One module per concern (signalling, peers,
// media, stage, controls, panel, chat, whiteboard, checklist, agenda, timer, quality, feedback);
// the Room class here wires them together around the Call state machine (call.js): socket and
// peer events move the call between states, and the connection banner and the end of the call
// react to those state changes.

import { Agenda } from "./agenda.js";
import { Call, settledState } from "./call.js";
import { Chat } from "./chat.js";
import { Checklist } from "./checklist.js";
import { wireControls } from "./controls.js";
import { wireFeedback } from "./feedback.js";
import { watchFrames } from "./framewatch.js";
import { LocalMedia, outgoingStream } from "./media.js";
import { Panel, wireBoardTools } from "./panel.js";
import { PeerSet, prepareConnection } from "./peers.js";
import { prejoin } from "./prejoin.js";
import { RecordingControl } from "./recording.js";
import { watchQuality } from "./quality.js";
import { Signalling } from "./signalling.js";
import { Stage } from "./stage.js";
import { pageStrings } from "./strings.js";
import { Timer } from "./timer.js";
import { AWAKE_STATES, ScreenAwake } from "./wakelock.js";
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
  // The page carries the ICE servers when it may (apps/rooms/views.py); otherwise they are fetched.
  const iceReady = cfg.ice ? Promise.resolve(cfg.ice) : fetchIce();
  // The room socket opens now, in the lobby: by the time Join is pressed it is connected and
  // authorised, so entering costs one message.
  const sig = new Signalling(cfg.wsPath, { lobby: true });
  sig.connect();
  // The peer connection is prepared on the preview's stream meanwhile too (prepareConnection), and
  // the remote <video> given the stream the other side's media will arrive on.
  const early = { spare: null, stream: null, joined: false };
  const prepareEarly = (stream) => {
    early.stream = stream;
    iceReady.then(({ iceServers }) => {
      if (early.joined || early.stream !== stream) return;
      early.spare?.pc.close();
      const outgoing = outgoingStream(stream.getAudioTracks()[0], stream.getVideoTracks()[0]);
      early.spare = prepareConnection({ role: cfg.role, iceServers, relayOnly: cfg.forceRelay, stream: outgoing });
      $("remote-video").srcObject = early.spare.remoteStream;
    });
  };
  const joined = await prejoin(cfg, iceReady, t, sig, { onStream: prepareEarly });
  mark("join");
  const ice = await iceReady;
  early.joined = true;
  // Enter first, then build the call: the server and the other side get going while this page
  // builds and lays out the call screen (40-60 ms on a busy machine). The room's answers cannot
  // arrive before its listeners: they are events, handled after this (synchronous) part.
  mark("join-sent");
  sig.join();
  app.dataset.phase = "call";
  $("prejoin").hidden = true;
  $("call").hidden = false;
  new Room({ call, timer, joined, ice, sig, spare: early.spare });
}

// The call in progress: builds the parts and routes socket, peer and user events between them.
class Room {
  constructor({ call, timer, joined, ice, sig, spare }) {
    this.call = call;
    this.timer = timer;
    this.welcomed = false;
    this.sig = sig;
    this.local = new LocalMedia(joined);
    this.peers = new PeerSet({ role: cfg.role, iceServers: ice.iceServers, relayOnly: cfg.forceRelay, sig: this.sig, local: this.local, mark, spare });
    this.stage = new Stage({ local: this.local, peers: this.peers, role: cfg.role, otherName: cfg.otherName, t, mark });
    this.recording = new RecordingControl({ sig: this.sig, t, announce, cfg, csrf: cfg.csrf, $ });
    this.buildPanel();
    ({ sendMedia: this.sendMedia } = wireControls({ local: this.local, peers: this.peers, stage: this.stage, sig: this.sig, announce, t }));
    this.bindCallState();
    this.bindPeers();
    this.bindSignalling();
    this.bindEnd();
    this.qualityTimer = watchQuality({ peers: this.peers, t });
    this.frameTimer = watchFrames({ peers: this.peers, stage: this.stage, sig: this.sig, role: cfg.role, isOver: () => call.isOver });
    this.stage.paintLocal();
    this.stage.paintRemote();
    if (cfg.testHooks) {
      const { sig, peers, local, board, awake, recording } = this;
      window.__room = { call, sig, peers, local, state: local, board, awake, recording, killSocket: () => sig.kill() };
    }
    call.transition("joining");
    // Entering (just before this) reopens a lobby socket that had dropped: show that it is retrying.
    if (this.sig.state === "reconnecting") call.tryTransition("reconnecting");
  }

  // Side panel (chat, whiteboard, topics, agenda) and the timer's hooks into it.
  buildPanel() {
    const send = (m) => this.sig.send(m);
    let panel = null;
    this.chat = new Chat({
      list: $("chat-list"), empty: $("chat-empty"), form: $("chat-form"), input: $("chat-input"),
      badges: [$("unread-badge"), $("tab-unread")], me: cfg.userId, send, t,
      isVisible: () => panel.shows("chat"),
    });
    this.board = new Whiteboard($("board"), { send });
    this.checklist = new Checklist($("checklist"), $("topics-progress"), { send, t });
    panel = new Panel({
      onShow: (name) => {
        if (name === "chat") this.chat.setUnread(0);
        if (name === "board") this.board.resize();
      },
    });
    wireBoardTools(this.board);
    const agenda = new Agenda($("agenda"), { t });
    Object.assign(this.timer, {
      onWarning: (mins) => this.warn(t(`warn${Math.min(5, mins)}`)),
      onTick: (elapsed) => agenda.render(elapsed),
    });
  }

  // The banner under the header: time warnings, a refused end, a full whiteboard. Announced to
  // screen readers, hidden again after a while.
  warn(text, ms = 12000) {
    const w = $("warn-banner");
    w.textContent = text;
    w.hidden = false;
    announce(text);
    clearTimeout(this.warnTimer);
    this.warnTimer = setTimeout(() => (w.hidden = true), ms);
  }

  // In the room (socket open), the call settles on waiting / negotiating / connected from the peers.
  settle() {
    if (this.sig.state !== "open") return;
    this.call.tryTransition(settledState({ peerPresent: this.peers.size > 0, mediaConnected: this.peers.mediaConnected }));
  }

  // What the page shows for each state of the call.
  bindCallState() {
    const banner = $("conn-banner");
    const rejoin = $("rejoin-btn");
    const awake = (this.awake = new ScreenAwake());
    this.call.subscribe(({ to, detail }) => {
      app.dataset.call = to;
      awake.want(AWAKE_STATES.has(to)); // a phone's screen stays on while in the call
      if (to === "reconnecting") {
        banner.hidden = false;
        rejoin.hidden = true;
        $("conn-banner-text").textContent = t("reconnecting");
      } else if (to === "failed") {
        banner.hidden = false;
        rejoin.hidden = false;
        $("conn-banner-text").textContent = t(detail.code === 4409 ? "roomClosed" : "connectionLost");
      } else if (to === "ended") {
        banner.hidden = true;
        this.finish(detail);
      } else {
        banner.hidden = true;
      }
    });
    rejoin.addEventListener("click", () => {
      rejoin.hidden = true;
      this.sig.retryNow();
    });
  }

  bindPeers() {
    const { peers, stage } = this;
    peers.addEventListener("joined", ({ detail }) => {
      stage.paintRemote();
      announce(t("peerJoined", { name: detail.info.name }));
      this.settle();
    });
    peers.addEventListener("back", () => {
      stage.setAway(false);
      stage.paintRemote();
    });
    peers.addEventListener("change", () => stage.paintRemote());
    peers.addEventListener("ice", ({ detail }) => {
      stage.setAway(detail.bad);
      if (detail.connected) stage.paintRemote();
      this.settle();
    });
  }

  bindSignalling() {
    const { sig, call } = this;
    sig.addEventListener("state", ({ detail }) => {
      if (detail.state === "open") this.settle();
      else if (detail.state === "reconnecting") call.tryTransition("reconnecting");
      else if (detail.state === "connecting") call.tryTransition("joining");
      else if (detail.state === "failed") call.tryTransition("failed", { code: detail.code });
    });
    sig.addEventListener("message", ({ detail }) => {
      if (!call.isOver) this.onMessage(detail);
    });
    window.addEventListener("online", () => {
      if (!call.isOver) sig.retryNow();
    });
    // An outage ended (the server answers again): send a key frame so the other side's video
    // resumes at once, and ask the other side to do the same for us.
    sig.addEventListener("recovered", () => {
      if (call.isOver) return;
      this.peers.keyFrames();
      sig.send({ type: "resync" });
    });
  }

  onMessage(m) {
    const { peers, stage, timer } = this;
    switch (m.type) {
      case "hello":
        mark("hello");
        break;
      case "welcome":
        mark("welcome");
        if (this.welcomed) peers.heal(); // a resumed socket: restart ICE on anything that broke meanwhile
        this.welcomed = true;
        timer.update(m.timer);
        this.chat.load(m.chat);
        this.board.load(m.strokes);
        this.checklist.load(m.checklist);
        this.sendMedia();
        if (this.local.hand) this.sig.send({ type: "hand", up: true });
        if (m.status === "completed") this.call.transition("ended", { automatic: true });
        else this.settle();
        break;
      case "peer-joined":
      case "peer-present":
        peers.ensure(m.peer);
        break;
      case "peer-away":
        if (peers.get(m.peer.id)) {
          peers.setAway(m.peer.id, true);
          stage.setAway(true);
          announce(t("peerReconnecting", { name: m.peer.name }));
        }
        break;
      case "peer-left":
        if (peers.drop(m.peer.id)) {
          stage.clearRemote();
          stage.paintRemote();
          this.settle();
        }
        announce(t("peerLeft", { name: m.peer.name }));
        break;
      case "peer-media":
      case "peer-hand":
        if (!peers.update(m.peer)) peers.ensure(m.peer);
        else if (m.type === "peer-hand" && m.peer.hand) announce(t("peerHand", { name: m.peer.name }));
        break;
      case "signal":
        if (m.reset) peers.reset(m.from);
        else peers.get(m.from)?.peer.handle(m);
        break;
      case "chat":
        this.chat.add(m.message);
        break;
      case "stroke":
        this.board.add(m.stroke);
        break;
      case "wb-clear":
        this.board.clear({ broadcast: false });
        break;
      case "board":
        this.board.addMany(m.strokes);
        break;
      case "error":
        if (m.error === "board-full") {
          this.board.remove(m.stroke);
          this.warn(m.detail);
        }
        break;
      case "check":
        this.checklist.set(m.topic, m.done);
        break;
      case "resync":
        peers.keyFrames();
        break;
      case "timer":
        timer.update(m.timer);
        break;
      case "rec":
        this.recording.handle(m);
        break;
      case "tip":
        // A learner's tip was paid (apps/workflows/tips.py): only the mentor is told, as a toast.
        if (cfg.role === "mentor" && window.PeerLearn && window.PeerLearn.toast) window.PeerLearn.toast(m.text, "success");
        break;
      case "ended":
        this.recording.stopLocal();
        if (m.timer) timer.update(m.timer);
        this.call.transition("ended", m);
        break;
      default:
        break;
    }
  }

  // End (mentor, for everyone) or leave (learner), after the confirmation dialog.
  bindEnd() {
    const endDialog = $("end-dialog");
    $("end-cancel").addEventListener("click", () => endDialog.close());
    ($("ctl-end") || $("ctl-leave")).addEventListener("click", () => endDialog.showModal());
    $("end-confirm").addEventListener("click", async () => {
      endDialog.close();
      if (cfg.role !== "mentor") {
        this.sig.leave();
        this.teardown();
        location.href = dashboardUrl;
        return;
      }
      await this.saveSnapshot();
      const r = await postJSON(cfg.endUrl, null).catch(() => null);
      if (!r || !r.ok) {
        const body = r ? await r.json().catch(() => null) : null;
        this.warn((body && body.error) || t("endFailed"));
        return;
      }
      this.call.tryTransition("ended", { automatic: false });
    });
  }

  async saveSnapshot() {
    if (!this.board.strokes.length) return;
    try {
      const blob = await this.board.snapshot();
      await postJSON(cfg.snapshotUrl, blob, { "Content-Type": "image/png" });
    } catch {}
  }

  teardown() {
    this.peers.closeAll();
    this.local.stop();
    clearInterval(this.qualityTimer);
    clearInterval(this.frameTimer);
  }

  // The call reached "ended" (the server said so, or the mentor ended it here).
  async finish(m) {
    if (cfg.role === "mentor" && m.automatic) await this.saveSnapshot();
    this.sig.leave();
    this.teardown();
    announce(t("sessionEnded"));
    if (cfg.role === "learner" && $("feedback-dialog")) {
      $("feedback-dialog").showModal();
    } else {
      $("ended-text").textContent = t(cfg.role === "mentor" ? "endedMentor" : "endedLearner");
      $("ended-overlay").hidden = false;
    }
  }
}

wireFeedback({ t, mentorProfileUrl: cfg.mentorProfileUrl, dashboardUrl });
if (cfg.state === "open") main();
