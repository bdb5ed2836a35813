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


def withdrawal_to(outcome: str, *, mentor: Any, amount_paise: int, admin: Any) -> Withdrawal:
    """A withdrawal taken through the real flows (and the RazorpayX sandbox) to ``outcome``:
    ``requested``, ``rejected``, ``failed`` (the gateway failed the payout), ``paid``, or
    ``reversed`` (paid, then returned by the bank). The gateway's answers are applied as the
    webhook view applies them."""
    from apps.payments_sandbox import api as sandbox
    from apps.workflows import payouts as flows

    w = flows.request_withdrawal(mentor=mentor, amount_paise=amount_paise)
    if outcome == "rejected":
        return flows.reject_withdrawal(withdrawal_id=w.pk, admin=admin, reason="Details to re-check")
    if outcome != "requested":
        w = flows.approve_withdrawal(withdrawal_id=w.pk, admin=admin)
        steps = {"failed": ["failed"], "paid": ["processed"], "reversed": ["processed", "reversed"]}[outcome]
        for step in steps:
            sandbox.settle_payout(w.gateway_payout_id, step)
            payouts.apply_payout_entity(sandbox.fetch_payout(w.gateway_payout_id), f"payout.{step}")
    w.refresh_from_db()
    return w
