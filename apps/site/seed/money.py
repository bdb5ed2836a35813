"""Demo money history (issue 9): a mentor who has taught paid sessions over the last five weeks
and received two tips, with available and pending earnings, saved UPI payout details, one withdrawal paid, one rejected
with a reason and one waiting in the admin queue; a second mentor paid to a bank account with a
payout that failed and came back. Everything goes through the real services and flows (booking,
sandbox Checkout, completion, release after the dispute window, withdrawals, admin decisions,
RazorpayX payouts in the sandbox), with the clock moved back by time_machine. Runs once: a second
``seed_demo`` adds nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import time_machine
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.catalog.models import Session
from apps.payments import payouts
from apps.payments import services as payments
from apps.payments.earnings import release_matured_earnings
from apps.payments.models import Payment, PayoutAccount
from apps.payments_sandbox import api as sandbox_api
from apps.payments_sandbox.models import SandboxOrder
from apps.taxonomy.models import Domain
from apps.workflows import payouts as payout_flows
from apps.workflows.booking import book_and_pay
from apps.workflows.sessions import complete_session
from apps.workflows.tips import start_tip

DOMAIN = "demo.peerlearn.in"
MAIN_MENTOR = f"priya.sharma@{DOMAIN}"

# (days ago the session started, title, rupees, learners who paid)
PAST_SESSIONS = [
    (35, "Django ORM deep dive: queries that scale", 1499, 3),
    (21, "Code review clinic: your Django project", 999, 2),
    (9, "PostgreSQL indexes for app developers", 799, 2),
    (0.3, "REST API design office hours", 999, 2),  # ended hours ago: still pending
]
SECOND_MENTOR_SESSIONS = [(16, "System design warm-up: URL shortener", 1299, 2)]


def _pay(learner: User, session: Session) -> None:
    """Book and pay in the sandbox Checkout, as a learner would (signed callback)."""
    _booking, payment = book_and_pay(learner=learner, session=session)
    if payment is not None:
        _pay_order(payment)


def _pay_order(payment: Payment) -> None:
    payment = payments.ensure_order(payment)
    with transaction.atomic():
        order = SandboxOrder.objects.select_for_update().get(order_id=payment.gateway_order_id)
        capture = sandbox_api.attempt(order, success=True)
    payments.handle_callback(payment=payment, params=sandbox_api.checkout_success_fields(order, capture))


def _taught(
    mentor: User, learners: list[User], now: datetime, days_ago: float, title: str, rupees: int, n: int
) -> None:
    """A session created and paid for two days before it started, then completed."""
    start = (now - timedelta(days=days_ago)).replace(second=0, microsecond=0)
    domain = mentor.mentor_profile.domains.first() or Domain.objects.order_by("id").first()
    if domain is None:
        raise RuntimeError("seed_demo creates the domains before the money history")
    with time_machine.travel(start - timedelta(days=2), tick=True):
        session = Session.objects.create(
            mentor=mentor,
            domain=domain,
            title=title,
            description=f"{title}. A live one-to-one session with worked examples and your questions.",
            start=start,
            duration_minutes=60,
            price_paise=rupees * 100,
            capacity=max(n, 1),
        )
        for learner in learners[:n]:
            _pay(learner, session)
    with time_machine.travel(session.end + timedelta(minutes=5), tick=True):
        complete_session(session=session)


def _settle(withdrawal_id: int, outcome: str) -> None:
    """The tester's choice in the sandbox payouts page, and the signed webhook's effect (no server
    listens while seeding, so the event is applied as the webhook view would)."""
    from apps.payments.models import Withdrawal

    w = Withdrawal.objects.get(pk=withdrawal_id)
    if not w.gateway_payout_id:
        return
    sandbox_api.settle_payout(w.gateway_payout_id, outcome)
    payouts.apply_payout_entity(sandbox_api.fetch_payout(w.gateway_payout_id), f"payout.{outcome}")


def seed_money(*, log: Callable[[str], None]) -> dict[str, int]:
    mentor = User.objects.filter(email=MAIN_MENTOR).first()
    admin = User.objects.filter(role=Role.ADMIN, email__endswith="@" + DOMAIN).order_by("id").first()
    learners = list(
        User.objects.filter(role=Role.LEARNER, email__endswith="@" + DOMAIN, is_active=True).order_by("id")[:4]
    )
    if mentor is None or admin is None or len(learners) < 3 or PayoutAccount.objects.filter(mentor=mentor).exists():
        return {"withdrawals": 0, "paid_sessions": 0}
    now = timezone.now()
    for days_ago, title, rupees, n in PAST_SESSIONS:
        _taught(mentor, learners, now, days_ago, title, rupees, n)
    # Two learners said thank you with a tip after their sessions.
    for title, learner, rupees, note in (
        (PAST_SESSIONS[0][1], learners[0], 200, "The select_related trick cut my page from 2 s to 80 ms. Thank you!"),
        (PAST_SESSIONS[2][1], learners[1], 100, ""),
    ):
        session = Session.objects.get(mentor=mentor, title=title)
        with time_machine.travel(session.end + timedelta(hours=1), tick=True):
            tip = start_tip(learner=learner, session=session, amount_paise=rupees * 100, message=note)
            _pay_order(tip.payment)
    with time_machine.travel(now - timedelta(days=30), tick=True):
        payouts.save_payout_account(mentor=mentor, method="upi", upi_id="priya.sharma@okhdfcbank")
    # 12 days ago: the first two sessions have matured; ₹2,500 withdrawn and paid by UPI.
    with time_machine.travel(now - timedelta(days=12), tick=True):
        release_matured_earnings()
        w = payout_flows.request_withdrawal(mentor=mentor, amount_paise=2_500_00)
    with time_machine.travel(now - timedelta(days=11), tick=True):
        payout_flows.approve_withdrawal(withdrawal_id=w.pk, admin=admin)
    with time_machine.travel(now - timedelta(days=11, hours=-2), tick=True):
        _settle(w.pk, "processed")
    # 5 days ago: a request the admin rejected, with the reason the mentor sees.
    with time_machine.travel(now - timedelta(days=5), tick=True):
        release_matured_earnings()
        w = payout_flows.request_withdrawal(mentor=mentor, amount_paise=1_000_00)
    with time_machine.travel(now - timedelta(days=4), tick=True):
        payout_flows.reject_withdrawal(
            withdrawal_id=w.pk,
            admin=admin,
            reason="Our payout partner asked us to re-verify UPI IDs this week; please request again after Monday.",
        )
    release_matured_earnings()
    # Yesterday: ₹600 waiting in the admin queue.
    with time_machine.travel(now - timedelta(days=1), tick=True):
        payout_flows.request_withdrawal(mentor=mentor, amount_paise=600_00)
    count = 3

    # A second mentor, paid to a bank account: the payout failed and the money came back.
    other = (
        User.objects.filter(role=Role.MENTOR, email__endswith="@" + DOMAIN, mentor_profile__status="approved")
        .exclude(pk=mentor.pk)
        .order_by("id")
        .first()
    )
    if other is not None and not PayoutAccount.objects.filter(mentor=other).exists():
        for days_ago, title, rupees, n in SECOND_MENTOR_SESSIONS:
            _taught(other, learners, now, days_ago, title, rupees, n)
        with time_machine.travel(now - timedelta(days=10), tick=True):
            release_matured_earnings()
            payouts.save_payout_account(
                mentor=other,
                method="bank",
                bank_account="50100234567891",
                ifsc="HDFC0000240",
                holder_name=other.full_name,
            )
            w = payout_flows.request_withdrawal(mentor=other, amount_paise=1_500_00)
            payout_flows.approve_withdrawal(withdrawal_id=w.pk, admin=admin)
        with time_machine.travel(now - timedelta(days=9), tick=True):
            _settle(w.pk, "failed")
        count += 1
    log(f"Money: {count} withdrawals (paid, rejected, requested, failed) and earnings history for {mentor.full_name}")
    return {"withdrawals": count, "paid_sessions": len(PAST_SESSIONS) + len(SECOND_MENTOR_SESSIONS), "tips": 2}
