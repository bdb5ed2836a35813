// Pre-join: preview, device pickers, mic meter, cam/mic toggles, permission help and the
// connectivity check (room server reachable, TURN relay candidates gathered when TURN is set).

import { getMedia, listDevices, micMeter, stopStream } from "./media.js";
import { lobbyReady } from "./signalling.js";

// Why the camera or microphone is unavailable -> prefix of the translated title and advice
// (helpDeniedTitle, helpDeniedBody, ...).
const HELP = { denied: "helpDenied", nodevice: "helpNoDevice", nocam: "helpNoCam", nomic: "helpNoMic", busy: "helpBusy", unsupported: "helpUnsupported", error: "helpError" };

function setCheck(name, status, text) {
  const li = document.querySelector(`[data-check="${name}"]`);
  if (!li) return;
  li.dataset.status = status;
  li.querySelector("[data-text]").textContent = text;
}

async function checkTurn(ice, t) {
  if (!ice.turn) {
    setCheck("turn", "skip", t("turnSkip"));
    return;
  }
  const pc = new RTCPeerConnection({ iceServers: ice.iceServers, iceTransportPolicy: "relay" });
  const found = await new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), 6000);
    pc.addEventListener("icecandidate", (e) => {
      if (e.candidate && / typ relay /.test(e.candidate.candidate)) {
        clearTimeout(t);
        resolve(true);
      }
    });
    pc.createDataChannel("probe");
    pc.createOffer().then((o) => pc.setLocalDescription(o)).catch(() => resolve(false));
  });
  pc.close();
  setCheck("turn", found ? "ok" : "warn", t(found ? "turnOk" : "turnFail"));
}

// onStream(stream): called with each stream the preview starts (the first, and after a device
// change), so the call can be prepared on it while the user looks at the preview.
export async function prejoin(cfg, iceReady, t, sig, { onStream = () => {} } = {}) {
  const video = document.getElementById("preview-video");
  const off = document.getElementById("preview-off");
  const offText = document.getElementById("preview-off-text");
  const help = document.getElementById("media-help");
  const camSel = document.getElementById("cam-select");
  const micSel = document.getElementById("mic-select");
  const preMic = document.getElementById("pre-mic");
  const preCam = document.getElementById("pre-cam");
  const meter = document.getElementById("mic-meter");
  const joinBtn = document.getElementById("join-btn");
  // Listen for Join at once: a click while the camera is still starting is kept, not lost.
  const clicked = new Promise((resolve) => joinBtn.addEventListener("click", resolve, { once: true }));
  let current = { stream: new MediaStream(), audio: false, video: false };
  let stopMeter = () => {};
  let audioOn = true;
  let videoOn = true;

  function showHelp(kind) {
    if (!kind) {
      help.hidden = true;
      return;
    }
    const prefix = HELP[kind] || HELP.error;
    const [title, body] = [t(`${prefix}Title`), t(`${prefix}Body`)];
    help.replaceChildren();
    const s = document.createElement("strong");
    s.textContent = title;
    help.append(s, document.createTextNode(body));
    help.hidden = false;
  }

  function paint() {
    const vt = current.stream.getVideoTracks()[0];
    const at = current.stream.getAudioTracks()[0];
    if (vt) vt.enabled = videoOn;
    if (at) at.enabled = audioOn;
    off.hidden = Boolean(vt && videoOn);
    offText.textContent = t(vt ? "cameraIsOff" : "noCamera");
    preMic.setAttribute("aria-pressed", String(Boolean(at && audioOn)));
    preMic.setAttribute("aria-label", t(at && audioOn ? "micTurnOff" : "micTurnOn"));
    preCam.setAttribute("aria-pressed", String(Boolean(vt && videoOn)));
    preCam.setAttribute("aria-label", t(vt && videoOn ? "camTurnOff" : "camTurnOn"));
    preMic.disabled = !at;
    preCam.disabled = !vt;
  }

  async function fillDevices() {
    const { cams, mics } = await listDevices();
    const fill = (sel, list, kind) => {
      const keep = sel.value;
      sel.replaceChildren(new Option(t(`${kind}Default`), ""));
      list.forEach((d, i) => d.deviceId && sel.append(new Option(d.label || t(`${kind}Numbered`, { n: i + 1 }), d.deviceId)));
      sel.value = keep;
      sel.disabled = list.length === 0;
    };
    fill(camSel, cams, "camera");
    fill(micSel, mics, "mic");
  }

  async function start() {
    stopMeter();
    stopStream(current.stream);
    current = await getMedia({ audioId: micSel.value, videoId: camSel.value });
    video.srcObject = current.stream;
    onStream(current.stream);
    showHelp(current.error);
    setCheck("media", current.audio && current.video ? "ok" : current.audio || current.video ? "warn" : "fail",
      t(current.audio && current.video ? "mediaOk" : current.audio ? "mediaMicOnly" : current.video ? "mediaCamOnly" : "mediaNone"));
    stopMeter = micMeter(current.stream, (lvl) => (meter.style.transform = `scaleX(${lvl.toFixed(3)})`));
    paint();
    await fillDevices();
  }

  preMic.addEventListener("click", () => {
    audioOn = !audioOn;
    paint();
  });
  preCam.addEventListener("click", () => {
    videoOn = !videoOn;
    paint();
  });
  camSel.addEventListener("change", start);
  micSel.addEventListener("change", start);

  await start();
  // The room server check is the lobby socket itself (opened with the page, kept for Join).
  lobbyReady(sig).then((ok) => setCheck("signal", ok ? "ok" : "fail", t(ok ? "signalOk" : "signalFail")));
  iceReady.then((ice) => checkTurn(ice, t)).catch(() => setCheck("turn", "warn", t("turnError")));

  joinBtn.focus({ preventScroll: true });
  await clicked;
  stopMeter();
  return { stream: current.stream, audioOn: audioOn && current.audio, videoOn: videoOn && current.video };
}
