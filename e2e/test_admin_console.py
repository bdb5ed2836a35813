"""A new admin runs the marketplace from the console: signs in with TOTP, reads the KPIs and the
revenue and growth charts, refunds ₹100 of a payment after confirming it's them, blocks a learner
and finds the audit entry, and downloads the month's report as CSV and PDF with the same totals.
Every admin page is looked at (screenshots at 1280 and 360 px) and checked with axe."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from apps.dashboards import reports
from e2e.conftest import (
    axe_violations,
    confirm_its_me,
    format_violations,
    make_user,
    pay_in_sandbox,
    screenshot,
    sign_in_admin,
)


def _paid(learner: Any, *, title: str, price_paise: int, mentor: Any, days_ahead: int = 4) -> Any:
    """A booking paid through the real flow and the sandbox gateway (as the learner's Checkout does)."""
    from django.utils import timezone

    from apps.catalog.models import Session
    from apps.taxonomy.models import Domain

    domain, _ = Domain.objects.get_or_create(slug="data-science", defaults={"name": "Data Science"})
    session = Session.objects.create(
        mentor=mentor,
        domain=domain,
        title=title,
        description="Hands-on, one to one",
        start=timezone.now() + timedelta(days=days_ahead),  # a mentor's sessions never overlap
        duration_minutes=60,
        price_paise=price_paise,
        topics=["Python"],
    )
    return pay_in_sandbox(learner, session)


ARTIFACTS = Path(__file__).parent / "artifacts"


def _pdf_text(path: Path) -> str:
    """The PDF's text through pdftotext (poppler-utils, installed by scripts/system_deps.sh); a
    machine without it checks that the file is a PDF and the totals through the unit tests."""
    if tool := shutil.which("pdftotext"):
        done = subprocess.run([tool, "-layout", str(path), "-"], capture_output=True, check=True)
        return done.stdout.decode("utf-8")
    import pytest

    assert path.read_bytes().startswith(b"%PDF-")
    pytest.skip("pdftotext is not on this machine")


def _look(page: Any, name: str) -> None:
    """axe finds nothing serious, then a screenshot at 1280 px and at 360 px (no sideways scroll)."""
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    screenshot(page, f"{name}-1280")
    page.set_viewport_size({"width": 360, "height": 780})
    # Charts follow their box on the next resize observation: wait for the page to settle.
    page.wait_for_function("() => document.documentElement.scrollWidth <= 360", timeout=5000)
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    screenshot(page, f"{name}-360")
    page.set_viewport_size({"width": 1280, "height": 800})


def test_admin_console_kpis_charts_refund_block_and_audit(new_context: Any) -> None:
    mentor = make_user("mentor", full_name="Kavya Menon")
    learner = make_user("learner", full_name="Rohan Gupta")
    payment = _paid(learner, title="Pandas in practice", price_paise=149_900, mentor=mentor)
    _paid(
        make_user("learner", full_name="Sana Khan"),
        title="Statistics for ML",
        price_paise=99_900,
        mentor=mentor,
        days_ahead=5,
    )

    page = new_context().new_page()
    sign_in_admin(page, "Meher Admin")
    # KPIs for the period and the charts drawn from the server's numbers.
    gmv = page.locator("[data-kpi='gmv']")
    expect(gmv).to_contain_text("₹2,498")
    expect(page.locator("#chart-money[data-drawn='true']")).to_be_attached()
    expect(page.locator("#chart-growth[data-drawn='true']")).to_be_attached()
    _look(page, "admin-overview")
    # A second tab keeps the overview open: its numbers follow the refund below without a reload.
    watcher = page.context.new_page()
    watcher.goto("/dashboard/admin/")
    watcher.wait_for_function("() => document.body.dataset.notificationsSocket === 'open'")
    expect(watcher.locator("[data-kpi='refunds']")).to_contain_text("₹0")
    watcher.evaluate("() => { window.sameDocument = true; }")  # a reload would forget this

    # Refund ₹100 of Rohan's payment: the console asks to confirm it's them, then the refund runs.
    page.get_by_role("navigation").get_by_role("link", name="Payments").first.click()
    page.get_by_label("Learner (name or email)").fill("Rohan")
    page.get_by_role("button", name="Apply").click()
    page.get_by_role("link", name=payment.receipt).click()
    page.get_by_text("Refund…").click()
    page.get_by_label("Amount (₹)").fill("100")
    page.get_by_label("Reason (kept in the audit log)").fill("Started ten minutes late")
    page.get_by_label("Yes, send this refund").check()
    page.get_by_role("button", name="Send refund").click()
    confirm_its_me(page)
    expect(page.locator("#toasts [data-toast]").filter(has_text="Refund of ₹100 sent")).to_be_visible()
    expect(page.get_by_text("₹1,399 still refundable")).to_be_visible()
    expect(watcher.locator("[data-kpi='refunds']")).to_contain_text("₹100")
    expect(watcher.locator("[data-kpi='gmv']")).to_contain_text("₹2,498")
    assert watcher.evaluate("() => window.sameDocument") is True  # updated in place, not reloaded
    watcher.close()
    _look(page, "admin-payment-refunded")

    # Block the learner (the confirmation is still fresh: no second prompt) and read the audit log.
    page.get_by_role("navigation").get_by_role("link", name="Users").first.click()
    page.get_by_label("Name or email").fill("Sana")
    page.get_by_role("button", name="Search").click()
    row = page.locator("[data-user-row]").filter(has_text="Sana Khan")
    row.get_by_text("Block…").click()
    row.get_by_label("Reason (kept in the audit log)").fill("Asked mentors for payment outside PeerLearn")
    row.get_by_role("checkbox").check()
    row.get_by_role("button", name="Block this account").click()
    expect(page.locator("#toasts [data-toast]").filter(has_text="Sana Khan is blocked")).to_be_visible()
    page.get_by_role("navigation").get_by_role("link", name="Audit log").first.click()
    entry = page.locator("[data-audit-entry='user.block']").filter(has_text="Sana Khan")
    expect(entry).to_contain_text("Asked mentors for payment outside PeerLearn")
    expect(entry).to_contain_text("by Meher Admin")
    refund_entry = page.locator("[data-audit-entry='payment.refund']")
    expect(refund_entry.first).to_contain_text("Started ten minutes late")

    # This month's report: the page, the CSV and the PDF agree: ₹2,498 paid; ₹1,099 refunded (the
    # ₹100 above, and Sana's ₹999 booking, cancelled with a full refund when she was blocked).
    page.get_by_role("navigation").get_by_role("link", name="Reports").first.click()
    expect(page.locator("[data-total='gmv']")).to_have_text("₹2,498")
    expect(page.locator("[data-total='refunds']")).to_have_text("₹1,099")
    _look(page, "admin-reports")
    with page.expect_download() as got:
        page.locator("[data-download='csv']").click()
    csv_path = ARTIFACTS / "admin-report.csv"
    got.value.save_as(csv_path)
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    total = next(row for row in rows if len(row) > 1 and row[1] == "Total")
    assert (total[3], total[4], total[5]) == ("2498.00", "1099.00", "1399.00")
    with page.expect_download() as got:
        page.locator("[data-download='pdf']").click()
    pdf_path = ARTIFACTS / "admin-report.pdf"
    got.value.save_as(pdf_path)
    text = _pdf_text(pdf_path)
    for rupees in total[3:9]:  # payouts too (the month's total only)
        assert reports.rupees_grouped(int(Decimal(rupees) * 100)) in text, (rupees, text)


def test_every_admin_page_is_looked_at(new_context: Any) -> None:
    person = make_user("learner", full_name="Priya Shah")
    page = new_context().new_page()
    sign_in_admin(page, "Ira Admin")
    for name, url in [
        ("admin-overview-today", "/dashboard/admin/?period=today"),
        ("admin-overview-custom", "/dashboard/admin/?period=custom"),
        ("admin-overview-empty", "/dashboard/admin/?period=custom&since=2025-01-01&until=2025-01-31"),
        ("admin-user", f"/dashboard/admin/users/{person.pk}/"),
        ("admin-reports-empty", "/dashboard/admin/reports/?month=2025-01"),
        ("admin-mentors", "/dashboard/admin/mentors/"),
        ("admin-users", "/dashboard/admin/users/"),
        ("admin-sessions", "/dashboard/admin/sessions/"),
        ("admin-payments", "/dashboard/admin/payments/"),
        ("admin-feedback", "/dashboard/admin/feedback/"),
        ("admin-audit", "/dashboard/admin/audit/"),
    ]:
        page.goto(url)
        _look(page, name)
