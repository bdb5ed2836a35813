// The picture on screen, not just the connection. After a long outage Chrome can report the
// connection as connected and keep decoding the other side's video while the <video> element
// shows none of it (frames held back by a receive pipeline whose timing the outage broke; seen
// with small UDP buffers, where the outage's backlog arrives late). Re-attaching the stream does
// not help; a new connection does. So, once a second while camera video is expected on screen
// and both the media path and the room server are up, compare what the decoder produced with what
// the element presented:
// - frames decoded but none presented for `heldLooks` looks in a row: the pipeline holds them;
// - nothing presented at all for `stallMs` (and the key frames Peer.checkVideoFlow asks for after
//   4 s did not help): the picture is stuck either way;
// then ask for a new connection on both sides, at most once per `cooldownMs`.

export const FRAME_WATCH = Object.freeze({
  impolite: { heldLooks: 2, stallMs: 8000 },
  polite: { heldLooks: 3, stallMs: 12000 },
});
const COOLDOWN_MS = 15000;
const HELD_MIN_DECODED = 5; // decoded frames per look that should have shown up

export class FrameWatch {
  constructor({ heldLooks, stallMs, cooldownMs = COOLDOWN_MS }) {
    Object.assign(this, { heldLooks, stallMs, cooldownMs });
    this.lastReset = -Infinity;
    this.clear();
  }

  clear() {
    this.last = null; // {frames, decoded} at the last look
    this.since = null; // when the presented count last changed (or watching began)
    this.held = 0; // looks in a row with frames decoded but none presented
  }

  // One look. `frames`: frames the element presented (restarts from 0 with a new stream);
  // `decoded`: frames the decoder produced (null if unknown); `watching`: whether moving video
  // is expected on screen now. Returns why to replace the connection ("held" | "stalled"), or "".
  tick({ frames, decoded, watching, now }) {
    if (!watching) {
      this.clear();
      return "";
    }
    const last = this.last;
    this.last = { frames, decoded };
    if (last === null || frames !== last.frames) {
      this.since = now;
      this.held = 0;
      return "";
    }
    const decodedMore = decoded !== null && last.decoded !== null && decoded - last.decoded >= HELD_MIN_DECODED;
    this.held = decodedMore ? this.held + 1 : 0;
    const why = this.held >= this.heldLooks ? "held" : now - this.since >= this.stallMs ? "stalled" : "";
    if (!why || now - this.lastReset < this.cooldownMs) return "";
    this.lastReset = now;
    this.clear();
    return why;
  }
}

// Wire a FrameWatch to the room. The mentor (impolite) acts sooner, so both sides rarely ask at
// once (if they do, the second request replaces the first one's new connection, which converges).
export function watchFrames({ peers, stage, sig, role, isOver }) {
  const watch = new FrameWatch(role === "mentor" ? FRAME_WATCH.impolite : FRAME_WATCH.polite);
  let busy = false;
  return setInterval(async () => {
    if (busy) return;
    const entry = peers.first();
    const watching = Boolean(
      entry && entry.connected && !entry.away && !isOver() && sig.healthy && stage.remoteVideoExpected() && document.visibilityState === "visible",
    );
    busy = true;
    const decoded = watching ? await entry.peer.decodedFrames() : null;
    busy = false;
    const why = watch.tick({ frames: stage.presentedFrames(), decoded, watching, now: performance.now() });
    if (why && peers.first() === entry) {
      console.debug(`peer ${entry.info.id}: remote video ${why === "held" ? "decoded but not shown" : "not moving"} while connected, new connection`);
      peers.reset(entry.info.id, { tell: true });
    }
  }, 1000);
}
