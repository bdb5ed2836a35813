from __future__ import annotations

import json

import pytest

from apps.bookings.models import BookingStatus
from apps.payments import ledger
from apps.payments.models import LedgerTransaction, PaymentStatus, WebhookEvent

from .helpers import paid_checkout, post_webhook, sandbox_pay, webhook_body

pytestmark = pytest.mark.django_db


def test_bad_signature_is_400_and_changes_nothing(client):
    _, booking, payment = paid_checkout()
    body = webhook_body("payment.captured", payment, "pay_evil")
    response = post_webhook(client, body, signature="f" * 64)
    assert response.status_code == 400
    assert post_webhook(client, body, signature="").status_code == 400
    # A body altered after signing fails too.
    from apps.payments_sandbox.webhooks import webhook_signature

    sig = webhook_signature(body)
    assert post_webhook(client, body.replace(b"pay_evil", b"pay_evi1"), signature=sig).status_code == 400
    payment.refresh_from_db()
    booking.refresh_from_db()
    assert payment.status == PaymentStatus.CREATED and booking.status == BookingStatus.PENDING_PAYMENT
    assert not WebhookEvent.objects.exists() and not LedgerTransaction.objects.exists()


def test_same_event_three_times_has_one_effect(client):
    _, booking, payment = paid_checkout(price=40_000)
    body = webhook_body("payment.captured", payment, "pay_once")
    for _ in range(3):
        assert post_webhook(client, body, event_id="evt_same").status_code == 200
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID
    assert WebhookEvent.objects.filter(event_id="evt_same").count() == 1
    assert LedgerTransaction.objects.filter(payment=payment).count() == 1
    assert ledger.mentor_balances(booking.session.mentor_id)["pending"] == 34_000


def test_order_paid_and_payment_captured_and_callback_credit_once(client):
    _, booking, payment = paid_checkout(price=40_000)
    fields = sandbox_pay(client, payment)  # also delivers the sandbox's own webhooks? not in a test txn
    pid = fields["razorpay_payment_id"]
    post_webhook(client, webhook_body("order.paid", payment, pid))
    post_webhook(client, webhook_body("payment.captured", payment, pid))
    client.post(f"/payments/callback/{payment.receipt}/", fields)
    assert LedgerTransaction.objects.filter(payment=payment, kind="booking_payment").count() == 1
    assert ledger.mentor_balances(booking.session.mentor_id)["pending"] == 34_000


@pytest.mark.parametrize("order", [("failed", "captured"), ("captured", "failed")])
def test_events_out_of_order_reach_the_same_final_state(client, order):
    _, booking, payment = paid_checkout()
    events = {
        "failed": webhook_body("payment.failed", payment, "pay_a", status="failed"),
        "captured": webhook_body("payment.captured", payment, "pay_b"),
    }
    for name in order:
        assert post_webhook(client, events[name]).status_code == 200
    payment.refresh_from_db()
    booking.refresh_from_db()
    assert payment.status == PaymentStatus.PAID
    assert booking.status == BookingStatus.CONFIRMED
    assert set(payment.attempts.values_list("gateway_payment_id", "status")) == {("pay_a", "failed"), ("pay_b", "paid")}


def test_webhook_before_callback_then_callback_shows_success(client):
    _, _booking, payment = paid_checkout()
    fields = sandbox_pay(client, payment)
    post_webhook(client, webhook_body("payment.captured", payment, fields["razorpay_payment_id"]))
    response = client.post(f"/payments/callback/{payment.receipt}/", fields)
    assert response.status_code == 302 and "paid=1" in response["Location"]


def test_refund_webhook_is_applied_once(client, django_capture_on_commit_callbacks, settings):
    from apps.payments.models import Refund

    settings.PAYMENTS_SANDBOX_WEBHOOKS = False
    _, _booking, payment = paid_checkout(price=20_000)
    client.post(f"/payments/callback/{payment.receipt}/", sandbox_pay(client, payment))
    item = payment.items.get()
    refund = Refund.objects.create(item=item, amount_paise=20_000, percent=100)
    entity = {
        "id": "rfnd_x1",
        "entity": "refund",
        "amount": 20_000,
        "payment_id": payment.gateway_payment_id,
        "notes": {"refund_id": str(refund.pk)},
        "status": "processed",
    }
    body = json.dumps({"event": "refund.processed", "payload": {"refund": {"entity": entity}}}).encode()
    for _ in range(2):
        assert post_webhook(client, body, event_id="evt_r1").status_code == 200
    post_webhook(client, body, event_id="evt_r2")  # a different delivery of the same refund
    refund.refresh_from_db()
    payment.refresh_from_db()
    assert refund.status == "processed" and refund.gateway_refund_id == "rfnd_x1"
    assert payment.status == PaymentStatus.REFUNDED and payment.refunded_paise == 20_000
    assert LedgerTransaction.objects.filter(kind="refund").count() == 1


def test_sandbox_checkout_sends_signed_webhooks_that_confirm_without_the_callback(
    client, django_capture_on_commit_callbacks
):
    """The browser never comes back, yet the sandbox's own signed webhooks (payment.captured,
    order.paid), delivered after commit, confirm the booking exactly once."""
    _, booking, payment = paid_checkout(price=30_000)
    with django_capture_on_commit_callbacks(execute=True):
        sandbox_pay(client, payment, "success")
    payment.refresh_from_db()
    booking.refresh_from_db()
    assert payment.status == PaymentStatus.PAID and booking.status == BookingStatus.CONFIRMED
    events = set(WebhookEvent.objects.values_list("event", flat=True))
    assert {"payment.captured", "order.paid"} <= events
    assert LedgerTransaction.objects.filter(kind="booking_payment").count() == 1
