"""Fault test of the embedded profile's background work (issue 14): the server runs as `make run`
runs it (daphne, background jobs inside it, SQLite, file email), 30 learners' T-24 h reminders
(and their mentors', 60 in all) fall due, the process is killed with SIGKILL while it sends them,
and started again: every reminder arrives exactly once, in the app and by email.

This runs the real processes on a throwaway SQLite file and port, whatever profile the suite's
other tests use.
"""

from __future__ import annotations

import email
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEARNERS = 30

SETUP = f"""
import django
django.setup()
from datetime import timedelta
from django.utils import timezone
from apps.accounts.models import User
from apps.bookings.models import Booking
from apps.catalog.models import Session
from apps.taxonomy.models import Domain

domain, _ = Domain.objects.get_or_create(slug="programming", defaults={{"name": "Programming"}})
mentor = User.objects.create_user(email="mentor@fault.test", password="x" * 12, role="mentor", full_name="Mira Rao")
start = timezone.now() + timedelta(hours=23)
for i in range({LEARNERS}):
    learner = User.objects.create_user(
        email=f"learner{{i}}@fault.test", password="x" * 12, role="learner", full_name=f"Learner {{i}}"
    )
    s = Session.objects.create(
        mentor=mentor, domain=domain, title=f"Fault session {{i:02d}}", description="Reminders under fire",
        start=start + timedelta(minutes=i), duration_minutes=30, topics=["Fault"],
    )
    b = Booking.objects.create(session=s, learner=learner, status="confirmed")
    # Booked two days ago, so the T-24 h reminder is due now (an hour late).
    Booking.objects.filter(pk=b.pk).update(created_at=timezone.now() - timedelta(days=2))
print("ok")
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(var: Path) -> dict[str, str]:
    drop = {"CELERY_TASK_ALWAYS_EAGER", "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PEERLEARN_BACKGROUND"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(
        PEERLEARN_VAR_DIR=str(var),
        SQLITE_PATH=str(var / "db.sqlite3"),
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        PYTHONWARNINGS="ignore",
        PYTHONUNBUFFERED="1",
    )
    return env


def _start(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    out = log.open("ab")
    proc = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "peerlearn.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()[-3000:]
        try:
            # As scripts/run.sh does: the first request starts the in-process runner.
            body = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
            if b'"runner": true' in body:
                return proc
        except OSError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise AssertionError("daphne did not come up: " + log.read_text()[-3000:])


def _count(db: Path, sql: str) -> int:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return int(con.execute(sql).fetchone()[0])
    finally:
        con.close()


def _mails(folder: Path) -> Counter[tuple[str, str]]:
    """(recipient, subject) of every email the file backend wrote."""
    seen: Counter[tuple[str, str]] = Counter()
    for path in sorted(folder.glob("*.log")) if folder.exists() else []:
        raw = path.read_text(encoding="utf-8", errors="replace")
        for chunk in raw.split("\n" + "-" * 79 + "\n"):
            if not chunk.strip():
                continue
            msg = email.message_from_string(chunk.strip("\n"))
            if msg["To"]:
                seen[(str(msg["To"]), str(msg["Subject"]))] += 1
    return seen


def test_killing_the_server_mid_send_loses_and_repeats_no_reminder(tmp_path: Path) -> None:
    env = _env(tmp_path)
    db = tmp_path / "db.sqlite3"
    log = tmp_path / "server.log"
    for cmd in (["manage.py", "migrate", "--noinput", "-v0"], ["-c", SETUP]):
        done = subprocess.run([sys.executable, *cmd], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, done.stderr[-3000:]

    reminders = "SELECT count(*) FROM notifications_notification WHERE type = 'reminder'"
    port = _free_port()
    server = _start(env, port, log)
    # Kill it the moment the first reminder is stored: the rest are still due, emails in flight.
    deadline = time.monotonic() + 60
    while _count(db, reminders) == 0 and time.monotonic() < deadline:
        time.sleep(0.005)
    os.kill(server.pid, signal.SIGKILL)
    server.wait(timeout=10)
    at_kill = _count(db, reminders)
    mails_at_kill = sum(_mails(tmp_path / "mail").values())
    assert at_kill > 0, "no reminder was sent before the kill"

    # Start again, as a person (or systemd) would; the runner picks up what was left.
    server = _start(env, port, log)
    try:
        expected = 2 * LEARNERS  # each learner, and the mentor once per session
        deadline = time.monotonic() + 90
        pending = "SELECT count(*) FROM notifications_outboundemail WHERE sent_at IS NULL"
        while time.monotonic() < deadline:
            if _count(db, reminders) >= expected and _count(db, pending) == 0:
                break
            time.sleep(0.2)
        # One more pass of every periodic job (the 30 s sweep included) must change nothing.
        time.sleep(0.5)
        assert urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).status == 200
    finally:
        server.terminate()
        server.wait(timeout=20)

    print(f"\nkilled after {at_kill}/{expected} reminders and {mails_at_kill} emails; after restart: all delivered")
    per_user = _count(
        db,
        "SELECT count(*) FROM (SELECT user_id, reference FROM notifications_notification "
        "WHERE type = 'reminder' GROUP BY user_id, reference HAVING count(*) > 1)",
    )
    assert _count(db, reminders) == expected
    assert per_user == 0, "a reminder was stored twice"
    mails = _mails(tmp_path / "mail")
    learners = {k: n for k, n in mails.items() if k[0].startswith("learner")}
    mentor = [n for k, n in mails.items() if k[0] == "mentor@fault.test"]
    assert len(learners) == LEARNERS and set(learners.values()) == {1}, learners
    assert sum(mentor) == LEARNERS, mails
    assert _count(db, "SELECT count(*) FROM notifications_outboundemail WHERE sent_at IS NOT NULL") == expected
    assert "Traceback" not in log.read_text()
