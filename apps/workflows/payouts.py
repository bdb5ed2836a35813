"""Withdrawal flows (SPEC §11): a mentor requests or cancels; an admin approves (which starts the
payout through the gateway), rejects with a reason, or retries a payout the gateway did not take.
Admin actions are audited in their transaction. The mentor hears about every change in-app and
by email, and open pages refresh, from ``withdrawal_changed`` (sent by the payments app for changes
made here and for those that arrive by webhook or reconciliation)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.audit import services as audit
from apps.core.templatetags.ui import inr
from apps.notifications.models import NotificationType
from apps.notifications.services import notify, send_event
from apps.payments import payouts
from apps.payments.models import Withdrawal, WithdrawalStatus

if TYPE_CHECKING:
    from apps.accounts.models import User


def request_withdrawal(*, mentor: User, amount_paise: int) -> Withdrawal:
    return payouts.request_withdrawal(mentor=mentor, amount_paise=amount_paise)


def cancel_withdrawal(*, mentor: User, withdrawal_id: int) -> Withdrawal:
    return payouts.cancel_withdrawal(mentor=mentor, withdrawal_id=withdrawal_id)


def approve_withdrawal(*, withdrawal_id: int, admin: User, ip: str | None = None) -> Withdrawal:
    """Approve a requested withdrawal and start its payout (after the approval is committed)."""
    with transaction.atomic():
        withdrawal = payouts.approve_withdrawal(withdrawal_id=withdrawal_id, admin=admin)
        audit.record(
            actor=admin,
            action="withdrawal.approve",
            obj=withdrawal,
            before={"status": WithdrawalStatus.REQUESTED},
            after={"status": withdrawal.status, "amount_paise": withdrawal.amount_paise},
            ip=ip,
        )
    return payouts.start_payout(withdrawal)


def reject_withdrawal(*, withdrawal_id: int, admin: User, reason: str, ip: str | None = None) -> Withdrawal:
    with transaction.atomic():
        withdrawal = payouts.reject_withdrawal(withdrawal_id=withdrawal_id, admin=admin, reason=reason)
        audit.record(
            actor=admin,
            action="withdrawal.reject",
            obj=withdrawal,
            before={"status": WithdrawalStatus.REQUESTED},
            after={"status": withdrawal.status},
            reason=withdrawal.reason,
            ip=ip,
        )
    return withdrawal


def retry_payout(*, withdrawal_id: int, admin: User, ip: str | None = None) -> Withdrawal:
    """An approved withdrawal whose payout the gateway never took: try again with the same
    idempotency key (a payout the gateway did make is returned, not made twice)."""
    with transaction.atomic():
        withdrawal = Withdrawal.objects.select_for_update().get(pk=withdrawal_id)
        if withdrawal.status != WithdrawalStatus.APPROVED or withdrawal.gateway_payout_id:
            raise payouts.InvalidTransition(
                _("Only an approved withdrawal whose payout was not created can be retried.")
            )
        audit.record(
            actor=admin,
            action="withdrawal.retry",
            obj=withdrawal,
            before={"last_error": withdrawal.last_error},
            after={"status": withdrawal.status},
            ip=ip,
        )
    return payouts.start_payout(withdrawal)


# --- telling the mentor -----------------------------------------------------------------------


def withdrawal_changed(*, withdrawal: Withdrawal, previous: str) -> None:
    """Called (inside the change's transaction) for every status change: the mentor's open pages
    refresh; the mentor is notified of everything they did not do themselves."""
    send_event(
        user_ids=[withdrawal.mentor_id],
        type="withdrawal.changed",
        data={"withdrawal": withdrawal.pk, "status": withdrawal.status},
    )
    amount = inr(withdrawal.amount_paise)
    status = withdrawal.status
    if status == WithdrawalStatus.APPROVED:
        title = _("Withdrawal approved")
        message = _("Your withdrawal of %(amount)s is approved; the payout to %(to)s is on its way.") % {
            "amount": amount,
            "to": withdrawal.destination,
        }
    elif status == WithdrawalStatus.PAID:
        title = _("Withdrawal paid")
        message = _("%(amount)s was paid to %(to)s.") % {"amount": amount, "to": withdrawal.destination}
        if withdrawal.utr:
            message += " " + _("Bank reference (UTR): %(utr)s.") % {"utr": withdrawal.utr}
    elif status == WithdrawalStatus.FAILED:
        title = _("Payout reversed") if withdrawal.reversed else _("Payout failed")
        message = _(
            "Your withdrawal of %(amount)s could not be paid: %(reason)s %(amount)s is back in your available balance."
        ) % {
            "amount": amount,
            "reason": withdrawal.reason,
        }
    elif status == WithdrawalStatus.REJECTED:
        title = _("Withdrawal rejected")
        message = _(
            "Your withdrawal of %(amount)s was rejected: %(reason)s The amount is back in your available balance."
        ) % {
            "amount": amount,
            "reason": withdrawal.reason,
        }
    else:  # requested or cancelled: the mentor's own action, shown on the page they are on
        return
    notify(
        user=withdrawal.mentor,
        type=NotificationType.WITHDRAWAL_UPDATE,
        title=title,
        message=message,
        link=reverse("dashboards:mentor_withdrawals"),
        reference=f"withdrawal:{withdrawal.pk}:{status}",
        data={"withdrawal": withdrawal.pk, "status": status, "previous": previous},
    )
