"""The demo money history (apps/site/seed/money.py) is believable, made through the real flows,
consistent with the ledger, and a second seed_demo adds nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.accounts.models import User
from apps.audit.models import AuditEntry
from apps.dashboards import reports
from apps.dashboards.selectors import admin_period_kpis, period_start
from apps.payments import ledger, selectors
from apps.payments.models import LedgerTransaction, Withdrawal

pytestmark = pytest.mark.django_db


def test_seeded_withdrawals_and_balances() -> None:
    call_command("seed_demo", verbosity=0)
    priya = User.objects.get(email="priya.sharma@demo.peerlearn.in")
    statuses = sorted(Withdrawal.objects.filter(mentor=priya).values_list("status", flat=True))
    assert statuses == ["paid", "rejected", "requested"]
    b = selectors.mentor_balances(priya)
    assert b["available"] > 0 and b["pending"] > 0
    assert b["reserved"] == 60_000 and b["withdrawn"] == 250_000
    assert Withdrawal.objects.get(mentor=priya, status="rejected").reason
    failed = Withdrawal.objects.get(status="failed")
    assert failed.mentor != priya and failed.mode == "IMPS"
    assert AuditEntry.objects.filter(action__in=["withdrawal.approve", "withdrawal.reject"]).count() == 3
    rows = selectors.mentor_earning_rows(priya.pk)
    kinds = [r["kind"] for r in rows]
    # Four taught sessions and two tips from this history (seed_discovery's community may pay for more).
    assert kinds.count("tip") == 2 and kinds.count("session") >= 4 and all(r["net"] > 0 for r in rows)
    assert list(ledger.unbalanced_transactions()) == []
    # The admin's overview (last 30 days) and the payout's monthly report show the ₹2,500 paid out.
    now = timezone.now()
    assert admin_period_kpis(period_start("30d", now), now)["payouts"] == 250_000
    paid = Withdrawal.objects.get(mentor=priya, status="paid")
    assert reports.monthly_report(timezone.localdate(paid.closed_at)).payouts == 250_000

    counts = (Withdrawal.objects.count(), LedgerTransaction.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (Withdrawal.objects.count(), LedgerTransaction.objects.count()) == counts
