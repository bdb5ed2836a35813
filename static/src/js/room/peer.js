// One RTCPeerConnection per remote peer, using the "perfect negotiation" pattern
// (https://w3c.github.io/webrtc-pc/#perfect-negotiation-example): the impolite side (the mentor)
// ignores a colliding offer, the polite side rolls back and answers. Glare, renegotiation for
// screen share and ICE restarts are therefore all safe from either side.

const DISCONNECT_GRACE_MS = 2500;
const STALE_OFFER_MS = 4000;
export const RESET_AFTER_MS = 8000;
const START_HEIGHT = 360;
const FULL_SIZE_BPS = 600_000;
const FULL_SIZE_AFTER_MS = 5000;

// pool: gather candidates before there is a description to gather them for (a connection that
// waits for an offer: its answer then has them at hand). With "max-bundle" one set is enough.
export function newConnection({ iceServers, relayOnly, pool = false }) {
  return new RTCPeerConnection({
    iceServers,
    iceTransportPolicy: relayOnly ? "relay" : "all",
    bundlePolicy: "max-bundle",
    iceCandidatePoolSize: pool ? 1 : 0,
  });
}

// What the other side will send on a connection, as a stream: the tracks of the receivers our own
// tracks' transceivers made (muted until media arrives). An offer or answer from the other side
// matches its audio and video to these transceivers, so the tracks its media arrives on are these.
export function receivedStream(pc) {
  return new MediaStream(pc.getReceivers().map((r) => r.track));
}

export class Peer extends EventTarget {
  // signalHealthy(): whether the room server answers right now. An ICE restart needs it (the
  // offer travels through it); while it is silent, the old path may simply come back by itself.
  // requestKeyFrame(): ask the other side for a key frame (the room's "resync" message).
  // prepared: a connection made ready in advance, used instead of a new one ({pc, stream,
  // remoteStream, needed, offering, gathered}: see prepareConnection in peers.js).
  constructor({ id, polite, iceServers, relayOnly, send, stream, signalHealthy = () => true, requestKeyFrame = () => {}, mark = () => {}, prepared = null }) {
    super();
    this.mark = mark;
    this.id = id;
    this.polite = polite;
    this.send = send; // (payload) => void, payload = {description} | {candidate}
    this.signalHealthy = signalHealthy;
    this.requestKeyFrame = requestKeyFrame;
    this.broken = false; // ICE went disconnected/failed since it was last connected
    this.flow = null; // {decoded, stalled}: is the other side's video advancing?
    this.lastResync = 0;
    this.makingOffer = false;
    this.videoWanted = true; // false in audio-only mode (ours or theirs)
    this.keyFrameBusy = false;
    this.offeredAt = 0;
    this.ignoreOffer = false;
    this.settingRemoteAnswer = false;
    this.closed = false;
    this.lastBytes = null;
    if (prepared) {
      this.pc = prepared.pc;
      this.remoteStream = prepared.remoteStream;
    } else {
      this.pc = newConnection({ iceServers, relayOnly });
      for (const track of stream.getTracks()) this.pc.addTrack(track, stream);
      this.remoteStream = receivedStream(this.pc);
    }
    this.tuneSenders();

    // The impolite side (the mentor) makes the first offer; the polite side waits for it (with
    // a fallback) instead of racing it, which avoids a glare round on every join. Later
    // renegotiations (screen share, ICE restart) may start from either side.
    this.initiator = !polite;
    this.gotRemote = false;
    this.pendingCandidates = [];
    this.created = performance.now();
    this.pc.addEventListener("negotiationneeded", () => this.negotiationNeeded());
    if (prepared && prepared.offering) {
      // Its offer is made (or being made) and its candidates gathered: send it as it is.
      this.offer({ ready: prepared.offering, gathered: prepared.gathered });
    } else if (prepared && prepared.needed) {
      this.negotiationNeeded(); // it asked for negotiation before anyone listened
    }
    this.fallback = setTimeout(() => {
      if (this.gotRemote || this.closed) return;
      this.initiator = true;
      if (this.wantOffer) this.offer();
    }, 2500);
    // Watchdog, every 2 s while the room server answers and media is not flowing:
    // - a connection not up a few seconds after negotiation (lost candidates, a dead path) gets an
    //   ICE restart, not an endless spinner;
    // - an offer unanswered for 4 s (lost with a socket, or the other side's connection is broken)
    //   is not waited for: the polite side takes it back and offers again, the impolite side asks
    //   for a new connection on both sides ("reset-needed"; the PeerSet replaces this Peer);
    // - so does the impolite side after RESET_AFTER_MS without media: the last resort, which
    //   always converges.
    this.stuckSince = null;
    this.watchdog = setInterval(() => {
      if (this.closed) return;
      if (this.pc.connectionState === "connected" || !this.signalHealthy()) {
        this.stuckSince = null;
        if (!this.keyFrameBusy) this.applyVideoSending(); // undo a pause that did not resume
        if (this.pc.connectionState === "connected") this.checkVideoFlow();
        return;
      }
      const now = performance.now();
      if (this.stuckSince === null) this.stuckSince = now;
      const limit = this.polite ? 12000 : 6000;
      const signalling = this.pc.signalingState;
      if (signalling === "have-local-offer" && now - this.offeredAt > STALE_OFFER_MS) {
        // Unanswered over a healthy room socket: the other side's connection cannot answer (or the
        // offer was lost with a socket). The impolite side replaces the connection; the polite
        // side takes its offer back and tries again.
        if (this.polite) this.restart({ force: true });
        else {
          this.stuckSince = null;
          this.emit("reset-needed");
          return;
        }
      } else if (now - this.created > limit && signalling === "stable" && (!this.lastRestart || Date.now() - this.lastRestart > limit)) {
        this.restart();
      }
      if (!this.polite && now - this.stuckSince > RESET_AFTER_MS) {
        this.stuckSince = null;
        this.emit("reset-needed");
      }
    }, 2000);
    this.pc.addEventListener("icecandidate", ({ candidate }) => {
      this.send({ candidate: candidate ? candidate.toJSON() : null });
    });
    this.pc.addEventListener("track", ({ track }) => {
      if (!this.remoteStream.getTracks().includes(track)) this.remoteStream.addTrack(track);
      track.addEventListener("unmute", () => {
        this.mark(`${track.kind}-unmute`);
        this.emit("track");
      });
      this.emit("track");
    });
    this.pc.addEventListener("connectionstatechange", () => this.onState());
    this.pc.addEventListener("iceconnectionstatechange", () => this.onState());
  }

  negotiationNeeded() {
    if (!this.initiator && !this.gotRemote) {
      this.wantOffer = true;
      return;
    }
    this.offer();
  }

  emit(name, detail = {}) {
    this.dispatchEvent(new CustomEvent(name, { detail }));
  }

  // A camera's first frames go out at most START_HEIGHT pixels high. Chrome's send estimate starts
  // at 300 kbit/s, too little for 720p by its own rule, so at full size the encoder throws the
  // first four frames away (130 ms at 30 fps) before it scales down by itself, and then paces out a
  // 720p key frame: in bench/room.py the first video packet came 100-200 ms after the audio's. Full
  // size follows (upToFullSize) as soon as the estimate allows it, from then on adapted by Chrome.
  tuneSenders() {
    for (const sender of this.pc.getSenders()) {
      if (!sender.track || sender.track.kind !== "video") continue;
      const p = sender.getParameters();
      p.degradationPreference = "balanced";
      const height = sender.track.getSettings().height || 0;
      if (height > START_HEIGHT && p.encodings && p.encodings.length) {
        p.encodings[0].scaleResolutionDownBy = height / START_HEIGHT;
        this.startScaled = true;
      }
      sender.setParameters(p).catch(() => {});
    }
  }

  // Connected: once the send estimate reaches FULL_SIZE_BPS (or after FULL_SIZE_AFTER_MS, leaving
  // the rest to Chrome's own adaptation), the camera goes out at full size.
  async upToFullSize() {
    const since = performance.now();
    while (this.startScaled && !this.closed) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      let bps = 0;
      try {
        (await this.pc.getStats()).forEach((r) => {
          if (r.type === "candidate-pair" && r.nominated && r.availableOutgoingBitrate) bps = Math.max(bps, r.availableOutgoingBitrate);
        });
      } catch {}
      if (bps < FULL_SIZE_BPS && performance.now() - since < FULL_SIZE_AFTER_MS) continue;
      const sender = this.videoSender();
      if (!sender) return;
      const p = sender.getParameters();
      if (!p.encodings || !p.encodings.length) return;
      p.encodings.forEach((e) => delete e.scaleResolutionDownBy);
      try {
        await sender.setParameters(p);
        this.startScaled = false;
        this.mark("full-size");
      } catch {} // refused while something else changed the parameters: try again next round
    }
  }

  // ready: an offer already being set (a prepared connection's); gathered: its candidates were all
  // gathered before we listened (they are in its SDP), so the end of candidates is sent with it.
  async offer({ iceRestart = false, ready = null, gathered = false } = {}) {
    if (this.closed) return;
    try {
      this.makingOffer = true;
      if (iceRestart) this.pc.restartIce();
      if (ready) await ready.catch(() => {}); // a failed one: a new offer below
      if (!ready || this.pc.signalingState !== "have-local-offer") await this.pc.setLocalDescription();
      this.offeredAt = performance.now();
      this.mark("offer-sent");
      this.send({ description: { type: this.pc.localDescription.type, sdp: this.pc.localDescription.sdp } });
      if (gathered) this.send({ candidate: null });
    } catch (err) {
      console.warn("offer failed", err);
    } finally {
      this.makingOffer = false;
    }
  }

  async handle({ description, candidate }) {
    if (this.closed) return;
    const pc = this.pc;
    try {
      if (description) {
        const readyForOffer = !this.makingOffer && (pc.signalingState === "stable" || this.settingRemoteAnswer);
        const collision = description.type === "offer" && !readyForOffer;
        this.ignoreOffer = !this.polite && collision;
        if (this.ignoreOffer) return;
        this.settingRemoteAnswer = description.type === "answer";
        this.mark(`${description.type}-received`);
        await pc.setRemoteDescription(description);
        this.settingRemoteAnswer = false;
        this.gotRemote = true;
        for (const c of this.pendingCandidates.splice(0)) pc.addIceCandidate(c).catch(() => {});
        if (description.type === "offer") {
          await pc.setLocalDescription();
          this.mark("answer-sent");
          this.send({ description: { type: pc.localDescription.type, sdp: pc.localDescription.sdp } });
        }
      } else if (candidate !== undefined) {
        if (!pc.remoteDescription && candidate !== null) {
          this.pendingCandidates.push(candidate); // arrived before the offer/answer it belongs to
          return;
        }
        try {
          await pc.addIceCandidate(candidate === null ? undefined : candidate);
        } catch (err) {
          if (!this.ignoreOffer) throw err;
        }
      }
    } catch (err) {
      console.warn("signal handling failed", err);
    }
  }

  onState() {
    const ice = this.pc.iceConnectionState;
    const conn = this.pc.connectionState;
    if (conn === "connected") {
      this.mark("dtls-connected");
      if (this.startScaled && !this.rampingUp) {
        this.rampingUp = true;
        this.upToFullSize();
      }
    }
    console.debug(`peer ${this.id}: ice ${ice}, connection ${conn}, signalling ${this.pc.signalingState}`);
    this.emit("state", { ice, conn });
    clearTimeout(this.discTimer);
    if (ice === "disconnected" || ice === "failed") this.broken = true;
    else if ((ice === "connected" || ice === "completed") && this.broken) {
      // The media path is back: the frames in flight when it broke are lost, so the decoders on
      // both sides need a key frame now rather than after their own requests time out.
      this.broken = false;
      this.sendKeyFrame();
      this.askForKeyFrame();
    }
    if (ice === "failed" || conn === "failed") {
      this.restart();
    } else if (ice === "disconnected") {
      // A short blip often heals by itself; restart ICE if it doesn't, as soon as the room server
      // answers (a restart begun during an outage gathers candidates that time out, and its
      // retries back off for seconds after the network returns).
      const check = () => {
        if (this.closed || this.pc.iceConnectionState !== "disconnected") return;
        if (this.signalHealthy()) this.restart();
        else this.discTimer = setTimeout(check, 250);
      };
      this.discTimer = setTimeout(check, DISCONNECT_GRACE_MS);
    }
  }

  // An ICE restart (a new offer with new ICE credentials). While our last offer is still waiting
  // for its answer, a new one would make that answer wrong: wait for it, unless it is stale
  // (force), in which case take the old offer back first.
  async restart({ force = false } = {}) {
    if (this.closed) return;
    const now = Date.now();
    if (this.lastRestart && now - this.lastRestart < 2000) return;
    if (this.pc.signalingState === "have-local-offer") {
      if (!force && performance.now() - this.offeredAt < STALE_OFFER_MS) return;
      try {
        await this.pc.setLocalDescription({ type: "rollback" });
      } catch (err) {
        console.warn("rollback failed", err);
      }
    }
    this.lastRestart = now;
    console.debug(`peer ${this.id}: ICE restart (signalling ${this.pc.signalingState})`);
    this.emit("restart");
    this.offer({ iceRestart: true });
  }

  videoSender() {
    return this.pc.getSenders().find((s) => s.track && s.track.kind === "video") ||
      this.pc.getTransceivers().find((t) => t.receiver.track.kind === "video" && t.sender && t.currentDirection !== "stopped")?.sender;
  }

  async replaceVideo(track, stream) {
    const sender = this.videoSender();
    if (sender && this.pc.getTransceivers().some((t) => t.sender === sender && /send/.test(t.direction))) {
      await sender.replaceTrack(track);
    } else if (track) {
      this.pc.addTrack(track, stream); // no camera sender yet: negotiate a new one
    }
  }

  // After an outage the receiver can wait seconds for a decodable frame (its references were
  // lost): pausing and resuming our encoder sends a key frame at once. Skipped when video is off on
  // purpose. The resume is retried until it holds: setParameters can be refused while an ICE
  // restart renegotiates, and a refused resume would leave our video paused for good.
  async sendKeyFrame() {
    const sender = this.videoSender();
    if (!sender || !this.videoWanted || this.keyFrameBusy) return;
    const p = sender.getParameters();
    if (!p.encodings || !p.encodings.length) return;
    this.keyFrameBusy = true;
    try {
      p.encodings.forEach((e) => (e.active = false));
      const paused = await sender.setParameters(p).then(() => true, () => false);
      if (paused) await this.applyVideoSending();
    } finally {
      this.keyFrameBusy = false;
    }
  }

  askForKeyFrame() {
    if (Date.now() - this.lastResync < 3000) return;
    this.lastResync = Date.now();
    this.requestKeyFrame();
  }

  // Connected, but the other side's video has not advanced for two watchdog ticks (4 s): a lost
  // key frame leaves a decoder waiting; ask the sender for a new one. (A camera turned off still
  // sends black frames; audio-only mode sends none and the sender ignores the request.)
  async checkVideoFlow() {
    const decoded = await this.decodedFrames();
    if (decoded === null) return;
    const stalled = this.flow && decoded === this.flow.decoded ? this.flow.stalled + 1 : 0;
    this.flow = { decoded, stalled };
    if (stalled >= 2) {
      console.debug(`peer ${this.id}: remote video stalled, asking for a key frame`);
      this.askForKeyFrame();
    }
  }

  // Video frames decoded from the other side so far (null before any, or if stats fail).
  async decodedFrames() {
    let decoded = null;
    try {
      const stats = await this.pc.getStats();
      stats.forEach((r) => {
        if (r.type === "inbound-rtp" && r.kind === "video") decoded = (decoded || 0) + (r.framesDecoded || 0);
      });
    } catch {
      return null;
    }
    return decoded;
  }

  async setVideoSending(active) {
    this.videoWanted = active;
    await this.applyVideoSending();
  }

  // Make the encoder's state match what this side wants (video on unless audio-only), retrying a
  // few times; the watchdog calls it too, so a pause that slipped through is undone within 2 s.
  async applyVideoSending() {
    for (let attempt = 0; attempt < 5 && !this.closed; attempt++) {
      const sender = this.videoSender();
      if (!sender) return;
      const p = sender.getParameters();
      if (!p.encodings || !p.encodings.length) return;
      if (p.encodings.every((e) => e.active === this.videoWanted)) return;
      p.encodings.forEach((e) => (e.active = this.videoWanted));
      try {
        await sender.setParameters(p);
        return;
      } catch (err) {
        console.debug(`peer ${this.id}: setParameters refused (${err && err.name}), retrying`);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    }
  }

  // Network quality from getStats: loss %, RTT and inbound bitrate over the last interval.
  async quality() {
    const stats = await this.pc.getStats();
    let rtt = null;
    let lost = 0;
    let received = 0;
    let bytes = 0;
    let framesDecoded = 0;
    stats.forEach((s) => {
      if (s.type === "candidate-pair" && s.nominated && s.state === "succeeded" && s.currentRoundTripTime != null) rtt = s.currentRoundTripTime;
      if (s.type === "inbound-rtp") {
        lost += s.packetsLost || 0;
        received += s.packetsReceived || 0;
        bytes += s.bytesReceived || 0;
        if (s.kind === "video") framesDecoded += s.framesDecoded || 0;
      }
    });
    const now = performance.now();
    let kbps = null;
    let loss = 0;
    if (this.lastBytes) {
      const dt = (now - this.lastBytes.t) / 1000;
      kbps = dt > 0 ? ((bytes - this.lastBytes.bytes) * 8) / 1000 / dt : null;
      const dl = lost - this.lastBytes.lost;
      const dr = received - this.lastBytes.received;
      loss = dl + dr > 0 ? (100 * dl) / (dl + dr) : 0;
    }
    this.lastBytes = { t: now, bytes, lost, received };
    let level = "good";
    if (rtt === null && received === 0) level = "unknown";
    else if (loss > 8 || (rtt !== null && rtt > 0.6)) level = "poor";
    else if (loss > 2 || (rtt !== null && rtt > 0.3)) level = "fair";
    return { level, rtt, loss, kbps, framesDecoded };
  }

  close() {
    this.closed = true;
    clearTimeout(this.discTimer);
    clearTimeout(this.fallback);
    clearInterval(this.watchdog);
    try {
      this.pc.close();
    } catch {}
  }
}
