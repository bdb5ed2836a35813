"""End-to-end payment flows through the sandbox gateway (the emulated Razorpay API, called in-process)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from apps.bookings import services as booking_services
from apps.bookings.models import BookingStatus
from apps.catalog.tests.factories import make_session, make_user
from apps.payments import ledger, services
from apps.payments.gateway import GatewayError, RazorpayGateway, get_gateway, set_gateway_for_tests
from apps.payments.models import LedgerEntry, Payment, PaymentAttempt, PaymentStatus, Refund, RefundStatus
from apps.payments_sandbox.keys import SANDBOX_KEY_ID, SANDBOX_KEY_SECRET, SANDBOX_WEBHOOK_SECRET
from apps.payments_sandbox.models import SandboxOrder
from apps.workflows import booking as flows

from .helpers import paid_checkout, sandbox_pay, signed_callback

pytestmark = pytest.mark.django_db


def test_gateway_reaches_the_sandbox_api():
    gw = get_gateway()
    assert gw.is_sandbox
    order = gw.create_order(amount_paise=12_345, receipt="r-1", notes={"a": "b"})
    assert order["id"].startswith("order_") and order["amount"] == 12_345 and order["status"] == "created"
    assert SandboxOrder.objects.get(order_id=order["id"]).receipt == "r-1"
    assert gw.fetch_order(order["id"])["receipt"] == "r-1"
    with pytest.raises(GatewayError):
        gw.fetch_payment("pay_missing")


def test_sandbox_api_rejects_bad_keys(client):
    response = client.post(
        "/sandbox/razorpay/v1/orders",
        data=b"{}",
        content_type="application/json",
        headers={"Authorization": "Basic Zm9vOmJhcg=="},
    )
    assert response.status_code == 401


def test_paid_booking_via_sandbox_checkout_and_signed_callback(client):
    _learner, booking, payment = paid_checkout(price=100_000)
    fields = sandbox_pay(client, payment, "success")
    response = client.post(f"/payments/callback/{payment.receipt}/", fields)
    assert response.status_code == 302 and f"/dashboard/learner/payments/{payment.receipt}/" in response["Location"]
    payment.refresh_from_db()
    booking.refresh_from_db()
    assert payment.status == PaymentStatus.PAID
    assert booking.status == BookingStatus.CONFIRMED
    assert ledger.mentor_balances(booking.session.mentor_id) == {"pending": 85_000, "available": 0}
    assert ledger.credit_balance(ledger.platform_revenue()) == 15_000
    assert list(ledger.unbalanced_transactions()) == []


def test_callback_with_a_forged_signature_or_foreign_order_is_refused(client):
    _, _booking, payment = paid_checkout()
    _, _, other = paid_checkout()
    other_fields = sandbox_pay(client, other, "success")
    # A valid signature for ANOTHER order must not pay this one: we verify against our stored id.
    response = client.post(f"/payments/callback/{payment.receipt}/", other_fields)
    assert response.status_code == 400
    assert b"Payment verification failed" in response.content
    forged = signed_callback(payment, "pay_x") | {"razorpay_signature": "0" * 64}
    assert client.post(f"/payments/callback/{payment.receipt}/", forged).status_code == 400
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CREATED


def test_failed_payment_then_retry_on_the_same_order(client):
    _, booking, payment = paid_checkout()
    order_id = payment.gateway_order_id
    fields = sandbox_pay(client, payment, "failure")
    response = client.post(f"/payments/callback/{payment.receipt}/", fields)
    assert response.status_code == 302 and "failed=1" in response["Location"]
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED
    assert PaymentAttempt.objects.filter(payment=payment, status="failed").count() == 1
    fields = sandbox_pay(client, payment, "success")
    client.post(f"/payments/callback/{payment.receipt}/", fields)
    payment.refresh_from_db()
    booking.refresh_from_db()
    assert payment.status == PaymentStatus.PAID and payment.gateway_order_id == order_id
    assert booking.status == BookingStatus.CONFIRMED
    assert list(payment.attempts.values_list("status", flat=True)) == ["failed", "paid"]


def test_gateway_timeout_leaves_nothing_lost(client):
    class Timeout(requests.adapters.BaseAdapter):
        def send(self, *a, **k):
            raise requests.exceptions.ReadTimeout("slow")

        def close(self):
            pass

    session = requests.Session()
    session.mount("http://", Timeout())
    set_gateway_for_tests(
        RazorpayGateway(
            key_id=SANDBOX_KEY_ID,
            key_secret=SANDBOX_KEY_SECRET,
            webhook_secret=SANDBOX_WEBHOOK_SECRET,
            base_url="http://127.0.0.1:9/sandbox/razorpay",
            session=session,
            timeout=0.1,
        )
    )
    try:
        learner = make_user()
        booking, payment = flows.book_and_pay(learner=learner, session=make_session(price_paise=20_000))
        with pytest.raises(services.GatewayUnavailable):
            services.ensure_order(payment)
        client.force_login(learner)
        response = client.get(f"/payments/checkout/{payment.receipt}/")
        assert response.status_code == 503
        assert "did not answer. Nothing was charged" in response.content.decode()
    finally:
        set_gateway_for_tests(None)
    payment.refresh_from_db()
    booking.refresh_from_db()
    assert payment.status == PaymentStatus.CREATED and payment.gateway_order_id is None
    assert booking.status == BookingStatus.PENDING_PAYMENT
    # The gateway is back: the same payment gets its order and can be paid.
    assert services.ensure_order(payment).gateway_order_id


def test_reconcile_completes_a_payment_whose_callback_and_webhook_were_lost(client, settings):
    settings.PAYMENTS_SANDBOX_WEBHOOKS = False
    _, booking, payment = paid_checkout()
    sandbox_pay(client, payment, "success")  # the browser never came back
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CREATED
    counts = services.reconcile_payments(timezone.now() + timedelta(minutes=10))
    assert counts["paid"] == 1
    payment.refresh_from_db()
    booking.refresh_from_db()
    assert payment.status == PaymentStatus.PAID and booking.status == BookingStatus.CONFIRMED


def test_cart_one_order_for_two_sessions_one_booking_and_ledger_tx_each(client):
    learner = make_user()
    s1, s2 = make_session(price_paise=10_000), make_session(price_paise=25_000)
    booking_services.add_to_cart(learner=learner, session=s1)
    booking_services.add_to_cart(learner=learner, session=s2)
    payment = services.ensure_order(flows.checkout_cart(learner=learner))
    assert payment.amount_paise == 35_000 and payment.items.count() == 2
    client.post(f"/payments/callback/{payment.receipt}/", sandbox_pay(client, payment))
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID
    assert set(learner.bookings.values_list("status", flat=True)) == {BookingStatus.CONFIRMED}
    assert payment.ledger_txs.filter(kind="booking_payment").count() == 2


def test_learner_cancellation_refunds_per_policy(client, django_capture_on_commit_callbacks):
    _learner, booking, payment = paid_checkout(price=100_000, start=timezone.now() + timedelta(hours=10))
    client.post(f"/payments/callback/{payment.receipt}/", sandbox_pay(client, payment))
    with django_capture_on_commit_callbacks(execute=True):
        flows.cancel_booking(booking=booking, by="learner")
    refund = Refund.objects.get(item__booking=booking)
    assert (
        refund.amount_paise == 50_000
        and refund.status == RefundStatus.PROCESSED
        and refund.gateway_refund_id.startswith("rfnd_")
    )
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PARTIALLY_REFUNDED and payment.refunded_paise == 50_000
    assert ledger.mentor_balances(booking.session.mentor_id)["pending"] == 42_500
    assert ledger.credit_balance(ledger.platform_revenue()) == 7_500
    assert list(ledger.unbalanced_transactions()) == []


def test_mentor_cancel_refunds_every_paid_learner_in_full(client, django_capture_on_commit_callbacks):
    from apps.workflows.sessions import cancel_session

    session = make_session(price_paise=30_000, capacity=3)
    payments = []
    for _ in range(2):
        learner = make_user()
        _, p = flows.book_and_pay(learner=learner, session=session)
        p = services.ensure_order(p)
        client.post(f"/payments/callback/{p.receipt}/", sandbox_pay(client, p))
        payments.append(p)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_session(session=session, reason="ill")
    for p in payments:
        p.refresh_from_db()
        assert p.status == PaymentStatus.REFUNDED and p.refunded_paise == 30_000
    assert ledger.mentor_balances(session.mentor_id) == {"pending": 0, "available": 0}
    assert set(session.bookings.values_list("status", "refund_percent")) == {("cancelled", 100)}


def test_earnings_become_available_24h_after_the_session(client):
    from apps.payments.earnings import release_matured_earnings

    _learner, booking, payment = paid_checkout(price=10_000)
    client.post(f"/payments/callback/{payment.receipt}/", sandbox_pay(client, payment))
    session = booking.session
    assert release_matured_earnings(session.end + timedelta(hours=23)) == 0
    assert release_matured_earnings(session.end + timedelta(hours=25)) == 1
    assert release_matured_earnings(session.end + timedelta(hours=26)) == 0
    assert ledger.mentor_balances(session.mentor_id) == {"pending": 0, "available": 8_500}


def test_late_payment_after_hold_expired_and_seat_taken_is_refunded(client, django_capture_on_commit_callbacks):
    session = make_session(price_paise=10_000, capacity=1)
    learner = make_user()
    booking, payment = flows.book_and_pay(learner=learner, session=session)
    payment = services.ensure_order(payment)
    booking_services.expire_payment_holds(timezone.now() + timedelta(minutes=16))
    booking_services.book_session(learner=make_user(), session=session)  # someone else takes the seat
    fields = sandbox_pay(client, payment)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/payments/callback/{payment.receipt}/", fields)
    payment.refresh_from_db()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED
    assert payment.status == PaymentStatus.REFUNDED
    assert (LedgerEntry.objects.filter(transaction__payment=payment).count()) > 0
    assert list(ledger.unbalanced_transactions()) == []
    # The learner is told the truth: paid, but refunded, not "you're booked" (issue 14 #11).
    client.force_login(learner)
    page = client.get(f"/dashboard/learner/payments/{payment.receipt}/?paid=1").content.decode()
    assert "a full refund is on its way" in page and "you&#x27;re booked" not in page


def test_payment_pages_three_actors(client):
    owner, booking, payment = paid_checkout()
    outsider = make_user()
    mentor = booking.session.mentor
    client.post(f"/payments/callback/{payment.receipt}/", sandbox_pay(client, payment))
    client.force_login(owner)
    page = client.get(f"/dashboard/learner/payments/{payment.receipt}/")
    assert page.status_code == 200 and payment.receipt in page.content.decode()
    listing = client.get("/dashboard/learner/payments/").content.decode()
    assert booking.session.title in listing and "Paid" in listing
    client.force_login(outsider)
    assert client.get(f"/dashboard/learner/payments/{payment.receipt}/").status_code == 404
    assert client.get(f"/payments/checkout/{payment.receipt}/").status_code == 404
    client.force_login(mentor)
    assert client.get(f"/dashboard/learner/payments/{payment.receipt}/").status_code == 302


def test_payment_status_never_goes_back():
    _, _, payment = paid_checkout()
    services.record_payment_success(
        gateway_order_id=payment.gateway_order_id, gateway_payment_id="pay_1", source="test"
    )
    services.record_payment_failure(
        gateway_order_id=payment.gateway_order_id,
        gateway_payment_id="pay_2",
        code="X",
        description="late failure",
        source="test",
    )
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID
    with pytest.raises(services.InvalidTransition):
        services.transition_payment(payment, PaymentStatus.FAILED)
    assert Payment.objects.get(pk=payment.pk).attempts.count() == 2


def test_partial_refund_by_amount_then_the_rest(client):
    _, booking, payment = paid_checkout(price=10_001)
    client.post(f"/payments/callback/{payment.receipt}/", sandbox_pay(client, payment))
    item = payment.items.get()
    first = services.request_refund(item=item, percent=0, reason="admin partial", amount_paise=3_333)
    assert first is not None and first.status == RefundStatus.PROCESSED
    rest = services.request_refund(item=item, percent=100, reason="rest")
    assert rest is not None and rest.amount_paise == 10_001 - 3_333
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED and payment.refunded_paise == 10_001
    # Every split reversed exactly: nothing left owed to anyone for this booking.
    assert ledger.mentor_balances(booking.session.mentor_id) == {"pending": 0, "available": 0}
    assert ledger.credit_balance(ledger.platform_revenue()) == 0
    assert services.request_refund(item=item, percent=100, reason="again") is None


def test_learner_is_told_of_the_failure_then_the_confirmation_after_commit(client, django_capture_on_commit_callbacks):
    from apps.notifications.models import Notification, NotificationType

    learner, booking, payment = paid_checkout()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/payments/callback/{payment.receipt}/", sandbox_pay(client, payment, "failure"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/payments/callback/{payment.receipt}/", sandbox_pay(client, payment, "success"))
    told = list(Notification.objects.filter(user=learner).order_by("pk").values_list("type", "reference"))
    assert told == [
        (NotificationType.PAYMENT_FAILED, f"payment:{payment.pk}"),
        (NotificationType.BOOKING_CONFIRMED, f"booking:{booking.pk}"),
    ]


def test_mentor_earnings_page(client):
    from apps.accounts.models import Role
    from apps.payments.earnings import release_matured_earnings

    _, booking, payment = paid_checkout(price=10_000)
    client.post(f"/payments/callback/{payment.receipt}/", sandbox_pay(client, payment))
    mentor = booking.session.mentor
    client.force_login(mentor)
    html = client.get("/dashboard/mentor/earnings/").content.decode()
    assert 'data-testid="pending">₹85<' in html and 'data-testid="available">₹0<' in html and "Booking paid" in html
    release_matured_earnings(booking.session.end + timedelta(hours=25))
    html = client.get("/dashboard/mentor/earnings/").content.decode()
    assert 'data-testid="available">₹85<' in html and "Released after the dispute window" in html
    client.force_login(make_user())
    assert client.get("/dashboard/mentor/earnings/").status_code == 302
    other = make_user(Role.MENTOR)
    client.force_login(other)
    assert 'data-testid="available">₹0<' in client.get("/dashboard/mentor/earnings/").content.decode()
