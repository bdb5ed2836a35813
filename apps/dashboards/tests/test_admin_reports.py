"""The admin's monthly revenue report: the CSV's totals are the month's payments, refunds and ledger
figures (built through the real booking, payment and refund flows), the PDF holds the same totals,
and only admins get any of it."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import Sum
from django.test import Client
from django.utils import timezone

from apps.accounts.models import Role
from apps.catalog.tests.factories import make_domain, make_session, make_user
from apps.dashboards import reports
from apps.payments import ledger
from apps.payments.models import LedgerEntry, Payment, Refund, RefundStatus
from apps.workflows.booking import admin_refund
from apps.workflows.tests.test_flows import pay

from .test_dashboards import admin_with_totp

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")
URL = "/dashboard/admin/reports/"


def _october(client: Client, capture: Any) -> dict[str, Any]:
    """October 2026 through the real flows: three paid bookings in two domains, two refunds;
    plus a payment on 1 November (just after midnight IST) that October must not count."""
    admin = admin_with_totp()
    programming, design = make_domain("Programming"), make_domain("Design")
    with time_machine.travel(datetime(2026, 10, 3, 10, 0, tzinfo=IST)):
        now = timezone.now()
        a = pay(client, make_user(), make_session(price_paise=149_900, domain=programming, start=now + timedelta(days=3)), capture)  # fmt: skip
        b = pay(client, make_user(), make_session(price_paise=99_900, domain=programming, start=now + timedelta(days=4)), capture)  # fmt: skip
        c = pay(client, make_user(), make_session(price_paise=50_000, domain=design, start=now + timedelta(days=5)), capture)  # fmt: skip
    with time_machine.travel(datetime(2026, 10, 31, 23, 50, tzinfo=IST)), capture(execute=True):
        admin_refund(item=a.payment_items.get(), amount_paise=10_000, reason="Late start", by=admin)
        admin_refund(item=c.payment_items.get(), amount_paise=50_000, reason="Mentor absent", by=admin)
    with time_machine.travel(datetime(2026, 11, 1, 0, 10, tzinfo=IST)):
        now = timezone.now()
        pay(client, make_user(), make_session(price_paise=77_700, domain=design, start=now + timedelta(days=2)), capture)  # fmt: skip
        with capture(execute=True):
            admin_refund(item=b.payment_items.get(), amount_paise=5_000, reason="November goodwill", by=admin)
    return {"admin": admin}


def _month_figures(start: datetime, end: datetime) -> dict[str, int]:
    """The same month read straight from payments, refunds and the ledger (independently)."""
    gmv = Payment.objects.filter(paid_at__gte=start, paid_at__lt=end).aggregate(s=Sum("amount_paise"))["s"] or 0
    refunds = (
        Refund.objects.filter(status=RefundStatus.PROCESSED, processed_at__gte=start, processed_at__lt=end).aggregate(
            s=Sum("amount_paise")
        )["s"]
        or 0
    )
    revenue = -(
        LedgerEntry.objects.filter(
            account__code=ledger.PLATFORM_REVENUE, transaction__created_at__gte=start, transaction__created_at__lt=end
        ).aggregate(s=Sum("amount_paise"))["s"]
        or 0
    )
    return {"gmv": int(gmv), "refunds": int(refunds), "revenue": int(revenue)}


def _csv_rows(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_totals_equal_the_months_payments_refunds_and_ledger(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    _october(client, django_capture_on_commit_callbacks)
    start, end = reports.month_bounds(date(2026, 10, 1))
    expected = _month_figures(start, end)
    assert expected == {"gmv": 299_800, "refunds": 60_000, "revenue": expected["revenue"]}
    assert expected["revenue"] > 0

    client.force_login(admin_with_totp())
    with time_machine.travel(datetime(2026, 12, 4, 12, 0, tzinfo=IST)):
        response = client.get(f"{URL}2026-10.csv")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="peerlearn-revenue-2026-10.csv"' in response["Content-Disposition"]
    rows = _csv_rows(response.content)
    assert rows[0] == reports.CSV_HEADER
    table = {row[1]: row for row in rows[1:] if len(row) == len(reports.CSV_HEADER)}
    total = table["Total"]

    def paise(text: str) -> int:
        assert text.count(".") == 1 and len(text.split(".")[1]) == 2, text  # rupees, two decimals
        return int(Decimal(text) * 100)

    assert total[0] == "2026-10" and total[2] == "3"
    assert paise(total[3]) == expected["gmv"] == 299_800
    assert paise(total[4]) == expected["refunds"] == 60_000
    assert paise(total[5]) == expected["gmv"] - expected["refunds"]
    assert paise(total[7]) == expected["revenue"]
    # The mentors' share is the rest of what was collected, and what their ledger accounts gained.
    assert paise(total[6]) + paise(total[7]) == paise(total[5])
    mentor_gain = -(
        LedgerEntry.objects.filter(
            account__kind__in=("mentor_pending", "mentor_available"),
            transaction__created_at__gte=start,
            transaction__created_at__lt=end,
        ).aggregate(s=Sum("amount_paise"))["s"]
        or 0
    )
    assert paise(total[6]) == mentor_gain
    # Per domain, and the domains add up to the total.
    assert (paise(table["Programming"][3]), paise(table["Programming"][4])) == (249_800, 10_000)
    assert (paise(table["Design"][3]), paise(table["Design"][4])) == (50_000, 50_000)
    for col in range(3, 8):
        assert paise(table["Programming"][col]) + paise(table["Design"][col]) == paise(total[col])
    # No payout this month: the total says 0.00; the domains leave payouts blank, and the note says why.
    assert total[8] == "0.00" and table["Programming"][8] == table["Design"][8] == ""
    assert any(reports.PAYOUTS_NOTE in row for row in rows)

    # The page shows the same month and links both downloads.
    with time_machine.travel(datetime(2026, 12, 4, 12, 0, tzinfo=IST)):
        page = client.get(URL, {"month": "2026-10"}).content.decode()
    assert 'data-total="gmv">₹2,998' in page and 'data-total="refunds">₹600' in page
    assert "/dashboard/admin/reports/2026-10.csv" in page and "/dashboard/admin/reports/2026-10.pdf" in page


def _pdf_text(pdf: bytes, report: reports.MonthlyReport) -> str:
    """The PDF's text by ``pdftotext`` when the machine has it; else the page streams of the same
    report built uncompressed by reportlab (its text operators hold the strings as written)."""
    if tool := shutil.which("pdftotext"):
        done = subprocess.run([tool, "-layout", "-", "-"], input=pdf, capture_output=True, check=True)  # noqa: S603
        return done.stdout.decode("utf-8")
    return reports.report_pdf(report, compress=False).decode("latin-1")


@pytest.mark.parametrize("reader", ["pdftotext", "reportlab-uncompressed"])
def test_pdf_holds_the_same_totals_and_a_chart(
    client: Client, django_capture_on_commit_callbacks: Any, monkeypatch: Any, reader: str
) -> None:
    if reader == "pdftotext" and not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not on this machine (scripts/system_deps.sh installs poppler-utils)")
    if reader != "pdftotext":
        monkeypatch.setattr(shutil, "which", lambda name: None)
    _october(client, django_capture_on_commit_callbacks)
    client.force_login(admin_with_totp())
    with time_machine.travel(datetime(2026, 12, 4, 12, 0, tzinfo=IST)):
        response = client.get(f"{URL}2026-10.pdf")
        rows = _csv_rows(client.get(f"{URL}2026-10.csv").content)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    report = reports.monthly_report(date(2026, 10, 1))
    text = _pdf_text(response.content, report)
    total = next(row for row in rows if len(row) > 1 and row[1] == "Total")
    for rupees in total[3:9]:  # every CSV total, payouts too, printed the way people read it
        assert reports.rupees_grouped(int(Decimal(rupees) * 100)) in text, (rupees, text[:2000])
    assert "INR 2,998.00" in text and "INR 600.00" in text
    assert "October 2026" in text and "Programming" in text and "Design" in text
    assert "Payouts to mentors" in text
    # The chart is drawn (its legend) — reportlab.graphics, not an image.
    assert "GMV and platform revenue per domain" in text


def test_payouts_are_the_months_total_net_of_returns(client: Client, django_capture_on_commit_callbacks: Any) -> None:
    """August 2026: ₹700 paid out; ₹800 paid and returned by the bank the same month (nothing);
    ₹900 requested in August but paid on 1 September just after midnight IST (September's). The
    CSV's Total row, the page and the PDF hold the same payouts; the domain rows leave them blank."""
    from apps.payments import payouts
    from apps.payments.models import Withdrawal
    from apps.payments.tests.money import mentor_with_balance, withdrawal_to
    from apps.payments_sandbox import api as sandbox
    from apps.workflows import payouts as flows

    admin = admin_with_totp()
    mentor = mentor_with_balance(1_000_000)
    with time_machine.travel(datetime(2026, 8, 10, 11, 0, tzinfo=IST)):
        session = make_session(
            price_paise=99_900, domain=make_domain("Programming"), start=timezone.now() + timedelta(days=2)
        )
        pay(client, make_user(), session, django_capture_on_commit_callbacks)
        withdrawal_to("paid", mentor=mentor, amount_paise=70_000, admin=admin)
        withdrawal_to("reversed", mentor=mentor, amount_paise=80_000, admin=admin)
    with time_machine.travel(datetime(2026, 8, 31, 23, 0, tzinfo=IST)):
        late = flows.approve_withdrawal(
            withdrawal_id=flows.request_withdrawal(mentor=mentor, amount_paise=90_000).pk, admin=admin
        )
    with time_machine.travel(datetime(2026, 9, 1, 0, 10, tzinfo=IST)):
        sandbox.settle_payout(late.gateway_payout_id, "processed")
        payouts.apply_payout_entity(sandbox.fetch_payout(late.gateway_payout_id), "payout.processed")
    start, end = reports.month_bounds(date(2026, 8, 1))
    still_paid = Withdrawal.objects.filter(status="paid", closed_at__gte=start, closed_at__lt=end)
    assert still_paid.aggregate(s=Sum("amount_paise"))["s"] == 70_000  # read independently

    assert reports.monthly_report(date(2026, 8, 1)).payouts == 70_000
    assert reports.monthly_report(date(2026, 9, 1)).payouts == 90_000
    client.force_login(admin)
    with time_machine.travel(datetime(2026, 12, 4, 12, 0, tzinfo=IST)):
        rows = _csv_rows(client.get(f"{URL}2026-08.csv").content)
        page = client.get(URL, {"month": "2026-08"}).content.decode()
        pdf = client.get(f"{URL}2026-08.pdf").content
    assert rows[0][8] == "Payouts (INR)"
    table = {row[1]: row for row in rows[1:] if len(row) == len(reports.CSV_HEADER)}
    assert table["Total"][8] == "700.00" and table["Programming"][8] == ""
    assert 'data-total="payouts">₹700<' in page
    text = _pdf_text(pdf, reports.monthly_report(date(2026, 8, 1)))
    assert "INR 700.00" in text


def test_the_page_explains_a_bad_month_and_an_empty_one(client: Client) -> None:
    client.force_login(admin_with_totp())
    with time_machine.travel(datetime(2026, 12, 4, 12, 0, tzinfo=IST)):
        r = client.get(URL, {"month": "2027-01"})
        assert r.status_code == 400 and "has not started yet" in r.content.decode()
        assert 'value="2027-01"' in r.content.decode()  # what was typed is kept
        r = client.get(URL, {"month": "October"})
        assert r.status_code == 400 and "Enter a month as YYYY-MM" in r.content.decode()
        r = client.get(URL, {"month": "2026-09"})
        assert r.status_code == 200 and "No payment or refund was recorded in this month." in r.content.decode()
        assert client.get(f"{URL}2027-01.csv").status_code == 404
        assert client.get(f"{URL}2026-13.pdf").status_code == 404
        empty = _csv_rows(client.get(f"{URL}2026-09.csv").content)
        assert empty[1][1] == "Total" and empty[1][3] == "0.00"
        assert client.get(f"{URL}2026-09.pdf").content.startswith(b"%PDF-")


@pytest.mark.parametrize("who", ["anonymous", Role.LEARNER, Role.MENTOR])
def test_non_admins_get_nothing(client: Client, who: str) -> None:
    if who != "anonymous":
        client.force_login(make_user(who))
    for url in (URL, f"{URL}2026-10.csv", f"{URL}2026-10.pdf"):
        response = client.get(url)
        assert response.status_code == 302 and not response["Location"].startswith("/dashboard/admin"), url
        assert response["Content-Type"].startswith("text/html")


def test_indian_grouping_in_the_pdf() -> None:
    assert reports.rupees_grouped(123_456_789) == "INR 12,34,567.89"
    assert reports.rupees_grouped(99_900) == "INR 999.00"
    assert reports.rupees_grouped(0) == "INR 0.00"
    assert reports.rupees(-5) == "-0.05" and reports.rupees(299_800) == "2998.00"
