"""Money-out pages (issue 9): the mentor's withdrawals and the admin's withdrawals queue.

They trigger cross-app flows (``apps.workflows.payouts``), so they live here, above workflows."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.access import admin_required, approved_mentor_required, learner_required
from apps.catalog.models import Session
from apps.core.net import client_ip
from apps.core.templatetags.ui import inr
from apps.dashboards.safety import admin_action, ensure_recent_authentication
from apps.payments import selectors
from apps.payments.forms import TipForm, WithdrawalForm
from apps.payments.gateway import get_gateway
from apps.payments.models import Withdrawal, WithdrawalStatus
from apps.payments.payouts import MIN_WITHDRAWAL_PAISE, WithdrawalError, payout_account_for
from apps.workflows import payouts as flows
from apps.workflows import tips as tip_flows


def _mentor_context(request: HttpRequest, form: WithdrawalForm | None = None) -> dict[str, object]:
    user = request.user
    balances = selectors.mentor_balances(user)  # type: ignore[arg-type]
    return {
        "balances": balances,
        "form": form or WithdrawalForm(available_paise=balances["available"]),
        "account": payout_account_for(user),  # type: ignore[arg-type]
        "withdrawals": list(selectors.mentor_withdrawals(user)[:50]),  # type: ignore[arg-type]
        "min_paise": MIN_WITHDRAWAL_PAISE,
        "nav_active": "withdrawals",
    }


@approved_mentor_required
@require_http_methods(["GET", "POST"])
def mentor_withdrawals(request: HttpRequest) -> HttpResponse:
    """Request a withdrawal (≤ available, ≥ ₹500), cancel one still requested, and the history.
    ``?part=live`` is the balances + history region the page refreshes over the socket."""
    if request.method == "GET" and request.GET.get("part") == "live":
        return render(request, "dashboards/_withdrawals_live.html", _mentor_context(request))
    if request.method == "POST":
        balances = selectors.mentor_balances(request.user)  # type: ignore[arg-type]
        form = WithdrawalForm(request.POST, available_paise=balances["available"])
        if form.is_valid():
            try:
                withdrawal = flows.request_withdrawal(mentor=request.user, amount_paise=form.cleaned_data["amount"])  # type: ignore[arg-type]
            except WithdrawalError as exc:
                form.add_error("amount" if exc.field == "amount" else None, exc.message)
            else:
                messages.success(
                    request,
                    _("Withdrawal of %(amount)s requested; it is reserved from your balance until an admin acts on it.")
                    % {"amount": inr(withdrawal.amount_paise)},
                )
                return redirect("dashboards:mentor_withdrawals")
        return render(request, "dashboards/mentor_withdrawals.html", _mentor_context(request, form), status=400)
    return render(request, "dashboards/mentor_withdrawals.html", _mentor_context(request))


@approved_mentor_required
@require_POST
def mentor_withdrawal_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        withdrawal = flows.cancel_withdrawal(mentor=request.user, withdrawal_id=pk)  # type: ignore[arg-type]
    except Withdrawal.DoesNotExist:
        raise Http404 from None
    except WithdrawalError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Withdrawal cancelled; %(amount)s is back in your available balance.")
            % {"amount": inr(withdrawal.amount_paise)},
        )
    return redirect("dashboards:mentor_withdrawals")


# --- admin queue ---------------------------------------------------------------------------------


class QueueFilter(forms.Form):
    status = forms.ChoiceField(
        required=False,
        label=_l("Status"),
        choices=[("", _l("All")), *WithdrawalStatus.choices],
    )


@admin_required
@require_http_methods(["GET"])
def admin_withdrawals(request: HttpRequest) -> HttpResponse:
    """Requested withdrawals first (oldest first: the 48 h target), or any status."""
    data = request.GET.copy()
    data.setdefault("status", WithdrawalStatus.REQUESTED)
    form = QueueFilter(data)
    status = form.cleaned_data["status"] if form.is_valid() else WithdrawalStatus.REQUESTED
    page = Paginator(selectors.withdrawal_queue(status), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "dashboards/admin_withdrawals.html",
        {
            "form": form,
            "page_obj": page,
            "status": status,
            "sandbox": get_gateway().is_sandbox,
            "nav_active": "withdrawals",
        },
    )


@admin_action
def admin_withdrawal_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Approve (starts the payout), reject with a reason, or retry a payout. Moving money (approve,
    retry) needs a recent re-authentication, asked after the form is valid: allauth keeps the POST
    and runs it once the admin has confirmed."""
    back = request.POST.get("back") or ""
    target = reverse("dashboards:admin_withdrawals") + (back if back.startswith("?") else "")
    ip = client_ip(request)
    admin = request.user
    try:
        if action == "approve":
            if request.POST.get("confirm") != "on":
                messages.error(request, _("Tick the confirmation to approve and pay this withdrawal."))
                return redirect(target + f"#withdrawal-{pk}")
            ensure_recent_authentication(request)
            w = flows.approve_withdrawal(withdrawal_id=pk, admin=admin, ip=ip)  # type: ignore[arg-type]
            if w.last_error:
                messages.warning(
                    request,
                    _("Approved, but the payout could not be started (%(error)s). Retry it from the Approved list.")
                    % {"error": w.last_error},
                )
            else:
                messages.success(
                    request, _("Approved: %(amount)s is being paid out.") % {"amount": inr(w.amount_paise)}
                )
        elif action == "reject":
            reason = (request.POST.get("reason") or "").strip()
            if not reason:
                messages.error(request, _("Give the mentor a reason for rejecting this withdrawal."))
                return redirect(target + f"#withdrawal-{pk}")
            w = flows.reject_withdrawal(withdrawal_id=pk, admin=admin, reason=reason, ip=ip)  # type: ignore[arg-type]
            messages.success(
                request, _("Rejected; %(amount)s is back in the mentor's balance.") % {"amount": inr(w.amount_paise)}
            )
        elif action == "retry":
            ensure_recent_authentication(request)
            w = flows.retry_payout(withdrawal_id=pk, admin=admin, ip=ip)  # type: ignore[arg-type]
            if w.last_error:
                messages.warning(
                    request, _("The payout still could not be started: %(error)s") % {"error": w.last_error}
                )
            else:
                messages.success(request, _("Payout started."))
        else:
            raise Http404
    except Withdrawal.DoesNotExist:
        raise Http404 from None
    except WithdrawalError as exc:
        messages.error(request, exc.message)
    return redirect(target)


# --- tips ------------------------------------------------------------------------------------------


@learner_required
@require_http_methods(["GET", "POST"])
def learner_tip(request: HttpRequest, session_id: int) -> HttpResponse:
    """Tip the mentor of a session the learner booked: amount and message, then the usual Checkout."""
    session = get_object_or_404(Session.objects.select_related("mentor"), pk=session_id)
    if not tip_flows.can_tip(learner=request.user, session=session):  # type: ignore[arg-type]
        raise Http404
    form = TipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tip = tip_flows.start_tip(
                learner=request.user,  # type: ignore[arg-type]
                session=session,
                amount_paise=form.cleaned_data["amount"],
                message=form.cleaned_data["message"],
            )
        except tip_flows.TipError as exc:
            form.add_error("amount" if exc.field == "amount" else None, exc.message)
        else:
            return redirect("payments:checkout", receipt=tip.payment.receipt)
    return render(
        request,
        "dashboards/learner_tip.html",
        {"form": form, "session": session, "nav_active": "bookings"},
        status=400 if form.errors else 200,
    )
