"""The admin's Payments pages: filters, the detail with items, attempts and ledger legs, and a
partial refund in rupees through the gateway and the ledger, checked against what is refundable."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.audit.models import AuditEntry
from apps.catalog.tests.factories import make_session, make_user
from apps.payments import ledger
from apps.payments.models import Payment, PaymentStatus, Refund, RefundStatus
from apps.payments.services import PaymentError, refundable_paise
from apps.workflows.booking import admin_refund
from apps.workflows.tests.test_flows import pay

from .test_dashboards import admin_with_totp, sign_in_confirmed

pytestmark = pytest.mark.django_db
URL = "/dashboard/admin/payments/"


def _paid(client: Client, capture: Any, name: str = "Ritika Sen", price: int = 49_900) -> Payment:
    session = make_session(price_paise=price, title="Pandas for analysts", start=timezone.now() + timedelta(days=3))
    booking = pay(client, make_user(name=name), session, capture)
    return Payment.objects.get(items__booking=booking)


def test_list_filters_and_detail(client: Client, django_capture_on_commit_callbacks: Any) -> None:
    payment = _paid(client, django_capture_on_commit_callbacks)
    _paid(client, django_capture_on_commit_callbacks, name="Zoya Ali", price=99_900)
    sign_in_confirmed(client, admin_with_totp())
    body = client.get(URL, {"learner": "ritika"}).content.decode()
    assert payment.receipt in body and "Zoya Ali" not in body
    body = client.get(URL, {"min_rupees": "500"}).content.decode()
    assert "1 payment" in body and "₹999" in body
    body = client.get(URL, {"min_rupees": "abc", "status": "nope"}).content.decode()
    assert "Enter a number." in body and "Select a valid choice." in body
    detail = client.get(f"{URL}{payment.receipt}/").content.decode()
    assert "Pandas for analysts" in detail and "booking_payment" in detail and "₹499 still refundable" in detail
    assert client.get(f"{URL}no-such-receipt/").status_code == 404


def test_partial_refund_in_rupees_within_what_is_refundable(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    payment = _paid(client, django_capture_on_commit_callbacks)
    item = payment.items.get()
    sign_in_confirmed(client, admin_with_totp())
    url = f"{URL}{payment.receipt}/"
    prefix = f"i{item.pk}"

    def post(amount: str, **extra: str) -> Any:
        data = {"item_pk": str(item.pk), f"{prefix}-item": str(item.pk), f"{prefix}-amount_rupees": amount,
                f"{prefix}-reason": "Audio failed for 20 minutes", f"{prefix}-confirm": "on", **extra}  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    too_much = post("500.00")
    assert too_much.status_code == 400 and "what is still refundable" in too_much.content.decode()
    assert post("-1").status_code == 400 and post("abc").status_code == 400
    assert not Refund.objects.exists()

    done = post("150.50")
    assert done.status_code == 302
    refund = Refund.objects.get()
    assert (refund.amount_paise, refund.status) == (15_050, RefundStatus.PROCESSED)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PARTIALLY_REFUNDED and payment.refunded_paise == 15_050
    assert list(ledger.unbalanced_transactions()) == []
    entry = AuditEntry.objects.get(action="payment.refund")
    assert entry.reason == "Audio failed for 20 minutes" and entry.after["refunded"] == "₹150.50"
    assert "₹348.50 still refundable" in client.get(url).content.decode()
    # The rest, then nothing is left to refund.
    assert post("348.50").status_code == 302
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED
    assert "Refund…" not in client.get(url).content.decode()


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(asks=st.lists(st.integers(min_value=-1_000, max_value=60_000), min_size=1, max_size=5))
def test_partial_refunds_never_exceed_what_was_paid(
    client: Client, django_capture_on_commit_callbacks: Any, asks: list[int]
) -> None:
    """Any sequence of admin refund requests on one paid ₹499 item: each is refused unless it is
    positive and within what is still refundable; what was refunded never exceeds what was paid,
    the payment's own total agrees, and the ledger stays balanced."""
    payment = _paid(client, django_capture_on_commit_callbacks)
    item = payment.items.get()
    admin = make_user(name="Asha Admin")
    refunded = 0
    for ask in asks:
        allowed = 0 < ask <= item.amount_paise - refunded
        try:
            with django_capture_on_commit_callbacks(execute=True):
                refund = admin_refund(item=item, amount_paise=ask, reason="Audio dropped", by=admin)
        except PaymentError:
            assert not allowed, ask
            continue
        assert allowed, ask
        assert refund.amount_paise == ask
        refunded += ask
        assert refundable_paise(item) == item.amount_paise - refunded
    total = sum(Refund.objects.filter(item=item).values_list("amount_paise", flat=True))
    payment.refresh_from_db()
    assert total == refunded == payment.refunded_paise <= payment.amount_paise
    assert list(ledger.unbalanced_transactions()) == []
