"""Helpers for the money-out tests: a mentor with an available balance and payout details."""

from __future__ import annotations

import json
import uuid
from typing import Any

from apps.accounts.models import Role
from apps.catalog.tests.factories import make_user
from apps.payments import ledger, payouts
from apps.payments.models import Withdrawal


def fund(mentor: Any, paise: int) -> None:
    """Owe the mentor ``paise`` in their available balance (a balanced test transaction)."""
    ledger.post(
        kind="test_funding",
        key=f"test-fund:{mentor.pk}:{uuid.uuid4().hex[:8]}",
        legs=[ledger.Leg(ledger.gateway_clearing(), paise), ledger.Leg(ledger.mentor_available(mentor.pk), -paise)],
    )


def mentor_with_balance(paise: int = 200_000, *, upi: str = "ravi.kumar@okicici", **extra: Any) -> Any:
    mentor = make_user(Role.MENTOR, **extra)
    mentor.set_password("mentor-pass-123")
    mentor.save()
    if paise:
        fund(mentor, paise)
    if upi:
        payouts.save_payout_account(mentor=mentor, method="upi", upi_id=upi)
    return mentor


def payout_event(event: str, withdrawal: Withdrawal, **entity: Any) -> bytes:
    withdrawal.refresh_from_db()
    body = {
        "id": withdrawal.gateway_payout_id,
        "entity": "payout",
        "amount": withdrawal.amount_paise,
        "currency": "INR",
        "status": event.removeprefix("payout."),
        "notes": {"withdrawal_id": str(withdrawal.pk)},
        "utr": "UTR123" if event == "payout.processed" else None,
        **entity,
    }
    return json.dumps({"entity": "event", "event": event, "payload": {"payout": {"entity": body}}}).encode()
