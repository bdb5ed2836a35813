"""The sandbox exists only where sandbox payments are on: a production configuration (real keys)
neither installs it, routes it nor creates any of its tables."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.db import migrations
from django.db.migrations.loader import MigrationLoader

ROOT = Path(__file__).resolve().parents[3]

PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.db import migrations
from django.db.migrations.loader import MigrationLoader
from django.urls import Resolver404, resolve

loader = MigrationLoader(None, ignore_no_migrations=True)
created = []
for (app, name), migration in loader.disk_migrations.items():
    for op in migration.operations:
        if isinstance(op, migrations.CreateModel):
            created.append(op.options.get("db_table") or f"{app}_{op.name.lower()}")
routed = []
for path in ("/sandbox/razorpay/v1/orders", "/sandbox/razorpay/checkout/order_x/"):
    try:
        resolve(path)
        routed.append(path)
    except Resolver404:
        pass
print(json.dumps({
    "sandbox": settings.PAYMENTS_SANDBOX,
    "installed": "apps.payments_sandbox" in settings.INSTALLED_APPS,
    "apps_with_migrations": sorted({app for app, _ in loader.disk_migrations}),
    "tables": created,
    "routed": routed,
}))
"""


def probe(**env: str) -> dict[str, object]:
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "RAZORPAY_KEY_ID")}
    clean.update(env, DJANGO_SETTINGS_MODULE="peerlearn.settings")
    out = subprocess.run(  # noqa: S603 - our own interpreter and settings
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_real_keys_mean_no_sandbox_app_routes_or_tables() -> None:
    result = probe(RAZORPAY_KEY_ID="rzp_live_example", RAZORPAY_KEY_SECRET="example-secret")
    assert result["sandbox"] is False and result["installed"] is False
    assert "payments_sandbox" not in result["apps_with_migrations"]
    tables = result["tables"]
    assert isinstance(tables, list) and "payments_payment" in tables  # the probe really read the migrations
    assert [t for t in tables if "sandbox" in t] == []
    assert result["routed"] == []


def test_without_keys_the_sandbox_is_installed_and_routed() -> None:
    result = probe()
    assert result["sandbox"] is True and result["installed"] is True
    assert {"payments_sandbox_sandboxorder", "payments_sandbox_sandboxpayment"} <= set(result["tables"])  # type: ignore[arg-type]
    assert len(result["routed"]) == 2  # type: ignore[arg-type]


def test_payments_migrations_hold_no_sandbox_model() -> None:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for (app, _name), migration in loader.disk_migrations.items():
        if app == "payments_sandbox":
            continue
        for op in migration.operations:
            if isinstance(op, migrations.CreateModel):
                assert "sandbox" not in op.name.lower(), (app, op.name)
