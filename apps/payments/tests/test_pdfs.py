"""PDF receipts and monthly payout statements: downloadable by their owner only, numbers from the ledger."""

from __future__ import annotations

import base64
import re
import zlib

import pytest

from apps.accounts.models import Role
from apps.catalog.tests.factories import make_user
from apps.payments import services
from apps.payments.tests.helpers import paid_checkout, sandbox_pay
from apps.payments.tests.money import mentor_with_balance
from apps.workflows import payouts as flows

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    """The text drawn in a PDF's (Flate-compressed) content streams."""
    assert data.startswith(b"%PDF-")
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, re.S):
        raw = stream.strip()
        if raw.endswith(b"~>"):  # ReportLab's default: ASCII85 over Flate
            raw = base64.a85decode(raw[:-2])
        try:
            chunks.append(zlib.decompress(raw).decode("latin-1"))
        except zlib.error:
            continue
    return " ".join(re.findall(r"\((.*?)\) Tj", "\n".join(chunks)))


def test_learner_receipt_pdf(client) -> None:  # type: ignore[no-untyped-def]
    learner, _booking, payment = paid_checkout(price=120_000, title="Graph algorithms")
    client.post(f"/payments/callback/{payment.receipt}/", sandbox_pay(client, payment))
    services.request_refund(item=payment.items.get(), percent=50, reason="test")
    client.force_login(learner)
    assert 'data-testid="receipt-pdf"' in client.get(f"/dashboard/learner/payments/{payment.receipt}/").content.decode()
    r = client.get(f"/dashboard/learner/payments/{payment.receipt}/pdf/")
    assert r["Content-Type"] == "application/pdf" and "attachment" in r["Content-Disposition"]
    text = pdf_text(r.content)
    assert payment.receipt in text and "Graph algorithms" in text
    assert "INR 1,200" in text and "INR 600" in text  # paid, and refunded per the ledger
    client.force_login(make_user(Role.LEARNER))  # an outsider
    assert client.get(f"/dashboard/learner/payments/{payment.receipt}/pdf/").status_code == 404


def test_mentor_statement_pdf(client) -> None:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    mentor = mentor_with_balance(200_000)
    flows.request_withdrawal(mentor=mentor, amount_paise=60_000)
    client.force_login(mentor)
    month = timezone.now().astimezone(timezone.get_default_timezone()).strftime("%Y-%m")
    html = client.get("/dashboard/mentor/earnings/").content.decode()
    assert f'value="{month}"' in html
    r = client.get(f"/dashboard/mentor/earnings/statement.pdf?month={month}")
    assert r["Content-Type"] == "application/pdf"
    text = pdf_text(r.content)
    assert "Payout statement" in text and "INR 600" in text and "Requested" in text
    assert "INR 1,400" in text  # available today
    r = client.get("/dashboard/mentor/earnings/statement.pdf?month=1999-01")
    assert r.status_code == 302
    client.force_login(make_user(Role.LEARNER))
    assert client.get(f"/dashboard/mentor/earnings/statement.pdf?month={month}").status_code in (302, 403)
