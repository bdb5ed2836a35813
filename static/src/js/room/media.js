// Camera, microphone and screen capture, device lists and the mic level meter.

export const VIDEO_CONSTRAINTS = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30, max: 30 } };

function classify(err) {
  const name = (err && err.name) || "";
  if (name === "NotAllowedError" || name === "SecurityError") return "denied";
  if (name === "NotFoundError" || name === "OverconstrainedError" || name === "DevicesNotFoundError") return "nodevice";
  if (name === "NotReadableError" || name === "AbortError") return "busy";
  return "error";
}

// Ask for camera + mic; fall back to whichever exists. Returns {stream, audio, video, error}.
export async function getMedia({ audioId = "", videoId = "" } = {}) {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return { stream: new MediaStream(), audio: false, video: false, error: "unsupported" };
  }
  const audio = audioId ? { deviceId: { exact: audioId }, echoCancellation: true, noiseSuppression: true } : { echoCancellation: true, noiseSuppression: true };
  const video = videoId ? { ...VIDEO_CONSTRAINTS, deviceId: { exact: videoId } } : VIDEO_CONSTRAINTS;
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio, video });
    return { stream, audio: true, video: true, error: null };
  } catch (err) {
    const kind = classify(err);
    if (kind === "denied") return { stream: new MediaStream(), audio: false, video: false, error: "denied" };
    // One of the two may be missing: try each alone.
    let stream = new MediaStream();
    let hasA = false;
    let hasV = false;
    try {
      const a = await navigator.mediaDevices.getUserMedia({ audio });
      a.getTracks().forEach((t) => stream.addTrack(t));
      hasA = true;
    } catch {}
    try {
      const v = await navigator.mediaDevices.getUserMedia({ video });
      v.getTracks().forEach((t) => stream.addTrack(t));
      hasV = true;
    } catch {}
    return { stream, audio: hasA, video: hasV, error: hasA || hasV ? (hasV ? "nomic" : "nocam") : kind };
  }
}

export async function listDevices() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return { cams: [], mics: [] };
  const all = await navigator.mediaDevices.enumerateDevices();
  return {
    cams: all.filter((d) => d.kind === "videoinput"),
    mics: all.filter((d) => d.kind === "audioinput"),
  };
}

// Calls onLevel(0..1) ~20 times a second; returns a stop function.
export function micMeter(stream, onLevel) {
  const track = stream.getAudioTracks()[0];
  if (!track || !window.AudioContext) return () => {};
  const ctx = new AudioContext();
  const src = ctx.createMediaStreamSource(new MediaStream([track]));
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 512;
  src.connect(analyser);
  const buf = new Float32Array(analyser.fftSize);
  const timer = setInterval(() => {
    analyser.getFloatTimeDomainData(buf);
    let sum = 0;
    for (const v of buf) sum += v * v;
    const rms = Math.sqrt(sum / buf.length);
    onLevel(track.enabled ? Math.min(1, rms * 4) : 0);
  }, 50);
  return () => {
    clearInterval(timer);
    ctx.close().catch(() => {});
  };
}

export async function getScreen() {
  return navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15, max: 30 } }, audio: false });
}

export function stopStream(stream) {
  if (stream) stream.getTracks().forEach((t) => t.stop());
}

// What a connection sends, in this order (its transceivers follow it): the mic, then the video.
export function outgoingStream(mic, video) {
  return new MediaStream([mic, video].filter(Boolean));
}

// What this side sends: the camera/mic tracks from the pre-join screen, their on/off state, the
// screen share, audio-only mode and the raised hand.
export class LocalMedia {
  constructor({ stream, audioOn, videoOn }) {
    this.stream = stream;
    this.camTrack = stream.getVideoTracks()[0] || null;
    this.micTrack = stream.getAudioTracks()[0] || null;
    this.audio = Boolean(this.micTrack) && audioOn;
    this.video = Boolean(this.camTrack) && videoOn;
    this.screen = false;
    this.screenStream = null;
    this.lowBandwidth = false;
    this.hand = false;
    if (this.micTrack) this.micTrack.enabled = this.audio;
    if (this.camTrack) this.camTrack.enabled = this.video;
  }

  // The media message the room relays to the other side.
  get media() {
    return { audio: this.audio, video: this.video, screen: this.screen, lowBandwidth: this.lowBandwidth };
  }

  toggleAudio() {
    if (!this.micTrack) return false;
    this.audio = !this.audio;
    this.micTrack.enabled = this.audio;
    return true;
  }

  toggleVideo() {
    if (!this.camTrack) return false;
    this.video = !this.video;
    this.camTrack.enabled = this.video;
    return true;
  }

  // The stream a new peer connection starts with: the mic and the camera, or the screen if shared.
  outgoing() {
    return outgoingStream(this.micTrack, this.screen && this.screenStream ? this.screenStream.getVideoTracks()[0] : this.camTrack);
  }

  startScreen(stream) {
    this.screenStream = stream;
    this.screen = true;
  }

  stopScreen() {
    this.screen = false;
    stopStream(this.screenStream);
    this.screenStream = null;
  }

  stop() {
    stopStream(this.stream);
    stopStream(this.screenStream);
  }
}
