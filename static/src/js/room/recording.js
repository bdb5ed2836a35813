// Recording with consent (SPEC §7). The server decides every step (apps/rooms/recording.py); this
// module shows it and, on the requester's page only, records and uploads.
//
//   Record ──rec-request──▶ server ──"requested"──▶ the other side: Allow / Decline dialog
//   Allow ──rec-answer──▶ server ──"consented"──▶ requester sends rec-start ──"started"──▶ both
//   sides show "Recording"; the requester's browser records (remote video + both voices mixed)
//   Stop (either side) ──rec-stop──▶ "stopped" ──▶ the recorder uploads the rest, then completes.
//
// Uploads go in chunks of at most 4 MB with the byte offset the page believes the server has; a
// 409 answer carries the server's offset and the upload resumes from there (a lost reply never
// duplicates bytes, a lost chunk is sent again).

export const CHUNK_BYTES = 4 * 1024 * 1024;

// The part of an upload buffer still to send: `base` is the server offset where `buffer` starts.
export class UploadBuffer {
  constructor() {
    this.base = 0;
    this.parts = [];
    this.size = 0;
  }

  push(bytes) {
    this.parts.push(bytes);
    this.size += bytes.size ?? bytes.byteLength ?? bytes.length;
  }

  get end() {
    return this.base + this.size;
  }

  // The next chunk to send, as a Blob-like slice, and the offset it starts at.
  next(max = CHUNK_BYTES) {
    if (!this.size) return null;
    const all = new Blob(this.parts);
    return { offset: this.base, data: all.slice(0, Math.min(max, this.size)) };
  }

  // The server now holds `offset` bytes: drop what it has. False if it holds less than we kept
  // (bytes we no longer have): the upload cannot be completed honestly.
  confirm(offset) {
    if (offset < this.base) return false;
    const drop = Math.min(offset - this.base, this.size);
    const all = new Blob(this.parts);
    const rest = all.slice(drop);
    this.parts = rest.size ? [rest] : [];
    this.size = rest.size;
    this.base += drop;
    return true;
  }
}

export async function uploadAll(buffer, { send, retries = 4, wait = (ms) => new Promise((r) => setTimeout(r, ms)) }) {
  let failures = 0;
  for (;;) {
    const chunk = buffer.next();
    if (!chunk) return true;
    let reply;
    try {
      reply = await send(chunk.offset, chunk.data);
    } catch {
      reply = null;
    }
    if (reply && (reply.status === 200 || reply.status === 409) && Number.isInteger(reply.offset)) {
      if (!buffer.confirm(reply.offset)) return false;
      failures = 0;
      continue;
    }
    if (reply && reply.status >= 400 && reply.status < 500 && reply.status !== 408 && reply.status !== 429) return false;
    failures += 1;
    if (failures > retries) return false;
    await wait(500 * 2 ** failures);
  }
}

function pickMime() {
  const options = ["video/webm;codecs=vp8,opus", "video/webm;codecs=vp9,opus", "video/webm"];
  return options.find((m) => window.MediaRecorder && MediaRecorder.isTypeSupported(m)) || "";
}

export class RecordingControl {
  constructor({ sig, t, announce, cfg, csrf, $ }) {
    Object.assign(this, { sig, t, announce, cfg, csrf, $ });
    this.current = null; // {id, requester, needed}
    this.recorder = null;
    this.buffer = null;
    this.button = $("ctl-rec");
    this.indicator = $("rec-indicator");
    this.dialog = $("rec-dialog");
    if (!this.button) return;
    this.button.addEventListener("click", () => this.toggle());
    $("rec-stop")?.addEventListener("click", () => this.current && this.sig.send({ type: "rec-stop", id: this.current.id }));
    $("rec-accept")?.addEventListener("click", () => this.answer(true));
    $("rec-decline")?.addEventListener("click", () => this.answer(false));
  }

  get me() {
    return this.cfg.userId;
  }

  toggle() {
    if (this.current && (this.indicator && !this.indicator.hidden)) {
      this.sig.send({ type: "rec-stop", id: this.current.id });
    } else if (!this.current) {
      if (!pickMime()) return this.announce(this.t("recUnsupported"));
      this.sig.send({ type: "rec-request" });
    }
  }

  answer(accept) {
    if (this.dialog?.open) this.dialog.close();
    if (this.current) this.sig.send({ type: "rec-answer", id: this.current.id, accept });
  }

  setIndicator(on) {
    if (this.indicator) this.indicator.hidden = !on;
    if (this.button) this.button.setAttribute("aria-pressed", on ? "true" : "false");
    document.getElementById("room-app")?.setAttribute("data-recording", on ? "on" : "off");
  }

  // A "rec" message from the server.
  handle(m) {
    const mine = m.requester === this.me;
    switch (m.event) {
      case "requested":
        this.current = { id: m.id, requester: m.requester, needed: m.needed };
        if (mine) this.announce(this.t("recWaiting"));
        else if (m.needed.includes(this.me) && this.dialog) {
          this.$("rec-dialog-text").textContent = this.t("recAsked", { name: m.byName });
          this.dialog.showModal();
        }
        break;
      case "consented":
        if (mine) this.sig.send({ type: "rec-start", id: m.id });
        break;
      case "declined":
      case "withdrawn":
        if (this.dialog?.open) this.dialog.close();
        this.current = null;
        this.setIndicator(false);
        this.announce(this.t(m.event === "declined" ? "recDeclined" : "recWithdrawn", { name: m.byName }));
        break;
      case "started":
        this.setIndicator(true);
        this.announce(this.t("recStarted"));
        if (mine) this.startRecorder(m.id);
        break;
      case "stopped":
        this.setIndicator(false);
        this.announce(this.t("recStopped"));
        if (this.recorder && this.recorder.state !== "inactive") this.recorder.stop();
        else this.current = null;
        break;
      default:
        break;
    }
  }

  // The session ended or this page leaves: stop recording; what was recorded still uploads.
  stopLocal() {
    this.setIndicator(false);
    if (this.recorder && this.recorder.state !== "inactive") this.recorder.stop();
  }

  startRecorder(id) {
    const remote = document.getElementById("remote-video")?.srcObject;
    const local = document.getElementById("local-video")?.srcObject;
    const ctx = new AudioContext();
    const mix = ctx.createMediaStreamDestination();
    for (const s of [remote, local]) if (s && s.getAudioTracks().length) ctx.createMediaStreamSource(s).connect(mix);
    const video = remote ? remote.getVideoTracks().slice(0, 1) : [];
    const stream = new MediaStream([...video, ...mix.stream.getAudioTracks()]);
    const recorder = new MediaRecorder(stream, { mimeType: pickMime() });
    const base = `/session/${this.cfg.roomCode}/recordings/${id}/`;
    this.buffer = new UploadBuffer();
    let uploading = Promise.resolve(true);
    const send = async (offset, data) => {
      const r = await fetch(base + "upload/", {
        method: "POST", credentials: "same-origin", body: data,
        headers: { "X-CSRFToken": this.csrf, "X-Upload-Offset": String(offset), "Content-Type": "application/octet-stream" },
      });
      const body = await r.json().catch(() => ({}));
      return { status: r.status, offset: body.offset };
    };
    const pump = () => {
      uploading = uploading.then((ok) => ok && uploadAll(this.buffer, { send }));
      return uploading;
    };
    const startedAt = performance.now();
    recorder.ondataavailable = (e) => {
      if (e.data && e.data.size) {
        this.buffer.push(e.data);
        pump();
      }
    };
    recorder.onstop = async () => {
      const seconds = (performance.now() - startedAt) / 1000;
      ctx.close().catch(() => {});
      this.announce(this.t("recUploading"));
      const ok = await pump();
      let saved = false;
      if (ok) {
        const r = await fetch(base + "complete/", {
          method: "POST", credentials: "same-origin", body: JSON.stringify({ duration: seconds }),
          headers: { "X-CSRFToken": this.csrf, "Content-Type": "application/json" },
        }).catch(() => null);
        saved = Boolean(r && r.ok);
      }
      this.announce(this.t(saved ? "recSaved" : "recFailed"));
      this.current = null;
      this.recorder = null;
      document.getElementById("room-app")?.setAttribute("data-rec-upload", saved ? "done" : "failed");
    };
    recorder.start(1000);
    this.recorder = recorder;
  }
}
