"""Live room journeys with two real browsers (mentor and learner, Chromium fake camera/mic).

This module runs its own daphne (like the shared `server` fixture) so it can point the app at a
local coturn (`/usr/bin/turnserver`, loopback, shared secret) and enable the test-only page flag
``?relay=1`` (PEERLEARN_ROOM_TEST_FLAGS) that forces ``iceTransportPolicy: "relay"``.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from conftest import (
    ARTIFACTS,
    ROOT,
    _free_port,
    axe_violations,
    format_violations,
    make_user,
    record_toasts,
    wait_for_toast,
)

TURN_SECRET = secrets.token_hex(16)


def _wait_port(port: int, proc: subprocess.Popen[bytes], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"{what} exited early") from None
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not start")


PROCS: dict[str, subprocess.Popen[bytes]] = {}  # the TURN relay and the web server, to freeze in outage tests


@pytest.fixture(scope="module")
def turn_port() -> Iterator[int]:
    exe = shutil.which("turnserver")
    if not exe:
        pytest.skip("coturn (turnserver) is not installed")
    port = _free_port()
    low = 49160 + (port % 200) * 20
    log = (ARTIFACTS / "coturn.log").open("w")
    proc = subprocess.Popen(
        [exe, "-n", "--use-auth-secret", f"--static-auth-secret={TURN_SECRET}", "--realm=peerlearn.test",
         "-L", "127.0.0.1", "--relay-ip=127.0.0.1", f"--listening-port={port}", f"--min-port={low}",
         f"--max-port={low + 19}", "--allow-loopback-peers", "--no-tls", "--no-dtls", "--no-cli",
         "--no-tcp-relay", "--log-file=stdout", "--simple-log", "--fingerprint"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    _wait_port(port, proc, "turnserver")  # TCP listener on the same port as UDP
    PROCS["turn"] = proc
    yield port
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


@pytest.fixture(scope="module")
def room_server(django_db_setup: None, turn_port: int) -> Iterator[str]:
    port = _free_port()
    env = dict(os.environ)
    env.update(
        CELERY_TASK_ALWAYS_EAGER="true",
        PEERLEARN_DISABLE_RATE_LIMITS="true",
        PEERLEARN_ROOM_TEST_FLAGS="true",
        PYTHONUNBUFFERED="1",
        STUN_URLS="",
        TURN_URLS=f"turn:127.0.0.1:{turn_port}?transport=udp",
        TURN_SECRET=TURN_SECRET,
        TURN_CREDENTIAL_TTL="600",
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = (ARTIFACTS / "room-server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "peerlearn.asgi:application"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    _wait_port(port, proc, "daphne")
    PROCS["web"] = proc
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture
def ctx_factory(browser: Any, room_server: str, request: Any) -> Iterator[Any]:
    """A signed-in browser context per person. Each page's console (the room's warnings about
    signalling and ICE) is kept in e2e/artifacts/<test>-console.log, to read after a failure."""
    made: list[Any] = []
    console: list[str] = []
    started = time.monotonic()

    def make(user: Any, *, width: int = 1280, height: int = 800) -> Any:
        ctx = browser.new_context(
            base_url=room_server, viewport={"width": width, "height": height}, timezone_id="Asia/Kolkata"
        )
        ctx.set_default_timeout(20_000)
        ctx.add_cookies([{"name": "sessionid", "value": _session_for(user), "url": room_server}])
        who = f"{user.role}#{len(made)}"
        ctx.on(
            "console",
            lambda msg: console.append(f"{time.monotonic() - started:8.2f} {who} {msg.type}: {msg.text}"),
        )
        made.append(ctx)
        return ctx

    make.console = console  # type: ignore[attr-defined]
    yield make
    for c in made:
        c.close()
    if console:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / f"{request.node.name}-console.log").write_text("\n".join(console) + "\n")


def _session_for(user: Any) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    store = import_string(settings.SESSION_ENGINE + ".SessionStore")()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return str(store.session_key)


def _setup(
    *, topics: list[str] | None = None, starts_in: timedelta = timedelta(minutes=3)
) -> tuple[Any, Any, Any, Any]:
    from django.utils import timezone

    from apps.bookings.models import Booking
    from apps.catalog.models import Session
    from apps.taxonomy.models import Domain

    mentor = make_user("mentor", full_name="Meera Iyer")
    learner = make_user("learner", full_name="Arjun Rao")
    domain, _ = Domain.objects.get_or_create(slug="programming", defaults={"name": "Programming"})
    session = Session.objects.create(
        mentor=mentor, domain=domain, title="Python loops, live", description="Hands-on loops",
        start=timezone.now() + starts_in, duration_minutes=30,
        topics=topics or ["Variables", "Loops", "Functions"],
        agenda=[{"title": "Warm-up", "minutes": 5}, {"title": "Loops together", "minutes": 20}, {"title": "Q&A", "minutes": 5}],
    )  # fmt: skip
    booking = Booking.objects.create(session=session, learner=learner, status="confirmed")
    return mentor, learner, session, booking


def _join(page: Any, url: str) -> None:
    page.goto(url)
    page.locator("#join-btn").click()
    page.locator("#call").wait_for(state="visible")


REMOTE_PLAYING = (
    "() => { const v = document.getElementById('remote-video'); return v && v.videoWidth > 0 && !v.paused; }"
)


# Frames the remote <video> element has presented since the page's first look, summed over the
# streams it showed: a replaced connection gives the element a new stream, whose count starts at 0.
FRAMES_JS = """() => {
  const v = document.getElementById('remote-video');
  const now = () => v.getVideoPlaybackQuality().totalVideoFrames;
  if (!window.__frames) {
    const f = (window.__frames = { base: 0, last: now() });
    f.read = () => { const n = now(); if (n < f.last) f.base += f.last; f.last = n; return f.base + n; };
    setInterval(f.read, 100);
  }
  return window.__frames.read();
}"""


def _frames(page: Any) -> int:
    return int(page.evaluate(FRAMES_JS))


def _frames_above(page: Any, count: int, timeout: int) -> None:
    page.wait_for_function(f"() => ({FRAMES_JS})() > {count}", timeout=timeout)


def _assert_video_flowing(page: Any, timeout: int = 20_000) -> None:
    page.wait_for_function(REMOTE_PLAYING, timeout=timeout)
    first = _frames(page)
    page.wait_for_timeout(1200)
    assert _frames(page) > first, "remote video frames are not increasing"


def _in_call(ctx_factory: Any, query: str = "", *, learner_width: int = 360) -> tuple[Any, Any]:
    """A mentor (desktop) and a learner (a 360 px phone by default) in a started session's room,
    video flowing both ways."""
    mentor, learner, session, _b = _setup(starts_in=-timedelta(minutes=1))
    url = f"/session/{session.room_code}/{query}"
    m = ctx_factory(mentor).new_page()
    lp = ctx_factory(learner, width=learner_width, height=740 if learner_width == 360 else 800).new_page()
    _join(m, url)
    _join(lp, url)
    _assert_video_flowing(lp, timeout=30_000)
    _assert_video_flowing(m, timeout=30_000)
    return m, lp


def _remote_pixel(page: Any) -> list[int]:
    return page.evaluate(
        """() => { const v = document.getElementById('remote-video'); const c = document.createElement('canvas');
        c.width = 32; c.height = 32; const g = c.getContext('2d'); g.drawImage(v, 0, 0, 32, 32);
        return Array.from(g.getImageData(16, 16, 1, 1).data).slice(0, 3); }"""
    )


FAKE_SCREEN = """
navigator.mediaDevices.getDisplayMedia = async () => {
  const c = document.createElement('canvas'); c.width = 640; c.height = 360;
  const g = c.getContext('2d');
  setInterval(() => { g.fillStyle = '#e01010'; g.fillRect(0, 0, 640, 360); g.fillStyle = '#fff'; g.fillRect(Math.random()*600, 10, 20, 20); }, 66);
  return c.captureStream(15);
};
"""


def test_mentor_and_learner_meet_share_and_rate(ctx_factory: Any) -> None:
    from apps.progress.selectors import reviews_for_mentor

    # Started a minute ago (the mentor is late): this journey ends the session, and a session cannot
    # be ended before its scheduled start.
    mentor, learner, session, booking = _setup(starts_in=-timedelta(minutes=1))
    url = f"/session/{session.room_code}/"
    mctx = ctx_factory(mentor)
    mctx.add_init_script(FAKE_SCREEN)
    m = mctx.new_page()
    lctx = ctx_factory(learner)
    lp = lctx.new_page()
    # Issue 11, as a new learner: a career goal from sign-up, nothing completed yet; another mentor's
    # upcoming session on the same topic. The learner keeps the dashboard open in another tab.
    from apps.accounts.models import LearnerProfile
    from apps.catalog.models import Session

    LearnerProfile.objects.filter(user=learner).update(career_goal="Write Python every day")
    sequel = Session.objects.create(
        mentor=make_user("mentor", full_name="Kabir Sethi"), domain=session.domain, title="Loops, the sequel",
        description="More loops and comprehensions", start=session.start + timedelta(days=2), duration_minutes=45,
        topics=["Loops", "Comprehensions"],
    )  # fmt: skip
    dash = lctx.new_page()
    dash.goto("/dashboard/learner/progress/")
    expect(dash.get_by_test_id("main-goal").get_by_role("img")).to_have_attribute(
        "aria-label", "Write Python every day: 0% done"
    )
    dash.goto("/dashboard/learner/")
    dash.wait_for_function("() => document.body.dataset.notificationsSocket === 'open'")

    # As a new mentor would: from "My sessions" (it opens on "Today & live"), Go live on the row.
    m.goto("/dashboard/mentor/sessions/")
    m.get_by_test_id("mentor-session").filter(has_text="Python loops, live").get_by_role("link", name="Go live").click()
    m.wait_for_url(f"**{url}")
    # Pre-join: preview running, devices listed, room server reachable, TURN relay reachable.
    m.wait_for_function("() => document.getElementById('preview-video').videoWidth > 0")
    m.locator('[data-check="signal"][data-status="ok"]').wait_for()
    m.locator('[data-check="turn"][data-status="ok"]').wait_for()
    assert m.locator("#cam-select option").count() >= 2
    m.screenshot(path=str(ARTIFACTS / "room-prejoin-desktop.png"))
    assert not axe_violations(m), format_violations(axe_violations(m))
    m.locator("#join-btn").click()
    # The learner joins from Bookings (the button says "Join", as on the dashboard).
    lp.goto("/dashboard/learner/bookings/")
    lp.get_by_test_id("booking-row").filter(has_text="Python loops, live").get_by_role("link", name="Join").click()
    lp.wait_for_url(f"**{url}")
    lp.locator("#join-btn").click()
    lp.locator("#call").wait_for(state="visible")

    _assert_video_flowing(m)
    _assert_video_flowing(lp)
    session.refresh_from_db()
    assert session.status == "live"

    # Chat: arrives on the other side as text, links are anchors, markup is not interpreted.
    lp.fill("#chat-input", "<b>hello</b> see https://example.in/notes")
    lp.press("#chat-input", "Enter")
    m.locator("#chat-list .rm-msg-body", has_text="<b>hello</b>").wait_for()
    assert m.locator("#chat-list b").count() == 0
    assert m.locator("#chat-list a[href='https://example.in/notes']").count() == 1

    # Whiteboard: the mentor draws, the learner receives the stroke.
    m.locator("#tab-board").click()
    box = m.locator("#board").bounding_box()
    assert box is not None
    m.mouse.move(box["x"] + 30, box["y"] + 30)
    m.mouse.down()
    for i in range(10):
        m.mouse.move(box["x"] + 30 + i * 15, box["y"] + 30 + i * 8)
    m.mouse.up()
    lp.wait_for_function("() => window.__room.board.strokes.length === 1")

    # Checklist: the learner ticks a topic, the mentor sees it.
    lp.locator("#tab-topics").click()
    lp.locator('input[data-topic="Loops"]').check()
    m.locator("#tab-topics").click()
    m.wait_for_function("() => document.querySelector('input[data-topic=\"Loops\"]').checked")
    m.locator("#tab-chat").click()
    m.screenshot(path=str(ARTIFACTS / "room-call-desktop.png"))

    # Everything survives a reload, and video comes back.
    lp.reload()
    lp.locator("#join-btn").click()
    lp.locator("#chat-list .rm-msg-body", has_text="<b>hello</b>").wait_for()
    lp.wait_for_function("() => window.__room.board.strokes.length === 1")
    assert lp.locator('input[data-topic="Loops"]').is_checked()
    _assert_video_flowing(lp)
    _assert_video_flowing(m)

    # Screen share: preview first, then the learner sees the (red) screen and the badge.
    m.locator("#ctl-share").click()
    m.wait_for_function("() => document.getElementById('share-preview').videoWidth > 0")
    m.locator("#share-confirm").click()
    lp.locator("#remote-screen").wait_for(state="visible")
    lp.wait_for_function(
        """() => { const v = document.getElementById('remote-video'); const c = document.createElement('canvas');
        c.width = 8; c.height = 8; const g = c.getContext('2d'); g.drawImage(v, 0, 0, 8, 8);
        const [r, gg, b] = g.getImageData(4, 6, 1, 1).data; return r > 180 && gg < 80 && b < 80; }""",
        timeout=15_000,
    )
    lp.screenshot(path=str(ARTIFACTS / "room-screenshare-learner.png"))

    # Mute is reflected to the other side.
    m.locator("#ctl-mic").click()
    lp.locator("#remote-muted").wait_for(state="visible")

    # Raise hand, pin/swap, audio-only low-bandwidth mode and back.
    lp.locator("#ctl-hand").click()
    m.locator("#remote-hand").wait_for(state="visible")
    m.locator("#tile-local").dblclick()
    expect(m.locator("#stage")).to_have_attribute("data-pinned", "local")
    m.locator("#tile-remote").dblclick()
    expect(m.locator("#stage")).to_have_attribute("data-pinned", "remote")
    lp.locator("#ctl-lowbw").click()
    m.wait_for_function("() => document.getElementById('tile-remote').dataset.video === 'off'")
    m.get_by_text("Audio-only mode").wait_for()
    lp.locator("#ctl-lowbw").click()
    m.wait_for_function("() => document.getElementById('tile-remote').dataset.video === 'on'")
    _assert_video_flowing(m)
    assert not axe_violations(m), format_violations(axe_violations(m))

    # The mentor ends (with confirmation); the learner gets the feedback modal and rates.
    record_toasts(dash)  # the badge toast arrives while the learner is busy with the feedback form
    m.locator("#ctl-end").click()
    m.locator("#end-confirm").click()
    m.locator("#ended-overlay").wait_for(state="visible")
    dialog = lp.locator("#feedback-dialog")
    dialog.wait_for(state="visible")
    lp.screenshot(path=str(ARTIFACTS / "room-feedback-learner.png"))
    dialog.locator("label[for='feedback-form-star-4']").click()
    dialog.locator("textarea").fill("Patient and clear, loved the live loops.")
    dialog.get_by_role("button", name="Submit feedback").click()
    dialog.get_by_text("Thanks for your feedback!").wait_for()
    # The learner's other tab: the badge toast arrives live; the ring moved; the timeline has the
    # session; the next session is recommended, saying why.
    wait_for_toast(dash, "Badge earned: First session")
    summary = dash.get_by_test_id("learner-summary")  # the dashboard's numbers follow without a reload
    expect(summary.locator(".card").filter(has_text="Sessions completed")).to_contain_text("1")
    expect(dash.get_by_test_id("progress-widget").get_by_role("img")).to_have_attribute(
        "aria-label", "Write Python every day: 10% done"
    )
    dash.goto("/dashboard/learner/progress/")
    expect(dash.get_by_test_id("main-goal").get_by_role("img")).to_have_attribute(
        "aria-label", "Write Python every day: 10% done"
    )
    expect(dash.locator('[data-badge="first_session"][data-earned="1"]')).to_be_visible()
    expect(dash.get_by_test_id("timeline-item")).to_contain_text("Python loops, live")
    dash.goto("/dashboard/learner/")
    rec = dash.get_by_test_id("recommendation").filter(has_text=sequel.title)
    expect(rec.get_by_test_id("recommendation-reason")).to_contain_text("Because you")
    dash.screenshot(path=str(ARTIFACTS / "room-after-learner-dashboard.png"), full_page=True)

    session.refresh_from_db()
    booking.refresh_from_db()
    assert (session.status, booking.status) == ("completed", "completed")
    from apps.rooms.models import RoomState

    assert RoomState.objects.get(session=session).snapshot.name.endswith(".png")
    reviews = list(reviews_for_mentor(mentor))
    assert [(r.rating, r.comment) for r in reviews] == [(4, "Patient and clear, loved the live loops.")]
    mentor.mentor_profile.refresh_from_db()
    assert str(mentor.mentor_profile.rating) == "4.0"
    # After the session, its summary page holds the whiteboard, the checklist, the chat and the review.
    m.get_by_test_id("ended-summary").click()
    m.wait_for_url(f"**/session/{session.room_code}/summary/")
    m.wait_for_function(
        "() => { const i = document.querySelector('[data-testid=summary-whiteboard] img'); return i && i.complete && i.naturalWidth > 0; }"
    )
    m.get_by_test_id("summary-covered").filter(has_text="1 of 3 topics covered").wait_for()
    m.get_by_test_id("summary-chat").get_by_text("<b>hello</b>", exact=False).wait_for()
    m.get_by_test_id("summary-feedback").get_by_text("Patient and clear").wait_for()
    m.screenshot(path=str(ARTIFACTS / "room-summary-mentor.png"), full_page=True)
    assert not axe_violations(m), format_violations(axe_violations(m))
    # The review appears on the mentor's public profile (Reviews tab).
    profile = lp.goto(f"/mentors/{mentor.pk}/?tab=reviews")
    assert profile is not None and profile.status == 200
    lp.get_by_text("Patient and clear, loved the live loops.").wait_for()
    lp.screenshot(path=str(ARTIFACTS / "room-review-on-profile.png"), full_page=True)


def test_video_recovers_from_offline_and_socket_kill_on_a_phone(ctx_factory: Any) -> None:
    mentor, learner, session, _b = _setup()
    url = f"/session/{session.room_code}/"
    m = ctx_factory(mentor).new_page()
    lctx = ctx_factory(learner, width=360, height=740)
    lp = lctx.new_page()
    lp.goto(url)
    lp.wait_for_function("() => document.getElementById('preview-video').videoWidth > 0")
    lp.screenshot(path=str(ARTIFACTS / "room-prejoin-360.png"))
    lp.locator("#join-btn").click()
    _join(m, url)
    _assert_video_flowing(lp)
    _assert_video_flowing(m)
    lp.screenshot(path=str(ARTIFACTS / "room-call-360.png"))
    # The phone's screen is kept awake during the call (Screen Wake Lock; Chromium has it).
    lp.wait_for_function("() => { const s = window.__room.awake.sentinel; return Boolean(s && !s.released); }")
    # Landscape: the remote video and every control stay on screen, nothing scrolls sideways.
    lp.set_viewport_size({"width": 740, "height": 360})
    lp.screenshot(path=str(ARTIFACTS / "room-call-360-landscape.png"))
    for control in ("#ctl-mic", "#ctl-cam", "#ctl-panel", "#ctl-leave"):
        box = lp.locator(control).bounding_box()
        assert box is not None and box["y"] + box["height"] <= 360 and box["x"] + box["width"] <= 740, control
    assert lp.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    lp.set_viewport_size({"width": 360, "height": 740})
    lp.locator("#ctl-panel").click()
    lp.locator("#panel").wait_for(state="visible")
    lp.screenshot(path=str(ARTIFACTS / "room-panel-360.png"))
    lp.locator("#panel-close").click()

    # The browser's offline mode for 3 s and 15 s (it cuts the page's HTTP and WebSocket traffic,
    # not WebRTC media; the relayed-call test below freezes the media path too): the socket comes
    # back and remote video frames advance on both sides, without a reload. The time it takes is
    # measured and printed against the 5 s target (a timing is a measurement, not a pass/fail gate:
    # CI machines under load must not turn it into a flaky test).
    for seconds in (3, 15):
        lctx.set_offline(True)
        lp.wait_for_timeout(seconds * 1000)  # the length of the outage itself
        lctx.set_offline(False)
        t0 = time.monotonic()
        lp.wait_for_function("() => window.__room.sig.state === 'open'", timeout=30_000)
        socket_back = time.monotonic() - t0
        for page in (lp, m):
            before = _frames(page)
            _frames_above(page, before, timeout=30_000)
        video_back = time.monotonic() - t0
        print(_target(f"reconnect after a {seconds} s drop: socket {socket_back:.2f} s, video", video_back))

    # WebSocket killed: the page reconnects (same peer id), the room keeps working.
    before = lp.evaluate("() => window.__room.sig.peerId")
    steps = lp.evaluate("() => window.__room.call.history.length")
    lp.evaluate("() => window.__room.killSocket()")
    lp.locator("#conn-banner").wait_for(state="visible")
    lp.wait_for_function("() => window.__room.sig.state === 'open'", timeout=10_000)
    assert lp.evaluate("() => window.__room.sig.peerId") == before
    lp.locator("#conn-banner").wait_for(state="hidden")
    # The call state machine went through "reconnecting" and settled back on "connected".
    lp.wait_for_function(
        f"() => window.__room.call.history.slice({steps}).includes('reconnecting')"
        " && document.getElementById('room-app').dataset.call === 'connected'",
        timeout=10_000,
    )
    # Unread badge while the panel is closed, cleared when it opens.
    m.fill("#chat-input", "are you back?")
    m.press("#chat-input", "Enter")
    lp.locator("#unread-badge").wait_for(state="visible")
    assert lp.locator("#unread-badge").inner_text() == "1"
    lp.evaluate("() => document.getElementById('ctl-panel').click()")
    lp.locator("#unread-badge").wait_for(state="hidden")
    lp.fill("#chat-input", "back after the drop")
    lp.press("#chat-input", "Enter")
    m.locator("#chat-list .rm-msg-body", has_text="back after the drop").wait_for()
    _assert_video_flowing(lp, timeout=10_000)
    _assert_video_flowing(m, timeout=10_000)


def test_turn_only_relay_connects_with_minted_credentials(ctx_factory: Any) -> None:
    from django.utils import timezone

    mentor, learner, session, _b = _setup()
    # Started 12 minutes ago, 15 minutes long: the 5-minute warning must show on joining.
    session.start = timezone.now() - timedelta(minutes=12)
    session.duration_minutes = 15
    session.save()
    url = f"/session/{session.room_code}/?relay=1"
    m = ctx_factory(mentor).new_page()
    lp = ctx_factory(learner).new_page()
    m.goto(url)
    m.locator("#join-btn").click()
    _join(lp, url)
    _assert_video_flowing(lp, timeout=30_000)
    _assert_video_flowing(m, timeout=30_000)
    kinds = lp.evaluate(
        """async () => { const [e] = [...window.__room.peers.values()]; const st = await e.peer.pc.getStats();
        let pair; st.forEach(s => { if (s.type === 'transport' && s.selectedCandidatePairId) pair = st.get(s.selectedCandidatePairId); });
        return [st.get(pair.localCandidateId).candidateType, st.get(pair.remoteCandidateId).candidateType]; }"""
    )
    assert kinds == ["relay", "relay"]
    m.get_by_text("minutes left in this session").wait_for()
    m.wait_for_function("() => document.getElementById('timer').dataset.mode === 'warning'")
    assert Path(ARTIFACTS / "coturn.log").exists()


def test_room_is_private_and_says_when_it_opens(ctx_factory: Any) -> None:
    from django.utils import timezone

    _mentor, learner, session, _b = _setup()
    session.start = timezone.now() + timedelta(hours=3)
    session.save()
    url = f"/session/{session.room_code}/"
    outsider = make_user("learner", full_name="Olga Outsider")
    admin = make_user("admin", full_name="Ada Admin")
    for who in (outsider, admin):
        page = ctx_factory(who).new_page()
        assert page.goto(url).status == 404
    lp = ctx_factory(learner, width=360, height=740).new_page()
    assert lp.goto(url).status == 200
    lp.get_by_text("Join available at").wait_for()
    lp.wait_for_function("() => /Opens in \\d/.test(document.getElementById('opens-countdown').textContent)")
    assert lp.locator("#join-btn").count() == 0
    lp.screenshot(path=str(ARTIFACTS / "room-early-360.png"))
    assert not axe_violations(lp), format_violations(axe_violations(lp))


DURATION_JS = """async (sel) => {
  const v = document.querySelector(sel);
  if (v.readyState < 1) await new Promise((r) => v.addEventListener('loadedmetadata', r, { once: true }));
  if (!isFinite(v.duration)) {  // MediaRecorder files carry no duration: seek to the end to learn it
    await new Promise((r) => { v.addEventListener('durationchange', r, { once: true }); v.currentTime = 1e101; });
  }
  return v.duration;
}"""


def test_recording_needs_consent_and_both_find_a_playable_file(ctx_factory: Any) -> None:
    from apps.rooms.models import Recording, RecordingEvent

    mentor, learner, session, _b = _setup(starts_in=-timedelta(minutes=1))
    url = f"/session/{session.room_code}/"
    m = ctx_factory(mentor).new_page()
    lp = ctx_factory(learner).new_page()
    _join(m, url)
    _join(lp, url)
    _assert_video_flowing(lp)

    # A declined request records nothing.
    m.locator("#ctl-rec").click()
    lp.locator("#rec-dialog").wait_for(state="visible")
    lp.locator("#rec-decline").click()
    m.locator("#announcer", has_text="declined the recording").wait_for(state="attached")
    assert m.locator("#rec-indicator").is_hidden() and lp.locator("#rec-indicator").is_hidden()

    # The learner asks, the mentor allows: only then both sides show "Recording".
    lp.locator("#ctl-rec").click()
    m.locator("#rec-dialog").wait_for(state="visible")
    assert lp.locator("#rec-indicator").is_hidden()
    m.screenshot(path=str(ARTIFACTS / "room-recording-consent.png"))
    m.locator("#rec-accept").click()
    m.locator("#rec-indicator").wait_for(state="visible")
    lp.locator("#rec-indicator").wait_for(state="visible")
    lp.screenshot(path=str(ARTIFACTS / "room-recording-on.png"))
    lp.wait_for_timeout(5000)  # the length of the recording itself, not a wait for an event
    m.locator("#rec-stop").click()
    lp.locator("#rec-indicator").wait_for(state="hidden")
    lp.wait_for_function("() => document.getElementById('room-app').dataset.recUpload === 'done'", timeout=30_000)

    rows = list(Recording.objects.filter(session=session).order_by("id"))
    assert [r.status for r in rows] == ["declined", "ready"]
    assert not rows[0].file and rows[1].size_bytes > 10_000
    kinds = list(RecordingEvent.objects.filter(recording=rows[1]).values_list("kind", flat=True))
    assert kinds == ["requested", "accepted", "started", "stopped", "uploaded"]
    for page in (m, lp):
        page.goto(f"{url}summary/")
        page.get_by_test_id("summary-recording").wait_for()
        duration = page.evaluate(DURATION_JS, "[data-testid=summary-recording] video")
        assert duration > 3, duration
    print(f"recording: {rows[1].size_bytes} bytes, {rows[1].duration_seconds} s by the recorder's clock")


CALL_STATE_JS = """async () => {
  const r = window.__room, e = r && r.peers.first(), pc = e && e.peer.pc, v = document.getElementById('remote-video');
  const out = {
    call: r && r.call.state, socket: r && r.sig.state, healthy: r && r.sig.healthy,
    ice: pc && pc.iceConnectionState, connection: pc && pc.connectionState, signalling: pc && pc.signalingState,
    frames: v.getVideoPlaybackQuality().totalVideoFrames, paused: v.paused, readyState: v.readyState,
    tracks: v.srcObject ? v.srcObject.getTracks().map((t) => `${t.kind}:${t.readyState}:${t.muted ? 'muted' : 'live'}`) : null,
  };
  if (pc) {
    const stats = await pc.getStats();
    stats.forEach((s) => {
      if (s.kind !== 'video') return;
      if (s.type === 'inbound-rtp') out.inbound = {packets: s.packetsReceived, decoded: s.framesDecoded, received: s.framesReceived, keyFrames: s.keyFramesDecoded, dropped: s.framesDropped, freezes: s.freezeCount, jitterMs: s.jitterBufferEmittedCount ? Math.round(1000 * s.jitterBufferDelay / s.jitterBufferEmittedCount) : null, plis: s.pliCount, firs: s.firCount};
      if (s.type === 'outbound-rtp') out.outbound = {packets: s.packetsSent, encoded: s.framesEncoded, sent: s.framesSent, keyFrames: s.keyFramesEncoded, plis: s.pliCount, firs: s.firCount, active: s.active, limit: s.qualityLimitationReason};
    });
    out.encodings = e.peer.videoSender() && e.peer.videoSender().getParameters().encodings.map((x) => x.active);
  }
  return out;
}"""


def _call_report(ctx_factory: Any, pages: dict[str, Any]) -> str:
    """What each side's call looked like when video did not come back, with the end of the
    browsers' consoles: CI shows this, where the artifacts are out of reach."""
    lines = ["video did not come back within 30 s"]
    for sample in (1, 2):  # two looks, 2 s apart: which counters still move
        for who, page in pages.items():
            try:
                lines.append(f"{who} ({sample}): {page.evaluate(CALL_STATE_JS)}")
            except Exception as exc:  # the page itself may be the problem
                lines.append(f"{who}: state unavailable ({exc})")
        if sample == 1:
            time.sleep(2)
    lines.append("console (last 80 lines):")
    lines.extend(ctx_factory.console[-80:])
    return "\n".join(lines)


def _target(what: str, seconds: float, target: float = 5.0) -> str:
    return f"{what} back in {seconds:.2f} s (target {target:.0f} s: {'met' if seconds <= target else 'NOT met'})"


def test_video_returns_after_real_outages(ctx_factory: Any) -> None:
    """A real outage on a relayed call: the TURN relay (all media) and the web server (signalling)
    are frozen (SIGSTOP) for 3 s and then 15 s. After their return remote video frames advance
    again on both sides, without a reload; how long that took is printed against the 5 s target."""
    import signal

    m, lp = _in_call(ctx_factory, "?relay=1")
    frozen = (PROCS["turn"], PROCS["web"])
    for seconds in (3, 15):
        for proc in frozen:
            proc.send_signal(signal.SIGSTOP)
        try:
            time.sleep(seconds)  # the outage itself
            stalled = [_frames(p) for p in (lp, m)]
            time.sleep(0.5)
            assert [_frames(p) for p in (lp, m)] == stalled, "media kept flowing during the outage"
        finally:
            for proc in frozen:
                proc.send_signal(signal.SIGCONT)
        t0 = time.monotonic()
        for page, before in zip((lp, m), stalled, strict=True):
            try:
                _frames_above(page, before + 10, timeout=30_000)
            except PlaywrightTimeoutError:
                raise AssertionError(_call_report(ctx_factory, {"learner": lp, "mentor": m})) from None
        back = time.monotonic() - t0
        print(_target(f"after a {seconds} s outage of media and signalling: video", back))


def test_a_connection_that_cannot_recover_is_replaced(ctx_factory: Any) -> None:
    """The learner's side of the connection dies under it (its RTCPeerConnection is closed, so every
    answer and restart from there is lost) while both room sockets stay healthy. The mentor's
    unanswered ICE restart is taken back and offered again, and when that does not help either, the
    mentor asks for a new connection on both sides: video flows again both ways without a reload.
    The time is printed against 20 s (Chrome itself needs about 5 s to notice the dead path)."""
    m, lp = _in_call(ctx_factory)
    for page in (m, lp):
        page.evaluate("() => { window.__oldPeer = window.__room.peers.first().peer; }")
    t0 = time.monotonic()
    lp.evaluate("() => window.__room.peers.first().peer.pc.close()")
    for page in (m, lp):
        page.wait_for_function(
            "() => { const e = window.__room.peers.first(); return Boolean(e && e.peer !== window.__oldPeer && e.connected); }",
            timeout=60_000,
        )
    for page in (lp, m):
        _assert_video_flowing(page)
    print(_target("after the learner's connection died: a new connection and video", time.monotonic() - t0, 20))
    assert m.evaluate("() => window.__room.call.state") == "connected"


def test_a_learner_tips_from_the_room_and_the_mentor_sees_it_in_the_call(ctx_factory: Any) -> None:
    """Issue 9: from the room's side panel (a new tab, so the call goes on) the learner tips ₹50
    with a message through the sandbox Checkout; the mentor, still in the call, sees the toast."""
    m, lp = _in_call(ctx_factory, learner_width=1280)
    lp.locator("#tab-agenda").click()
    with lp.context.expect_page() as opened:
        lp.get_by_test_id("room-tip").click()
    tip = opened.value
    tip.get_by_label("Amount (₹)").fill("50")
    tip.get_by_label("Message (optional)").fill("The whiteboard walkthrough was gold")
    tip.get_by_role("button", name="Continue to payment").click()
    tip.get_by_test_id("pay-button").click()
    tip.get_by_role("button", name="Pay successfully").click()
    tip.wait_for_url("**/dashboard/learner/payments/**")
    toast = m.locator("#toasts [data-toast]").filter(has_text="sent you a ₹50 tip")
    toast.first.wait_for(state="visible", timeout=15_000)
    assert "The whiteboard walkthrough was gold" in toast.first.inner_text()
    assert m.evaluate("() => window.__room.call.state") == "connected"  # the call never stopped
    _assert_video_flowing(lp)
