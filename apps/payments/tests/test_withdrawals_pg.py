"""Parallel withdrawal requests need real row locks: PostgreSQL only (SQLite serialises every
writer for the whole database, so this race cannot happen there)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from apps.payments import ledger, payouts, selectors
from apps.payments.models import LedgerTransaction, Withdrawal
from apps.payments.tests.money import mentor_with_balance
from apps.workflows import payouts as flows

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks; SQLite serialises all writers so this race cannot occur")


def test_twenty_parallel_requests_for_a_balance_that_allows_three() -> None:
    mentor = mentor_with_balance(180_000)  # ₹1,800: three ₹600 withdrawals, not four
    n = 20
    barrier = threading.Barrier(n)
    lock = threading.Lock()
    won: list[Withdrawal] = []
    refused: list[str] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            w = flows.request_withdrawal(mentor=mentor, amount_paise=60_000)
            with lock:
                won.append(w)
        except payouts.WithdrawalError as exc:
            with lock:
                refused.append(exc.message)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert len(won) == 3 and len(refused) == 17
    assert all("more than your available balance" in m for m in refused)
    assert Withdrawal.objects.filter(mentor=mentor).count() == 3  # refused ones left no row
    assert LedgerTransaction.objects.filter(kind="withdrawal_reserve").count() == 3
    assert selectors.mentor_balances(mentor) == {"pending": 0, "available": 0, "reserved": 180_000, "withdrawn": 0}
    assert ledger.credit_balance(ledger.mentor_available(mentor.pk)) == 0
    assert list(ledger.unbalanced_transactions()) == []


def test_parallel_cancel_and_reject_return_the_money_once() -> None:
    from apps.dashboards.tests.test_dashboards import admin_with_totp

    mentor = mentor_with_balance(60_000)
    w = flows.request_withdrawal(mentor=mentor, amount_paise=60_000)
    admin = admin_with_totp()
    barrier = threading.Barrier(6)
    outcomes: list[Any] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            if i % 2:
                flows.cancel_withdrawal(mentor=mentor, withdrawal_id=w.pk)
            else:
                flows.reject_withdrawal(withdrawal_id=w.pk, admin=admin, reason="race")
            outcomes.append("ok")
        except payouts.WithdrawalError:
            outcomes.append("refused")
        except BaseException as exc:
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(map(str, outcomes)) == ["ok"] + ["refused"] * 5
    assert LedgerTransaction.objects.filter(withdrawal=w, kind="withdrawal_release").count() == 1
    assert selectors.mentor_balances(mentor)["available"] == 60_000
