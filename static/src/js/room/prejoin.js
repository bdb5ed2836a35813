// Pre-join: preview, device pickers, mic meter, cam/mic toggles, permission help and the
// connectivity check (room server reachable, TURN relay candidates gathered when TURN is set).

import { getMedia, listDevices, micMeter, stopStream } from "./media.js";
import { probe } from "./signalling.js";

const HELP = {
  denied: ["Camera and microphone are blocked.", "Allow access in your browser's address bar (the camera icon), then reload this page. You can still join and listen."],
  nodevice: ["No camera or microphone found.", "Plug one in and reload, or join without them — you can still see, hear and chat."],
  nocam: ["No camera found.", "You can join with audio only."],
  nomic: ["No microphone found.", "You can join, but the other side won't hear you. Use chat instead."],
  busy: ["Your camera is in use by another app.", "Close other video apps (Zoom, Meet…) and reload."],
  unsupported: ["This browser can't do video calls.", "Use a recent Chrome, Edge, Firefox or Safari."],
  error: ["We couldn't start your camera or microphone.", "Reload the page and try again."],
};

function setCheck(name, status, text) {
  const li = document.querySelector(`[data-check="${name}"]`);
  if (!li) return;
  li.dataset.status = status;
  li.querySelector("[data-text]").textContent = text;
}

async function checkTurn(ice) {
  if (!ice.turn) {
    setCheck("turn", "skip", "Not configured");
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
  setCheck("turn", found ? "ok" : "warn", found ? "Reachable" : "Unreachable — direct connection only");
}

export async function prejoin(cfg, iceReady) {
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
    const [title, body] = HELP[kind] || HELP.error;
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
    offText.textContent = vt ? "Camera is off" : "No camera";
    preMic.setAttribute("aria-pressed", String(Boolean(at && audioOn)));
    preMic.setAttribute("aria-label", at && audioOn ? "Turn microphone off" : "Turn microphone on");
    preCam.setAttribute("aria-pressed", String(Boolean(vt && videoOn)));
    preCam.setAttribute("aria-label", vt && videoOn ? "Turn camera off" : "Turn camera on");
    preMic.disabled = !at;
    preCam.disabled = !vt;
  }

  async function fillDevices() {
    const { cams, mics } = await listDevices();
    const fill = (sel, list, label) => {
      const keep = sel.value;
      sel.replaceChildren(new Option(`Default ${label}`, ""));
      list.forEach((d, i) => d.deviceId && sel.append(new Option(d.label || `${label} ${i + 1}`, d.deviceId)));
      sel.value = keep;
      sel.disabled = list.length === 0;
    };
    fill(camSel, cams, "camera");
    fill(micSel, mics, "microphone");
  }

  async function start() {
    stopMeter();
    stopStream(current.stream);
    current = await getMedia({ audioId: micSel.value, videoId: camSel.value });
    video.srcObject = current.stream;
    showHelp(current.error);
    setCheck("media", current.audio && current.video ? "ok" : current.audio || current.video ? "warn" : "fail",
      current.audio && current.video ? "Working" : current.audio ? "Microphone only" : current.video ? "Camera only" : "Not available");
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
  probe(cfg.wsPath).then((r) => setCheck("signal", r.ok ? "ok" : "fail", r.ok ? "Connected" : "Can't reach the room server"));
  iceReady.then(checkTurn).catch(() => setCheck("turn", "warn", "Check failed"));

  joinBtn.focus({ preventScroll: true });
  await clicked;
  stopMeter();
  return { stream: current.stream, audioOn: audioOn && current.audio, videoOn: videoOn && current.video };
}
