// The call's state machine. Every change of phase goes through Call.transition(), which refuses a
// move the table below does not allow; the page's UI listens for changes instead of keeping its
// own flags.
//
//   idle          pre-join screen, nothing connected
//   joining       Join pressed, the room socket is opening (first time)
//   waiting       in the room, the other side is not here
//   negotiating   the other side is here; the peer connection is being set up or ICE restarts
//   connected     media flows with the other side
//   reconnecting  our room socket dropped; retrying with backoff, keeping our peer id
//   failed        gave up reconnecting (6 attempts) or the server refused us; "Rejoin" retries
//   ended         the session is over (terminal)

export const STATES = Object.freeze(["idle", "joining", "waiting", "negotiating", "connected", "reconnecting", "failed", "ended"]);

export const TRANSITIONS = Object.freeze({
  idle: ["joining", "ended"],
  joining: ["waiting", "negotiating", "reconnecting", "failed", "ended"],
  waiting: ["negotiating", "reconnecting", "failed", "ended"],
  negotiating: ["connected", "waiting", "reconnecting", "failed", "ended"],
  connected: ["negotiating", "waiting", "reconnecting", "failed", "ended"],
  reconnecting: ["waiting", "negotiating", "connected", "failed", "ended"],
  failed: ["joining", "reconnecting", "ended"],
  ended: [],
});

export class IllegalTransition extends Error {
  constructor(from, to) {
    super(`illegal call transition ${from} -> ${to}`);
    this.name = "IllegalTransition";
    this.from = from;
    this.to = to;
  }
}

// Where a call in the room (socket open, welcomed) settles, given what is known about the peer.
export function settledState({ peerPresent, mediaConnected }) {
  if (!peerPresent) return "waiting";
  return mediaConnected ? "connected" : "negotiating";
}

export class Call {
  constructor() {
    this.state = "idle";
    this.detail = {};
    this.history = [];
    this.listeners = new Set();
  }

  can(to) {
    return TRANSITIONS[this.state].includes(to);
  }

  get inRoom() {
    return this.state === "waiting" || this.state === "negotiating" || this.state === "connected";
  }

  get isOver() {
    return this.state === "ended";
  }

  // Move to `to`. Staying in the same state is a no-op (returns false); a move the table does not
  // allow throws IllegalTransition and leaves the state unchanged.
  transition(to, detail = {}) {
    if (!(to in TRANSITIONS)) throw new IllegalTransition(this.state, to);
    if (to === this.state) return false;
    if (!this.can(to)) throw new IllegalTransition(this.state, to);
    const from = this.state;
    this.state = to;
    this.detail = detail;
    this.history.push(to);
    for (const fn of this.listeners) fn({ from, to, detail });
    return true;
  }

  // Like transition(), for events that may legitimately arrive late (after the end, say):
  // an illegal move is ignored and reported as false.
  tryTransition(to, detail = {}) {
    if (to !== this.state && !this.can(to)) return false;
    return this.transition(to, detail);
  }

  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
