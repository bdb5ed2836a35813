"""Query budgets of the withdrawals pages: the same number of queries for 1 or 6 withdrawals."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.dashboards.tests.test_dashboards import admin_with_totp
from apps.payments.tests.money import mentor_with_balance
from apps.workflows import payouts as flows

pytestmark = pytest.mark.django_db


def count(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_mentor_withdrawals_page_queries_do_not_grow(client) -> None:  # type: ignore[no-untyped-def]
    mentor = mentor_with_balance(1_000_000)
    flows.request_withdrawal(mentor=mentor, amount_paise=50_000)
    client.force_login(mentor)
    one = count(client, "/dashboard/mentor/withdrawals/")
    for _ in range(5):
        flows.request_withdrawal(mentor=mentor, amount_paise=50_000)
    assert count(client, "/dashboard/mentor/withdrawals/") == one
    assert count(client, "/dashboard/mentor/withdrawals/?part=live") <= one


def test_admin_queue_queries_do_not_grow(client) -> None:  # type: ignore[no-untyped-def]
    admin = admin_with_totp()
    flows.request_withdrawal(mentor=mentor_with_balance(), amount_paise=50_000)
    client.force_login(admin)
    one = count(client, "/dashboard/admin/withdrawals/")
    for _ in range(5):
        w = flows.request_withdrawal(mentor=mentor_with_balance(), amount_paise=60_000)
    flows.reject_withdrawal(withdrawal_id=w.pk, admin=admin, reason="test")
    assert count(client, "/dashboard/admin/withdrawals/") == one
    assert count(client, "/dashboard/admin/withdrawals/?status=") == one
