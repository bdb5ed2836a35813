"""Payment gateway interface and its implementations.

``RazorpayGateway`` talks to Razorpay through the official SDK. With no Razorpay keys configured,
the sandbox (``apps.payments_sandbox``, a local emulation of Razorpay's Orders/Payments/Refunds
API and Checkout) stands in: ``SandboxGateway`` calls its functions directly, or, with
``PAYMENTS_SANDBOX_TRANSPORT=http``, the SDK reaches its HTTP routes on ``SITE_URL``. Either way the
production path — HMAC signatures on callbacks and webhooks, webhooks delivered over HTTP — runs
offline.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, Protocol
from urllib.parse import urlencode

import razorpay
import requests
from django.conf import settings
from django.urls import reverse

from apps.core.signing import hmac_sha256, signatures_match


class GatewayError(Exception):
    """The gateway could not be reached or refused the call. Nothing was changed on our side."""


class Gateway(Protocol):
    name: str
    key_id: str
    is_sandbox: bool

    def create_order(self, *, amount_paise: int, receipt: str, notes: dict[str, str]) -> dict[str, Any]: ...
    def fetch_order(self, order_id: str) -> dict[str, Any]: ...
    def fetch_order_payments(self, order_id: str) -> list[dict[str, Any]]: ...
    def fetch_payment(self, payment_id: str) -> dict[str, Any]: ...
    def refund(self, *, payment_id: str, amount_paise: int, notes: dict[str, str]) -> dict[str, Any]: ...
    def fetch_refund(self, refund_id: str) -> dict[str, Any]: ...
    def verify_payment_signature(self, *, order_id: str, payment_id: str, signature: str) -> bool: ...
    def verify_webhook_signature(self, *, body: bytes, signature: str) -> bool: ...
    def checkout_url(self, *, order_id: str, callback_url: str) -> str: ...
    # RazorpayX Payouts: contact → fund account → payout (idempotent on ``idempotency_key``).
    def create_contact(self, *, name: str, email: str, reference_id: str) -> dict[str, Any]: ...
    def create_fund_account(self, *, contact_id: str, details: dict[str, Any]) -> dict[str, Any]: ...
    def create_payout(
        self,
        *,
        fund_account_id: str,
        amount_paise: int,
        mode: str,
        reference_id: str,
        narration: str,
        notes: dict[str, str],
        idempotency_key: str,
    ) -> dict[str, Any]: ...
    def fetch_payout(self, payout_id: str) -> dict[str, Any]: ...


def contact_body(name: str, email: str, reference_id: str) -> dict[str, Any]:
    """RazorpayX's contact for a mentor (a payee: ``vendor``)."""
    return {"name": name, "email": email, "type": "vendor", "reference_id": reference_id}


def fund_account_body(contact_id: str, details: dict[str, Any]) -> dict[str, Any]:
    """RazorpayX fund account body from our details: ``{"vpa": "x@y"}`` or
    ``{"ifsc", "account_number", "name"}``."""
    if "vpa" in details:
        return {"contact_id": contact_id, "account_type": "vpa", "vpa": {"address": details["vpa"]}}
    return {
        "contact_id": contact_id,
        "account_type": "bank_account",
        "bank_account": {
            "name": details["name"],
            "ifsc": details["ifsc"],
            "account_number": details["account_number"],
        },
    }


def payout_body(
    *, account_number: str, fund_account_id: str, amount_paise: int, mode: str, reference_id: str, narration: str,
    notes: dict[str, str],
) -> dict[str, Any]:  # fmt: skip
    return {
        "account_number": account_number,
        "fund_account_id": fund_account_id,
        "amount": amount_paise,
        "currency": "INR",
        "mode": mode,
        "purpose": "payout",
        "queue_if_low_balance": True,
        "reference_id": reference_id,
        "narration": narration,
        "notes": notes,
    }


class RazorpayGateway:
    name = "razorpay"
    is_sandbox = False

    def __init__(
        self,
        *,
        key_id: str,
        key_secret: str,
        webhook_secret: str,
        base_url: str | None = None,
        session: requests.Session | None = None,
        timeout: float = 10.0,
        account_number: str = "",
    ) -> None:
        self.key_id = key_id
        self._secret = key_secret
        self._webhook_secret = webhook_secret
        options: dict[str, Any] = {}
        if base_url:
            options["base_url"] = base_url
        self.client = razorpay.Client(session=session, auth=(key_id, key_secret), **options)
        self.timeout = timeout
        self.account_number = account_number

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, timeout=self.timeout, **kwargs)
        except requests.exceptions.RequestException as exc:
            raise GatewayError(f"gateway unreachable: {exc.__class__.__name__}") from exc
        except (razorpay.errors.BadRequestError, razorpay.errors.GatewayError, razorpay.errors.ServerError) as exc:
            raise GatewayError(str(exc) or exc.__class__.__name__) from exc
        except ValueError as exc:  # non-JSON answer
            raise GatewayError("gateway returned an unreadable answer") from exc

    def create_order(self, *, amount_paise: int, receipt: str, notes: dict[str, str]) -> dict[str, Any]:
        data = {"amount": amount_paise, "currency": "INR", "receipt": receipt, "notes": notes, "payment_capture": 1}
        return dict(self._call(self.client.order.create, data))

    def fetch_order(self, order_id: str) -> dict[str, Any]:
        return dict(self._call(self.client.order.fetch, order_id))

    def fetch_order_payments(self, order_id: str) -> list[dict[str, Any]]:
        return list(self._call(self.client.order.payments, order_id).get("items", []))

    def fetch_payment(self, payment_id: str) -> dict[str, Any]:
        return dict(self._call(self.client.payment.fetch, payment_id))

    def refund(self, *, payment_id: str, amount_paise: int, notes: dict[str, str]) -> dict[str, Any]:
        return dict(self._call(self.client.payment.refund, payment_id, {"amount": amount_paise, "notes": notes}))

    def fetch_refund(self, refund_id: str) -> dict[str, Any]:
        return dict(self._call(self.client.refund.fetch, refund_id))

    def verify_payment_signature(self, *, order_id: str, payment_id: str, signature: str) -> bool:
        if not (order_id and payment_id and signature) or not signature.isascii():
            return False
        try:
            self.client.utility.verify_payment_signature(
                {"razorpay_order_id": order_id, "razorpay_payment_id": payment_id, "razorpay_signature": signature}
            )
        except razorpay.errors.SignatureVerificationError:
            return False
        return True

    def verify_webhook_signature(self, *, body: bytes, signature: str) -> bool:
        if not signature or not self._webhook_secret:
            return False
        return signatures_match(hmac_sha256(self._webhook_secret, body), signature)

    def checkout_url(self, *, order_id: str, callback_url: str) -> str:
        if self.is_sandbox:  # the SDK pointed at the sandbox: its Checkout page stands in for the popup
            return (
                reverse("payments_sandbox:checkout", args=[order_id]) + "?" + urlencode({"callback_url": callback_url})
            )
        return ""  # the real Checkout is Razorpay's script on the page, not a URL

    # The SDK has no Payouts resource: its generic ``post``/``get`` reach RazorpayX's endpoints with
    # the same auth, base URL and error handling.
    def create_contact(self, *, name: str, email: str, reference_id: str) -> dict[str, Any]:
        return dict(self._call(self.client.post, "/v1/contacts", contact_body(name, email, reference_id)))

    def create_fund_account(self, *, contact_id: str, details: dict[str, Any]) -> dict[str, Any]:
        return dict(self._call(self.client.post, "/v1/fund_accounts", fund_account_body(contact_id, details)))

    def create_payout(
        self,
        *,
        fund_account_id: str,
        amount_paise: int,
        mode: str,
        reference_id: str,
        narration: str,
        notes: dict[str, str],
        idempotency_key: str,
    ) -> dict[str, Any]:
        body = payout_body(
            account_number=self.account_number,
            fund_account_id=fund_account_id,
            amount_paise=amount_paise,
            mode=mode,
            reference_id=reference_id,
            narration=narration,
            notes=notes,
        )
        headers = {"X-Payout-Idempotency": idempotency_key}
        return dict(self._call(self.client.post, "/v1/payouts", body, headers=headers))

    def fetch_payout(self, payout_id: str) -> dict[str, Any]:
        return dict(self._call(self.client.get, f"/v1/payouts/{payout_id}", {}))


class SandboxGateway:
    """The sandbox emulation reached by plain function calls (``apps.payments_sandbox.api``): the
    same answers the SDK would get over HTTP, without a socket or Django's request machinery, so
    a single server process never waits on itself. Signatures use the sandbox's public test keys.
    """

    name = "sandbox"
    is_sandbox = True

    def __init__(self) -> None:
        from apps.payments_sandbox.keys import SANDBOX_KEY_ID, SANDBOX_KEY_SECRET, SANDBOX_WEBHOOK_SECRET

        self.key_id = SANDBOX_KEY_ID
        self._secret = SANDBOX_KEY_SECRET
        self._webhook_secret = SANDBOX_WEBHOOK_SECRET

    @staticmethod
    def _call(fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
        from apps.payments_sandbox.api import SandboxError

        try:
            return fn(*args)
        except SandboxError as exc:
            raise GatewayError(exc.description) from exc

    def create_order(self, *, amount_paise: int, receipt: str, notes: dict[str, str]) -> dict[str, Any]:
        from apps.payments_sandbox import api

        data = {"amount": amount_paise, "currency": "INR", "receipt": receipt, "notes": notes, "payment_capture": 1}
        return self._call(api.create_order, data)

    def fetch_order(self, order_id: str) -> dict[str, Any]:
        from apps.payments_sandbox import api

        return self._call(api.fetch_order, order_id)

    def fetch_order_payments(self, order_id: str) -> list[dict[str, Any]]:
        from apps.payments_sandbox import api

        return list(self._call(api.order_payments, order_id).get("items", []))

    def fetch_payment(self, payment_id: str) -> dict[str, Any]:
        from apps.payments_sandbox import api

        return self._call(api.fetch_payment, payment_id)

    def refund(self, *, payment_id: str, amount_paise: int, notes: dict[str, str]) -> dict[str, Any]:
        from apps.payments_sandbox import api

        return self._call(api.refund_payment, payment_id, {"amount": amount_paise, "notes": notes})

    def fetch_refund(self, refund_id: str) -> dict[str, Any]:
        from apps.payments_sandbox import api

        return self._call(api.fetch_refund, refund_id)

    def verify_payment_signature(self, *, order_id: str, payment_id: str, signature: str) -> bool:
        if not (order_id and payment_id and signature):
            return False
        return signatures_match(hmac_sha256(self._secret, f"{order_id}|{payment_id}"), signature)

    def verify_webhook_signature(self, *, body: bytes, signature: str) -> bool:
        return signatures_match(hmac_sha256(self._webhook_secret, body), signature)

    def checkout_url(self, *, order_id: str, callback_url: str) -> str:
        return reverse("payments_sandbox:checkout", args=[order_id]) + "?" + urlencode({"callback_url": callback_url})

    def create_contact(self, *, name: str, email: str, reference_id: str) -> dict[str, Any]:
        from apps.payments_sandbox import api

        return self._call(api.create_contact, contact_body(name, email, reference_id))

    def create_fund_account(self, *, contact_id: str, details: dict[str, Any]) -> dict[str, Any]:
        from apps.payments_sandbox import api

        return self._call(api.create_fund_account, fund_account_body(contact_id, details))

    def create_payout(
        self,
        *,
        fund_account_id: str,
        amount_paise: int,
        mode: str,
        reference_id: str,
        narration: str,
        notes: dict[str, str],
        idempotency_key: str,
    ) -> dict[str, Any]:
        from apps.payments_sandbox import api

        body = payout_body(
            account_number=api.SANDBOX_ACCOUNT_NUMBER,
            fund_account_id=fund_account_id,
            amount_paise=amount_paise,
            mode=mode,
            reference_id=reference_id,
            narration=narration,
            notes=notes,
        )
        return self._call(api.create_payout, body, idempotency_key)

    def fetch_payout(self, payout_id: str) -> dict[str, Any]:
        from apps.payments_sandbox import api

        return self._call(api.fetch_payout, payout_id)


def sandbox_over_http() -> RazorpayGateway:
    """The official SDK against the sandbox's HTTP routes on ``SITE_URL`` (``PAYMENTS_SANDBOX_TRANSPORT=http``,
    e.g. a separate sandbox host), exercising the SDK's own request and error handling."""
    from apps.payments_sandbox.keys import SANDBOX_KEY_ID, SANDBOX_KEY_SECRET, SANDBOX_WEBHOOK_SECRET

    gateway = RazorpayGateway(
        key_id=SANDBOX_KEY_ID,
        key_secret=SANDBOX_KEY_SECRET,
        webhook_secret=SANDBOX_WEBHOOK_SECRET,
        base_url=settings.SITE_URL.rstrip("/") + "/sandbox/razorpay",
        account_number="2323230000000000",  # apps.payments_sandbox.api.SANDBOX_ACCOUNT_NUMBER
    )
    gateway.name = "sandbox"
    gateway.is_sandbox = True
    return gateway


_override: Gateway | None = None


def set_gateway_for_tests(gateway: Gateway | None) -> None:
    """Swap the gateway (tests use it to simulate an unreachable gateway)."""
    global _override
    _override = gateway


@lru_cache(maxsize=4)
def _build(sandbox: bool, key_id: str, site_url: str, transport: str) -> Gateway:
    if sandbox:
        return sandbox_over_http() if settings.PAYMENTS_SANDBOX_TRANSPORT == "http" else SandboxGateway()
    return RazorpayGateway(
        key_id=settings.RAZORPAY_KEY_ID,
        key_secret=settings.RAZORPAY_KEY_SECRET,
        webhook_secret=settings.RAZORPAY_WEBHOOK_SECRET,
        account_number=settings.RAZORPAYX_ACCOUNT_NUMBER,
    )


def get_gateway() -> Gateway:
    if _override is not None:
        return _override
    return _build(
        bool(settings.PAYMENTS_SANDBOX),
        settings.RAZORPAY_KEY_ID,
        settings.SITE_URL,
        settings.PAYMENTS_SANDBOX_TRANSPORT,
    )
