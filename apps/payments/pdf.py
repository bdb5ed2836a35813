"""PDF receipts (learners) and payout statements (mentors) with ReportLab; every number comes from
the ledger. Amounts print as "INR 1,234.50": the PDF standard fonts have no rupee sign."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from apps.core.templatetags.ui import inr

from . import selectors
from .models import AccountKind, LedgerEntry, Payment, Tip, Withdrawal, WithdrawalStatus

BRAND = colors.HexColor("#C2410C")


def money(paise: int) -> str:
    return inr(paise).replace("₹", "INR ")


def _table(rows: list[list[Any]], widths: list[float], *, total: bool = False) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    style = [
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
        ("FONT", (0, 1), (-1, -1), "Helvetica", 9),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    if total:
        style += [("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 9), ("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.black)]
    table.setStyle(TableStyle(style))
    return table


def _doc(title: str, story: list[Any]) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, title=title, author="PeerLearn", leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm
    )
    doc.build(story)
    return buffer.getvalue()


def _styles() -> tuple[Any, Any, Any]:
    sheet = getSampleStyleSheet()
    heading = sheet["Heading1"].clone("pl-h1", textColor=BRAND, fontSize=18)
    return heading, sheet["Normal"], sheet["Heading3"]


def receipt_pdf(payment: Payment, *, tz: Any) -> bytes:
    """A learner's receipt: what was paid for, and what was paid and refunded according to the ledger."""
    h1, body, h3 = _styles()
    clearing = LedgerEntry.objects.filter(transaction__payment=payment, account__kind=AccountKind.GATEWAY_CLEARING)
    paid = int(clearing.filter(amount_paise__gt=0).aggregate(s=Sum("amount_paise"))["s"] or 0)
    refunded = -int(clearing.filter(amount_paise__lt=0).aggregate(s=Sum("amount_paise"))["s"] or 0)
    when = (payment.paid_at or payment.created_at).astimezone(tz)
    story: list[Any] = [
        Paragraph("PeerLearn", h1),
        Paragraph(_("Payment receipt %(receipt)s") % {"receipt": payment.receipt}, h3),
        Paragraph(
            _("Date: %(when)s · Learner: %(name)s (%(email)s)")
            % {
                "when": when.strftime("%d %b %Y, %H:%M %Z"),
                "name": payment.learner.full_name,
                "email": payment.learner.email,
            },
            body,
        ),
        Paragraph(
            _("Gateway: %(gateway)s · Order %(order)s · Payment %(pid)s")
            % {
                "gateway": "Sandbox" if payment.gateway == "sandbox" else "Razorpay",
                "order": payment.gateway_order_id or "-",
                "pid": payment.gateway_payment_id or "-",
            },
            body,
        ),
        Spacer(1, 6 * mm),
    ]
    rows: list[list[Any]] = [[_("Item"), _("Amount"), _("Refunded")]]
    for item in payment.items.select_related("booking__session__mentor"):
        s = item.booking.session
        rows.append(
            [
                Paragraph(f"{s.title} · {s.mentor.full_name} · {s.start.astimezone(tz):%d %b %Y %H:%M}", body),
                money(item.amount_paise),
                money(item.refunded_paise),
            ]
        )
    tip = Tip.objects.filter(payment=payment).select_related("mentor").first()
    if tip is not None:
        rows.append(
            [Paragraph(_("Tip for %(name)s") % {"name": tip.mentor.full_name}, body), money(tip.amount_paise), money(0)]
        )
    rows.append([_("Total (from the ledger)"), money(paid), money(refunded)])
    story.append(_table(rows, [110 * mm, 30 * mm, 30 * mm], total=True))
    story += [Spacer(1, 6 * mm), Paragraph(_("Status: %(status)s") % {"status": payment.get_status_display()}, body)]
    return _doc(f"PeerLearn receipt {payment.receipt}", story)


def statement_pdf(*, mentor: Any, start: datetime, end: datetime, tz: Any) -> bytes:
    """A mentor's payout statement for [start, end): earnings (gross, fee, net) per session or
    tip, withdrawals paid, and today's balances — all from the ledger."""
    h1, body, h3 = _styles()
    label = f"{start.astimezone(tz):%d %b %Y} to {(end.astimezone(tz)):%d %b %Y}"
    story: list[Any] = [
        Paragraph("PeerLearn", h1),
        Paragraph(_("Payout statement · %(period)s") % {"period": label}, h3),
        Paragraph(
            _("Mentor: %(name)s (%(email)s) · Time zone %(tz)s")
            % {"name": mentor.full_name, "email": mentor.email, "tz": tz},
            body,
        ),
        Spacer(1, 5 * mm),
        Paragraph(_("Earnings"), h3),
    ]
    rows: list[list[Any]] = [[_("Date"), _("Session or tip"), _("Gross"), _("Fee"), _("Net")]]
    totals = [0, 0, 0]
    for r in selectors.mentor_earning_rows(mentor.pk):
        if not start <= r["when"] < end:
            continue
        rows.append(
            [
                f"{r['when'].astimezone(tz):%d %b %Y}",
                Paragraph(r["title"], body),
                money(r["gross"]),
                money(r["fee"]),
                money(r["net"]),
            ]
        )
        totals = [totals[0] + r["gross"], totals[1] + r["fee"], totals[2] + r["net"]]
    rows.append(["", _("Total"), *[money(t) for t in totals]])
    story.append(_table(rows, [24 * mm, 70 * mm, 26 * mm, 24 * mm, 26 * mm], total=True))
    story += [Spacer(1, 5 * mm), Paragraph(_("Withdrawals"), h3)]
    rows = [[_("Requested"), _("Paid to"), _("Status"), _("Amount")]]
    paid_total = 0
    for w in Withdrawal.objects.filter(mentor=mentor, created_at__gte=start, created_at__lt=end).order_by("created_at"):
        rows.append(
            [
                f"{w.created_at.astimezone(tz):%d %b %Y}",
                w.destination.replace("•", "*"),
                w.get_status_display(),
                money(w.amount_paise),
            ]
        )
        if w.status == WithdrawalStatus.PAID:
            paid_total += w.amount_paise
    rows.append(["", "", _("Paid out"), money(paid_total)])
    story.append(_table(rows, [26 * mm, 70 * mm, 34 * mm, 40 * mm], total=True))
    b = selectors.mentor_balances(mentor.pk)
    story += [
        Spacer(1, 5 * mm),
        Paragraph(_("Balances today"), h3),
        _table(
            [
                [_("Pending"), _("Available"), _("Reserved"), _("Withdrawn")],
                [money(b["pending"]), money(b["available"]), money(b["reserved"]), money(b["withdrawn"])],
            ],
            [42 * mm] * 4,
        ),
    ]
    return _doc(f"PeerLearn statement {label}", story)
