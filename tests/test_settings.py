"""The two settings profiles, loaded in fresh interpreters with controlled environments."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Every variable that selects or configures a profile is removed, so the parent's environment
# (e.g. the PostgreSQL run of the suite) cannot leak into a subprocess.
CONFIG_VARS = {
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SQLITE_PATH",
    "PEERLEARN_ALLOW_PARTIAL_PROFILE",
    "SECURE_SSL_REDIRECT",
    "SECURE_COOKIES",
    "SECURE_HSTS_SECONDS",
    "STATIC_MANIFEST",
    "ALLOW_SANDBOX_PAYMENTS",
    "RAZORPAY_KEY_ID",
    "RAZORPAY_KEY_SECRET",
    "CELERY_TASK_ALWAYS_EAGER",
    "PEERLEARN_BENCH",
    "EMAIL_BACKEND",
    "EMAIL_PORT",
    "PLATFORM_FEE_PERCENT",
}

DUMP = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "profile": settings.PROFILE,
    "engine": db["ENGINE"],
    "db_options": {k: v for k, v in db.get("OPTIONS", {}).items() if isinstance(v, (str, int))},
    "channel_layer": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "broker": settings.CELERY_BROKER_URL,
    "background": settings.BACKGROUND,
    "acks_late": getattr(settings, "CELERY_TASK_ACKS_LATE", False),
    "email": settings.EMAIL_BACKEND,
    "debug": settings.DEBUG,
    "ssl_redirect": getattr(settings, "SECURE_SSL_REDIRECT", False),
    "hsts": getattr(settings, "SECURE_HSTS_SECONDS", 0),
    "session_secure": getattr(settings, "SESSION_COOKIE_SECURE", False),
    "csrf_secure": getattr(settings, "CSRF_COOKIE_SECURE", False),
    "bench": settings.BENCH_ENDPOINTS,
    "media_root": str(settings.MEDIA_ROOT),
}))
"""


def run(code: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in CONFIG_VARS}
    base.update(DJANGO_SETTINGS_MODULE="peerlearn.settings", PYTHONWARNINGS="ignore")
    base.update(env)
    return subprocess.run(
        [sys.executable, *(["-c", code] if code else []), *args],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def load(env: dict[str, str]) -> dict[str, object]:
    proc = run(DUMP, env)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        "PEERLEARN_VAR_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://peerlearn:secret@127.0.0.1:5432/peerlearn",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "peerlearn.example.in",
        "RAZORPAY_KEY_ID": "rzp_test_example",
        "RAZORPAY_KEY_SECRET": "example-secret",
    }
    env.update(extra)
    return env


def test_embedded_profile_needs_nothing_installed(tmp_path: Path) -> None:
    s = load({"PEERLEARN_VAR_DIR": str(tmp_path)})
    assert s["profile"] == "embedded"
    assert s["engine"] == "django.db.backends.sqlite3"
    assert s["db_options"]["transaction_mode"] == "IMMEDIATE"
    assert s["db_options"]["timeout"] >= 5
    assert "journal_mode=WAL" in s["db_options"]["init_command"]
    assert s["channel_layer"] == "apps.core.layers.InMemoryChannelLayer"
    assert s["cache"].endswith("LocMemCache")
    # No broker: background jobs run inside the web process.
    assert s["broker"] == "memory://" and s["background"] == "inprocess"
    assert not (tmp_path / "broker").exists()
    assert s["email"] == "django.core.mail.backends.filebased.EmailBackend"
    assert s["media_root"] == str(tmp_path / "media")
    assert s["debug"] is False
    assert s["bench"] is False


def test_sqlite_really_runs_in_wal_mode(tmp_path: Path) -> None:
    code = "import django; django.setup()\nfrom django.db import connection\n" + (
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])"
    )
    proc = run(code, {"PEERLEARN_VAR_DIR": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "wal"


def test_production_profile_uses_postgres_and_redis(tmp_path: Path) -> None:
    s = load(production_env(tmp_path))
    assert s["profile"] == "production"
    assert s["engine"] == "django.db.backends.postgresql"
    assert s["channel_layer"] == "apps.core.layers.RedisChannelLayer"
    assert s["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert s["broker"] == "redis://127.0.0.1:6379/0"
    assert s["background"] == "celery" and s["acks_late"] is True
    assert s["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert s["ssl_redirect"] is True
    assert s["hsts"] >= 31536000
    assert s["session_secure"] is True and s["csrf_secure"] is True


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "too-short"}, "at least 50 characters"),
        ({"RAZORPAY_KEY_ID": "", "RAZORPAY_KEY_SECRET": ""}, "RAZORPAY_KEY_ID and RAZORPAY_KEY_SECRET must be set"),
        ({"REDIS_URL": ""}, "Set both DATABASE_URL and REDIS_URL"),
    ],
)
def test_production_fails_loudly_without_secrets(tmp_path: Path, env: dict[str, str], message: str) -> None:
    proc = run(DUMP, production_env(tmp_path, **env))
    assert proc.returncode != 0
    assert "ImproperlyConfigured" in proc.stderr
    assert message in proc.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG must be a boolean"),
        ("EMAIL_PORT", "25x", "EMAIL_PORT must be an integer"),
        ("PLATFORM_FEE_PERCENT", "150", "PLATFORM_FEE_PERCENT must be <= 100"),
        ("PEERLEARN_BENCH", "sure", "PEERLEARN_BENCH must be a boolean"),
    ],
)
def test_malformed_values_fail_loudly(tmp_path: Path, name: str, value: str, message: str) -> None:
    proc = run(DUMP, {"PEERLEARN_VAR_DIR": str(tmp_path), name: value})
    assert proc.returncode != 0
    assert message in proc.stderr


def test_check_deploy_passes_for_production(tmp_path: Path) -> None:
    proc = run("", production_env(tmp_path), "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "System check identified no issues" in proc.stdout


def test_check_deploy_catches_an_insecure_production_setting(tmp_path: Path) -> None:
    # The check above could only pass vacuously if --deploy checked nothing; prove it bites.
    env = production_env(tmp_path, SECURE_SSL_REDIRECT="false")
    proc = run("", env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert proc.returncode != 0
    assert "security.W008" in proc.stdout + proc.stderr


def test_responses_carry_a_strict_csp(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/help/")
    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_bench_view_is_not_routed_by_default(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/bench/bare/").status_code == 404


def test_check_deploy_warns_when_sandbox_payments_are_allowed_in_production(tmp_path: Path) -> None:
    env = production_env(tmp_path, RAZORPAY_KEY_ID="", RAZORPAY_KEY_SECRET="", ALLOW_SANDBOX_PAYMENTS="true")
    proc = run("", env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert proc.returncode != 0
    assert "payments.W001" in proc.stdout + proc.stderr
