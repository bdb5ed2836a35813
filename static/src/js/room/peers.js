// The peer connections of this page, one per remote peer id (in practice the one other side).
//
// Events: "joined" {info} (a new peer), "back" {info} (a known peer reappeared on the same id),
// "change" (repaint: tracks, media info), "ice" {bad, connected} (the first peer's ICE state).

import { newConnection, Peer, receivedStream } from "./peer.js";

// A connection with our tracks on it, made before anyone is there to call (while the pre-join
// screen shows, and again after the other side left): when the other side arrives, creating it
// (certificate, transceivers: 20-40 ms of a busy page in bench/room.py) is already done, and so is
// gathering its ICE candidates. The mentor, who always makes the first offer (politeTowards),
// makes it now too; the other side gathers into a candidate pool, so its answer goes out with its
// candidates ready. Its receivers' tracks (muted until media arrives) are in `remoteStream` from
// the start: the remote <video> can be given that stream ahead of time (the player it sets up
// costs 10-15 ms of the page, which otherwise fell between the offer's arrival and the answer).
// Nothing is sent until the connection is handed to a Peer.
export function prepareConnection({ role, iceServers, relayOnly, stream }) {
  const pc = newConnection({ iceServers, relayOnly, pool: role !== "mentor" });
  for (const track of stream.getTracks()) pc.addTrack(track, stream);
  const spare = { pc, stream, remoteStream: receivedStream(pc), needed: false, offering: null, gathered: false };
  pc.addEventListener("negotiationneeded", () => (spare.needed = true), { once: true });
  if (role === "mentor") {
    pc.addEventListener("icecandidate", ({ candidate }) => {
      if (!candidate) spare.gathered = true;
    });
    spare.offering = pc.setLocalDescription();
    spare.offering.catch(() => {}); // the Peer that takes it makes a new offer instead
  }
  return spare;
}

export class PeerSet extends EventTarget {
  // spare: a connection prepared while the pre-join screen showed (prepareConnection), if any.
  constructor({ role, iceServers, relayOnly, sig, local, mark, spare = null }) {
    super();
    Object.assign(this, { role, iceServers, relayOnly, sig, local, mark });
    this.entries = new Map(); // peer id -> {peer, info, connected}
    this.lastInfo = null; // the last peer seen, for the name on the tile after they left
    this.spare = spare;
    this.prepare();
  }

  // A spare connection for whoever comes next (see prepareConnection), unless one is ready.
  prepare() {
    if (this.spare) return;
    this.spare = prepareConnection({ role: this.role, iceServers: this.iceServers, relayOnly: this.relayOnly, stream: this.local.outgoing() });
  }

  // The prepared connection, if it still carries what we send now (not after a screen share began).
  takeSpare() {
    const spare = this.spare;
    this.spare = null;
    if (!spare) return null;
    const now = this.local.outgoing().getTracks();
    const had = spare.stream.getTracks();
    if (now.length === had.length && now.every((t) => had.includes(t))) return spare;
    spare.pc.close();
    return null;
  }

  emit(name, detail = {}) {
    this.dispatchEvent(new CustomEvent(name, { detail }));
  }

  get size() {
    return this.entries.size;
  }

  first() {
    return [...this.entries.values()][0] || null;
  }

  get(id) {
    return this.entries.get(id);
  }

  values() {
    return this.entries.values();
  }

  // Whether media flows with the first peer (ICE connected or completed).
  get mediaConnected() {
    const e = this.first();
    return Boolean(e && e.connected);
  }

  // The mentor is always impolite; between two learners the lower id is polite.
  politeTowards(info) {
    if (this.role === "mentor") return false;
    if (info.role === "mentor") return true;
    return this.sig.peerId < info.id;
  }

  ensure(info) {
    for (const [id, e] of this.entries) {
      if (id !== info.id && e.info.user === info.user) {
        e.peer.close(); // the same person reloaded: replace the old connection
        this.entries.delete(id);
      }
    }
    let entry = this.entries.get(info.id);
    if (entry) {
      entry.info = info;
      entry.away = false;
      this.heal(); // the other side came back on the same connection id
      this.emit("back", { info });
      return entry;
    }
    entry = { peer: null, info, connected: false, away: false };
    this.entries.set(info.id, entry);
    this.attach(entry);
    this.mark("peer");
    this.lastInfo = info;
    this.emit("joined", { info });
    return entry;
  }

  // A new RTCPeerConnection for an entry (its first, or one replacing a connection that could not
  // recover), wired to the page's events.
  attach(entry) {
    const { info } = entry;
    const peer = new Peer({
      id: info.id,
      polite: this.politeTowards(info),
      iceServers: this.iceServers,
      relayOnly: this.relayOnly,
      stream: this.local.outgoing(),
      prepared: this.takeSpare(),
      send: (payload) => this.sig.send({ type: "signal", to: info.id, ...payload }),
      signalHealthy: () => this.sig.healthy,
      requestKeyFrame: () => this.sig.send({ type: "resync" }),
      mark: this.mark,
    });
    entry.peer = peer;
    entry.connected = false;
    peer.addEventListener("track", () => this.emit("change"));
    peer.addEventListener("state", ({ detail }) => {
      entry.connected = detail.ice === "connected" || detail.ice === "completed";
      if (entry.connected) this.mark("ice-connected");
      this.emit("ice", { bad: detail.ice === "disconnected" || detail.ice === "failed", connected: entry.connected });
    });
    peer.addEventListener("reset-needed", () => {
      if (!entry.away && this.entries.get(info.id) === entry) this.reset(info.id, { tell: true });
    });
    if (this.local.lowBandwidth || info.media.lowBandwidth) peer.setVideoSending(false);
  }

  // Replace the connection with a peer on both sides: the side that decides tells the other first
  // (same socket, so the message arrives before the new connection's offer).
  reset(id, { tell = false } = {}) {
    const entry = this.entries.get(id);
    if (!entry) return false;
    console.debug(`peer ${id}: new connection${tell ? " (asked the other side)" : " (the other side asked)"}`);
    if (tell) this.sig.send({ type: "signal", to: id, reset: (this.resets = (this.resets || 0) + 1) });
    entry.peer.close();
    this.attach(entry);
    this.emit("change");
    return true;
  }

  // The other side's socket dropped (it is "away") or came back: no connection is replaced
  // while they cannot answer.
  setAway(id, away) {
    const entry = this.entries.get(id);
    if (entry) entry.away = away;
  }

  // New media or hand state from the other side. Returns false for an unknown peer.
  update(info) {
    const e = this.entries.get(info.id);
    if (!e) return false;
    const wasLow = e.info.media.lowBandwidth;
    e.info = info;
    if (info.media.lowBandwidth !== wasLow) e.peer.setVideoSending(!(info.media.lowBandwidth || this.local.lowBandwidth));
    this.emit("change");
    return true;
  }

  // A key frame to every peer (after an outage), and an ICE restart where the path broke.
  keyFrames() {
    for (const { peer } of this.entries.values()) peer.sendKeyFrame();
    this.heal();
  }

  // Restart ICE at once on every connection that broke (a resumed socket, a peer back).
  heal() {
    for (const { peer } of this.entries.values()) {
      const ice = peer.pc.iceConnectionState;
      if (ice === "failed" || ice === "disconnected") {
        peer.lastRestart = 0;
        peer.restart();
      }
    }
  }

  drop(id) {
    const e = this.entries.get(id);
    if (!e) return false;
    e.peer.close();
    this.entries.delete(id);
    if (!this.entries.size) this.prepare(); // for whoever comes next
    return true;
  }

  // Audio-only mode on this side or theirs stops sending video to that peer.
  applyBandwidth() {
    for (const { peer, info } of this.entries.values()) peer.setVideoSending(!(this.local.lowBandwidth || info.media.lowBandwidth));
  }

  async replaceVideo(track, stream) {
    for (const { peer } of this.entries.values()) await peer.replaceVideo(track, stream);
  }

  closeAll() {
    for (const { peer } of this.entries.values()) peer.close();
    this.entries.clear();
    this.takeSpare()?.pc.close();
  }
}
