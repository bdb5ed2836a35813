"""Payment gateway interface and its two implementations.

``RazorpayGateway`` talks to Razorpay through the official SDK. ``SandboxGateway`` is the same
class pointed (through the SDK's ``base_url``) at our local emulation of the Razorpay HTTP API
under ``/sandbox/razorpay/v1/…`` (see ``sandbox.py``), with fixed, non-secret test keys. So the
production code path — SDK calls, HMAC signatures on callbacks and webhooks — runs offline.

By default the sandbox requests are dispatched in-process (a requests transport adapter that hands
the HTTP request to Django's handler) so a single-process server never waits on itself;
``PAYMENTS_SANDBOX_TRANSPORT=http`` sends them over real HTTP to ``SITE_URL`` instead.
"""

from __future__ import annotations

import hashlib
import hmac
import io
from functools import lru_cache
from typing import Any, Protocol
from urllib.parse import urlsplit

import razorpay
import requests
from django.conf import settings
from django.utils import timezone, translation

SANDBOX_KEY_ID = "rzp_test_sandbox0000"
SANDBOX_KEY_SECRET = "sandbox-key-secret-not-a-secret"  # noqa: S105 - fixed public test value
SANDBOX_WEBHOOK_SECRET = "sandbox-webhook-secret-not-a-secret"  # noqa: S105
SANDBOX_PREFIX = "/sandbox/razorpay"


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
    def create_payout(
        self, *, amount_paise: int, idempotency_key: str, mode: str, reference_id: str, notes: dict[str, str]
    ) -> dict[str, Any]: ...
    def verify_payment_signature(self, *, order_id: str, payment_id: str, signature: str) -> bool: ...
    def verify_webhook_signature(self, *, body: bytes, signature: str) -> bool: ...


def hmac_sha256(secret: str, message: bytes | str) -> str:
    if isinstance(message, str):
        message = message.encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


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
    ) -> None:
        self.key_id = key_id
        self._secret = key_secret
        self._webhook_secret = webhook_secret
        options: dict[str, Any] = {}
        if base_url:
            options["base_url"] = base_url
        self.client = razorpay.Client(session=session, auth=(key_id, key_secret), **options)
        self.timeout = timeout

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

    def create_payout(
        self, *, amount_paise: int, idempotency_key: str, mode: str, reference_id: str, notes: dict[str, str]
    ) -> dict[str, Any]:
        """RazorpayX payout (the SDK has no payouts resource; use its generic POST)."""
        data = {
            "amount": amount_paise,
            "currency": "INR",
            "mode": mode,
            "purpose": "payout",
            "reference_id": reference_id,
            "notes": notes,
        }
        return dict(
            self._call(self.client.post, "/v1/payouts", data, headers={"X-Payout-Idempotency": idempotency_key})
        )

    def verify_payment_signature(self, *, order_id: str, payment_id: str, signature: str) -> bool:
        if not (order_id and payment_id and signature):
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
        return hmac.compare_digest(hmac_sha256(self._webhook_secret, body), signature)

    # Used by the sandbox emulation only.
    def sign_payment(self, *, order_id: str, payment_id: str) -> str:
        return hmac_sha256(self._secret, f"{order_id}|{payment_id}")


class InProcessAdapter(requests.adapters.BaseAdapter):
    """Hand a requests call to Django's own handler, in this thread, without a socket.

    Used by the sandbox gateway: the SDK builds a real HTTP request (method, path, JSON body,
    basic auth) and the sandbox views answer it exactly as they would over the network. The
    caller's active timezone and language are restored afterwards.
    """

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        from django.test.client import ClientHandler, FakePayload

        url = urlsplit(request.url or "")
        raw = request.body or b""
        body: bytes = raw.encode() if isinstance(raw, str) else bytes(raw)  # type: ignore[arg-type]
        environ: dict[str, Any] = {
            "REQUEST_METHOD": (request.method or "GET").upper(),
            "PATH_INFO": url.path,
            "QUERY_STRING": url.query,
            "SERVER_NAME": url.hostname or "127.0.0.1",
            "SERVER_PORT": str(url.port or (443 if url.scheme == "https" else 80)),
            "HTTP_HOST": url.netloc or "127.0.0.1",
            "REMOTE_ADDR": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": url.scheme or "http",
            "wsgi.input": FakePayload(body),
            "wsgi.errors": io.StringIO(),
            "wsgi.multiprocess": True,
            "wsgi.multithread": False,
            "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(body)),
        }
        for name, value in request.headers.items():
            key = name.upper().replace("-", "_")
            if key == "CONTENT_TYPE":
                environ["CONTENT_TYPE"] = value
            elif key != "CONTENT_LENGTH":
                environ["HTTP_" + key] = value
        tz = timezone.get_current_timezone()
        lang = translation.get_language()
        try:
            django_response = ClientHandler(enforce_csrf_checks=False)(environ)
        finally:
            timezone.activate(tz)
            translation.activate(lang or settings.LANGUAGE_CODE)
        response = requests.Response()
        response.status_code = django_response.status_code
        response._content = django_response.content  # type: ignore[attr-defined]
        response.headers.update({k: v for k, v in django_response.items()})
        response.url = request.url or ""
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        return None


def sandbox_session() -> requests.Session:
    session = requests.Session()
    if getattr(settings, "PAYMENTS_SANDBOX_TRANSPORT", "inprocess") != "http":
        session.mount(settings.SITE_URL.rstrip("/") + "/", InProcessAdapter())
    return session


class SandboxGateway(RazorpayGateway):
    name = "sandbox"
    is_sandbox = True

    def __init__(self, *, session: requests.Session | None = None, timeout: float = 10.0) -> None:
        super().__init__(
            key_id=SANDBOX_KEY_ID,
            key_secret=SANDBOX_KEY_SECRET,
            webhook_secret=SANDBOX_WEBHOOK_SECRET,
            base_url=settings.SITE_URL.rstrip("/") + SANDBOX_PREFIX,
            session=session or sandbox_session(),
            timeout=timeout,
        )


_override: Gateway | None = None


def set_gateway_for_tests(gateway: Gateway | None) -> None:
    """Swap the gateway (tests use it to simulate an unreachable gateway)."""
    global _override
    _override = gateway


@lru_cache(maxsize=4)
def _build(sandbox: bool, key_id: str, site_url: str) -> Gateway:
    if sandbox:
        return SandboxGateway()
    return RazorpayGateway(
        key_id=settings.RAZORPAY_KEY_ID,
        key_secret=settings.RAZORPAY_KEY_SECRET,
        webhook_secret=settings.RAZORPAY_WEBHOOK_SECRET,
    )


def get_gateway() -> Gateway:
    if _override is not None:
        return _override
    return _build(bool(settings.PAYMENTS_SANDBOX), settings.RAZORPAY_KEY_ID, settings.SITE_URL)
