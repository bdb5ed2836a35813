"""Tips (SPEC §5): ₹10 to ₹10,000 with a message, the same order → Checkout → callback/webhook path
and platform fee as bookings; the mentor is told and sees it in earnings; the learner on the
payments page and the receipt."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from apps.accounts.models import Role
from apps.bookings.models import Booking, BookingStatus
from apps.catalog.tests.factories import make_session, make_user
from apps.notifications.models import Notification, NotificationType
from apps.payments import ledger, selectors
from apps.payments.earnings import release_matured_earnings
from apps.payments.models import LedgerTransaction, Tip
from apps.payments.tests.helpers import post_webhook, sandbox_pay

pytestmark = pytest.mark.django_db


def scene():  # type: ignore[no-untyped-def]
    session = make_session(price_paise=0)
    learner = make_user(Role.LEARNER, name="Aarav Patel")
    Booking.objects.create(session=session, learner=learner, status=BookingStatus.COMPLETED)
    return session, learner


@pytest.mark.parametrize(
    ("amount", "message"),
    [("5", "between ₹10 and ₹10,000"), ("10000.01", "between ₹10 and ₹10,000"), ("fifty", "Enter an amount in rupees")],
)
def test_bad_amounts_are_explained_and_kept(client, amount, message) -> None:  # type: ignore[no-untyped-def]
    session, learner = scene()
    client.force_login(learner)
    r = client.post(f"/dashboard/learner/tip/{session.pk}/", {"amount": amount, "message": "Thanks!"})
    html = r.content.decode()
    assert r.status_code == 400 and message in html and 'id="id_amount_error"' in html
    assert f'value="{amount}"' in html and "Thanks!" in html
    assert not Tip.objects.exists()


def test_only_a_learner_who_booked_can_tip(client) -> None:  # type: ignore[no-untyped-def]
    session, _learner = scene()
    client.force_login(make_user(Role.LEARNER))
    assert client.get(f"/dashboard/learner/tip/{session.pk}/").status_code == 404
    assert client.post(f"/dashboard/learner/tip/{session.pk}/", {"amount": "50"}).status_code == 404
    assert not Tip.objects.exists()


def test_tip_paid_through_checkout_splits_like_a_booking_and_tells_the_mentor(client) -> None:  # type: ignore[no-untyped-def]
    session, learner = scene()
    client.force_login(learner)
    assert "Send a tip" in client.get("/dashboard/learner/bookings/").content.decode()
    r = client.post(f"/dashboard/learner/tip/{session.pk}/", {"amount": "50", "message": "Loved the examples"})
    tip = Tip.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/payments/checkout/{tip.payment.receipt}/"
    html = client.get(r["Location"]).content.decode()
    assert 'data-testid="tip-line"' in html and "Loved the examples" in html and "₹50" in html
    payment = tip.payment
    payment.refresh_from_db()
    fields = sandbox_pay(client, payment)
    r = client.post(f"/payments/callback/{payment.receipt}/", fields)
    r = client.get(r["Location"])
    assert "Your tip reached" in r.content.decode()
    # The webhook arriving too changes nothing more.
    from apps.payments.tests.helpers import webhook_body

    payment.refresh_from_db()
    post_webhook(client, webhook_body("payment.captured", payment, payment.gateway_payment_id))
    assert LedgerTransaction.objects.filter(kind="tip").count() == 1
    mentor = session.mentor
    assert selectors.mentor_balances(mentor)["pending"] == 4_250  # 85% of ₹50
    assert ledger.credit_balance(ledger.platform_revenue()) >= 750
    note = Notification.objects.get(user=mentor, type=NotificationType.TIP_RECEIVED)
    assert note.title == "Aarav Patel sent you a ₹50 tip" and note.message == "Loved the examples"
    assert "Tip" in client.get("/dashboard/learner/payments/").content.decode()

    client.force_login(mentor)
    rows = client.get("/dashboard/mentor/earnings/").context["rows"]
    assert [(r["kind"], r["gross"], r["fee"], r["net"], r["message"]) for r in rows] == [
        ("tip", 5_000, 750, 4_250, "Loved the examples")
    ]
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        assert release_matured_earnings() == 1
    assert selectors.mentor_balances(mentor)["available"] == 4_250
    assert list(ledger.unbalanced_transactions()) == []


def test_the_mentor_in_the_room_gets_the_tip_as_a_toast(client, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    """The room's socket relays a ``tip`` message (room.js shows it to the mentor only)."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from apps.catalog.models import room_group_name
    from apps.workflows import tips

    session, learner = scene()
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(room_group_name(session.room_code), channel)
    tip = tips.start_tip(learner=learner, session=session, amount_paise=5_000, message="Thank you!")
    from apps.payments import services

    payment = services.ensure_order(tip.payment)
    fields = sandbox_pay(client, payment)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/payments/callback/{payment.receipt}/", fields)
    event = async_to_sync(layer.receive)(channel)
    assert event["type"] == "room.relay"
    assert event["message"] == {"type": "tip", "text": "Aarav Patel sent you a ₹50 tip: “Thank you!”"}


def test_a_released_tip_does_not_block_later_booking_releases(client) -> None:  # type: ignore[no-untyped-def]
    """Regression: a tip's release has no booking; the booking releases that follow still happen."""
    from apps.payments import services
    from apps.payments.tests.helpers import paid_checkout
    from apps.workflows import tips

    session, learner = scene()
    tip = tips.start_tip(learner=learner, session=session, amount_paise=5_000)
    payment = services.ensure_order(tip.payment)
    client.post(f"/payments/callback/{payment.receipt}/", sandbox_pay(client, payment))
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        assert release_matured_earnings() == 1  # the tip
    _, booking, paid = paid_checkout(price=10_000, mentor=session.mentor, start=session.start + timedelta(days=2))
    client.post(f"/payments/callback/{paid.receipt}/", sandbox_pay(client, paid))
    assert release_matured_earnings(booking.session.end + timedelta(hours=25)) == 1  # the booking
    assert selectors.mentor_balances(session.mentor)["available"] == 4_250 + 8_500
