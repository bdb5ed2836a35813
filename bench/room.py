"""Live-room benchmark (issue 4): two real Chromium pages (fake camera/mic) on loopback.

    .venv/bin/python bench/room.py [--runs 20] [--messages 20]

1. **First remote frame**: for each run, a fresh mentor, learner and session; both pages load the
   room, then both press Join/Go live. Time from "both pages loaded" until *both* pages show a
   decoded remote frame (remote <video> has videoWidth > 0 and is playing). Includes pre-join
   camera start, WebSocket join, perfect-negotiation offer/answer and ICE on loopback.
2. **Signalling relay latency**: two authenticated raw WebSockets in the two pages, joined to one
   room. The mentor sends a `signal` to the learner, whose page sends it straight back; round trip
   = 2 passes through RoomConsumer (schema check, rate limit, channel-layer group send). Baseline:
   the same-size text through a raw echo consumer in the same daphne (routed only with
   PEERLEARN_BENCH=1). Measured in alternating batches so noise hits both alike.
3. **The same without a browser**: the relay and the echo again, from Python WebSocket clients
   (bench/wsclient.py) in this process instead of two pages: the server's share of the relay
   without the four crossings of Chromium's network process and the second page's turnaround that
   the browser relay pays (the browser echo crosses twice). Printed beside the browser figures,
   not instead of them.

Embedded profile (SQLite, in-memory channel layer) in a throwaway var dir. Prints a table and
writes JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# bench/http.py would shadow the standard library's `http`: keep this directory last on sys.path.
sys.path[:] = [str(HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]

from common import PY, ROOT, embedded_env, free_port, machine, write_json  # noqa: E402

CHROMIUM_ARGS = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--allow-loopback-in-peer-connection",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
]
REMOTE_PLAYING = (
    "() => { const v = document.getElementById('remote-video'); return v && v.videoWidth > 0 && !v.paused; }"
)

DIAG_JS = """
async () => {
  const v = document.getElementById('remote-video');
  const r = window.__room;
  const peers = r ? await Promise.all([...r.peers.values()].map(async (e) => ({
    id: e.peer.id, polite: e.peer.polite, sig: e.peer.pc.signalingState, ice: e.peer.pc.iceConnectionState,
    conn: e.peer.pc.connectionState, tracks: e.peer.remoteStream.getTracks().map((t) => t.kind + ':' + t.readyState + ':' + t.muted) }))) : null;
  return { marks: window.__marks, sig: r && r.sig.state, peerId: r && r.sig.peerId, peers,
    video: v && { w: v.videoWidth, paused: v.paused, ready: v.readyState, src: Boolean(v.srcObject) } };
}
"""

RELAY_JS = """
async ([path, role, otherId, n]) => {
  const ws = new WebSocket(`ws://${location.host}${path}`);
  const welcome = await new Promise((res) => ws.addEventListener('message', function h(ev) {
    const m = JSON.parse(ev.data); if (m.type === 'welcome') { ws.removeEventListener('message', h); res(m); } }));
  window.__ws = ws;
  if (role === 'echo-peer') {
    ws.addEventListener('message', (ev) => { const m = JSON.parse(ev.data);
      if (m.type === 'signal') ws.send(JSON.stringify({type: 'signal', to: m.from, description: m.description, t: m.t})); });
  }
  return welcome.you.id;
}
"""

BATCH_JS = """
async ([kind, otherId, n]) => {
  const out = [];
  let ws = window.__ws;
  if (kind === 'echo') {
    if (!window.__echo) { window.__echo = new WebSocket(`ws://${location.host}/ws/bench/echo/`);
      await new Promise((r) => window.__echo.addEventListener('open', r, {once: true})); }
    ws = window.__echo;
  }
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const msg = JSON.stringify({type: 'signal', to: otherId, description: {type: 'rollback', sdp: ''}, t});
    let h;
    const got = new Promise((res) => { h = (ev) => { const m = JSON.parse(ev.data);
      if (m.t === t) res(true); }; ws.addEventListener('message', h); setTimeout(() => res(false), 3000); });
    ws.send(msg);
    const ok = await got;
    ws.removeEventListener('message', h);
    out.push(ok ? performance.now() - t : -1);
    await new Promise((r) => setTimeout(r, 20)); // stay under the room's 60 msg/s per-socket limit
  }
  return out;
}
"""


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def rtt_summary(prefix: str, relay: list[float], echo: list[float]) -> dict[str, float]:
    """p50/p95 of the relay and echo round trips and their ratios, keyed for the JSON summary."""
    out: dict[str, float] = {}
    for q in (50, 95):
        out[f"{prefix}relay_rtt_p{q}_ms"] = round(pct(relay, q), 2)
        out[f"{prefix}echo_rtt_p{q}_ms"] = round(pct(echo, q), 2)
        out[f"{prefix}ratio_p{q}"] = round(pct(relay, q) / pct(echo, q), 2)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--messages", type=int, default=20, help="relay round trips per batch (20 batches)")
    args = ap.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="peerlearn-roombench-"))
    env = embedded_env(var_dir, PEERLEARN_BENCH="1", PEERLEARN_ROOM_TEST_FLAGS="true", STUN_URLS="", TURN_URLS="")
    os.environ.clear()
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerlearn.settings")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    import signal as _signal

    _signal.signal(_signal.SIGTERM, lambda *_: sys.exit(1))  # run the cleanup below on kill
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    port = free_port()
    log = (var_dir / "server.log").open("w")
    proc = subprocess.Popen(
        [PY, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "peerlearn.asgi:application"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(port, proc)
        result = _measure(base, args.runs, args.messages)
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        log.close()
        shutil.rmtree(var_dir, ignore_errors=True)

    ff = result["first_frame_ms"]
    relay, echo = result["relay_rtt_ms"], result["echo_rtt_ms"]
    py_relay, py_echo = result["py_relay_rtt_ms"], result["py_echo_rtt_ms"]
    rows = [
        ("first remote frame (both pages)", ff),
        ("relay RTT via RoomConsumer x2", relay),
        ("raw echo RTT", echo),
        ("no browser: relay RTT", py_relay),
        ("no browser: raw echo RTT", py_echo),
    ]
    print(f"{'measure':<34} {'n':>5} {'p50 ms':>9} {'p95 ms':>9} {'mean ms':>9}")
    print("-" * 70)
    for name, vals in rows:
        print(f"{name:<34} {len(vals):>5} {pct(vals, 50):>9.1f} {pct(vals, 95):>9.1f} {statistics.fmean(vals):>9.1f}")
    stages = result["stages_ms"]
    if stages:
        keys = [k for k in ("welcome", "peer", "ice-connected", "first-frame") if all(k in st for st in stages)]
        print(
            "page stages after Join (median ms): "
            + ", ".join(f"{k} {statistics.median(st[k] for st in stages):.0f}" for k in keys)
        )
    print(f"connection failures: {len(result['failures'])} of {len(ff) + len(result['failures'])} runs")
    browser = rtt_summary("", relay, echo)
    print(
        f"relay/echo ratio: p50 {browser['ratio_p50']:.2f}x, p95 {browser['ratio_p95']:.2f}x"
        " (relay crosses the consumer twice)"
    )
    python = rtt_summary("py_", py_relay, py_echo)
    print(
        f"relay/echo ratio without a browser (Python clients): p50 {python['py_ratio_p50']:.2f}x,"
        f" p95 {python['py_ratio_p95']:.2f}x"
    )
    summary = {
        "first_frame_p50_ms": round(pct(ff, 50), 1),
        "first_frame_p95_ms": round(pct(ff, 95), 1),
        **browser,
        **python,
        "runs_ok": len(ff),
        "runs_failed": len(result["failures"]),
    }
    path = write_json("room", {"machine": machine(), "summary": summary, "raw": result})
    print(f"wrote {path.relative_to(ROOT)}")


def _wait(port: int, proc: subprocess.Popen[bytes]) -> None:
    import socket

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("daphne exited early") from None
            time.sleep(0.2)
    raise RuntimeError("daphne did not start")


def _people(n: int) -> tuple[Any, Any, Any]:
    import uuid

    from django.utils import timezone

    from apps.accounts.models import MentorStatus
    from apps.accounts.services import create_user
    from apps.bookings.models import Booking
    from apps.catalog.models import Session
    from apps.taxonomy.models import Domain

    tag = uuid.uuid4().hex[:8]
    mentor = create_user(email=f"bm{n}-{tag}@example.in", password=None, full_name=f"Bench Mentor {n}", role="mentor",
                         email_verified=True, mentor_status=MentorStatus.APPROVED)  # fmt: skip
    learner = create_user(
        email=f"bl{n}-{tag}@example.in",
        password=None,
        full_name=f"Bench Learner {n}",
        role="learner",
        email_verified=True,
    )
    domain, _ = Domain.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    session = Session.objects.create(mentor=mentor, domain=domain, title=f"Bench {n}", description="bench",
                                     start=timezone.now() + timedelta(minutes=2), duration_minutes=30)  # fmt: skip
    Booking.objects.create(session=session, learner=learner, status="confirmed")
    return mentor, learner, session


def _cookie(user: Any) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    store = import_string(settings.SESSION_ENGINE + ".SessionStore")()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return str(store.session_key)


def _measure(base: str, runs: int, per_batch: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    first: list[float] = []
    relay: list[float] = []
    echo: list[float] = []
    stages: list[dict[str, float]] = []
    join_after_t0: list[float] = []  # each page's Join mark after the mentor's click (mentor, learner, ...)
    failures: list[dict[str, Any]] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)

        def ctx(user: Any) -> Any:
            c = browser.new_context(base_url=base, viewport={"width": 1280, "height": 800})
            c.add_cookies([{"name": "sessionid", "value": _cookie(user), "url": base}])
            return c

        for i in range(runs):
            mentor, learner, session = _people(i)
            url = f"/session/{session.room_code}/"
            mc, lc = ctx(mentor), ctx(learner)
            m, lp = mc.new_page(), lc.new_page()
            logs: list[str] = []
            m.on("console", lambda msg, logs=logs: logs.append("M " + msg.text))
            lp.on("console", lambda msg, logs=logs: logs.append("L " + msg.text))
            m.goto(url)
            lp.goto(url)
            # Both pages loaded: press Join on both (in-page clicks, no Playwright actionability
            # waits), then time to the later of the two pages' first remote frame, on the
            # pages' own clocks (performance.timeOrigin + now() is wall-clock on one machine).
            t0 = m.evaluate(
                "() => { const t = performance.timeOrigin + performance.now(); document.getElementById('join-btn').click(); return t; }"
            )
            lp.evaluate("() => document.getElementById('join-btn').click()")
            try:
                m.wait_for_function(REMOTE_PLAYING, timeout=20_000)
                lp.wait_for_function(REMOTE_PLAYING, timeout=20_000)
            except Exception as exc:  # a run that never connects is reported, not hidden
                diag = []
                for pg in (m, lp):
                    try:
                        diag.append(pg.evaluate(DIAG_JS))
                    except Exception as e2:
                        diag.append(str(e2)[:200])
                failures.append({"run": i, "error": str(exc)[:200], "logs": logs[-40:], "pages": diag})
                print(json.dumps(failures[-1], indent=1, default=str)[:4000], flush=True)
                print(f"run {i + 1}/{runs}: FAILED to connect ({str(exc)[:80]})", flush=True)
                mc.close()
                lc.close()
                continue
            ends = []
            for pg in (m, lp):
                pg.wait_for_function("() => window.__marks && 'first-frame' in window.__marks")
                mk = pg.evaluate("() => ({...window.__marks, origin: performance.timeOrigin})")
                ends.append(mk["origin"] + mk["first-frame"])
                stages.append({k: round(v - mk["join"]) for k, v in mk.items() if k != "origin"})
                join_after_t0.append(round(mk["origin"] + mk["join"] - t0))
            first.append(max(ends) - t0)
            mc.close()
            lc.close()
            print(f"run {i + 1}/{runs}: first remote frame {first[-1]:.0f} ms", flush=True)

        mentor, learner, session = _people(999)
        path = f"/ws/room/{session.room_code}/"
        mc, lc = ctx(mentor), ctx(learner)
        m, lp = mc.new_page(), lc.new_page()
        m.goto("/help/")
        lp.goto("/help/")
        learner_id = str(lp.evaluate(RELAY_JS, [path, "echo-peer", "", 0]))
        m.evaluate(RELAY_JS, [path, "sender", "", 0])
        for _ in range(20):
            relay += m.evaluate(BATCH_JS, ["relay", learner_id, per_batch])
            echo += m.evaluate(BATCH_JS, ["echo", learner_id, per_batch])
        lost = sum(1 for x in relay + echo if x < 0)
        if lost:
            print(f"{lost} relay/echo messages got no reply within 3 s (excluded)", flush=True)
        relay = [x for x in relay if x >= 0]
        echo = [x for x in echo if x >= 0]
        browser.close()
    import asyncio

    port = int(base.rsplit(":", 1)[1])
    py_relay, py_echo = asyncio.run(_python_relay(port, path, _cookie(mentor), _cookie(learner), per_batch))
    return {
        "py_relay_rtt_ms": py_relay,
        "py_echo_rtt_ms": py_echo,
        "first_frame_ms": first,
        "relay_rtt_ms": relay,
        "echo_rtt_ms": echo,
        "stages_ms": stages,
        "join_after_t0_ms": join_after_t0,
        "failures": failures,
    }


async def _python_relay(
    port: int, path: str, mentor_key: str, learner_key: str, per_batch: int
) -> tuple[list[float], list[float]]:
    """Relay and echo round trips from Python clients (no browser): the mentor's socket sends a
    ``signal`` to the learner's, whose reader sends it straight back, as the pages do above; the
    echo is the same text through the raw echo consumer. 20 alternating batches, 20 ms apart (the
    room's per-socket rate limit)."""
    import asyncio

    from django.conf import settings
    from wsclient import WSClient

    async def enter(key: str) -> tuple[WSClient, str]:
        ws = await WSClient.connect("127.0.0.1", port, path, cookie=f"{settings.SESSION_COOKIE_NAME}={key}")
        while True:
            m = await asyncio.wait_for(ws.recv_json(), 10)
            if m.get("type") == "hello":
                return ws, str(m["you"]["id"])

    mentor, _ = await enter(mentor_key)
    learner, learner_id = await enter(learner_key)

    async def turn_around() -> None:  # the learner's side: every signal goes straight back
        while True:
            m = await learner.recv_json()
            if m.get("type") == "signal":
                await learner.send_json(
                    {"type": "signal", "to": m["from"], "description": m["description"], "t": m["t"]}
                )

    back = asyncio.ensure_future(turn_around())
    replies: dict[str, asyncio.Queue[Any]] = {"relay": asyncio.Queue(), "echo": asyncio.Queue()}
    echo = await WSClient.connect("127.0.0.1", port, "/ws/bench/echo/")

    async def read(ws: WSClient, q: asyncio.Queue[Any]) -> None:
        while True:
            m = await ws.recv_json()
            if "t" in m:
                q.put_nowait((time.perf_counter(), m["t"]))

    readers = [
        asyncio.ensure_future(read(mentor, replies["relay"])),
        asyncio.ensure_future(read(echo, replies["echo"])),
    ]
    out: dict[str, list[float]] = {"relay": [], "echo": []}
    try:
        for _ in range(20):
            for kind, ws in (("relay", mentor), ("echo", echo)):
                for _ in range(per_batch):
                    t = time.perf_counter()
                    await ws.send_json(
                        {"type": "signal", "to": learner_id, "description": {"type": "rollback", "sdp": ""}, "t": t}
                    )
                    try:
                        while True:
                            arrived, tag = await asyncio.wait_for(replies[kind].get(), 3)
                            if tag == t:
                                out[kind].append((arrived - t) * 1000)
                                break
                    except TimeoutError:
                        pass  # counted as missing below
                    await asyncio.sleep(0.02)
    finally:
        for task in [back, *readers]:
            task.cancel()
        for ws in (mentor, learner, echo):
            await ws.close()
    lost = 40 * per_batch - len(out["relay"]) - len(out["echo"])
    if lost:
        print(f"{lost} relay/echo messages from Python clients got no reply within 3 s (excluded)", flush=True)
    return out["relay"], out["echo"]


if __name__ == "__main__":
    main()
