"""Playwright harness: the app served the way `make run` serves it (daphne, ASGI, WebSockets),
driven through the OS Chromium.

The server runs in a subprocess against a real database (a SQLite file, or the PostgreSQL database
named by DATABASE_URL). The test process talks to the same database through the ORM to arrange
data, so e2e tests never use pytest-django's transactional wrappers: they create unique rows.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "e2e" / "artifacts"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--allow-loopback-in-peer-connection",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "Peer-learn-2026!"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def django_db_setup(django_db_blocker: Any) -> None:
    """Use the real database named by the settings (no test_ prefix) and migrate it fresh."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        if not os.environ.get("SQLITE_PATH"):
            # Never wipe the `make run` database: without an explicit SQLITE_PATH the run gets a
            # throwaway file, shared with the server subprocess through the environment.
            tmp = Path(tempfile.mkdtemp(prefix="peerlearn-e2e-")) / "e2e.sqlite3"
            os.environ["SQLITE_PATH"] = str(tmp)
            db["NAME"] = str(tmp)
            connections["default"].close()
            connections["default"].settings_dict["NAME"] = str(tmp)
        path = Path(db["NAME"])
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    with django_db_blocker.unblock():
        if not db["ENGINE"].endswith("sqlite3"):
            call_command("flush", interactive=False, verbosity=0)
        call_command("migrate", verbosity=0)


@pytest.fixture(autouse=True)
def _e2e_db(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        yield


@pytest.fixture(scope="session")
def server(django_db_setup: None) -> Iterator[str]:
    """Serve the app on a free loopback port; yield its base URL.

    By default daphne alone, as `make run` serves it. With E2E_TOPOLOGY=production (CI's PostgreSQL
    stage) the production topology of scripts/run_production.sh: nginx in front, gunicorn workers
    for pages, daphne for /ws/ (sharing Redis)."""
    port = _free_port()
    env = dict(os.environ)
    env.update(
        CELERY_TASK_ALWAYS_EAGER="true",
        PEERLEARN_DISABLE_RATE_LIMITS="true",
        SITE_URL=f"http://127.0.0.1:{port}",
        # Tasks run eagerly inside the web server here, so a sandbox webhook POSTed back to this
        # same server would wait on itself; journeys complete through the signed browser callback
        # (webhooks are covered by the unit tests, and reach the web server from the worker under
        # `make run`).
        PAYMENTS_SANDBOX_WEBHOOKS="false",
        PYTHONUNBUFFERED="1",
    )
    # Mail goes to files under $PEERLEARN_VAR_DIR/mail in every profile, so journeys can read the
    # verification codes and reset links a person would find in their inbox.
    env.setdefault("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # One log per server so concurrent e2e runs in one tree don't truncate each other's.
    log_path = ARTIFACTS / f"server-{port}.log"
    log = log_path.open("w")
    if os.environ.get("E2E_TOPOLOGY") == "production":
        # The database is migrated above and the static files collected by scripts/test.sh.
        env.update(
            WEB_PORT=str(_free_port()), WS_PORT=str(_free_port()), PEERLEARN_SKIP_SETUP="1", PEERLEARN_NO_WORKER="1"
        )
        command = ["bash", "scripts/run_production.sh", str(port)]
    else:
        command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "peerlearn.asgi:application"]
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as r:  # noqa: S310 - our own http URL
                if r.status == 200:
                    break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited early; see {log_path}") from None
            time.sleep(0.2)
    else:
        proc.kill()
        raise RuntimeError(f"the server did not answer within 45 s; see {log_path}")
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance: Any) -> Iterator[Any]:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        pytest.fail("chromium is not installed (make test installs it with apt)")
    b = playwright_instance.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)
    yield b
    b.close()


@pytest.fixture
def new_context(browser: Any, server: str) -> Iterator[Callable[..., Any]]:
    """Factory for isolated browser contexts (one per simulated person)."""
    contexts: list[Any] = []

    def make(*, width: int = 1280, height: int = 800, **kwargs: Any) -> Any:
        ctx = browser.new_context(
            base_url=server, viewport={"width": width, "height": height}, timezone_id="Asia/Kolkata", **kwargs
        )
        ctx.set_default_timeout(15_000)
        contexts.append(ctx)
        return ctx

    yield make
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def page(new_context: Callable[..., Any]) -> Any:
    return new_context().new_page()


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.in"


def make_user(role: str = "learner", *, approved: bool = True, full_name: str | None = None, **extra: Any) -> Any:
    """Create a verified account directly (for journeys that start signed in)."""
    from apps.accounts.models import MentorStatus
    from tests.factories import UserFactory

    return UserFactory(
        email=unique_email(role),
        password=PASSWORD,
        full_name=full_name or f"Test {role.title()}",
        role=role,
        mentor_status=MentorStatus.APPROVED if approved else MentorStatus.PENDING,
        **extra,
    )


def login(page: Any, email: str, password: str = PASSWORD, *, next_url: str | None = None) -> None:
    page.goto("/login/" + (f"?next={next_url}" if next_url else ""))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def record_toasts(page: Any) -> None:
    """Keep the text of every toast the page shows from now on (window.__toastsSeen). Toasts dismiss
    themselves after a few seconds, so a test that checks for one after other slow steps waits for
    this record instead of racing the toast's timer."""
    page.evaluate(
        """() => {
          window.__toastsSeen = [];
          const region = document.getElementById('toasts');
          new MutationObserver((changes) => changes.forEach((c) => c.addedNodes.forEach((n) => {
            if (n.nodeType === 1) window.__toastsSeen.push(n.textContent || '');
          }))).observe(region, {childList: true});
        }"""
    )


def wait_for_toast(page: Any, text: str, *, timeout: float = 15_000) -> None:
    """Wait until a toast containing ``text`` has been shown (see record_toasts)."""
    page.wait_for_function(
        "(text) => (window.__toastsSeen || []).some((t) => t.includes(text))", arg=text, timeout=timeout
    )


def axe_violations(page: Any, *, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict[str, Any]]:
    """Run axe-core in the page and return violations of the given impact levels."""
    # Let CSS transitions (menus fading in) finish: mid-fade colours would be judged, not the page's.
    # A transition may start on the next frame, so wait two frames before collecting them.
    # (Infinite ones, such as a pulsing live badge, are skipped; the wait is capped at 2 s.)
    page.evaluate(
        """() => new Promise((frame) => requestAnimationFrame(() => requestAnimationFrame(frame))).then(
          () => Promise.race([
            Promise.all(document.getAnimations()
                .filter((a) => a.effect && a.effect.getComputedTiming().iterations !== Infinity)
                .map((a) => a.finished.catch(() => null))),
            new Promise((resolve) => setTimeout(resolve, 2000)),
          ]))"""
    )
    # evaluate() goes through the DevTools protocol, so the page's strict CSP does not block it.
    page.evaluate(AXE_JS.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v.get("impact") in impacts]


def format_violations(violations: list[dict[str, Any]]) -> str:
    return json.dumps(
        [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:5]]} for v in violations],
        indent=1,
    )


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def pay_in_sandbox(learner: Any, session: Any) -> Any:
    """``learner`` books ``session`` (paid) and pays in the sandbox Checkout, completed through the
    signed browser callback as the Checkout page would; returns the refreshed Payment."""
    from django.db import transaction

    from apps.payments import services
    from apps.payments_sandbox import api
    from apps.payments_sandbox.models import SandboxOrder
    from apps.workflows.booking import book_and_pay

    _booking, payment = book_and_pay(learner=learner, session=session)
    assert payment is not None
    payment = services.ensure_order(payment)
    with transaction.atomic():
        order = SandboxOrder.objects.select_for_update().get(order_id=payment.gateway_order_id)
        capture = api.attempt(order, success=True)
    services.handle_callback(payment=payment, params=api.checkout_success_fields(order, capture))
    payment.refresh_from_db()
    return payment


def sign_in_admin(page: Any, name: str) -> Any:
    """A new admin with TOTP enrolled signs in (password, then the code); returns the admin."""
    import re

    from playwright.sync_api import expect

    from tests.totp import current_code, enrol_totp

    admin = make_user("admin", full_name=name)
    secret = enrol_totp(admin)
    login(page, admin.email)
    page.get_by_label("Code").fill(current_code(secret))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(r"/dashboard/admin/$"))
    return admin


def confirm_its_me(page: Any, *, shot: str = "") -> None:
    """A sensitive admin action asks a session that has not confirmed lately for the password
    again (allauth's re-authentication); the kept form then runs."""
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", name="Confirm it's you")).to_be_visible()
    if shot:
        screenshot(page, shot)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
