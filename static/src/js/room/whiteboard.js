// Shared whiteboard: strokes are normalised (0..1) polylines, drawn locally at once, sent when
// the pointer lifts, persisted by the server and replayed on (re)join.

const MAX_POINTS = 1800;

function uid() {
  const a = new Uint8Array(9);
  crypto.getRandomValues(a);
  return "s" + Array.from(a, (b) => b.toString(16).padStart(2, "0")).join("");
}

export class Whiteboard {
  constructor(canvas, { send }) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.send = send;
    this.strokes = [];
    this.ids = new Set();
    this.tool = "pen";
    this.color = "#151515";
    this.current = null;
    new ResizeObserver(() => this.resize()).observe(canvas);
    canvas.addEventListener("pointerdown", (e) => this.down(e));
    canvas.addEventListener("pointermove", (e) => this.move(e));
    canvas.addEventListener("pointerup", (e) => this.up(e));
    canvas.addEventListener("pointercancel", (e) => this.up(e));
  }

  resize() {
    const r = this.canvas.getBoundingClientRect();
    if (!r.width || !r.height) return;
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(r.width * dpr);
    this.canvas.height = Math.round(r.height * dpr);
    this.redraw();
  }

  pos(e) {
    const r = this.canvas.getBoundingClientRect();
    return [Math.min(1, Math.max(0, (e.clientX - r.left) / r.width)), Math.min(1, Math.max(0, (e.clientY - r.top) / r.height))];
  }

  down(e) {
    e.preventDefault();
    this.canvas.setPointerCapture(e.pointerId);
    this.current = { id: uid(), tool: this.tool, color: this.color, width: this.tool === "eraser" ? 24 : 3, points: [this.pos(e)] };
  }

  move(e) {
    if (!this.current) return;
    const p = this.pos(e);
    const pts = this.current.points;
    pts.push(p);
    this.drawSegment(this.current, pts.length - 2);
    if (pts.length >= MAX_POINTS) {
      const last = pts[pts.length - 1];
      this.finish();
      this.current = { id: uid(), tool: this.tool, color: this.color, width: this.tool === "eraser" ? 24 : 3, points: [last] };
    }
  }

  up() {
    if (this.current) this.finish();
  }

  finish() {
    const s = this.current;
    this.current = null;
    if (s.points.length === 1) {
      s.points.push([s.points[0][0] + 0.001, s.points[0][1]]);
      this.drawStroke(s);
    }
    this.strokes.push(s);
    this.ids.add(s.id);
    this.send({ type: "stroke", stroke: s });
  }

  add(stroke) {
    if (this.ids.has(stroke.id)) return;
    this.ids.add(stroke.id);
    this.strokes.push(stroke);
    this.drawStroke(stroke);
  }

  // A later part of the board's replay (a full board arrives in several messages).
  addMany(strokes) {
    for (const s of strokes) this.add(s);
  }

  // Take a stroke back off the board (the server refused it: the board is full).
  remove(id) {
    if (!this.ids.delete(id)) return;
    this.strokes = this.strokes.filter((s) => s.id !== id);
    this.redraw();
  }

  load(strokes) {
    // Server copy is the truth after a (re)join; keep a stroke still in flight.
    this.strokes = strokes.slice();
    this.ids = new Set(strokes.map((s) => s.id));
    this.redraw();
  }

  clear({ broadcast = true } = {}) {
    this.strokes = [];
    this.ids.clear();
    this.redraw();
    if (broadcast) this.send({ type: "wb-clear" });
  }

  style(s) {
    const c = this.ctx;
    const dpr = window.devicePixelRatio || 1;
    c.lineCap = "round";
    c.lineJoin = "round";
    c.lineWidth = s.width * dpr;
    c.globalCompositeOperation = s.tool === "eraser" ? "destination-out" : "source-over";
    c.strokeStyle = s.color;
  }

  drawSegment(s, i) {
    if (i < 0) return;
    const { width: W, height: H } = this.canvas;
    const [a, b] = [s.points[i], s.points[i + 1]];
    this.style(s);
    this.ctx.beginPath();
    this.ctx.moveTo(a[0] * W, a[1] * H);
    this.ctx.lineTo(b[0] * W, b[1] * H);
    this.ctx.stroke();
  }

  drawStroke(s) {
    const { width: W, height: H } = this.canvas;
    this.style(s);
    this.ctx.beginPath();
    s.points.forEach(([x, y], i) => (i ? this.ctx.lineTo(x * W, y * H) : this.ctx.moveTo(x * W, y * H)));
    this.ctx.stroke();
  }

  redraw() {
    this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.strokes.forEach((s) => this.drawStroke(s));
  }

  // PNG of the board on white, at a fixed size so the saved image does not depend on the window.
  snapshot() {
    const out = document.createElement("canvas");
    out.width = 1280;
    out.height = 800;
    const c = out.getContext("2d");
    c.fillStyle = "#ffffff";
    c.fillRect(0, 0, out.width, out.height);
    const layer = document.createElement("canvas");
    layer.width = out.width;
    layer.height = out.height;
    const lc = layer.getContext("2d");
    for (const s of this.strokes) {
      lc.lineCap = "round";
      lc.lineJoin = "round";
      lc.lineWidth = s.width * 1.5;
      lc.globalCompositeOperation = s.tool === "eraser" ? "destination-out" : "source-over";
      lc.strokeStyle = s.color;
      lc.beginPath();
      s.points.forEach(([x, y], i) => (i ? lc.lineTo(x * out.width, y * out.height) : lc.moveTo(x * out.width, y * out.height)));
      lc.stroke();
    }
    c.drawImage(layer, 0, 0);
    return new Promise((resolve) => out.toBlob(resolve, "image/png"));
  }
}
