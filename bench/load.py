"""Load test with Locust against the production topology (scripts/run_production.sh: nginx in
front, gunicorn for pages, daphne for /ws/, Celery, PostgreSQL and Redis from the OS packages),
once with 1 gunicorn web worker and once with 2, in one run.

    flock /tmp/heavy.lock .venv/bin/python bench/load.py [--step-users 20] [--step-seconds 20]

The script starts everything itself on loopback: PostgreSQL and Redis through scripts/services.sh
(stopped again if it started them), its own database (dropped at the end) and Redis database
number, then migrates, collects static files, runs `seed_demo` and adds a 10,000-session
catalogue (bench/common.py) plus a pool of learners and bookable sessions. Signed-in users get
their session cookies from Django's session store before the load starts (no sign-in traffic).
Each worker count starts from a copy of that seeded database and an empty Redis database, so the
second one does not inherit the first one's bookings, notifications and caches.

The mix (Locust user classes by weight, each with a think time between requests):
  60% anonymous browsing: landing, catalogue search/filter/"load more", session detail, mentor profile
  25% signed-in learners: dashboard and bookings, with the notifications WebSocket held open
  10% booking: a free session (book), or a paid one (book, sandbox Checkout, callback)
   5% mentors: dashboard and requests board

The user count steps up (--step-users more every --step-seconds, measured after the ramp) until a
step's p95 exceeds --p95-ms or any request fails, or --max-users / --max-seconds is reached. It prints,
per worker count, every step, the largest user count and req/s that held, the per-page p50/p95 at that
step, and the 2-worker/1-worker throughput ratio. Locust runs in this process on the same machine
as the servers: the client's own CPU share is printed with each step, and the servers' CPU by
component (web = gunicorn, ws = daphne, celery, nginx, postgres, redis; matched by command line on
the whole machine, so another PostgreSQL running at the time would count too). Writes JSON to bench/results/.
Bounded (user count and time capped) and loopback only.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/http.py would shadow the standard library's `http`, which Locust imports: move this
# directory to the end of sys.path first. Locust runs on gevent: patch the standard library before
# anything imports sockets or ssl (as importing Locust would, but first).
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE] + [str(_HERE)]

from gevent import monkey  # noqa: E402

monkey.patch_all()

import argparse  # noqa: E402
import html  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from http.cookiejar import Cookie  # noqa: E402

import gevent  # noqa: E402
import psutil  # noqa: E402
import websocket  # noqa: E402  (websocket-client, installed with Locust)
from common import PY, ROOT, free_port, machine, seed_catalog, stop_group, write_json  # noqa: E402
from locust import User, between, events, task  # noqa: E402
from locust.contrib.fasthttp import FastHttpUser  # noqa: E402
from locust.env import Environment  # noqa: E402

HOST = "127.0.0.1"
WORDS = ["python", "django", "statistics", "algebra", "figma", "spanish", "interview", "sql", "react", "physics"]
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
PAY_LINK = re.compile(rb'href="([^"]+)"[^>]*data-testid="pay-button"')
HIDDEN = re.compile(rb'<input type="hidden" name="([^"]+)" value="([^"]*)">')
FORM_ACTION = re.compile(rb'<form method="post" action="([^"]+)"')

# The bench's own data, seeded in a child process (this process never configures Django).
LOAD_SEED = """
import json, django
django.setup()
from datetime import timedelta
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from apps.accounts.models import MentorStatus, Role, User
from apps.accounts.services import create_user
from apps.catalog.limits import MAX_CAPACITY
from apps.catalog.models import Session
from apps.site.management.commands.seed_demo import EMAIL_DOMAIN
from apps.taxonomy.models import Domain

def cookie(user):
    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    return s.session_key

learners = [create_user(email=f"load-learner-{{i}}@example.in", password=None, full_name=f"Load Learner {{i}}",
                        role=Role.LEARNER, email_verified=True) for i in range({learners})]
demo_learners = list(User.objects.filter(role=Role.LEARNER, email__endswith="@" + EMAIL_DOMAIN, is_active=True))
demo_mentors = list(User.objects.filter(role=Role.MENTOR, mentor_profile__status=MentorStatus.APPROVED,
                                        email__endswith="@" + EMAIL_DOMAIN))
hosts = [create_user(email=f"load-mentor-{{i}}@example.in", password=None, full_name=f"Load Mentor {{i}}",
                     role=Role.MENTOR, email_verified=True, mentor_status=MentorStatus.APPROVED) for i in range(20)]
domain = Domain.objects.get(slug="bench-0")
base = timezone.now() + timedelta(days=3)
pool = []
for i in range(2 * {pool}):
    start = base + timedelta(minutes=90 * (i // len(hosts)))
    pool.append(Session(mentor=hosts[i % len(hosts)], domain=domain, title=f"Open clinic #{{i}}",
        description="A large open clinic for the load test.", topics=["python"], start=start, duration_minutes=60,
        end=start + timedelta(minutes=60), price_paise=0 if i % 2 == 0 else 19900, capacity=MAX_CAPACITY))
pool = Session.objects.bulk_create(pool)
upcoming = Session.objects.filter(start__gt=timezone.now(), status="scheduled")
print(json.dumps({{
    "cookie_name": settings.SESSION_COOKIE_NAME,
    "seats": MAX_CAPACITY,
    "learners": [cookie(u) for u in learners],
    "demo_learners": [cookie(u) for u in demo_learners],
    "mentors": [cookie(u) for u in demo_mentors],
    "free": [s.pk for s in pool if s.price_paise == 0],
    "paid": [s.pk for s in pool if s.price_paise > 0],
    "sessions": list(upcoming.order_by("?").values_list("pk", flat=True)[:500]),
    "mentor_ids": list(User.objects.filter(role=Role.MENTOR, mentor_profile__status=MentorStatus.APPROVED)
                       .values_list("pk", flat=True)),
    "domains": list(Domain.objects.values_list("slug", flat=True)),
}}))
"""


@dataclass
class Data:
    """What the users draw from: set once the database is seeded."""

    cookie_name: str = "sessionid"
    learners: list[str] = field(default_factory=list)
    demo_learners: list[str] = field(default_factory=list)
    mentors: list[str] = field(default_factory=list)
    free: list[int] = field(default_factory=list)
    paid: list[int] = field(default_factory=list)
    sessions: list[int] = field(default_factory=list)
    mentor_ids: list[int] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    seats: int = 10
    # Each booking takes the next seat: sessions fill in turn, each with `seats` different learners.
    pairs: dict[str, itertools.count[int]] = field(
        default_factory=lambda: {"free": itertools.count(), "paid": itertools.count()}
    )

    def next_pair(self, kind: str) -> tuple[str, int]:
        pool = self.free if kind == "free" else self.paid
        k = next(self.pairs[kind])
        return self.learners[k % len(self.learners)], pool[(k // self.seats) % len(pool)]


DATA = Data()
OPEN_SOCKETS = [0]  # notifications sockets held open right now


def signed_in(user: FastHttpUser, session_key: str) -> None:
    """Put a session cookie in the user's cookie jar (as if it had signed in)."""
    user.client.cookiejar.set_cookie(
        Cookie(
            version=0,
            name=DATA.cookie_name,
            value=session_key,
            port=None,
            port_specified=False,
            domain=HOST,
            domain_specified=False,
            domain_initial_dot=False,
            path="/",
            path_specified=True,
            secure=False,
            expires=None,
            discard=True,
            comment=None,
            comment_url=None,
            rest={},
        )
    )


def csrf_token(body: bytes) -> str:
    found = CSRF.search(body)
    return found.group(1).decode() if found else ""


def catalogue_query() -> str:
    """A search/filter the way people use the catalogue: a word, a domain, a price, a page."""
    params = []
    if random.random() < 0.6:
        params.append(f"q={random.choice(WORDS)}")
    if DATA.domains and random.random() < 0.5:
        params.append(f"domain={random.choice(DATA.domains)}")
    if random.random() < 0.25:
        params.append(f"price={random.choice(['free', 'paid'])}")
    return "/sessions/" + ("?" + "&".join(params) if params else "")


class Anonymous(FastHttpUser):
    weight = 60
    wait_time = between(1, 3)

    @task(3)
    def landing(self) -> None:
        self.client.get("/", name="landing /")

    @task(3)
    def catalogue(self) -> None:
        self.client.get(catalogue_query(), name="catalogue /sessions/?…")

    @task(1)
    def load_more(self) -> None:
        page = random.randint(2, 5)
        self.client.get(
            f"/sessions/?q={random.choice(WORDS)}&page={page}",
            headers={"HX-Request": "true"},
            name="catalogue load more (htmx)",
        )

    @task(3)
    def session_detail(self) -> None:
        self.client.get(f"/sessions/{random.choice(DATA.sessions)}/", name="session detail /sessions/[id]/")

    @task(2)
    def mentor_profile(self) -> None:
        self.client.get(f"/mentors/{random.choice(DATA.mentor_ids)}/", name="mentor profile /mentors/[id]/")


class Learner(FastHttpUser):
    """Signed in, notifications socket open for as long as the user lives."""

    weight = 25
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.key = random.choice(DATA.demo_learners + DATA.learners)
        signed_in(self, self.key)
        self.socket: websocket.WebSocket | None = None
        self.reader: gevent.Greenlet | None = None
        self.open_socket()

    def open_socket(self) -> None:
        url = (self.host or "").replace("http://", "ws://", 1) + "/ws/notifications/"
        t0 = time.perf_counter()
        exc: Exception | None = None
        try:
            self.socket = websocket.create_connection(
                url,
                cookie=f"{DATA.cookie_name}={self.key}",
                origin=self.host,
                timeout=30,
            )
            self.socket.settimeout(None)
        except (OSError, websocket.WebSocketException) as e:
            exc = e
        self.environment.events.request.fire(
            request_type="WS",
            name="notifications socket (open)",
            response_time=(time.perf_counter() - t0) * 1000,
            response_length=0,
            exception=exc,
            context={},
        )
        if self.socket is not None:
            OPEN_SOCKETS[0] += 1
            self.reader = gevent.spawn(self.hold, self.socket)

    def hold(self, sock: websocket.WebSocket) -> None:
        """Read (and drop) what the server pushes; a socket the server closes counts as an error."""
        try:
            while sock.recv():
                pass
            error: Exception = ConnectionError("closed by the server")
        except (OSError, websocket.WebSocketException) as e:
            error = e
        if self.socket is sock:  # not closed by on_stop
            self.socket = None
            OPEN_SOCKETS[0] -= 1
            self.environment.events.request.fire(
                request_type="WS",
                name="notifications socket (dropped)",
                response_time=0,
                response_length=0,
                exception=error,
                context={},
            )

    def on_stop(self) -> None:
        sock, self.socket = self.socket, None
        if sock is not None:
            OPEN_SOCKETS[0] -= 1
            sock.close()

    @task(3)
    def dashboard(self) -> None:
        self.client.get("/dashboard/learner/", name="learner dashboard")

    @task(2)
    def bookings(self) -> None:
        self.client.get("/dashboard/learner/bookings/", name="learner bookings")


class Booker(FastHttpUser):
    """Books a free session, or books and pays for a paid one in the sandbox Checkout."""

    weight = 10
    wait_time = between(1, 3)

    def book(self, kind: str) -> bytes | None:
        key, session_id = DATA.next_pair(kind)
        self.client.cookiejar.clear()
        signed_in(self, key)
        page = self.client.get(f"/sessions/{session_id}/", name="session detail /sessions/[id]/")
        with self.client.post(
            f"/sessions/{session_id}/book/",
            data={"csrfmiddlewaretoken": csrf_token(page.content or b"")},
            headers={"Referer": f"{self.host}/sessions/{session_id}/"},
            name=f"book ({kind}) POST /sessions/[id]/book/",
            allow_redirects=False,
            catch_response=True,
        ) as resp:
            expected = "/dashboard/learner/bookings/" if kind == "free" else "/payments/checkout/"
            location = resp.headers.get("Location", "") if resp.status_code == 302 else ""
            if expected not in location:
                resp.failure(f"booking not taken: {resp.status_code} {location or ''}")
                return None
        return location.encode()

    @task(1)
    def book_free(self) -> None:
        if self.book("free") is not None:
            self.client.get("/dashboard/learner/bookings/", name="learner bookings")

    @task(1)
    def book_and_pay(self) -> None:
        location = self.book("paid")
        if location is None:
            return
        checkout = self.client.get(location.decode(), name="checkout /payments/checkout/[receipt]/")
        link = PAY_LINK.search(checkout.content or b"")
        if not link:
            return
        sandbox = html.unescape(link.group(1).decode())
        page = self.client.get(sandbox, name="sandbox Checkout (GET)")
        fields = dict(HIDDEN.findall(page.content or b""))
        back = self.client.post(
            sandbox,
            data={
                "csrfmiddlewaretoken": csrf_token(page.content or b""),
                "callback_url": html.unescape(fields.get(b"callback_url", b"").decode()),
                "outcome": "success",
            },
            headers={"Referer": f"{self.host}{sandbox}"},
            name="sandbox Checkout (pay)",
        )
        body = back.content or b""
        action = FORM_ACTION.search(body)
        if not action:
            return
        signed = {html.unescape(k.decode()): html.unescape(v.decode()) for k, v in HIDDEN.findall(body)}
        with self.client.post(
            html.unescape(action.group(1).decode()),
            data=signed,
            name="payment callback POST /payments/callback/[receipt]/",
            catch_response=True,
        ) as resp:
            if resp.status_code != 200 or b"data-testid" not in (resp.content or b""):
                resp.failure(f"callback answered {resp.status_code}")


class Mentor(FastHttpUser):
    weight = 5
    wait_time = between(1, 3)

    def on_start(self) -> None:
        signed_in(self, random.choice(DATA.mentors))

    @task(2)
    def dashboard(self) -> None:
        self.client.get("/dashboard/mentor/", name="mentor dashboard")

    @task(1)
    def requests_board(self) -> None:
        self.client.get("/dashboard/mentor/requests/", name="mentor requests board")


USERS: list[type[User]] = [Anonymous, Learner, Booker, Mentor]


# --- the servers -------------------------------------------------------------------------------


class Services:
    """PostgreSQL and Redis from scripts/services.sh, a database of our own, stopped if we started them."""

    def __init__(self) -> None:
        self.started = subprocess.run(["bash", "scripts/services.sh", "status"], cwd=ROOT, check=False).returncode != 0
        out = subprocess.run(
            ["bash", "scripts/services.sh", "start"], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout
        urls = dict(line.split("=", 1) for line in out.strip().splitlines() if "=" in line)
        self.pg_base = urls["DATABASE_URL"].rsplit("/", 1)[0]
        self.db = f"pl_load_{os.getpid()}"
        # A Redis database number of our own (cache, channel layer, broker), emptied first.
        self.redis_url = urls["REDIS_URL"].rsplit("/", 1)[0] + "/11"
        self.psql(f"CREATE DATABASE {self.db}")
        subprocess.run(["redis-cli", "-u", self.redis_url, "flushdb"], check=True, capture_output=True)

    def psql(self, sql: str) -> None:
        subprocess.run(["psql", f"{self.pg_base}/postgres", "-qc", sql], check=True, capture_output=True)

    @property
    def database_url(self) -> str:
        return f"{self.pg_base}/{self.db}"

    @property
    def seeded(self) -> str:
        return f"{self.db}_seeded"

    def keep_seeded(self) -> None:
        """Keep a copy of the freshly seeded database, so that each worker count starts from it."""
        self.psql(f"CREATE DATABASE {self.seeded} TEMPLATE {self.db}")

    def reset(self) -> None:
        """The database as seeded and an empty Redis database: the rows the previous worker count's
        users wrote (thousands of bookings, notifications, emails; each learner's bookings page grows
        with them) and its caches would otherwise weigh on the next one only."""
        self.psql(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')
        self.psql(f"CREATE DATABASE {self.db} TEMPLATE {self.seeded}")
        subprocess.run(["redis-cli", "-u", self.redis_url, "flushdb"], check=True, capture_output=True)

    def close(self) -> None:
        self.psql(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')
        self.psql(f'DROP DATABASE IF EXISTS "{self.seeded}" WITH (FORCE)')
        subprocess.run(["redis-cli", "-u", self.redis_url, "flushdb"], check=False, capture_output=True)
        if self.started:
            subprocess.run(["bash", "scripts/services.sh", "stop"], cwd=ROOT, check=False)


def production_env(services: Services, var_dir: Path, port: int) -> dict[str, str]:
    drop = {"SQLITE_PATH", "CELERY_TASK_ALWAYS_EAGER", "DEBUG", "WEB_WORKERS", "WEB_THREADS", "WEB_BIND"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(
        DATABASE_URL=services.database_url,
        REDIS_URL=services.redis_url,
        SECRET_KEY=secrets.token_urlsafe(60),
        PEERLEARN_VAR_DIR=str(var_dir),
        SITE_URL=f"http://{HOST}:{port}",
        # Plain http on loopback: no TLS redirect, no Secure-only cookies.
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        ALLOW_SANDBOX_PAYMENTS="true",
        # Every simulated user comes from 127.0.0.1: per-IP limits would stop real traffic that
        # comes from many addresses.
        PEERLEARN_DISABLE_RATE_LIMITS="true",
        TRUSTED_PROXY_COUNT="1",
        # Payments complete through the signed browser callback the users post; no webhooks
        # posted back by the worker (their requests would not be counted by Locust).
        PAYMENTS_SANDBOX_WEBHOOKS="false",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        PYTHONWARNINGS="ignore",
    )
    return env


class Topology:
    """scripts/run_production.sh with a given number of gunicorn workers."""

    def __init__(self, env: dict[str, str], port: int, workers: int, log_path: Path) -> None:
        self.log = log_path.open("w")
        self.proc = subprocess.Popen(
            ["bash", "scripts/run_production.sh", str(port)],
            cwd=ROOT,
            env={**env, "WEB_WORKERS": str(workers), "PEERLEARN_SKIP_SETUP": "1"},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while "is running at" not in log_path.read_text():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the production topology did not start:\n" + log_path.read_text()[-3000:])
            time.sleep(0.2)

    def stop(self) -> None:
        stop_group(self.proc, timeout=25)  # run_production.sh's trap stops its processes
        self.log.close()


# Which process does what, by its command line; CPU is summed per component over a step.
COMPONENTS = (
    ("web", ("gunicorn",)),
    ("ws", ("daphne",)),
    ("celery", ("celery",)),
    ("nginx", ("nginx",)),
    ("postgres", ("postgres",)),
    ("redis", ("redis-server",)),
)


@dataclass(frozen=True)
class ProcCPU:
    component: str
    seconds: float  # the process's own CPU so far
    reaped: float  # the CPU of its children that ended and that it reaped (a recycled worker's)
    parent: int


def cpu_snapshot() -> dict[int, ProcCPU]:
    """CPU seconds so far of every process of the servers, by pid."""
    snap: dict[int, ProcCPU] = {}
    for proc in psutil.process_iter(["name", "cmdline", "cpu_times", "ppid"]):
        info = proc.info
        text = " ".join(info.get("cmdline") or []) or (info.get("name") or "")
        times = info.get("cpu_times")
        if times is None:
            continue
        for component, needles in COMPONENTS:
            if any(n in text for n in needles):
                reaped = times.children_user + times.children_system
                snap[proc.pid] = ProcCPU(component, times.user + times.system, reaped, info.get("ppid") or 0)
                break
    return snap


def cpu_by_component(before: dict[int, ProcCPU], after: dict[int, ProcCPU]) -> dict[str, float]:
    """CPU seconds each component used between two snapshots. A process that ended in between (a
    web worker recycled at max_requests, the database connections it held, a Celery pool process)
    is counted through its parent, which reaped it: the parent's children's CPU grew by all that the
    child ever used, of which the part before the first snapshot is taken off again."""
    used: dict[str, float] = {c: 0.0 for c, _ in COMPONENTS}
    for pid, now in after.items():
        was = before.get(pid)
        if was is not None and was.component == now.component:
            used[now.component] += (now.seconds - was.seconds) + (now.reaped - was.reaped)
        else:  # started in between: all of it
            used[now.component] += now.seconds + now.reaped
    for pid, was in before.items():
        if pid not in after and was.parent in after:  # ended, and reaped by a server process
            used[was.component] -= was.seconds + was.reaped
    return used


def machine_busy(t: object) -> float:
    """Seconds all cores spent on anything but idling or waiting for disk since boot (guest time is
    already inside user time)."""
    return sum(getattr(t, f) for f in t._fields if f not in ("idle", "iowait", "guest", "guest_nice"))  # type: ignore[attr-defined]


# --- the stepped load ---------------------------------------------------------------------------


@dataclass
class Step:
    users: int
    seconds: float
    requests: int
    failures: int
    rps: float
    p50_ms: float
    p95_ms: float
    client_cpu_pct: float
    server_cpu_pct: float
    cpu_pct: dict[str, float]
    machine_cpu_pct: float
    sockets: int
    pages: dict[str, dict[str, float]]
    errors: list[str]

    @property
    def held(self) -> bool:
        return self.requests > 0 and self.failures == 0


def warm_up(base: str) -> None:
    """One pass over the pages so each worker has imported and compiled what it needs."""
    for path in ["/", "/sessions/", f"/sessions/{DATA.sessions[0]}/", f"/mentors/{DATA.mentor_ids[0]}/"] * 4:
        urllib.request.urlopen(base + path, timeout=30).read()  # noqa: S310 - our own loopback URL


def run_steps(base: str, args: argparse.Namespace) -> list[Step]:
    users_classes = [u for u in USERS if not (args.no_booking and u is Booker)]
    env = Environment(user_classes=users_classes, host=base, events=events)
    runner = env.create_local_runner()
    me = psutil.Process()
    steps: list[Step] = []
    started = time.monotonic()
    users = 0
    while users < args.max_users and time.monotonic() - started < args.max_seconds:
        users = min(args.max_users, users + args.step_users)
        runner.start(users, spawn_rate=max(1.0, args.step_users / 2), wait=False)
        while runner.user_count < users:
            gevent.sleep(0.2)
        gevent.sleep(2)  # let the new users' first requests settle
        env.stats.reset_all()
        client0, server0, machine0, t0 = me.cpu_times(), cpu_snapshot(), psutil.cpu_times(), time.monotonic()
        gevent.sleep(args.step_seconds)
        seconds = time.monotonic() - t0
        client1, server1, machine1 = me.cpu_times(), cpu_snapshot(), psutil.cpu_times()
        used = cpu_by_component(server0, server1)
        busy = machine_busy(machine1) - machine_busy(machine0)
        total = env.stats.total
        pages = {
            name: {
                "requests": e.num_requests,
                "failures": e.num_failures,
                "p50_ms": e.get_response_time_percentile(0.5) or 0.0,
                "p95_ms": e.get_response_time_percentile(0.95) or 0.0,
            }
            for (name, _method), e in sorted(env.stats.entries.items())
        }
        step = Step(
            users=users,
            seconds=round(seconds, 1),
            requests=total.num_requests,
            failures=total.num_failures,
            rps=round(total.num_requests / seconds, 1),
            p50_ms=total.get_response_time_percentile(0.5) or 0.0,
            p95_ms=total.get_response_time_percentile(0.95) or 0.0,
            client_cpu_pct=round(
                100 * ((client1.user + client1.system) - (client0.user + client0.system)) / seconds, 0
            ),
            server_cpu_pct=round(100 * sum(used.values()) / seconds, 0),
            cpu_pct={c: round(100 * v / seconds, 0) for c, v in used.items()},
            machine_cpu_pct=round(100 * busy / seconds, 0),
            sockets=OPEN_SOCKETS[0],
            pages=pages,
            errors=[f"{e.occurrences}x {e.method} {e.name}: {e.error}" for e in env.stats.errors.values()][:5],
        )
        steps.append(step)
        print(
            f"  {users:>4} users: {step.rps:>6.1f} req/s  p50 {step.p50_ms:>5.0f} ms  p95 {step.p95_ms:>5.0f} ms  "
            f"failures {step.failures:>3}  sockets {step.sockets:>3}  cpu: servers {step.server_cpu_pct:>3.0f}%  locust {step.client_cpu_pct:>3.0f}%",
            flush=True,
        )
        print(
            "        cpu by process: "
            + "  ".join(f"{c} {v:.0f}%" for c, v in step.cpu_pct.items())
            + f"  | whole machine {step.machine_cpu_pct:.0f}% of {100 * (os.cpu_count() or 1)}%",
            flush=True,
        )
        for err in step.errors:
            print(f"      {err}")
        if step.failures:
            break
        if args.find_peak:
            # Past the held point: go on while throughput still grows by 5% a step.
            if len(steps) > 1 and step.rps < 1.05 * max(s.rps for s in steps[:-1]):
                break
        elif step.p95_ms > args.p95_ms:
            break
    runner.quit()
    return steps


def held_step(steps: list[Step], p95_ms: float) -> Step | None:
    ok = [s for s in steps if s.held and s.p95_ms <= p95_ms]
    return ok[-1] if ok else None


def print_pages(step: Step) -> None:
    print(f"    {'page':<54} {'requests':>8} {'fail':>5} {'p50 ms':>7} {'p95 ms':>7}")
    for name, p in sorted(step.pages.items(), key=lambda kv: -kv[1]["p95_ms"]):
        print(f"    {name:<54} {p['requests']:>8.0f} {p['failures']:>5.0f} {p['p50_ms']:>7.0f} {p['p95_ms']:>7.0f}")


def print_cost(step: Step) -> None:
    """CPU per request at a step, by component (ms of one core): what the web workers spend and what
    everything else on the same cores spends for them (the part that bounds the 2/1 ratio)."""
    if not step.rps:
        return
    per = {c: 10 * pct / step.rps for c, pct in step.cpu_pct.items()}
    per["locust"] = 10 * step.client_cpu_pct / step.rps
    outside = sum(v for c, v in per.items() if c != "web")
    parts = "  ".join(f"{c} {v:.2f}" for c, v in per.items() if c != "web")
    print(
        f"    CPU per request: web workers {per.get('web', 0):.1f} ms; outside them {outside:.1f} ms ({parts}); "
        f"whole machine {step.machine_cpu_pct:.0f}% of {100 * (os.cpu_count() or 1)}%"
    )


def seed(env: dict[str, str], args: argparse.Namespace) -> int:
    for cmd in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"], ["seed_demo"]):
        subprocess.run([PY, "manage.py", *cmd], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    child = {**env, "DJANGO_SETTINGS_MODULE": "peerlearn.settings"}
    total = seed_catalog(child, args.sessions)
    code = LOAD_SEED.format(learners=args.learners, pool=args.pool)
    out = subprocess.run([PY, "-c", code], cwd=ROOT, env=child, check=False, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError("seeding the load test's data failed:\n" + out.stderr[-3000:])
    # The rows were bulk-loaded a moment ago: gather the planner's statistics now, as autovacuum
    # would within its first minute on a live database, or the first minutes of the run would be
    # planned for near-empty tables (a sort of every session instead of an index walk).
    subprocess.run(["psql", env["DATABASE_URL"], "-qc", "ANALYZE"], check=True, capture_output=True)
    seeded = json.loads(out.stdout.strip().splitlines()[-1])
    for name, value in seeded.items():
        setattr(DATA, name, value)
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", default="1,2", help="gunicorn worker counts to compare (default 1,2)")
    parser.add_argument("--step-users", type=int, default=10, help="users added per step (default 10)")
    parser.add_argument("--step-seconds", type=float, default=20.0, help="measured seconds per step (default 20)")
    parser.add_argument("--max-users", type=int, default=600)
    parser.add_argument("--max-seconds", type=float, default=180.0, help="time cap per worker count (default 180)")
    parser.add_argument("--p95-ms", type=float, default=300.0, help="a step holds while its p95 <= this")
    parser.add_argument(
        "--find-peak",
        action="store_true",
        help="go on past the held point while req/s still grows by 5%% a step (saturation throughput)",
    )
    parser.add_argument("--sessions", type=int, default=10_000, help="catalogue size (default 10,000)")
    parser.add_argument("--learners", type=int, default=300, help="learner accounts for signed-in users")
    parser.add_argument("--pool", type=int, default=1000, help="bookable free and paid sessions, each")
    parser.add_argument(
        "--no-booking",
        action="store_true",
        help="diagnosis: leave the booking users out (then no seat changes move the catalogue's version)",
    )
    args = parser.parse_args()
    worker_counts = [int(w) for w in args.workers.split(",")]

    before = machine()
    services = Services()
    var_dir = Path(tempfile.mkdtemp(prefix="peerlearn-load-"))
    port = free_port()
    base = f"http://{HOST}:{port}"
    results: dict[int, list[Step]] = {}
    try:
        env = production_env(services, var_dir, port)
        t0 = time.monotonic()
        catalogue = seed(env, args)
        print(
            f"seeded in {time.monotonic() - t0:.0f} s: {catalogue} sessions, {len(DATA.learners)} learners, "
            f"{len(DATA.mentors)} demo mentors, {len(DATA.free)}+{len(DATA.paid)} bookable sessions",
            flush=True,
        )
        services.keep_seeded()
        for workers in worker_counts:
            print(f"\n{workers} gunicorn worker(s) x {os.environ.get('WEB_THREADS', '4')} threads, nginx on {base}")
            services.reset()  # every worker count starts from the same rows and an empty cache
            topology = Topology(env, port, workers, var_dir / f"topology-{workers}.log")
            try:
                warm_up(base)
                results[workers] = run_steps(base, args)
            finally:
                topology.stop()
    finally:
        services.close()
        shutil.rmtree(var_dir, ignore_errors=True)

    mix = "60/25/-/5 (no booking users)" if args.no_booking else "60/25/10/5"
    print(f"\nPeerLearn load test (Locust {_locust_version()}): production topology, mix {mix}, ", end="")
    print(f"think time 1-3 s, steps of {args.step_users} users x {args.step_seconds:.0f} s, held = p95 <= ", end="")
    print(f"{args.p95_ms:.0f} ms and no failures")
    held: dict[int, Step | None] = {}
    for workers, steps in results.items():
        best = held[workers] = held_step(steps, args.p95_ms)
        if best is None:
            print(f"\n{workers} worker(s): no step held; per page at the first step ({steps[0].users} users):")
            print_pages(steps[0])
            continue
        print(
            f"\n{workers} worker(s): held {best.users} users at {best.rps} req/s "
            f"(p50 {best.p50_ms:.0f} ms, p95 {best.p95_ms:.0f} ms); per page at that step:"
        )
        print_pages(best)
        print_cost(best)
    peak = {w: max(steps, key=lambda s: s.rps) for w, steps in results.items()}
    print(
        "\nhighest throughput of the steps run" + ("" if args.find_peak else " (to saturation with --find-peak)") + ":"
    )
    for w, s in peak.items():
        print(f"  {w} worker(s): {s.rps} req/s at {s.users} users (p95 {s.p95_ms:.0f} ms, failures {s.failures})")
    one, two = held.get(1), held.get(2)
    ratio = two.rps / one.rps if one and two and one.rps else float("nan")
    if one and two:
        print(f"\n2 workers / 1 worker, held: throughput {ratio:.2f}x, users {two.users / one.users:.2f}x")
    peak_ratio = peak[2].rps / peak[1].rps if 1 in peak and 2 in peak and peak[1].rps else float("nan")
    if args.find_peak:  # without it the last steps need not have saturated either server
        print(f"2 workers / 1 worker, peak: throughput {peak_ratio:.2f}x")
    path = write_json(
        "load",
        {
            "benchmark": "load",
            "args": vars(args),
            "machine": {**before, "loadavg_after": os.getloadavg()},
            "results": {
                str(w): {"steps": [s.__dict__ for s in steps], "held_users": best.users if best else 0}
                for w, steps in results.items()
                for best in [held[w]]
            },
            "ratio_2_over_1_rps": round(ratio, 3),
            "ratio_2_over_1_peak_rps": round(peak_ratio, 3),
        },
    )
    print(f"wrote {path.relative_to(ROOT)}")
    return 0 if all(held.values()) else 1


def _locust_version() -> str:
    from importlib.metadata import version

    return version("locust")


if __name__ == "__main__":
    sys.exit(main())
