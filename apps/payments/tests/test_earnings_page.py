"""The mentor's Earnings page: totals from the ledger, the daily chart data, per-session rows and
the CSV export (UTF-8 with BOM, rupees with two decimals, dates in the mentor's timezone)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import Role
from apps.catalog.tests.factories import make_user
from apps.payments.earnings import release_matured_earnings
from apps.payments.tests.helpers import paid_checkout, sandbox_pay
from apps.payments.tests.money import mentor_with_balance
from apps.workflows import payouts as flows

pytestmark = pytest.mark.django_db
URL = "/dashboard/mentor/earnings/"


def paid(client, mentor, price, title):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from apps.catalog.models import Session

    # One mentor's sessions never overlap (a PostgreSQL exclusion constraint): a day apart.
    start = timezone.now() + timedelta(days=2 + Session.objects.filter(mentor=mentor).count())
    _, booking, payment = paid_checkout(price=price, mentor=mentor, title=title, start=start)
    client.post(f"/payments/callback/{payment.receipt}/", sandbox_pay(client, payment))
    return booking, payment


def test_empty_state_is_honest(client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_user(Role.MENTOR))
    r = client.get(URL)
    html = r.content.decode()
    assert "No earnings in this period yet" in html and "No earnings yet" in html
    series = r.context["series"]
    assert len(series["30"]["values"]) == 30 and len(series["90"]["values"]) == 90
    assert not any(series["90"]["values"])
    assert 'id="earnings-series"' in html  # the chart's data comes from json_script


def test_totals_chart_rows_and_csv(client) -> None:  # type: ignore[no-untyped-def]
    mentor = make_user(Role.MENTOR, timezone="America/New_York")
    # Paid at 02:30 UTC on 3 Dec = 21:30 on 2 Dec in New York: the chart counts it on 2 Dec.
    with time_machine.travel(datetime(2026, 12, 3, 2, 30, tzinfo=ZoneInfo("UTC")), tick=False):
        booking, _ = paid(client, mentor, 100_000, "=Graphs, clearly")
        paid(client, mentor, 40_000, "Rust ownership")
    with time_machine.travel(datetime(2026, 12, 10, 12, 0, tzinfo=ZoneInfo("UTC")), tick=False):
        release_matured_earnings(booking.session.end + timedelta(hours=25))
        client.force_login(mentor)
        r = client.get(URL)
    html = r.content.decode()
    b = r.context["balances"]
    assert b["pending"] + b["available"] == 85_000 + 34_000 and b["reserved"] == b["withdrawn"] == 0
    series = json.loads(html.split('id="earnings-series" type="application/json">')[1].split("</script>")[0])
    days = dict(zip(series["30"]["labels"], series["30"]["values"], strict=True))
    assert days["02 Dec"] == 119_000 and days["03 Dec"] == 0 and sum(series["90"]["values"]) == 119_000
    rows = {row["title"]: row for row in r.context["rows"]}
    assert (rows["Rust ownership"]["gross"], rows["Rust ownership"]["fee"], rows["Rust ownership"]["net"]) == (
        40_000,
        6_000,
        34_000,
    )
    assert "₹1,000" in html and "₹150" in html and "₹850" in html

    with time_machine.travel(datetime(2026, 12, 10, 12, 0, tzinfo=ZoneInfo("UTC")), tick=False):
        r = client.get(URL + "export.csv")
    assert r["Content-Type"].startswith("text/csv") and "attachment" in r["Content-Disposition"]
    raw = r.content
    assert raw.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert lines[0][:3] == ["Date", "Time zone", "Session or tip"]
    by_title = {line[2]: line for line in lines[1:]}
    assert set(by_title) == {"'=Graphs, clearly", "Rust ownership"}  # a formula-like title is defused
    rust = by_title["Rust ownership"]
    start_local = rows["Rust ownership"]["session"].start.astimezone(ZoneInfo("America/New_York"))
    assert rust[0] == start_local.strftime("%Y-%m-%d %H:%M") and rust[1] == "America/New_York"
    assert rust[3:] == ["1", "400.00", "0.00", "60.00", "340.00"]


def test_refund_shows_in_the_row(client) -> None:  # type: ignore[no-untyped-def]
    from apps.payments import services

    mentor = make_user(Role.MENTOR)
    _, payment = paid(client, mentor, 100_000, "Half refunded")
    services.request_refund(item=payment.items.get(), percent=50, reason="test")
    client.force_login(mentor)
    row = client.get(URL).context["rows"][0]
    assert (row["gross"], row["fee"], row["net"], row["refunded"]) == (50_000, 7_500, 42_500, 50_000)
    line = list(csv.reader(io.StringIO(client.get(URL + "export.csv").content.decode("utf-8-sig"))))[1]
    assert line[4:] == ["1000.00", "500.00", "75.00", "425.00"]


def test_query_count_does_not_grow_with_rows(client) -> None:  # type: ignore[no-untyped-def]
    mentor = make_user(Role.MENTOR)
    client.force_login(mentor)
    paid(client, mentor, 10_000, "One")
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for i in range(4):
        paid(client, mentor, 10_000, f"More {i}")
    with CaptureQueriesContext(connection) as many:
        client.get(URL)
    assert len(many) == len(few)


def test_withdrawals_show_as_reserved_then_withdrawn(client) -> None:  # type: ignore[no-untyped-def]
    mentor = mentor_with_balance(100_000)
    flows.request_withdrawal(mentor=mentor, amount_paise=60_000)
    client.force_login(mentor)
    html = client.get(URL).content.decode()
    assert 'data-testid="reserved">₹600<' in html and 'data-testid="available">₹400<' in html
    assert "Withdrawal requested" in html


def test_learners_and_outsiders_cannot_see_or_export(client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_user(Role.LEARNER))
    assert client.get(URL).status_code in (302, 403)
    assert client.get(URL + "export.csv").status_code in (302, 403)
