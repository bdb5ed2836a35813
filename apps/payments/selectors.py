from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from .models import Payment

if TYPE_CHECKING:
    from apps.accounts.models import User


def payments_for(user: User) -> QuerySet[Payment]:
    return Payment.objects.filter(learner=user)


def payment_history(user: User) -> QuerySet[Payment]:
    """Learner's payments, newest first, with the first item's session for the table."""
    return (
        Payment.objects.filter(learner=user)
        .annotate(item_count=Count("items"))
        .select_related("tip__mentor")
        .prefetch_related("items__booking__session__mentor")
        .order_by("-created_at")
    )


def mentor_movements(mentor_id: int, *, limit: int = 50) -> list[Any]:
    """The latest ledger legs on a mentor's accounts, with the booking's session (one query)."""
    from .models import LedgerEntry

    return list(
        LedgerEntry.objects.filter(account__owner_id=mentor_id)
        .select_related("account", "transaction__booking__session", "transaction__booking__learner")
        .order_by("-id")[:limit]
    )


def mentor_balances(mentor: User | int) -> dict[str, int]:
    """The mentor's money, derived from the ledger in one query (integer paise):

    * ``pending`` — earned, inside the 24 h dispute window;
    * ``available`` — matured and free to withdraw;
    * ``reserved`` — set aside for withdrawals in progress;
    * ``withdrawn`` — paid out (net of payouts the bank reversed).

    ``available = matured - withdrawn - reserved`` holds by construction of the postings."""
    from .models import AccountKind, LedgerEntry

    mentor_id = mentor if isinstance(mentor, int) else int(mentor.pk or 0)
    rows = (
        LedgerEntry.objects.filter(account__owner_id=mentor_id)
        .values_list("account__kind", "transaction__kind")
        .annotate(total=Sum("amount_paise"))
        .order_by()
    )
    out = {"pending": 0, "available": 0, "reserved": 0, "withdrawn": 0}
    for account_kind, tx_kind, total in rows:
        owed = -int(total or 0)  # credit-normal: what we owe the mentor
        if account_kind == AccountKind.MENTOR_PENDING:
            out["pending"] += owed
        elif account_kind == AccountKind.MENTOR_AVAILABLE:
            out["available"] += owed
            if tx_kind == "payout_reversal":
                out["withdrawn"] -= owed
        elif account_kind == AccountKind.MENTOR_RESERVED:
            out["reserved"] += owed
            if tx_kind == "payout":
                out["withdrawn"] -= owed
    return out


PAYOUT_TX_KINDS = ("payout", "payout_reversal")


def paid_out(window: Q) -> int:
    """What was paid out to mentors in a window of ledger time (``window``: a condition on
    ``transaction__created_at``), in paise: the payouts that left the gateway account minus those the
    bank returned in the window — so a payout reversed in the same window counts nothing, and a
    request, a rejection or a failure before paying never moves this account. The sum of the mentors'
    ``withdrawn`` over the same time. One query."""
    from .models import AccountKind, LedgerEntry

    total = LedgerEntry.objects.filter(
        window, account__kind=AccountKind.GATEWAY_CLEARING, transaction__kind__in=PAYOUT_TX_KINDS
    ).aggregate(s=Sum("amount_paise"))["s"]
    return -int(total or 0)  # the payout credits the (asset) clearing account


def mentor_withdrawals(mentor: User) -> QuerySet[Any]:
    from .models import Withdrawal

    return Withdrawal.objects.filter(mentor=mentor).order_by("-created_at", "-id")


def withdrawal_queue(status: str = "") -> QuerySet[Any]:
    """The admin queue: oldest request first (the 48 h target), with the mentor."""
    from .models import Withdrawal

    qs = Withdrawal.objects.select_related("mentor", "decided_by")
    if status:
        return qs.filter(status=status).order_by("created_at", "id")
    return qs.order_by("-created_at", "-id")


EARNING_TX_KINDS = ("booking_payment", "refund", "tip")


def _mentor_earning_txs(mentor_id: int, since: Any = None) -> list[Any]:
    """The mentor's earning transactions (payments and refunds of their sessions) with all their
    legs: two queries whatever the number of rows."""
    from django.db.models import Prefetch, Q

    from .models import LedgerEntry, LedgerTransaction

    qs = LedgerTransaction.objects.filter(
        Q(booking__session__mentor_id=mentor_id) | Q(kind="tip", payment__tip__mentor_id=mentor_id),
        kind__in=EARNING_TX_KINDS,
    )
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    return list(
        qs.select_related("booking__session", "payment__tip__learner", "payment__tip__session")
        .prefetch_related(Prefetch("entries", queryset=LedgerEntry.objects.select_related("account")))
        .order_by("created_at", "id")
    )


def _split(tx: Any, mentor_id: int) -> tuple[int, int, int]:
    """(gross, fee, net) of one transaction, from its legs: gross = what the gateway received
    (negative for a refund), fee = the platform's part, net = the mentor's."""
    from .models import AccountKind

    gross = fee = net = 0
    for e in tx.entries.all():
        if e.account.kind == AccountKind.GATEWAY_CLEARING:
            gross += e.amount_paise
        elif e.account.code == "platform_revenue":
            fee -= e.amount_paise
        elif e.account.owner_id == mentor_id:
            net -= e.amount_paise
    return gross, fee, net


def mentor_daily_earnings(mentor_id: int, *, days: int, tz: Any, today: Any) -> dict[str, list[Any]]:
    """Net earnings per local day for the last ``days`` days (today included), zeros included."""
    from datetime import datetime, time, timedelta

    start_day = today - timedelta(days=days - 1)
    since = datetime.combine(start_day, time.min, tzinfo=tz)
    per_day: dict[Any, int] = {}
    for tx in _mentor_earning_txs(mentor_id, since):
        day = tx.created_at.astimezone(tz).date()
        per_day[day] = per_day.get(day, 0) + _split(tx, mentor_id)[2]
    labels, values = [], []
    for i in range(days):
        day = start_day + timedelta(days=i)
        labels.append(day.strftime("%d %b"))
        values.append(per_day.get(day, 0))
    return {"labels": labels, "values": values}


def mentor_earning_rows(mentor_id: int) -> list[dict[str, Any]]:
    """One row per session the mentor earned from (learners paid, gross, platform fee and net,
    refunds deducted) and one per tip, newest first. ``title`` and ``when`` (the session's start,
    or when the tip was paid) are ready for the table and the CSV."""
    rows: dict[str, dict[str, Any]] = {}
    for tx in _mentor_earning_txs(mentor_id):
        if tx.kind == "tip":
            tip = tx.payment.tip
            key = f"tip:{tip.pk}"
            row = rows.setdefault(
                key,
                {
                    "kind": "tip",
                    "title": _("Tip from %(name)s") % {"name": tip.learner.full_name or _("a learner")},
                    "message": tip.message,
                    "when": tx.created_at,
                    "session": tip.session,
                    "bookings": {0},
                    "gross": 0,
                    "fee": 0,
                    "net": 0,
                    "refunded": 0,
                },
            )
        else:
            session = tx.booking.session
            row = rows.setdefault(
                f"session:{session.pk}",
                {
                    "kind": "session",
                    "title": session.title,
                    "message": "",
                    "when": session.start,
                    "session": session,
                    "bookings": set(),
                    "gross": 0,
                    "fee": 0,
                    "net": 0,
                    "refunded": 0,
                },
            )
        gross, fee, net = _split(tx, mentor_id)
        row["gross"] += gross
        row["fee"] += fee
        row["net"] += net
        if tx.kind == "refund":
            row["refunded"] -= gross
        elif tx.kind == "booking_payment":
            row["bookings"].add(tx.booking_id)
    out = sorted(rows.values(), key=lambda r: r["when"], reverse=True)
    for row in out:
        row["learners"] = len(row.pop("bookings"))
    return out
