"""Inputs that used to answer 500 (issue 14, item 9) now get a clear 4xx or a normal page."""

from __future__ import annotations

import json
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client

from apps.accounts.models import Role
from apps.catalog.tests.factories import make_domain, make_user
from apps.core.signing import signatures_match
from apps.payments import services as payments
from apps.payments.tests.helpers import paid_checkout
from apps.payments_sandbox.webhooks import webhook_signature
from peerlearn.asgi import application

pytestmark = pytest.mark.django_db

HUGE_ID = "1" * 30


@pytest.fixture
def client() -> Client:
    c = Client()
    c.raise_request_exception = False  # a 500 is asserted on, not raised
    return c


@pytest.mark.parametrize(
    "url",
    [
        "/sessions/?to=9999-12-31",
        "/sessions/?from=9999-12-31&to=9999-12-31",
        "/mentors/?rating=nan",
        "/mentors/?rating=inf",
        "/mentors/?rating=1e309",
        "/mentors/?rating=-3",
    ],
)
def test_catalogue_filters_never_crash(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert "Sessions" in response.content.decode() or "Mentors" in response.content.decode()


@pytest.mark.parametrize("price", ["sNaN", "NaN", "Infinity", "-Infinity"])
def test_session_form_refuses_non_numbers_as_prices(client: Client, price: str) -> None:
    mentor = make_user(Role.MENTOR)
    client.force_login(mentor)
    data = {
        "title": "Kept title",
        "description": "Kept description",
        "domain": str(make_domain().pk),
        "start": "2031-01-01T10:00",
        "duration_minutes": "60",
        "price_rupees": price,
        "capacity": "1",
        "language": "English",
    }
    response = client.post("/dashboard/mentor/sessions/new/", data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter a price in rupees" in body and "Kept title" in body  # the error, and nothing lost


def test_thirty_digit_ids_are_invalid_choices_not_crashes(client: Client) -> None:
    mentor = make_user(Role.MENTOR)
    client.force_login(mentor)
    response = client.post(
        "/dashboard/mentor/sessions/new/",
        {"title": "T", "description": "D", "domain": HUGE_ID, "start": "2031-01-01T10:00", "duration_minutes": "60"},
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    response = client.post("/profile/settings/", {"full_name": "Mentor", "domains": [HUGE_ID]})
    assert response.status_code in (200, 302)
    assert response.status_code != 500


def test_non_ascii_signatures_are_refused_not_crashes(client: Client) -> None:
    assert signatures_match("ab", "é") is False
    response = client.post(
        "/payments/webhook/razorpay/",
        data=b"{}",
        content_type="application/json",
        headers={"X-Razorpay-Signature": "é"},
    )
    assert response.status_code == 400
    learner, _booking, payment = paid_checkout()
    client.force_login(learner)
    response = client.post(
        f"/payments/callback/{payment.receipt}/",
        {"razorpay_payment_id": "pay_x", "razorpay_order_id": payment.gateway_order_id, "razorpay_signature": "ü" * 64},
    )
    assert response.status_code in (302, 400)


@pytest.mark.parametrize("metadata", ["1", "[]", "null", '"text"'])
def test_callback_error_metadata_that_is_not_an_object(client: Client, metadata: str) -> None:
    learner, _booking, payment = paid_checkout()
    client.force_login(learner)
    response = client.post(
        f"/payments/callback/{payment.receipt}/",
        {"error[code]": "BAD_REQUEST_ERROR", "error[description]": "x", "error[metadata]": metadata},
    )
    assert response.status_code == 302


@pytest.mark.parametrize("inner", ["a string", ["a", "list"], {"payment": "no entity"}, {"payment": {"entity": 3}}])
def test_signed_webhook_with_odd_payload_shapes(client: Client, inner: Any) -> None:
    body = json.dumps({"event": "payment.captured", "payload": inner}).encode()
    response = client.post(
        "/payments/webhook/razorpay/",
        data=body,
        content_type="application/json",
        headers={"X-Razorpay-Signature": webhook_signature(body), "X-Razorpay-Event-Id": f"evt_{abs(hash(body))}"},
    )
    assert response.status_code == 200
    assert payments.Payment.objects.filter(status="paid").count() == 0


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_websocket_path_with_no_route_is_closed_not_a_server_error() -> None:
    communicator = WebsocketCommunicator(
        application, "/ws/nowhere/at/all/", headers=[(b"origin", b"http://127.0.0.1:8000"), (b"host", b"127.0.0.1")]
    )
    connected, code = await communicator.connect()
    assert connected is False and code == 4404
    await communicator.disconnect()


@pytest.mark.parametrize(("amount", "currency"), [(1, "INR"), (None, "INR"), (100_000, "USD"), ("100000", "INR")])
def test_a_signed_capture_of_another_amount_confirms_nothing(client: Client, amount: Any, currency: str) -> None:
    """Issue 14 #10: a validly signed payment.captured for 1 paisa must not confirm a ₹1,000 booking."""
    from apps.bookings.models import BookingStatus

    _learner, booking, payment = paid_checkout(price=100_000)
    entity = {"id": "pay_small", "order_id": payment.gateway_order_id, "currency": currency, "status": "captured"}
    if amount is not None:
        entity["amount"] = amount
    body = json.dumps({"event": "payment.captured", "payload": {"payment": {"entity": entity}}}).encode()
    response = client.post(
        "/payments/webhook/razorpay/",
        data=body,
        content_type="application/json",
        headers={
            "X-Razorpay-Signature": webhook_signature(body),
            "X-Razorpay-Event-Id": f"evt_amt_{amount}_{currency}",
        },
    )
    assert response.status_code == 200
    payment.refresh_from_db()
    booking.refresh_from_db()
    # A missing amount is no proof either: nothing is confirmed.
    assert payment.status == "created" and booking.status == BookingStatus.PENDING_PAYMENT


@pytest.mark.parametrize("body", ["half \ud800 a pair", "nul \x00 byte"])
def test_room_protocol_refuses_text_that_is_not_storable(body: str) -> None:
    from apps.rooms.protocol import InvalidMessage, validate

    with pytest.raises(InvalidMessage):
        validate({"type": "chat", "body": body})
    assert validate({"type": "chat", "body": "नमस्ते 👋"})["body"] == "नमस्ते 👋"


def test_signed_in_pages_are_private_and_not_stored(client: Client) -> None:
    learner = make_user()
    client.force_login(learner)
    response = client.get("/dashboard/learner/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    anonymous = Client().get("/")
    assert "no-store" not in anonymous.get("Cache-Control", "")


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("get", "/sessions/?q=py%00thon", None),
        ("get", "/mentors/?q%00=x", None),
        ("post", "/register/learner/", {"action": "next", "full_name": "Asha\x00", "email": "nul@example.in"}),
        ("post", "/login/", {"login": "nul@example.in\x00", "password": "x"}),
    ],
)
def test_a_nul_character_anywhere_in_the_input_is_a_clear_400(client: Client, method: str, url: str, data: Any) -> None:
    response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()
    assert client.session.get("registration:learner") is None  # nothing of it was kept


def test_ordinary_text_still_passes_the_nul_check(client: Client) -> None:
    assert client.get("/sessions/?q=नमस्ते").status_code == 200
