"""The double-entry ledger: the one module that writes money movements (SPEC §5).

Every movement is a ``LedgerTransaction`` whose ``LedgerEntry`` legs (integer paise, positive =
debit, negative = credit) sum to zero. Rows are never updated or deleted; corrections are new,
reversing transactions. Balances are always derived from the entries.

Accounts:

* ``gateway_clearing`` (asset): money the gateway holds for us.
* ``platform_revenue``: the platform fee we keep.
* ``mentor:<id>:pending`` / ``mentor:<id>:available``: what we owe a mentor, before and after the
  24 h dispute window that follows the session.
* ``mentor:<id>:reserved``: what we owe a mentor that is set aside for a withdrawal in progress.
* ``refund_absorbed``: the platform's loss when a refund covers an earning the mentor has already
  withdrawn or reserved (a refund never claws back money that left the mentor's available balance).

A withdrawal of W posts, at request time, Dr available W / Cr reserved W (checked under the
available account's row lock, so parallel requests never overdraw); when paid out, Dr reserved W /
Cr gateway_clearing W; when rejected, cancelled or failed before paying, Dr reserved W / Cr
available W; when a paid payout is reversed by the bank, Dr gateway_clearing W / Cr available W.
Each is keyed by the withdrawal, so each happens at most once.

A learner payment of A for a booking posts: Dr gateway_clearing A, Cr platform_revenue fee,
Cr mentor pending share (fee + share = A). A refund reverses the part of the split it covers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum

from .models import AccountKind, LedgerAccount, LedgerEntry, LedgerTransaction

if TYPE_CHECKING:
    from apps.bookings.models import Booking

GATEWAY_CLEARING = "gateway_clearing"
PLATFORM_REVENUE = "platform_revenue"
REFUND_ABSORBED = "refund_absorbed"


class LedgerError(Exception):
    pass


class UnbalancedTransaction(LedgerError):
    pass


class InsufficientBalance(LedgerError):
    pass


def split_amount(amount_paise: int, fee_percent: int | None = None) -> tuple[int, int]:
    """Return (platform_fee, mentor_share) for an amount; they always add up to the amount.

    The fee is rounded down to the paisa, so the mentor never gets less than their percentage.
    """
    if amount_paise < 0:
        raise ValueError("amount must be >= 0")
    pct = settings.PLATFORM_FEE_PERCENT if fee_percent is None else fee_percent
    fee = amount_paise * pct // 100
    return fee, amount_paise - fee


def split_refund(
    *, paid_paise: int, refunded_before: int, refund_paise: int, fee_percent: int | None = None
) -> tuple[int, int]:
    """Split a refund so the cumulative reversals telescope to the original split exactly."""
    if refunded_before + refund_paise > paid_paise:
        raise ValueError("refund exceeds the payment")
    fee_before, _ = split_amount(refunded_before, fee_percent)
    fee_after, _ = split_amount(refunded_before + refund_paise, fee_percent)
    fee = fee_after - fee_before
    return fee, refund_paise - fee


# --- accounts ------------------------------------------------------------------------------


def _account(code: str, kind: str, owner_id: int | None = None, may_go_negative: bool = True) -> LedgerAccount:
    account = LedgerAccount.objects.filter(code=code).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return LedgerAccount.objects.create(
                code=code, kind=kind, owner_id=owner_id, may_go_negative=may_go_negative
            )
    except IntegrityError:
        return LedgerAccount.objects.get(code=code)


def gateway_clearing() -> LedgerAccount:
    return _account(GATEWAY_CLEARING, AccountKind.GATEWAY_CLEARING)


def platform_revenue() -> LedgerAccount:
    return _account(PLATFORM_REVENUE, AccountKind.PLATFORM_REVENUE, may_go_negative=False)


def mentor_pending(mentor_id: int) -> LedgerAccount:
    return _account(f"mentor:{mentor_id}:pending", AccountKind.MENTOR_PENDING, mentor_id, may_go_negative=False)


def mentor_available(mentor_id: int) -> LedgerAccount:
    return _account(f"mentor:{mentor_id}:available", AccountKind.MENTOR_AVAILABLE, mentor_id, may_go_negative=False)


def mentor_reserved(mentor_id: int) -> LedgerAccount:
    return _account(f"mentor:{mentor_id}:reserved", AccountKind.MENTOR_RESERVED, mentor_id, may_go_negative=False)


def refund_absorbed() -> LedgerAccount:
    return _account(REFUND_ABSORBED, AccountKind.PLATFORM_REVENUE)


# --- posting -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Leg:
    account: LedgerAccount
    amount_paise: int  # + debit, - credit


def balance(account: LedgerAccount) -> int:
    """Debit-positive balance of an account, derived from its entries."""
    return int(LedgerEntry.objects.filter(account=account).aggregate(s=Sum("amount_paise"))["s"] or 0)


def credit_balance(account: LedgerAccount) -> int:
    """Balance seen from a credit-normal account (what we owe): -debit balance."""
    return -balance(account)


def post(
    *,
    kind: str,
    key: str,
    legs: Sequence[Leg],
    memo: str = "",
    payment: Any = None,
    booking: Booking | None = None,
    withdrawal: Any = None,
) -> LedgerTransaction:
    """Write one balanced transaction. Idempotent on ``key``: posting the same key twice returns the
    first transaction unchanged. Credit-normal accounts flagged ``may_go_negative=False`` are
    checked under the transaction so no owed balance goes below zero."""
    legs = [leg for leg in legs if leg.amount_paise != 0]
    if not legs:
        raise UnbalancedTransaction("a transaction needs at least one non-zero leg")
    if any(not isinstance(leg.amount_paise, int) for leg in legs):
        raise UnbalancedTransaction("amounts must be integer paise")
    if sum(leg.amount_paise for leg in legs) != 0:
        raise UnbalancedTransaction(f"legs sum to {sum(leg.amount_paise for leg in legs)}, not 0")
    existing = LedgerTransaction.objects.filter(key=key).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        guarded = {leg.account.pk for leg in legs if leg.amount_paise > 0 and not leg.account.may_go_negative}
        if guarded:
            # Lock the guarded accounts (row lock on PostgreSQL; SQLite serialises writers).
            list(LedgerAccount.objects.select_for_update().filter(pk__in=sorted(guarded)))
            for leg in legs:
                if leg.account.pk in guarded and credit_balance(leg.account) - leg.amount_paise < 0:
                    raise InsufficientBalance(f"{leg.account.code} would go negative")
        try:
            with transaction.atomic():
                tx = LedgerTransaction.objects.create(
                    kind=kind, key=key, memo=memo[:200], payment=payment, booking=booking, withdrawal=withdrawal
                )
        except IntegrityError:
            return LedgerTransaction.objects.get(key=key)
        LedgerEntry.objects.bulk_create(
            [LedgerEntry(transaction=tx, account=leg.account, amount_paise=leg.amount_paise) for leg in legs]
        )
    return tx


# --- business movements --------------------------------------------------------------------


def record_booking_payment(*, item: Any) -> LedgerTransaction:
    """A learner's payment for one booking (a payment item): clearing in, fee + mentor share out."""
    booking = item.booking
    fee, share = split_amount(item.amount_paise)
    return post(
        kind="booking_payment",
        key=f"payment-item:{item.pk}",
        memo=f"Payment {item.payment.receipt} for booking {booking.pk}",
        payment=item.payment,
        booking=booking,
        legs=[
            Leg(gateway_clearing(), item.amount_paise),
            Leg(platform_revenue(), -fee),
            Leg(mentor_pending(booking.session.mentor_id), -share),
        ],
    )


def record_refund(*, refund: Any) -> LedgerTransaction:
    """Reverse the covered part of an item's split; the money leaves the gateway clearing account."""
    item = refund.item
    booking = item.booking
    refunded_before = int(
        item.refunds.filter(status="processed").exclude(pk=refund.pk).aggregate(s=Sum("amount_paise"))["s"] or 0
    )
    fee, share = split_refund(
        paid_paise=item.amount_paise, refunded_before=refunded_before, refund_paise=refund.amount_paise
    )
    mentor_id = booking.session.mentor_id
    legs = [Leg(gateway_clearing(), -refund.amount_paise), Leg(platform_revenue(), fee)]
    # Reverse from pending first; if the earning was already released, from available — but only
    # what is still there (locked, so a withdrawal request cannot take it meanwhile). What the
    # mentor has already withdrawn or reserved is absorbed by the platform.
    pending = mentor_pending(mentor_id)
    from_pending = min(share, max(0, earning_pending_for_booking(booking)))
    legs.append(Leg(pending, from_pending))
    rest = share - from_pending
    if rest:
        available = mentor_available(mentor_id)
        with transaction.atomic():
            list(LedgerAccount.objects.select_for_update().filter(pk=available.pk))
            from_available = min(rest, max(0, credit_balance(available)))
            legs.append(Leg(available, from_available))
            legs.append(Leg(refund_absorbed(), rest - from_available))
    return post(
        kind="refund",
        key=f"refund:{refund.pk}",
        memo=f"Refund {refund.pk} for booking {booking.pk}",
        payment=item.payment,
        booking=booking,
        legs=legs,
    )


def earning_pending_for_booking(booking: Booking) -> int:
    """What is still pending for the mentor from this booking (credit-normal)."""
    account = mentor_pending(booking.session.mentor_id)
    total = LedgerEntry.objects.filter(account=account, transaction__booking=booking).aggregate(s=Sum("amount_paise"))[
        "s"
    ]
    return -int(total or 0)


def release_booking_earning(*, booking: Booking) -> LedgerTransaction | None:
    """Move a booking's pending earning to available (after the dispute window)."""
    amount = earning_pending_for_booking(booking)
    if amount <= 0:
        return None
    mentor_id = booking.session.mentor_id
    return post(
        kind="earning_release",
        key=f"release:{booking.pk}",
        memo=f"Earning released for booking {booking.pk}",
        booking=booking,
        legs=[Leg(mentor_pending(mentor_id), amount), Leg(mentor_available(mentor_id), -amount)],
    )


def mentor_balances(mentor_id: int) -> dict[str, int]:
    """Pending and available only (see ``selectors.mentor_balances`` for all four figures)."""
    from .selectors import mentor_balances as balances

    b = balances(mentor_id)
    return {"pending": b["pending"], "available": b["available"]}


def _withdrawal_move(
    withdrawal: Any, *, kind: str, step: str, memo: str, debit: LedgerAccount, credit: LedgerAccount
) -> LedgerTransaction:
    """One step of a withdrawal's life: its amount from ``credit`` to ``debit``, once per step."""
    return post(
        kind=kind,
        key=f"withdrawal:{withdrawal.pk}:{step}",
        memo=f"Withdrawal {withdrawal.pk} {memo}",
        withdrawal=withdrawal,
        legs=[Leg(debit, withdrawal.amount_paise), Leg(credit, -withdrawal.amount_paise)],
    )


def reserve_withdrawal(*, withdrawal: Any) -> LedgerTransaction:
    """Set a withdrawal's amount aside: available → reserved. Raises ``InsufficientBalance`` (and
    writes nothing) when the available balance, read under its row lock, does not cover it."""
    m = withdrawal.mentor_id
    return _withdrawal_move(
        withdrawal, kind="withdrawal_reserve", step="reserve", memo="requested",
        debit=mentor_available(m), credit=mentor_reserved(m),
    )  # fmt: skip


def release_withdrawal(*, withdrawal: Any) -> LedgerTransaction:
    """A rejected, cancelled or failed withdrawal: the reserved amount returns to available (once)."""
    m = withdrawal.mentor_id
    return _withdrawal_move(
        withdrawal, kind="withdrawal_release", step="release", memo=f"returned ({withdrawal.status})",
        debit=mentor_reserved(m), credit=mentor_available(m),
    )  # fmt: skip


def record_payout(*, withdrawal: Any) -> LedgerTransaction:
    """The payout left the gateway account: the reserved amount is paid out (once)."""
    return _withdrawal_move(
        withdrawal, kind="payout", step="payout", memo="paid out",
        debit=mentor_reserved(withdrawal.mentor_id), credit=gateway_clearing(),
    )  # fmt: skip


def record_payout_reversal(*, withdrawal: Any) -> LedgerTransaction:
    """The bank returned a paid payout: the money is back in the mentor's available balance (once)."""
    return _withdrawal_move(
        withdrawal, kind="payout_reversal", step="reversal", memo="reversed by the bank",
        debit=gateway_clearing(), credit=mentor_available(withdrawal.mentor_id),
    )  # fmt: skip


def unbalanced_transactions() -> Iterable[int]:
    """Ids of transactions whose legs do not sum to zero (should always be empty)."""
    return (
        LedgerEntry.objects.values("transaction_id")
        .annotate(total=Sum("amount_paise"))
        .exclude(total=0)
        .values_list("transaction_id", flat=True)
    )


# --- tips ----------------------------------------------------------------------------------------


def record_tip(*, tip: Any) -> LedgerTransaction:
    """A captured tip: clearing in, the platform fee and the mentor's (pending) share out."""
    fee, share = split_amount(tip.amount_paise)
    return post(
        kind="tip",
        key=f"tip:{tip.pk}",
        memo=f"Tip {tip.pk} ({tip.payment.receipt})",
        payment=tip.payment,
        legs=[
            Leg(gateway_clearing(), tip.amount_paise),
            Leg(platform_revenue(), -fee),
            Leg(mentor_pending(tip.mentor_id), -share),
        ],
    )


def release_tip_earning(*, tip: Any) -> LedgerTransaction | None:
    """Move a tip's pending share to available (24 h after it was paid)."""
    pending = mentor_pending(tip.mentor_id)
    total = LedgerEntry.objects.filter(account=pending, transaction__payment_id=tip.payment_id).aggregate(
        s=Sum("amount_paise")
    )["s"]
    amount = -int(total or 0)
    if amount <= 0:
        return None
    return post(
        kind="earning_release",
        key=f"release-tip:{tip.pk}",
        memo=f"Tip {tip.pk} released after the dispute window",
        payment=tip.payment,
        legs=[Leg(pending, amount), Leg(mentor_available(tip.mentor_id), -amount)],
    )
