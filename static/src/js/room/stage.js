// The two video tiles: local and remote, their labels and badges, and pin/swap.

const $ = (id) => document.getElementById(id);

function initials(name) {
  return name
    .split(/\s+/)
    .map((p) => p[0])
    .slice(0, 2)
    .join("")
    .toUpperCase();
}

export class Stage {
  constructor({ local, peers, role, otherName, t, mark }) {
    Object.assign(this, { local, peers, role, otherName, t });
    this.localVideo = $("local-video");
    this.remoteVideo = $("remote-video");
    this.tileLocal = $("tile-local");
    this.tileRemote = $("tile-remote");
    this.stage = $("stage");
    this.localVideo.srcObject = local.stream;
    this.localVideo.muted = true;
    this.remoteVideo.addEventListener("resize", () => this.paintRemote());
    this.remoteVideo.addEventListener("playing", () => mark("first-frame"));
    this.remoteVideo.addEventListener("loadeddata", () => {
      mark("loadeddata");
      this.paintRemote();
    });
    const swap = () => (this.stage.dataset.pinned = this.stage.dataset.pinned === "remote" ? "local" : "remote");
    document.querySelectorAll("[data-swap]").forEach((b) => b.addEventListener("click", swap));
    this.tileLocal.addEventListener("dblclick", swap);
    this.tileRemote.addEventListener("dblclick", swap);
  }

  // Show what this side sends (the camera or the shared screen).
  showLocal(stream) {
    this.localVideo.srcObject = stream;
  }

  // Frames the remote <video> element has presented (restarts from 0 with a new stream).
  presentedFrames() {
    const v = this.remoteVideo;
    return v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality().totalVideoFrames : 0;
  }

  // Whether moving camera video from the other side should be on screen now (not a shared screen,
  // which may legitimately sit still, nor audio-only mode or a camera turned off).
  // Only while the element is on screen: a browser may stop presenting a video it does not draw.
  remoteVideoExpected() {
    if (!this.remoteVideoOn) return false;
    const r = this.remoteVideo.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < window.innerHeight && r.left < window.innerWidth;
  }

  clearRemote() {
    this.remoteVideo.srcObject = null;
  }

  setAway(away) {
    $("remote-away").hidden = !away;
  }

  paintLocal() {
    const { local, t } = this;
    this.tileLocal.dataset.video = (local.video && local.camTrack) || local.screen ? "on" : "off";
    this.localVideo.classList.toggle("rm-mirror", !local.screen);
    this.tileLocal.dataset.screen = String(local.screen);
    $("local-muted").hidden = local.audio;
    const mic = $("ctl-mic");
    mic.setAttribute("aria-pressed", String(!local.audio));
    mic.querySelector(".rm-ctl-label").textContent = t(local.audio ? "mute" : "unmute");
    mic.disabled = !local.micTrack;
    const cam = $("ctl-cam");
    cam.setAttribute("aria-pressed", String(!local.video));
    cam.querySelector(".rm-ctl-label").textContent = t(local.video ? "stopVideo" : "startVideo");
    cam.disabled = !local.camTrack;
    $("ctl-share").setAttribute("aria-pressed", String(local.screen));
    $("ctl-share").querySelector(".rm-ctl-label").textContent = t(local.screen ? "stopShare" : "share");
    $("ctl-lowbw").setAttribute("aria-pressed", String(local.lowBandwidth));
    $("ctl-hand").setAttribute("aria-pressed", String(local.hand));
    $("ctl-hand").querySelector(".rm-ctl-label").textContent = t(local.hand ? "lowerHand" : "raiseHand");
  }

  paintRemote() {
    const { local, peers, t } = this;
    const entry = peers.first();
    const info = entry ? entry.info : peers.lastInfo;
    const stream = entry ? entry.peer.remoteStream : null;
    if (stream && this.remoteVideo.srcObject !== stream) this.remoteVideo.srcObject = stream;
    // (It may have been given the stream before Join, when it could not play yet.)
    if (stream && this.remoteVideo.paused) this.remoteVideo.play().catch(() => {});
    const hasVideo = Boolean(stream && stream.getVideoTracks().some((tr) => tr.readyState === "live"));
    const videoOn = Boolean(entry) && hasVideo && (!info || info.media.video || info.media.screen) && !(info && info.media.lowBandwidth) && !local.lowBandwidth;
    this.tileRemote.dataset.video = videoOn ? "on" : "off";
    this.remoteVideoOn = videoOn && !(info && info.media.screen);
    $("remote-initials").textContent = info ? initials(info.name) : "";
    $("remote-name").textContent = info ? info.name : this.otherName;
    $("remote-muted").hidden = !info || info.media.audio;
    $("remote-hand").hidden = !info || !info.hand;
    $("remote-screen").hidden = !info || !info.media.screen;
    this.tileRemote.dataset.screen = String(Boolean(info && info.media.screen));
    const waiting = $("remote-waiting");
    if (!entry) waiting.textContent = t(this.role === "mentor" ? "waitingLearner" : "waitingMentor");
    else if (info && (info.media.lowBandwidth || local.lowBandwidth)) waiting.textContent = t("audioOnlyMode");
    else if (info && !info.media.video) waiting.textContent = t("cameraOff", { name: info.name });
    else waiting.textContent = t("connectingVideo");
  }
}
