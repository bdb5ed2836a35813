"""HTTP face of the sandbox: the Razorpay API routes (for the SDK over real HTTP) and the Checkout
page that stands in for Razorpay's popup, where the tester picks how a payment ends."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import api
from .keys import SANDBOX_KEY_ID, SANDBOX_KEY_SECRET
from .models import SandboxOrder, SandboxPayout
from .webhooks import queue_webhook

View = Callable[..., HttpResponse]


def _error(status: int, description: str, code: str = "BAD_REQUEST_ERROR") -> JsonResponse:
    return JsonResponse({"error": {"code": code, "description": description}}, status=status)


def _json(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def endpoint(view: Callable[..., dict[str, Any] | HttpResponse]) -> View:
    """Basic auth with the sandbox key pair, like the real API; ``SandboxError`` → its JSON error."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        try:
            scheme, token = header.split(" ", 1)
            key_id, _sep, secret = base64.b64decode(token).decode().partition(":")
        except (ValueError, binascii.Error):
            return _error(401, "The api key provided is invalid")
        if scheme.lower() != "basic" or key_id != SANDBOX_KEY_ID or secret != SANDBOX_KEY_SECRET:
            return _error(401, "The api key provided is invalid")
        try:
            result = view(request, *args, **kwargs)
        except api.SandboxError as exc:
            return _error(exc.status, exc.description, exc.code)
        return result if isinstance(result, HttpResponse) else JsonResponse(result)

    return csrf_exempt(wrapped)


@endpoint
@require_http_methods(["POST"])
def orders(request: HttpRequest) -> dict[str, Any]:
    return api.create_order(_json(request))


@endpoint
@require_http_methods(["GET"])
def order_detail(request: HttpRequest, order_id: str) -> dict[str, Any]:
    return api.fetch_order(order_id)


@endpoint
@require_http_methods(["GET"])
def order_payments(request: HttpRequest, order_id: str) -> dict[str, Any]:
    return api.order_payments(order_id)


@endpoint
@require_http_methods(["GET"])
def payment_detail(request: HttpRequest, payment_id: str) -> dict[str, Any]:
    return api.fetch_payment(payment_id)


@endpoint
@require_http_methods(["POST"])
def payment_refund(request: HttpRequest, payment_id: str) -> dict[str, Any]:
    return api.refund_payment(payment_id, _json(request))


@endpoint
@require_http_methods(["GET"])
def refund_detail(request: HttpRequest, refund_id: str) -> dict[str, Any]:
    return api.fetch_refund(refund_id)


# --- Checkout -------------------------------------------------------------------------------


def _safe_callback(url: str) -> str:
    # Only the merchant's own payment callback path; never an arbitrary redirect target.
    prefix = reverse("payments:callback", args=["x"]).rsplit("x/", 1)[0]
    return url if url.startswith(prefix) and "//" not in url else prefix


@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest, order_id: str) -> HttpResponse:
    """The sandbox stand-in for the Razorpay Checkout popup: pick success or failure."""
    order = get_object_or_404(SandboxOrder, order_id=order_id)
    callback = _safe_callback(request.GET.get("callback_url") or request.POST.get("callback_url", ""))
    page = {"order": order, "callback_url": callback}
    if request.method == "GET":
        return render(request, "payments/sandbox_checkout.html", page)
    outcome = request.POST.get("outcome")
    if outcome not in ("success", "failure"):
        return render(request, "payments/sandbox_checkout.html", page, status=400)
    with transaction.atomic():
        order = SandboxOrder.objects.select_for_update().get(pk=order.pk)
        if order.status == "paid":
            fields = {
                "error[code]": "BAD_REQUEST_ERROR",
                "error[description]": _("This order is already paid."),
                "error[metadata]": json.dumps({"order_id": order.order_id, "payment_id": ""}),
            }
            return render(request, "payments/sandbox_redirect.html", {"action": callback, "fields": fields.items()})
        pay = api.attempt(order, success=outcome == "success")
        if outcome == "success":
            queue_webhook("payment.captured", {"payment": api.payment_entity(pay)})
            queue_webhook("order.paid", {"order": api.order_entity(order), "payment": api.payment_entity(pay)})
            fields = api.checkout_success_fields(order, pay)
        else:
            queue_webhook("payment.failed", {"payment": api.payment_entity(pay)})
            fields = {
                "error[code]": pay.error_code,
                "error[description]": pay.error_description,
                "error[source]": "customer",
                "error[reason]": "payment_failed",
                "error[metadata]": json.dumps({"payment_id": pay.payment_id, "order_id": order.order_id}),
            }
    return render(request, "payments/sandbox_redirect.html", {"action": callback, "fields": fields.items()})


# --- RazorpayX Payouts ----------------------------------------------------------------------


@endpoint
@require_http_methods(["POST"])
def contacts(request: HttpRequest) -> dict[str, Any]:
    return api.create_contact(_json(request))


@endpoint
@require_http_methods(["POST"])
def fund_accounts(request: HttpRequest) -> dict[str, Any]:
    return api.create_fund_account(_json(request))


@endpoint
@require_http_methods(["POST"])
def payouts(request: HttpRequest) -> dict[str, Any]:
    return api.create_payout(_json(request), request.headers.get("X-Payout-Idempotency", ""))


@endpoint
@require_http_methods(["GET"])
def payout_detail(request: HttpRequest, payout_id: str) -> dict[str, Any]:
    return api.fetch_payout(payout_id)


@require_http_methods(["GET", "POST"])
def payouts_console(request: HttpRequest) -> HttpResponse:
    """The sandbox stand-in for the RazorpayX dashboard: the tester decides how each payout ends
    (processed, failed, or reversed after processing); a signed webhook follows."""
    error = ""
    if request.method == "POST":
        try:
            api.settle_payout(request.POST.get("payout_id", ""), request.POST.get("outcome", ""))
        except api.SandboxError as exc:
            error = exc.description
        else:
            return HttpResponseRedirect(reverse("payments_sandbox:payouts_console"))
    rows = list(SandboxPayout.objects.select_related("fund_account__contact").order_by("-created_at")[:50])
    return render(
        request, "payments/sandbox_payouts.html", {"payouts": rows, "error": error}, status=400 if error else 200
    )
