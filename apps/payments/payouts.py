"""Money out (SPEC §11): payout details, the withdrawal state machine and RazorpayX payouts.

Withdrawal status moves forward only::

    requested ─▶ approved ─▶ paid ─▶ failed (the bank reversed a paid payout)
        │            └──────▶ failed
        ├──▶ rejected (admin, with a reason)
        └──▶ cancelled (the mentor)

The amount is reserved in the ledger in the same transaction that creates the request (the
available balance is read under its account's row lock, so parallel requests never overdraw) and
returns to the available balance exactly once on reject, cancel, failure or reversal — every
ledger movement is keyed by the withdrawal. Gateway calls run outside database transactions; a
payout that could not be created stays ``approved`` with its error and is retried with the same
``X-Payout-Idempotency`` key, so a payout is never made twice.

Each status change sends ``signals.withdrawal_changed`` inside its transaction; the workflows
layer tells the mentor.
"""

from __future__ import annotations

import logging
import re
import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit import services as audit
from apps.core.state import conditional_transition
from apps.core.templatetags.ui import inr

from . import ledger
from .gateway import GatewayError, get_gateway
from .models import PayoutAccount, PayoutMethod, Withdrawal, WithdrawalStatus
from .signals import withdrawal_changed

if TYPE_CHECKING:
    from apps.accounts.models import User

logger = logging.getLogger(__name__)

MIN_WITHDRAWAL_PAISE = 50_000  # ₹500 (SPEC §11)
MAX_WITHDRAWAL_PAISE = 50_00_000_00  # ₹50 lakh: far above any balance, keeps amounts sane

# Documented formats (no maintained validator covers them: python-stdnum and django-localflavor
# know Aadhaar, PAN, GSTIN and PIN codes, not UPI ids or IFSC):
# * IFSC (RBI): 4 letters (bank), the digit 0 (reserved), 6 letters/digits (branch).
# * UPI id (NPCI virtual payment address): a handle of letters, digits, dot, hyphen, underscore,
#   "@", and the payment service provider's letters/digits (e.g. ravi.k@okicici).
# * Indian bank account numbers are 9 to 18 digits.
IFSC_RE = re.compile(r"^[A-Z]{4}0[A-Z0-9]{6}$")
UPI_RE = re.compile(r"^[a-zA-Z0-9.\-_]{2,256}@[a-zA-Z][a-zA-Z0-9]{1,64}$")
BANK_ACCOUNT_RE = re.compile(r"^[0-9]{9,18}$")

WITHDRAWAL_TRANSITIONS: dict[str, set[str]] = {
    WithdrawalStatus.REQUESTED: {WithdrawalStatus.APPROVED, WithdrawalStatus.REJECTED, WithdrawalStatus.CANCELLED},
    WithdrawalStatus.APPROVED: {WithdrawalStatus.PAID, WithdrawalStatus.FAILED},
    WithdrawalStatus.PAID: {WithdrawalStatus.FAILED},  # reversed by the bank
    WithdrawalStatus.FAILED: set(),
    WithdrawalStatus.REJECTED: set(),
    WithdrawalStatus.CANCELLED: set(),
}
OPEN_STATES = (WithdrawalStatus.REQUESTED, WithdrawalStatus.APPROVED)


class WithdrawalError(Exception):
    """A request the mentor or admin can fix; ``field`` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidTransition(WithdrawalError):
    pass


def transition_withdrawal(withdrawal: Withdrawal, to: str, *, actor: Any = None, **fields: Any) -> Withdrawal:
    """The only place a withdrawal's status changes: a conditional update on the current status."""
    previous = withdrawal.status
    if not conditional_transition(
        Withdrawal, withdrawal.pk, to, table=WITHDRAWAL_TRANSITIONS, only_from=previous, **fields
    ):
        withdrawal.refresh_from_db()
        raise InvalidTransition(
            _("This withdrawal is %(status)s now; it cannot become %(to)s.")
            % {"status": withdrawal.get_status_display().lower(), "to": WithdrawalStatus(to).label.lower()}
        )
    withdrawal.refresh_from_db()
    withdrawal_changed.send(sender=Withdrawal, withdrawal=withdrawal, previous=previous, actor=actor)
    return withdrawal


# --- payout details ------------------------------------------------------------------------


def payout_account_for(mentor: User) -> PayoutAccount | None:
    return PayoutAccount.objects.filter(mentor=mentor).first()


def save_payout_account(
    *,
    mentor: User,
    method: str,
    upi_id: str = "",
    bank_account: str = "",
    ifsc: str = "",
    holder_name: str = "",
    ip: str | None = None,
) -> tuple[PayoutAccount, str, str]:
    """Create or replace the mentor's payout details; returns (account, old masked, new masked).
    Audited (``payout_account.change``, masked before → after) in the same transaction. The caller
    has checked the account password.

    Refused while a withdrawal is in progress (it is paid to the details it was requested with)."""
    if Withdrawal.objects.filter(mentor=mentor, status__in=OPEN_STATES).exists():
        raise WithdrawalError(
            _("A withdrawal is in progress. Change your payout details once it is paid, rejected or cancelled.")
        )
    with transaction.atomic():
        account = PayoutAccount.objects.select_for_update().filter(mentor=mentor).first()
        old = account.masked() if account else ""
        if account is None:
            account = PayoutAccount(mentor=mentor)
        account.method = method
        if method == PayoutMethod.UPI:
            account.upi_id, account.bank_account, account.ifsc, account.holder_name = upi_id, "", "", ""
        else:
            account.upi_id, account.bank_account, account.ifsc = "", bank_account, ifsc
            account.holder_name = holder_name
        account.gateway_fund_account_id = ""  # new details need a new fund account
        account.save()
        audit.record(
            actor=mentor,
            action="payout_account.change",
            obj=account,
            before={"payout_account": old} if old else {},
            after={"payout_account": account.masked()},
            ip=ip,
        )
    return account, old, account.masked()


# --- requests --------------------------------------------------------------------------------


def request_withdrawal(*, mentor: User, amount_paise: int) -> Withdrawal:
    """Reserve ``amount_paise`` of the mentor's available balance for a payout to their saved
    details. Raises ``WithdrawalError`` (field ``amount``) when below the minimum or above what is
    available — decided under the available account's row lock."""
    if amount_paise < MIN_WITHDRAWAL_PAISE:
        raise WithdrawalError(
            _("The minimum withdrawal is %(min)s.") % {"min": inr(MIN_WITHDRAWAL_PAISE)}, field="amount"
        )
    if amount_paise > MAX_WITHDRAWAL_PAISE:
        raise WithdrawalError(_("That amount is more than your available balance."), field="amount")
    account = payout_account_for(mentor)
    if account is None:
        raise WithdrawalError(_("Add your payout details (UPI ID or bank account) first."))
    try:
        with transaction.atomic():
            withdrawal = Withdrawal.objects.create(
                mentor=mentor,
                amount_paise=amount_paise,
                destination=account.masked()[:80],
                mode=account.mode,
                idempotency_key=uuid.uuid4().hex,
            )
            ledger.reserve_withdrawal(withdrawal=withdrawal)
            withdrawal_changed.send(sender=Withdrawal, withdrawal=withdrawal, previous="", actor=mentor)
    except ledger.InsufficientBalance:
        available = ledger.credit_balance(ledger.mentor_available(int(mentor.pk or 0)))
        raise WithdrawalError(
            _("That is more than your available balance of %(available)s.") % {"available": inr(available)},
            field="amount",
        ) from None
    return withdrawal


def _locked(withdrawal_id: int, **filters: Any) -> Withdrawal:
    return Withdrawal.objects.select_for_update().get(pk=withdrawal_id, **filters)


def cancel_withdrawal(*, mentor: User, withdrawal_id: int) -> Withdrawal:
    """The mentor takes back a request nobody has acted on yet; the amount returns at once.
    Another mentor's withdrawal raises ``Withdrawal.DoesNotExist``."""
    with transaction.atomic():
        withdrawal = _locked(withdrawal_id, mentor=mentor)
        if withdrawal.status != WithdrawalStatus.REQUESTED:
            raise InvalidTransition(_("Only a withdrawal that is still requested can be cancelled."))
        withdrawal = transition_withdrawal(
            withdrawal, WithdrawalStatus.CANCELLED, actor=mentor, closed_at=timezone.now()
        )
        ledger.release_withdrawal(withdrawal=withdrawal)
    return withdrawal


def reject_withdrawal(*, withdrawal_id: int, admin: User, reason: str) -> Withdrawal:
    """requested → rejected; the reason is shown to the mentor and the amount returns."""
    reason = reason.strip()
    if not reason:
        raise WithdrawalError(_("Give the mentor a reason."), field="reason")
    with transaction.atomic():
        withdrawal = _locked(withdrawal_id)
        if withdrawal.status != WithdrawalStatus.REQUESTED:
            _not_requested(withdrawal)
        withdrawal = transition_withdrawal(
            withdrawal,
            WithdrawalStatus.REJECTED,
            actor=admin,
            reason=reason[:300],
            decided_by=admin,
            closed_at=timezone.now(),
        )
        ledger.release_withdrawal(withdrawal=withdrawal)
    return withdrawal


def _not_requested(withdrawal: Withdrawal) -> None:
    raise InvalidTransition(
        _("This withdrawal is %(status)s already.") % {"status": withdrawal.get_status_display().lower()}
    )


def approve_withdrawal(*, withdrawal_id: int, admin: User) -> Withdrawal:
    """requested → approved. The payout itself is started by ``start_payout`` after commit."""
    with transaction.atomic():
        withdrawal = _locked(withdrawal_id)
        if withdrawal.status != WithdrawalStatus.REQUESTED:
            _not_requested(withdrawal)
        return transition_withdrawal(
            withdrawal, WithdrawalStatus.APPROVED, actor=admin, decided_by=admin, approved_at=timezone.now()
        )


# --- payouts through the gateway ------------------------------------------------------------


def _fund_account(account: PayoutAccount) -> str:
    """The gateway fund account for these details (contact and fund account created once)."""
    gateway = get_gateway()
    mentor = account.mentor
    if not account.gateway_contact_id:
        contact = gateway.create_contact(
            name=(mentor.full_name or mentor.email)[:50].ljust(3, "."),
            email=mentor.email,
            reference_id=f"mentor_{mentor.pk}",
        )
        PayoutAccount.objects.filter(pk=account.pk).update(gateway_contact_id=contact["id"])
        account.gateway_contact_id = contact["id"]
    if not account.gateway_fund_account_id:
        details: dict[str, Any] = (
            {"vpa": account.upi_id}
            if account.method == PayoutMethod.UPI
            else {"name": account.holder_name, "ifsc": account.ifsc, "account_number": account.bank_account}
        )
        fund = gateway.create_fund_account(contact_id=account.gateway_contact_id, details=details)
        PayoutAccount.objects.filter(pk=account.pk).update(gateway_fund_account_id=fund["id"])
        account.gateway_fund_account_id = fund["id"]
    return account.gateway_fund_account_id


def start_payout(withdrawal: Withdrawal) -> Withdrawal:
    """Ask the gateway to pay an approved withdrawal (outside any transaction). Safe to repeat:
    the payout is created with the withdrawal's idempotency key. On a gateway error the withdrawal
    stays approved with ``last_error`` (retried by an admin or by reconciliation)."""
    withdrawal.refresh_from_db()
    if withdrawal.status != WithdrawalStatus.APPROVED:
        return withdrawal
    account = PayoutAccount.objects.select_related("mentor").filter(mentor_id=withdrawal.mentor_id).first()
    try:
        if account is None:
            raise GatewayError("the mentor has no payout details")
        fund_account_id = _fund_account(account)
        entity = get_gateway().create_payout(
            fund_account_id=fund_account_id,
            amount_paise=withdrawal.amount_paise,
            mode=withdrawal.mode,
            reference_id=f"withdrawal_{withdrawal.pk}",
            narration="PeerLearn payout",
            notes={"withdrawal_id": str(withdrawal.pk), "mentor_id": str(withdrawal.mentor_id)},
            idempotency_key=withdrawal.idempotency_key,
        )
    except GatewayError as exc:
        logger.warning("withdrawal %s: payout not created: %s", withdrawal.pk, exc)
        Withdrawal.objects.filter(pk=withdrawal.pk).update(last_error=str(exc)[:300], updated_at=timezone.now())
        withdrawal.refresh_from_db()
        return withdrawal
    Withdrawal.objects.filter(pk=withdrawal.pk, gateway_payout_id__isnull=True).update(
        gateway_payout_id=entity.get("id"), last_error=""
    )
    Withdrawal.objects.filter(pk=withdrawal.pk, gateway_status="").update(gateway_status=str(entity.get("status", "")))
    if entity.get("status") in ("processed", "failed", "reversed", "rejected", "cancelled"):
        apply_payout_entity(entity)
    withdrawal.refresh_from_db()
    return withdrawal


def _find_withdrawal(entity: dict[str, Any]) -> Withdrawal | None:
    withdrawal = Withdrawal.objects.filter(gateway_payout_id=entity.get("id") or "-").first()
    if withdrawal is None:
        notes = entity.get("notes")
        ours = notes.get("withdrawal_id") if isinstance(notes, dict) else None
        if ours and str(ours).isdigit():
            withdrawal = Withdrawal.objects.filter(pk=int(ours)).first()
    return withdrawal


def apply_payout_entity(entity: dict[str, Any], event: str = "") -> Withdrawal | None:
    """Apply what the gateway says about a payout (webhook, creation answer or reconciliation).

    Forward-only and idempotent: ``processed`` pays an approved withdrawal; ``failed`` (or
    ``rejected``/``cancelled``) before paying returns the money; ``reversed`` — before or after
    ``processed`` arrived — records the payout and its reversal, returning the money once. Events
    arriving late or twice change nothing."""
    status = event.removeprefix("payout.") or str(entity.get("status", ""))
    withdrawal = _find_withdrawal(entity)
    if withdrawal is None:
        logger.warning("payout event for unknown payout %s", entity.get("id"))
        return None
    if entity.get("amount") != withdrawal.amount_paise:
        logger.error(
            "payout %s: amount %r does not match withdrawal %s", entity.get("id"), entity.get("amount"), withdrawal.pk
        )
        return None
    now = timezone.now()
    with transaction.atomic():
        withdrawal = _locked(withdrawal.pk)
        if entity.get("id") and not withdrawal.gateway_payout_id:
            try:
                with transaction.atomic():
                    Withdrawal.objects.filter(pk=withdrawal.pk).update(gateway_payout_id=entity["id"])
            except IntegrityError:
                return None
        Withdrawal.objects.filter(pk=withdrawal.pk).update(gateway_status=status[:20])
        withdrawal.refresh_from_db()
        reason = _failure_reason(entity)
        if status == "processed" and withdrawal.status == WithdrawalStatus.APPROVED:
            withdrawal = transition_withdrawal(
                withdrawal, WithdrawalStatus.PAID, utr=str(entity.get("utr") or "")[:40], closed_at=now, last_error=""
            )
            ledger.record_payout(withdrawal=withdrawal)
        elif status in ("failed", "rejected", "cancelled") and withdrawal.status == WithdrawalStatus.APPROVED:
            withdrawal = transition_withdrawal(
                withdrawal,
                WithdrawalStatus.FAILED,
                reason=reason or _("The payout failed."),
                closed_at=now,
            )
            ledger.release_withdrawal(withdrawal=withdrawal)
        elif status == "reversed" and withdrawal.status in (WithdrawalStatus.APPROVED, WithdrawalStatus.PAID):
            withdrawal = transition_withdrawal(
                withdrawal,
                WithdrawalStatus.FAILED,
                reversed=True,
                reason=reason or _("The bank returned the payout."),
                closed_at=now,
            )
            ledger.record_payout(withdrawal=withdrawal)  # no-op when processed came first
            ledger.record_payout_reversal(withdrawal=withdrawal)
    return withdrawal


def _failure_reason(entity: dict[str, Any]) -> str:
    details = entity.get("status_details")
    text = details.get("description") if isinstance(details, dict) else None
    return str(text or entity.get("failure_reason") or "")[:300]


def reconcile_payouts(now: datetime | None = None) -> dict[str, int]:
    """Periodic (with ``payments.reconcile``): approved withdrawals whose payout was never created
    are started again (same idempotency key); those waiting on the gateway are fetched."""
    now = now or timezone.now()
    counts = {"payouts_started": 0, "payouts_checked": 0}
    quiet = now - timedelta(minutes=2)
    waiting = Withdrawal.objects.filter(status=WithdrawalStatus.APPROVED, updated_at__lte=quiet).order_by("id")[:100]
    for withdrawal in waiting:
        if not withdrawal.gateway_payout_id:
            counts["payouts_started"] += 1
            start_payout(withdrawal)
            continue
        counts["payouts_checked"] += 1
        try:
            entity = get_gateway().fetch_payout(withdrawal.gateway_payout_id)
        except GatewayError:
            continue
        if entity.get("status") in ("processed", "failed", "reversed", "rejected", "cancelled"):
            apply_payout_entity(entity)
    return counts
