"""Money out (issue 9): payout details, withdrawals, RazorpayX payouts in the sandbox, webhooks."""

from __future__ import annotations

import pytest
from django.core import mail

from apps.accounts.models import Role
from apps.audit.models import AuditEntry
from apps.catalog.tests.factories import make_user
from apps.dashboards.tests.test_dashboards import sign_in_confirmed
from apps.notifications.models import Notification, NotificationType
from apps.payments import ledger, payouts, selectors
from apps.payments.models import LedgerTransaction, PayoutAccount, Withdrawal
from apps.payments.tests.helpers import post_webhook
from apps.payments.tests.money import mentor_with_balance, payout_event
from apps.payments_sandbox import api as sandbox
from apps.workflows import payouts as flows

pytestmark = pytest.mark.django_db

URL = "/dashboard/mentor/withdrawals/"
DETAILS = "/dashboard/mentor/payout-details/"


def balances(mentor) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return selectors.mentor_balances(mentor)


def assert_ledger_balanced() -> None:
    assert list(ledger.unbalanced_transactions()) == []


# --- payout details ---------------------------------------------------------------------------


def test_payout_details_saved_masked_and_audited(client) -> None:  # type: ignore[no-untyped-def]
    mentor = mentor_with_balance(0, upi="")
    client.force_login(mentor)
    r = client.post(DETAILS, {"method": "upi", "upi_id": "ravi.kumar@okicici", "password": "mentor-pass-123"})
    assert r.status_code == 302
    html = client.get(DETAILS).content.decode()
    assert "ra••••••••@okicici" in html and "ravi.kumar@okicici" not in html
    r = client.post(
        DETAILS,
        {
            "method": "bank",
            "holder_name": "Ravi Kumar",
            "bank_account": "0012 3456 7890",
            "ifsc": "hdfc0001234",
            "password": "mentor-pass-123",
        },
    )
    assert r.status_code == 302
    account = PayoutAccount.objects.get(mentor=mentor)
    assert (account.method, account.bank_account, account.ifsc) == ("bank", "001234567890", "HDFC0001234")
    html = client.get(DETAILS).content.decode()
    assert "A/c ••••••••7890 · HDFC0001234" in html and "001234567890" not in html
    entries = list(AuditEntry.objects.filter(action="payout_account.change").order_by("id"))
    assert len(entries) == 2 and all(e.actor_id == mentor.pk for e in entries)
    assert entries[1].before == {"payout_account": "UPI ra••••••••@okicici"}
    assert entries[1].after == {"payout_account": "A/c ••••••••7890 · HDFC0001234"}
    assert "001234567890" not in str(entries[1].after) and "ravi.kumar" not in str(entries[1].before)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"method": "upi", "upi_id": "ravi kumar@okicici"}, "upi_id", "Enter a UPI ID like"),
        ({"method": "upi", "upi_id": "ravi@"}, "upi_id", "Enter a UPI ID like"),
        (
            {"method": "bank", "holder_name": "Ravi Kumar", "bank_account": "12345", "ifsc": "HDFC0001234"},
            "bank_account",
            "9 to 18 digits",
        ),
        (
            {"method": "bank", "holder_name": "Ravi Kumar", "bank_account": "123456789012", "ifsc": "HDFC1234567"},
            "ifsc",
            "Enter an IFSC like",
        ),
        (
            {"method": "bank", "holder_name": "Ravi Kumar", "bank_account": "123456789012", "ifsc": "HDF0"},
            "ifsc",
            "Enter an IFSC like",
        ),
    ],
)
def test_payout_details_bad_input_is_explained_next_to_the_field(client, data, field, message) -> None:  # type: ignore[no-untyped-def]
    mentor = mentor_with_balance(0, upi="")
    client.force_login(mentor)
    r = client.post(DETAILS, {**data, "password": "mentor-pass-123"})
    assert r.status_code == 400
    form = r.context["form"]
    assert any(message in e for e in form.errors[field])
    html = r.content.decode()
    assert f'id="id_{field}_error"' in html  # the message sits under its field
    typed = data[field]
    assert f'value="{typed}"' in html  # what was typed is kept
    assert not PayoutAccount.objects.filter(mentor=mentor).exists()


def test_payout_details_need_the_password(client) -> None:  # type: ignore[no-untyped-def]
    mentor = mentor_with_balance(0)
    client.force_login(mentor)
    r = client.post(DETAILS, {"method": "upi", "upi_id": "someone.else@okaxis", "password": "wrong"})
    assert r.status_code == 400 and "That is not your password." in r.content.decode()
    assert PayoutAccount.objects.get(mentor=mentor).upi_id == "ravi.kumar@okicici"
    assert AuditEntry.objects.filter(action="payout_account.change").count() == 1  # only the setup


def test_payout_details_are_mentors_only(client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_user(Role.LEARNER))
    assert client.get(DETAILS).status_code in (302, 403)


# --- requesting, cancelling -------------------------------------------------------------------


def test_request_reserves_the_amount_and_cancel_returns_it_once(client) -> None:  # type: ignore[no-untyped-def]
    mentor = mentor_with_balance(200_000)
    client.force_login(mentor)
    r = client.post(URL, {"amount": "600"})
    assert r.status_code == 302
    w = Withdrawal.objects.get(mentor=mentor)
    assert (w.amount_paise, w.status, w.destination, w.mode) == (60_000, "requested", "UPI ra••••••••@okicici", "UPI")
    assert balances(mentor) == {"pending": 0, "available": 140_000, "reserved": 60_000, "withdrawn": 0}
    html = client.get(URL).content.decode()
    assert 'data-status="requested"' in html and "₹1,400" in html
    assert client.post(f"{URL}{w.pk}/cancel/").status_code == 302
    assert client.post(f"{URL}{w.pk}/cancel/").status_code == 302  # a second click changes nothing
    w.refresh_from_db()
    assert w.status == "cancelled"
    assert balances(mentor) == {"pending": 0, "available": 200_000, "reserved": 0, "withdrawn": 0}
    assert LedgerTransaction.objects.filter(withdrawal=w, kind="withdrawal_release").count() == 1
    assert_ledger_balanced()


def test_an_outsider_cannot_cancel_someone_elses_withdrawal(client) -> None:  # type: ignore[no-untyped-def]
    owner = mentor_with_balance()
    w = flows.request_withdrawal(mentor=owner, amount_paise=50_000)
    client.force_login(mentor_with_balance())
    assert client.post(f"{URL}{w.pk}/cancel/").status_code == 404
    w.refresh_from_db()
    assert w.status == "requested"


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("499.99", "The minimum withdrawal is ₹500."),
        ("2500", "more than your available balance of ₹2,000."),
        ("six hundred", "Enter an amount in rupees"),
        ("600.505", "at most two decimals"),
        ("NaN", "Enter an amount in rupees"),
        ("", "This field is required."),
    ],
)
def test_withdrawal_form_bad_input(client, amount, message) -> None:  # type: ignore[no-untyped-def]
    mentor = mentor_with_balance(200_000)
    client.force_login(mentor)
    r = client.post(URL, {"amount": amount})
    assert r.status_code == 400
    html = r.content.decode()
    assert message in html and 'id="id_amount_error"' in html
    if amount:
        assert f'value="{amount}"' in html
    assert not Withdrawal.objects.exists()
    assert balances(mentor)["available"] == 200_000


def test_service_refuses_overdraw_and_minimum() -> None:
    mentor = mentor_with_balance(120_000)
    flows.request_withdrawal(mentor=mentor, amount_paise=100_000)
    with pytest.raises(payouts.WithdrawalError, match="more than your available balance of ₹200"):
        flows.request_withdrawal(mentor=mentor, amount_paise=50_000)
    with pytest.raises(payouts.WithdrawalError, match="minimum"):
        flows.request_withdrawal(mentor=mentor, amount_paise=49_999)
    assert Withdrawal.objects.filter(mentor=mentor).count() == 1
    assert balances(mentor)["available"] == 20_000


def test_no_payout_details_no_withdrawal(client) -> None:  # type: ignore[no-untyped-def]
    mentor = mentor_with_balance(100_000, upi="")
    client.force_login(mentor)
    assert "Add payout details" in client.get(URL).content.decode()
    with pytest.raises(payouts.WithdrawalError, match="payout details"):
        flows.request_withdrawal(mentor=mentor, amount_paise=60_000)


# --- admin: approve (payout), reject, audit, notifications ------------------------------------


def admin():  # type: ignore[no-untyped-def]
    from apps.dashboards.tests.test_dashboards import admin_with_totp

    return admin_with_totp()


def test_approve_pays_out_through_the_sandbox_and_the_webhook_marks_it_paid(
    client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    mentor = mentor_with_balance(200_000)
    w = flows.request_withdrawal(mentor=mentor, amount_paise=60_000)
    boss = admin()
    # Moving money needs a recent confirmation: a stale session is sent to confirm, nothing moves.
    client.force_login(boss)
    r = client.post(f"/dashboard/admin/withdrawals/{w.pk}/approve/", {"confirm": "on"})
    assert r.status_code == 302 and r["Location"].startswith("/accounts/reauthenticate/")
    w.refresh_from_db()
    assert w.status == "requested" and not w.gateway_payout_id
    sign_in_confirmed(client, boss)
    r = client.post(f"/dashboard/admin/withdrawals/{w.pk}/approve/", {"confirm": "on"})
    assert r.status_code == 302 and r["Location"].startswith("/dashboard/admin/withdrawals/")
    w.refresh_from_db()
    assert w.status == "approved" and w.gateway_payout_id and w.gateway_status == "processing"
    payout = sandbox.fetch_payout(w.gateway_payout_id)
    assert (payout["amount"], payout["mode"], payout["notes"]["withdrawal_id"]) == (60_000, "UPI", str(w.pk))
    assert AuditEntry.objects.filter(action="withdrawal.approve", object_id=str(w.pk), actor=boss).count() == 1
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sandbox.settle_payout(w.gateway_payout_id, "processed")  # the tester's choice → signed webhook
    w.refresh_from_db()
    assert w.status == "paid" and w.utr.startswith("SBX") and w.closed_at
    assert balances(mentor) == {"pending": 0, "available": 140_000, "reserved": 0, "withdrawn": 60_000}
    note = Notification.objects.filter(user=mentor, type=NotificationType.WITHDRAWAL_UPDATE).latest("id")
    assert note.title == "Withdrawal paid" and "₹600" in note.message
    assert [m.to for m in mail.outbox] == [[mentor.email]]
    assert_ledger_balanced()


def test_approve_needs_the_confirmation_and_admins_only(client) -> None:  # type: ignore[no-untyped-def]
    mentor = mentor_with_balance()
    w = flows.request_withdrawal(mentor=mentor, amount_paise=60_000)
    client.force_login(admin())
    client.post(f"/dashboard/admin/withdrawals/{w.pk}/approve/", {})
    w.refresh_from_db()
    assert w.status == "requested"
    for user in (mentor, make_user(Role.LEARNER)):
        client.force_login(user)
        client.post(f"/dashboard/admin/withdrawals/{w.pk}/approve/", {"confirm": "on"})
        assert client.get("/dashboard/admin/withdrawals/").status_code in (302, 403)
    w.refresh_from_db()
    assert w.status == "requested"


def test_reject_with_a_reason_returns_the_money_once_and_tells_the_mentor(client) -> None:  # type: ignore[no-untyped-def]
    mentor = mentor_with_balance(200_000)
    w = flows.request_withdrawal(mentor=mentor, amount_paise=70_000)
    boss = admin()
    client.force_login(boss)
    client.post(f"/dashboard/admin/withdrawals/{w.pk}/reject/", {"reason": ""})
    w.refresh_from_db()
    assert w.status == "requested"
    client.post(f"/dashboard/admin/withdrawals/{w.pk}/reject/", {"reason": "Bank details look wrong"})
    client.post(f"/dashboard/admin/withdrawals/{w.pk}/reject/", {"reason": "again"})
    w.refresh_from_db()
    assert (w.status, w.reason, w.decided_by_id) == ("rejected", "Bank details look wrong", boss.pk)
    assert balances(mentor) == {"pending": 0, "available": 200_000, "reserved": 0, "withdrawn": 0}
    entry = AuditEntry.objects.get(action="withdrawal.reject")
    assert entry.reason == "Bank details look wrong" and entry.actor_id == boss.pk
    note = Notification.objects.get(user=mentor, type=NotificationType.WITHDRAWAL_UPDATE)
    assert "Bank details look wrong" in note.message
    client.force_login(mentor)
    html = client.get(URL).content.decode()
    assert 'data-status="rejected"' in html and "Bank details look wrong" in html


def test_gateway_down_keeps_it_approved_and_retry_uses_the_same_key(client) -> None:  # type: ignore[no-untyped-def]
    from apps.payments import gateway as gw

    class Down(gw.SandboxGateway):
        def create_payout(self, **kwargs):  # type: ignore[no-untyped-def]
            raise gw.GatewayError("gateway unreachable: ConnectTimeout")

    mentor = mentor_with_balance()
    w = flows.request_withdrawal(mentor=mentor, amount_paise=60_000)
    boss = admin()
    gw.set_gateway_for_tests(Down())
    try:
        w = flows.approve_withdrawal(withdrawal_id=w.pk, admin=boss)
    finally:
        gw.set_gateway_for_tests(None)
    assert w.status == "approved" and not w.gateway_payout_id and "unreachable" in w.last_error
    sign_in_confirmed(client, boss)
    html = client.get("/dashboard/admin/withdrawals/?status=approved").content.decode()
    assert "Retry payout" in html and "unreachable" in html
    client.post(f"/dashboard/admin/withdrawals/{w.pk}/retry/")
    w.refresh_from_db()
    assert w.gateway_payout_id and not w.last_error
    assert AuditEntry.objects.filter(action="withdrawal.retry", object_id=str(w.pk)).count() == 1
    # The same idempotency key returns the same payout; a second payout is never made.
    again = sandbox.create_payout(
        {
            "account_number": sandbox.SANDBOX_ACCOUNT_NUMBER,
            "fund_account_id": PayoutAccount.objects.get(mentor=mentor).gateway_fund_account_id,
            "amount": 60_000,
            "currency": "INR",
            "mode": "UPI",
            "purpose": "payout",
        },
        w.idempotency_key,
    )
    assert again["id"] == w.gateway_payout_id
    with pytest.raises(sandbox.SandboxError, match="Different request body"):
        sandbox.create_payout({"amount": 70_000}, w.idempotency_key)


# --- webhooks ---------------------------------------------------------------------------------


def approved(amount: int = 60_000, balance: int = 200_000):  # type: ignore[no-untyped-def]
    mentor = mentor_with_balance(balance)
    w = flows.request_withdrawal(mentor=mentor, amount_paise=amount)
    w = flows.approve_withdrawal(withdrawal_id=w.pk, admin=admin())
    return mentor, w


def test_bad_signature_is_refused_and_changes_nothing(client) -> None:  # type: ignore[no-untyped-def]
    mentor, w = approved()
    r = post_webhook(client, payout_event("payout.processed", w), signature="0" * 64)
    assert r.status_code == 400
    w.refresh_from_db()
    assert w.status == "approved"
    assert balances(mentor)["reserved"] == 60_000


def test_the_same_event_three_times_has_one_effect(client) -> None:  # type: ignore[no-untyped-def]
    mentor, w = approved()
    body = payout_event("payout.processed", w)
    for _ in range(3):
        assert post_webhook(client, body, event_id="evt_same").status_code == 200
    # And the same news under new event ids is still one effect.
    for _ in range(2):
        assert post_webhook(client, body).status_code == 200
    w.refresh_from_db()
    assert w.status == "paid"
    assert LedgerTransaction.objects.filter(withdrawal=w, kind="payout").count() == 1
    assert balances(mentor) == {"pending": 0, "available": 140_000, "reserved": 0, "withdrawn": 60_000}
    assert Notification.objects.filter(user=mentor, title="Withdrawal paid").count() == 1


def test_failed_payout_returns_the_money_exactly_once(client) -> None:  # type: ignore[no-untyped-def]
    mentor, w = approved()
    body = payout_event("payout.failed", w, status_details={"description": "Beneficiary bank offline"})
    for _ in range(3):
        post_webhook(client, body)
    post_webhook(client, payout_event("payout.processed", w))  # late and contradictory: ignored
    w.refresh_from_db()
    assert (w.status, w.reason) == ("failed", "Beneficiary bank offline")
    assert balances(mentor) == {"pending": 0, "available": 200_000, "reserved": 0, "withdrawn": 0}
    assert LedgerTransaction.objects.filter(withdrawal=w, kind="withdrawal_release").count() == 1
    assert_ledger_balanced()


@pytest.mark.parametrize("order", [("processed", "reversed"), ("reversed", "processed")])
def test_reversal_returns_the_money_once_whatever_the_order(client, order) -> None:  # type: ignore[no-untyped-def]
    mentor, w = approved()
    for event in order:
        for _ in range(2):
            post_webhook(client, payout_event(f"payout.{event}", w))
    w.refresh_from_db()
    assert (w.status, w.reversed) == ("failed", True)
    assert balances(mentor) == {"pending": 0, "available": 200_000, "reserved": 0, "withdrawn": 0}
    kinds = sorted(LedgerTransaction.objects.filter(withdrawal=w).values_list("kind", flat=True))
    assert kinds == ["payout", "payout_reversal", "withdrawal_reserve"]
    assert_ledger_balanced()


def test_sandbox_tester_page_chooses_the_outcome(client, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    mentor, w = approved()
    html = client.get("/sandbox/razorpayx/payouts/").content.decode()
    assert w.gateway_payout_id in html and "Mark processed" in html
    for outcome in ("processed", "reversed"):
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/sandbox/razorpayx/payouts/", {"payout_id": w.gateway_payout_id, "outcome": outcome})
    r = client.post("/sandbox/razorpayx/payouts/", {"payout_id": w.gateway_payout_id, "outcome": "processed"})
    assert r.status_code == 400 and "cannot become processed" in r.content.decode()
    w.refresh_from_db()
    assert w.status == "failed" and w.reversed
    assert balances(mentor)["available"] == 200_000


def test_payout_for_an_amount_we_did_not_ask_is_ignored(client) -> None:  # type: ignore[no-untyped-def]
    _mentor, w = approved()
    post_webhook(client, payout_event("payout.processed", w, amount=99_999))
    w.refresh_from_db()
    assert w.status == "approved"


def test_reconciliation_applies_a_missed_webhook(settings) -> None:  # type: ignore[no-untyped-def]
    import time_machine
    from django.utils import timezone

    settings.PAYMENTS_SANDBOX_WEBHOOKS = False  # the webhook is lost
    _mentor, w = approved()
    sandbox.settle_payout(w.gateway_payout_id, "processed")
    w.refresh_from_db()
    assert w.status == "approved"
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=5)):
        counts = payouts.reconcile_payouts()
    w.refresh_from_db()
    assert counts["payouts_checked"] == 1 and w.status == "paid"


def test_refund_after_withdrawal_is_absorbed_not_overdrawn(client, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    """A refund of an earning the mentor has already reserved for a withdrawal never drives a
    balance negative: the platform absorbs that part (account ``refund_absorbed``)."""
    from datetime import timedelta

    from apps.payments import services
    from apps.payments.earnings import release_matured_earnings
    from apps.payments.tests.helpers import paid_checkout, sandbox_pay

    _, booking, payment = paid_checkout(price=100_000)
    client.post(f"/payments/callback/{payment.receipt}/", sandbox_pay(client, payment))
    release_matured_earnings(booking.session.end + timedelta(hours=25))
    mentor = booking.session.mentor
    payouts.save_payout_account(mentor=mentor, method="upi", upi_id="m.one@okaxis")
    flows.request_withdrawal(mentor=mentor, amount_paise=85_000)
    with django_capture_on_commit_callbacks(execute=True):
        refund = services.request_refund(item=payment.items.get(), percent=100, reason="goodwill")
    assert refund is not None and refund.status == "processed"
    assert balances(mentor) == {"pending": 0, "available": 0, "reserved": 85_000, "withdrawn": 0}
    assert ledger.credit_balance(ledger.mentor_available(mentor.pk)) == 0
    assert ledger.balance(ledger.refund_absorbed()) == 85_000
    assert_ledger_balanced()


def test_payout_details_cannot_change_while_a_withdrawal_is_in_progress(client) -> None:  # type: ignore[no-untyped-def]
    mentor = mentor_with_balance()
    w = flows.request_withdrawal(mentor=mentor, amount_paise=60_000)
    client.force_login(mentor)
    r = client.post(DETAILS, {"method": "upi", "upi_id": "new.id@okaxis", "password": "mentor-pass-123"})
    assert r.status_code == 400 and "A withdrawal is in progress" in r.content.decode()
    assert PayoutAccount.objects.get(mentor=mentor).upi_id == "ravi.kumar@okicici"
    flows.cancel_withdrawal(mentor=mentor, withdrawal_id=w.pk)
    r = client.post(DETAILS, {"method": "upi", "upi_id": "new.id@okaxis", "password": "mentor-pass-123"})
    assert r.status_code == 302 and PayoutAccount.objects.get(mentor=mentor).upi_id == "new.id@okaxis"
