from __future__ import annotations

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.accounts.models import Role
from apps.catalog.tests.factories import make_user
from apps.payments import ledger
from apps.payments.models import LedgerEntry, LedgerTransaction


@given(amount=st.integers(min_value=0, max_value=10**12), pct=st.integers(min_value=0, max_value=100))
def test_fee_plus_share_is_the_amount(amount, pct):
    fee, share = ledger.split_amount(amount, pct)
    assert fee + share == amount
    assert 0 <= fee <= amount
    assert share >= amount * (100 - pct) // 100  # the mentor never gets less than their percentage


@given(
    amount=st.integers(min_value=1, max_value=10**9),
    cuts=st.lists(st.integers(min_value=1, max_value=100), min_size=1, max_size=5),
    pct=st.integers(min_value=0, max_value=100),
)
def test_partial_refund_splits_telescope_to_the_original_split(amount, cuts, pct):
    fee_total, share_total = ledger.split_amount(amount, pct)
    refunded = 0
    fees = shares = 0
    for cut in cuts:
        r = min(amount - refunded, max(1, amount * cut // 100))
        if r <= 0:
            break
        f, s = ledger.split_refund(paid_paise=amount, refunded_before=refunded, refund_paise=r, fee_percent=pct)
        assert f + s == r and f >= 0 and s >= 0
        fees += f
        shares += s
        refunded += r
    assert fees <= fee_total and shares <= share_total
    if refunded == amount:
        assert (fees, shares) == (fee_total, share_total)


@pytest.mark.django_db
def test_unbalanced_transaction_is_refused():
    with pytest.raises(ledger.UnbalancedTransaction):
        ledger.post(
            kind="x",
            key="bad",
            legs=[ledger.Leg(ledger.gateway_clearing(), 100), ledger.Leg(ledger.platform_revenue(), -99)],
        )
    assert not LedgerTransaction.objects.exists()


@pytest.mark.django_db
def test_posting_is_idempotent_and_append_only():
    legs = [ledger.Leg(ledger.gateway_clearing(), 500), ledger.Leg(ledger.platform_revenue(), -500)]
    a = ledger.post(kind="x", key="k1", legs=legs)
    b = ledger.post(kind="x", key="k1", legs=legs)
    assert a.pk == b.pk and LedgerEntry.objects.count() == 2
    entry = LedgerEntry.objects.first()
    entry.amount_paise = 1
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()


@pytest.mark.django_db
def test_owed_balances_cannot_go_negative():
    mentor = make_user(Role.MENTOR)
    with pytest.raises(ledger.InsufficientBalance):
        ledger.post(
            kind="x",
            key="neg",
            legs=[ledger.Leg(ledger.mentor_available(mentor.pk), 100), ledger.Leg(ledger.gateway_clearing(), -100)],
        )


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    ops=st.lists(
        st.tuples(st.sampled_from(["pay", "refund", "release", "withdraw"]), st.integers(1, 2_000_000)), max_size=12
    )
)
def test_random_movements_balance_and_never_go_negative(ops):
    from django.db import transaction

    sid = transaction.savepoint_create()
    try:
        mentor = make_user(Role.MENTOR).pk
        pending, available = ledger.mentor_pending(mentor), ledger.mentor_available(mentor)
        for i, (op, amount) in enumerate(ops):
            key = f"h:{i}:{op}:{amount}"
            fee, share = ledger.split_amount(amount)
            try:
                if op == "pay":
                    ledger.post(
                        kind=op,
                        key=key,
                        legs=[
                            ledger.Leg(ledger.gateway_clearing(), amount),
                            ledger.Leg(ledger.platform_revenue(), -fee),
                            ledger.Leg(pending, -share),
                        ],
                    )
                elif op == "refund":
                    ledger.post(
                        kind=op,
                        key=key,
                        legs=[
                            ledger.Leg(ledger.gateway_clearing(), -amount),
                            ledger.Leg(ledger.platform_revenue(), fee),
                            ledger.Leg(pending, share),
                        ],
                    )
                elif op == "release":
                    ledger.post(kind=op, key=key, legs=[ledger.Leg(pending, amount), ledger.Leg(available, -amount)])
                else:
                    ledger.post(
                        kind=op,
                        key=key,
                        legs=[ledger.Leg(available, amount), ledger.Leg(ledger.gateway_clearing(), -amount)],
                    )
            except ledger.InsufficientBalance:
                pass
            assert ledger.credit_balance(pending) >= 0
            assert ledger.credit_balance(available) >= 0
            assert ledger.credit_balance(ledger.platform_revenue()) >= 0
        assert list(ledger.unbalanced_transactions()) == []
        assert (LedgerEntry.objects.aggregate(s=Sum("amount_paise"))["s"] or 0) == 0
    finally:
        transaction.savepoint_rollback(sid)
