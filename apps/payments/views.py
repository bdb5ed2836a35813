from __future__ import annotations

import csv
import json
import logging
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.access import AuthenticatedRequest, approved_mentor_required, learner_required
from apps.bookings.models import BookingStatus
from apps.bookings.policy import POLICY_LINES
from apps.core.money import plain_rupees
from apps.core.net import client_ip

from . import payouts, pdf, selectors, services
from .forms import PayoutDetailsForm
from .gateway import get_gateway
from .models import Payment, PaymentStatus, Tip

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def razorpay_webhook(request: HttpRequest) -> HttpResponse:
    """Razorpay webhooks: verify the signature over the raw body, then apply each event once."""
    body = request.body
    signature = request.headers.get("X-Razorpay-Signature", "")
    if not get_gateway().verify_webhook_signature(body=body, signature=signature):
        logger.warning("webhook with an invalid signature rejected")
        return HttpResponseBadRequest("invalid signature")
    try:
        payload = json.loads(body)
    except ValueError:
        return HttpResponseBadRequest("invalid body")
    if not isinstance(payload, dict):
        return HttpResponseBadRequest("invalid body")
    import hashlib

    event_id = request.headers.get("X-Razorpay-Event-Id") or "body:" + hashlib.sha256(body).hexdigest()[:60]
    services.process_webhook(event_id=event_id, payload=payload)
    return HttpResponse("ok")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def payment_callback(request: HttpRequest, receipt: str) -> HttpResponse:
    """Where Checkout sends the browser back (a cross-site POST for real Razorpay: no session
    cookie is needed, the signature authenticates it)."""
    payment = get_object_or_404(Payment, receipt=receipt)
    if request.method == "GET":
        return HttpResponseRedirect(reverse("payments:checkout", args=[receipt]))
    params = {k: str(v) for k, v in request.POST.items()}
    try:
        payment = services.handle_callback(payment=payment, params=params)
    except services.SignatureInvalid:
        return render(request, "payments/callback_failed.html", {"payment": payment}, status=400)
    if payment.status in services.PAID_STATES:
        return HttpResponseRedirect(reverse("payments:receipt", args=[receipt]) + "?paid=1")
    return HttpResponseRedirect(reverse("payments:checkout", args=[receipt]) + "?failed=1")


@learner_required
@require_http_methods(["GET", "POST"])
def checkout(request: AuthenticatedRequest, receipt: str) -> HttpResponse:
    payment = get_object_or_404(selectors.payments_for(request.user), receipt=receipt)
    if payment.status in services.PAID_STATES:
        return redirect("payments:receipt", receipt=receipt)
    gateway_error = ""
    if request.method == "POST" or not payment.gateway_order_id:
        try:
            payment = services.ensure_order(payment)
        except services.GatewayUnavailable:
            gateway_error = _(
                "The payment service did not answer. Nothing was charged — your seat is still held; please try again."
            )
    items = list(payment.items.select_related("booking__session__mentor"))
    now = timezone.now()
    expired = [
        i
        for i in items
        if i.booking.status == "expired"
        or (i.booking.hold_expires_at and i.booking.hold_expires_at <= now and i.booking.status == "pending_payment")
    ]
    holds = [i.booking.hold_expires_at for i in items if i.booking.hold_expires_at]
    gateway = get_gateway()
    callback = reverse("payments:callback", args=[receipt])
    context = {
        "payment": payment,
        "items": items,
        "expired": expired,
        "hold_until": min(holds) if holds else None,
        "policy_lines": POLICY_LINES,
        "gateway": gateway,
        "gateway_error": gateway_error,
        "failed": request.GET.get("failed") == "1" or payment.status == PaymentStatus.FAILED,
        "callback_url": callback,
        "sandbox_url": (
            gateway.checkout_url(order_id=payment.gateway_order_id, callback_url=callback)
            if gateway.is_sandbox and payment.gateway_order_id
            else ""
        ),
        "nav_active": "payments",
    }
    return render(request, "payments/checkout.html", context, status=503 if gateway_error else 200)


@learner_required
def payment_list(request: AuthenticatedRequest) -> HttpResponse:
    payments = selectors.payment_history(request.user)
    return render(request, "payments/list.html", {"payments": payments, "nav_active": "payments"})


@learner_required
def receipt(request: AuthenticatedRequest, receipt: str) -> HttpResponse:
    payment = get_object_or_404(selectors.payments_for(request.user), receipt=receipt)
    if (
        payment.status not in services.PAID_STATES
        and payment.status != PaymentStatus.FAILED
        and request.GET.get("paid")
    ):
        raise Http404
    items = list(payment.items.select_related("booking__session__mentor").prefetch_related("refunds"))
    tip = Tip.objects.filter(payment=payment).select_related("mentor").first()
    if tip is not None:
        if request.GET.get("paid") == "1" and payment.status in services.PAID_STATES:
            messages.success(
                request, _("Thank you! Your tip reached %(name)s.") % {"name": tip.mentor.full_name or _("your mentor")}
            )
    elif request.GET.get("paid") == "1" and payment.status in services.PAID_STATES:
        # Every booking this payment covers is either confirmed by it, or (the seat went to someone
        # else, or another payment already covered it) refunded in full: say which, not just "booked".
        booked = [i for i in items if i.booking.status in (BookingStatus.CONFIRMED, BookingStatus.COMPLETED)]
        if len(booked) == len(items):
            messages.success(request, _("Payment received — you're booked!"))
        elif booked:
            messages.warning(
                request,
                _("Payment received. Some seats were no longer available: those are refunded in full."),
            )
        else:
            messages.warning(
                request,
                _("Payment received, but the seat was no longer available: a full refund is on its way."),
            )
    return render(
        request,
        "payments/receipt.html",
        {
            "payment": payment,
            "items": items,
            "attempts": list(payment.attempts.all()),
            "nav_active": "payments",
        },
    )


def _mentor_tz(user: Any) -> ZoneInfo:
    try:
        return ZoneInfo(getattr(user, "timezone", "") or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


@approved_mentor_required
def mentor_earnings(request: HttpRequest) -> HttpResponse:
    """Pending / available / reserved / withdrawn (from the ledger), the daily chart for 30 and 90
    days, one row per session (gross, fee, net) and the latest ledger movements."""
    mentor_id = int(request.user.pk or 0)
    tz = _mentor_tz(request.user)
    today = timezone.now().astimezone(tz).date()
    series = {
        "30": selectors.mentor_daily_earnings(mentor_id, days=30, tz=tz, today=today),
        "90": selectors.mentor_daily_earnings(mentor_id, days=90, tz=tz, today=today),
    }
    rows = selectors.mentor_earning_rows(mentor_id)
    movements = selectors.mentor_movements(mentor_id)
    for entry in movements:
        entry.owed_change = -entry.amount_paise  # credit-normal: a credit is money owed to the mentor
    return render(
        request,
        "payments/earnings.html",
        {
            "balances": selectors.mentor_balances(mentor_id),
            "series": series,
            "has_chart_data": any(series["90"]["values"]),
            "rows": rows,
            "totals": {k: sum(r[k] for r in rows) for k in ("gross", "fee", "net")},
            "movements": movements,
            "fee_percent": settings.PLATFORM_FEE_PERCENT,
            "months": statement_months(tz),
            "nav_active": "earnings",
        },
    )


def _csv_text(text: str) -> str:
    """Text a spreadsheet must not run as a formula (CSV injection): a leading = + - @ is quoted."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@approved_mentor_required
def mentor_earnings_csv(request: HttpRequest) -> HttpResponse:
    """The per-session earnings table as CSV: UTF-8 with a BOM (Excel reads ₹ and names right),
    amounts in rupees with two decimals, dates in the mentor's timezone."""
    mentor_id = int(request.user.pk or 0)
    tz = _mentor_tz(request.user)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.now().astimezone(tz).strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="peerlearn-earnings-{stamp}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Date"),
            _("Time zone"),
            _("Session or tip"),
            _("Learners paid"),
            _("Gross (INR)"),
            _("Refunded (INR)"),
            _("Platform fee (INR)"),
            _("Net to you (INR)"),
        ]
    )
    for row in selectors.mentor_earning_rows(mentor_id):
        when = row["when"].astimezone(tz)
        writer.writerow(
            [
                when.strftime("%Y-%m-%d %H:%M"),
                str(tz),
                _csv_text(row["title"]),
                row["learners"],
                plain_rupees(row["gross"] + row["refunded"]),
                plain_rupees(row["refunded"]),
                plain_rupees(row["fee"]),
                plain_rupees(row["net"]),
            ]
        )
    return response


@approved_mentor_required
@require_http_methods(["GET", "POST"])
def payout_details(request: HttpRequest) -> HttpResponse:
    """The mentor's payout details: shown masked, changed with the account password, audited."""
    user = request.user
    account = payouts.payout_account_for(user)  # type: ignore[arg-type]
    form = PayoutDetailsForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account, _old, new = payouts.save_payout_account(
                mentor=user,  # type: ignore[arg-type]
                method=data["method"],
                upi_id=data["upi_id"],
                bank_account=data["bank_account"],
                ifsc=data["ifsc"],
                holder_name=data["holder_name"],
                ip=client_ip(request),
            )
        except payouts.WithdrawalError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Payout details saved: %(masked)s.") % {"masked": new})
            return redirect("payments:payout_details")
    return render(
        request,
        "payments/payout_details.html",
        {"form": form, "account": account, "nav_active": "earnings"},
        status=400 if form.errors else 200,
    )


@learner_required
def receipt_pdf(request: AuthenticatedRequest, receipt: str) -> HttpResponse:
    payment = get_object_or_404(selectors.payments_for(request.user), receipt=receipt)
    if payment.status not in services.PAID_STATES:
        raise Http404
    response = HttpResponse(pdf.receipt_pdf(payment, tz=_mentor_tz(request.user)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="peerlearn-receipt-{payment.receipt}.pdf"'
    return response


def statement_months(tz: ZoneInfo, count: int = 12) -> list[tuple[str, str]]:
    """The last ``count`` months as ("2026-11", "November 2026"), newest first."""
    today = timezone.now().astimezone(tz).date()
    year, month = today.year, today.month
    out = []
    for _i in range(count):
        out.append((f"{year:04d}-{month:02d}", date(year, month, 1).strftime("%B %Y")))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out


@approved_mentor_required
def statement_pdf(request: HttpRequest) -> HttpResponse:
    """The mentor's payout statement for one month (``?month=YYYY-MM``, one of the last 12)."""
    tz = _mentor_tz(request.user)
    months = dict(statement_months(tz))
    month = request.GET.get("month", "")
    if month not in months:
        messages.error(request, _("Choose a month from the list to download its statement."))
        return redirect("payments:earnings")
    year, mon = int(month[:4]), int(month[5:])
    start = datetime(year, mon, 1, tzinfo=tz)
    end = datetime(year + (mon == 12), 1 if mon == 12 else mon + 1, 1, tzinfo=tz)
    body = pdf.statement_pdf(mentor=request.user, start=start, end=end, tz=tz)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="peerlearn-statement-{month}.pdf"'
    return response
