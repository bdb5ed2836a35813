"""RazorpayX payouts through the official SDK (``RazorpayGateway``), its HTTP requests answered by
the sandbox's HTTP routes: contact → fund account → payout with ``X-Payout-Idempotency``, basic
auth, JSON bodies in paise — the same path live keys take, with only the host swapped."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client

from apps.payments.gateway import GatewayError, RazorpayGateway
from apps.payments_sandbox.api import SANDBOX_ACCOUNT_NUMBER
from apps.payments_sandbox.keys import SANDBOX_KEY_ID, SANDBOX_KEY_SECRET, SANDBOX_WEBHOOK_SECRET
from apps.payments_sandbox.models import SandboxPayout

pytestmark = pytest.mark.django_db


class ThroughDjango(requests.adapters.BaseAdapter):
    """A requests transport that hands each request to Django's test client (no socket)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[requests.PreparedRequest] = []

    def send(self, request, **kwargs):  # type: ignore[no-untyped-def,override]
        self.seen.append(request)
        parts = urlsplit(request.url)
        # This transport hands the body over as it is, undecoded: it must not offer to accept gzip.
        dropped = ("content-type", "content-length", "accept-encoding")
        headers = {k: v for k, v in request.headers.items() if k.lower() not in dropped}
        response = Client().generic(
            request.method,
            parts.path + (f"?{parts.query}" if parts.query else ""),
            data=request.body or b"",
            content_type=request.headers.get("Content-Type", "application/json"),
            headers=headers,
        )
        out = requests.Response()
        out.status_code = response.status_code
        out._content = response.content
        out.headers.update({"Content-Type": response.headers.get("Content-Type", "")})
        out.url = request.url
        out.request = request
        return out

    def close(self) -> None:
        pass


def gateway(adapter: ThroughDjango, key_secret: str = SANDBOX_KEY_SECRET) -> RazorpayGateway:
    session = requests.Session()
    session.mount("http://", adapter)
    return RazorpayGateway(
        key_id=SANDBOX_KEY_ID,
        key_secret=key_secret,
        webhook_secret=SANDBOX_WEBHOOK_SECRET,
        base_url="http://sandbox.test/sandbox/razorpay",
        session=session,
        account_number=SANDBOX_ACCOUNT_NUMBER,
    )


def test_contact_fund_account_and_an_idempotent_payout_through_the_sdk() -> None:
    adapter = ThroughDjango()
    gw = gateway(adapter)
    contact = gw.create_contact(name="Asha Rao", email="asha@example.in", reference_id="mentor_1")
    fund = gw.create_fund_account(contact_id=contact["id"], details={"vpa": "asha.rao@okaxis"})
    assert fund["account_type"] == "vpa" and fund["vpa"] == {"address": "asha.rao@okaxis"}
    args = {
        "fund_account_id": fund["id"],
        "amount_paise": 60_000,
        "mode": "UPI",
        "reference_id": "withdrawal_1",
        "narration": "PeerLearn payout",
        "notes": {"withdrawal_id": "1"},
        "idempotency_key": "idem-1",
    }
    first = gw.create_payout(**args)
    again = gw.create_payout(**args)
    assert first["id"] == again["id"] and first["status"] == "processing" and first["amount"] == 60_000
    assert SandboxPayout.objects.count() == 1
    sent = adapter.seen[-1]
    assert sent.url.endswith("/v1/payouts") and sent.headers["X-Payout-Idempotency"] == "idem-1"
    assert gw.fetch_payout(first["id"])["mode"] == "UPI"
    with pytest.raises(GatewayError, match="Different request body"):
        gw.create_payout(**{**args, "amount_paise": 70_000})
    with pytest.raises(GatewayError, match="mode is invalid"):
        gw.create_payout(**{**args, "mode": "NEFT", "idempotency_key": "idem-2"})
    bank = gw.create_fund_account(
        contact_id=contact["id"],
        details={"name": "Asha Rao", "ifsc": "HDFC0000240", "account_number": "50100234567891"},
    )
    neft = gw.create_payout(**{**args, "fund_account_id": bank["id"], "mode": "NEFT", "idempotency_key": "idem-3"})
    assert neft["mode"] == "NEFT"


def test_wrong_keys_are_refused() -> None:
    with pytest.raises(GatewayError):
        gateway(ThroughDjango(), key_secret="wrong").create_contact(name="Asha Rao", email="", reference_id="")
