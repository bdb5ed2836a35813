"""The admin's monthly revenue report (issue 10 item 7), read from the double-entry ledger.

For one calendar month in the platform's zone (Asia/Kolkata), per domain and in total:

* GMV — what learners paid: the gateway-clearing debits of ``booking_payment`` transactions
  (each paid booking's amount, posted when the payment is captured);
* refunds — what went back: the gateway-clearing credits of ``refund`` transactions;
* net collected = GMV - refunds, which the ledger splits into
* mentor share — the mentors' earnings (pending + available) from those payments and refunds, and
* platform revenue — the platform fee kept (the ``platform_revenue`` account);

and in total only, payouts — what was paid out to mentors in the month, less payouts the bank
returned in it (the gateway-clearing legs of ``payout`` and ``payout_reversal`` transactions, the
same figure as the overview's). A withdrawal draws on a mentor's available balance, which pools
earnings from sessions in every domain, so a payout cannot be split per domain honestly: the
domain rows leave it blank and the report says why. Money is in integer paise here; the CSV and the PDF print rupees with
two decimals. The CSV is UTF-8 with a byte-order mark so spreadsheet programs read it as UTF-8.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from apps.core.money import indian_digits, plain_rupees
from apps.payments.models import AccountKind, LedgerEntry
from apps.payments.selectors import paid_out

PAYMENT_KIND = "booking_payment"
REFUND_KIND = "refund"
NO_DOMAIN = "—"
PAYOUTS_NOTE = (
    "Payouts are what was paid to mentors' bank accounts in the month, less payouts the bank returned; "
    "a payout draws on a mentor's balance from every domain, so it is given for the month in total only."
)


@dataclass
class Line:
    """One domain's figures (or the total), in paise."""

    name: str
    bookings: int = 0
    gmv: int = 0
    refunds: int = 0
    mentor_share: int = 0
    platform_revenue: int = 0

    @property
    def net(self) -> int:
        return self.gmv - self.refunds

    def add(self, other: Line) -> None:
        self.bookings += other.bookings
        self.gmv += other.gmv
        self.refunds += other.refunds
        self.mentor_share += other.mentor_share
        self.platform_revenue += other.platform_revenue


@dataclass
class MonthlyReport:
    month: date  # the first day
    domains: list[Line] = field(default_factory=list)
    total: Line = field(default_factory=lambda: Line("Total"))
    payouts: int = 0  # the month's total only (see the module's docstring)

    @property
    def label(self) -> str:
        return self.month.strftime("%B %Y")

    @property
    def slug(self) -> str:
        return self.month.strftime("%Y-%m")

    @property
    def empty(self) -> bool:
        return not self.total.gmv and not self.total.refunds


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The first instant of the month and of the next one, in the current (platform) zone."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(month.replace(day=1), time.min, tzinfo=zone)
    following = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return start, datetime.combine(following, time.min, tzinfo=zone)


def monthly_report(month: date) -> MonthlyReport:
    """The month's figures per domain and in total (one grouped query over the ledger), and the
    month's payouts (one more)."""
    start, end = month_bounds(month)
    rows = (
        LedgerEntry.objects.filter(
            transaction__created_at__gte=start,
            transaction__created_at__lt=end,
            transaction__kind__in=(PAYMENT_KIND, REFUND_KIND),
        )
        .values("transaction__booking__session__domain__name", "transaction__kind", "account__kind")
        .annotate(total=Sum("amount_paise"), transactions=Count("transaction", distinct=True))
        .order_by()
    )
    lines: dict[str, Line] = {}
    for row in rows:
        name = row["transaction__booking__session__domain__name"] or NO_DOMAIN
        line = lines.setdefault(name, Line(name))
        amount, kind, account = int(row["total"] or 0), row["transaction__kind"], row["account__kind"]
        if account == AccountKind.GATEWAY_CLEARING:
            if kind == PAYMENT_KIND:
                line.gmv += amount
                line.bookings += int(row["transactions"])
            else:
                line.refunds += -amount
        elif account == AccountKind.PLATFORM_REVENUE:
            line.platform_revenue += -amount  # credit-normal
        elif account in (AccountKind.MENTOR_PENDING, AccountKind.MENTOR_AVAILABLE):
            line.mentor_share += -amount
    report = MonthlyReport(
        month=month.replace(day=1),
        payouts=paid_out(Q(transaction__created_at__gte=start, transaction__created_at__lt=end)),
    )
    report.domains = sorted(lines.values(), key=lambda line: (-line.gmv, line.name))
    for line in report.domains:
        report.total.add(line)
    return report


rupees = plain_rupees  # two decimals, no grouping (``2498.00``): for machines


def rupees_grouped(paise: int) -> str:
    """Paise as ``INR 2,498.00`` (Indian digit grouping), for people reading the PDF."""
    sign = "-" if paise < 0 else ""
    whole, frac = divmod(abs(paise), 100)
    return f"{sign}INR {indian_digits(whole)}.{frac:02d}"


CSV_HEADER = [
    "Month",
    "Domain",
    "Paid bookings",
    "GMV (INR)",
    "Refunds (INR)",
    "Net collected (INR)",
    "Mentor share (INR)",
    "Platform revenue (INR)",
    "Payouts (INR)",
]


def report_csv(report: MonthlyReport) -> bytes:
    """The report as CSV: one row per domain and a Total row (the only one with payouts), then the
    payouts note; UTF-8 with a byte-order mark."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for line in [*report.domains, report.total]:
        writer.writerow(
            [
                report.slug,
                line.name,
                line.bookings,
                rupees(line.gmv),
                rupees(line.refunds),
                rupees(line.net),
                rupees(line.mentor_share),
                rupees(line.platform_revenue),
                rupees(report.payouts) if line is report.total else "",
            ]
        )
    writer.writerow([])
    writer.writerow([report.slug, PAYOUTS_NOTE])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def report_pdf(report: MonthlyReport, *, generated: datetime | None = None, compress: bool = True) -> bytes:
    """The report as an A4 PDF: the totals, a bar chart of GMV and platform revenue per domain
    (reportlab.graphics), the per-domain table (without payouts) and the payouts note. ``compress=False`` leaves the
    page streams readable (tests on machines without ``pdftotext``)."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    generated = generated or timezone.now()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"PeerLearn revenue report, {report.label}",
        author="PeerLearn",
        invariant=1,
        pageCompression=1 if compress else 0,
    )
    styles = getSampleStyleSheet()
    brand = colors.HexColor("#e8552f")
    violet = colors.HexColor("#7c4dcc")
    story: list[Any] = [
        Paragraph(f"PeerLearn revenue report, {report.label}", styles["Title"]),
        Paragraph(
            f"Generated {timezone.localtime(generated).strftime('%d %b %Y, %H:%M %Z')}. "
            "Figures from the ledger; payments by capture time, refunds by processing time, payouts when paid.",
            styles["Normal"],
        ),
        Spacer(1, 6 * mm),
    ]
    total = report.total
    summary = [
        ["GMV", rupees_grouped(total.gmv)],
        ["Refunds", rupees_grouped(total.refunds)],
        ["Net collected", rupees_grouped(total.net)],
        ["Mentor share", rupees_grouped(total.mentor_share)],
        ["Platform revenue", rupees_grouped(total.platform_revenue)],
        ["Payouts to mentors", rupees_grouped(report.payouts)],
        ["Paid bookings", str(total.bookings)],
    ]
    table = Table(summary, colWidths=[60 * mm, 50 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, -2), 0.25, colors.lightgrey),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    story += [table, Spacer(1, 8 * mm)]

    if report.domains:
        story.append(Paragraph("GMV and platform revenue per domain (INR)", styles["Heading2"]))
        shown = report.domains[:8]
        drawing = Drawing(178 * mm, 80 * mm)
        chart = VerticalBarChart()
        chart.x, chart.y = 14 * mm, 16 * mm
        chart.width, chart.height = 160 * mm, 56 * mm
        chart.data = [[line.gmv / 100 for line in shown], [line.platform_revenue / 100 for line in shown]]
        chart.categoryAxis.categoryNames = [line.name[:18] for line in shown]
        chart.categoryAxis.labels.fontSize = 7
        chart.categoryAxis.labels.angle = 20
        chart.categoryAxis.labels.boxAnchor = "ne"
        chart.valueAxis.valueMin = 0
        chart.valueAxis.labels.fontSize = 7
        chart.bars[0].fillColor = brand
        chart.bars[1].fillColor = violet
        chart.barSpacing = 1
        drawing.add(chart)
        legend = Legend()
        legend.x, legend.y = 130 * mm, 78 * mm
        legend.fontSize = 7
        legend.alignment = "right"
        legend.colorNamePairs = [(brand, "GMV"), (violet, "Platform revenue")]
        drawing.add(legend)
        if len(report.domains) > len(shown):
            drawing.add(String(14 * mm, 2 * mm, "Top 8 domains by GMV; all are in the table below.", fontSize=7))
        story += [drawing, Spacer(1, 6 * mm)]

        story.append(Paragraph("Per domain", styles["Heading2"]))
        head = ["Domain", "Bookings", "GMV", "Refunds", "Mentor share", "Platform revenue"]
        body = [
            [
                line.name,
                str(line.bookings),
                rupees_grouped(line.gmv),
                rupees_grouped(line.refunds),
                rupees_grouped(line.mentor_share),
                rupees_grouped(line.platform_revenue),
            ]
            for line in [*report.domains, total]
        ]
        grid = Table([head, *body], repeatRows=1, hAlign="LEFT")
        grid.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                    ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                    ("FONTSIZE", (0, 0), (-1, -1), 8),
                    ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                    ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.black),
                ]
            )
        )
        story += [grid, Spacer(1, 6 * mm)]
    else:
        story.append(Paragraph("No payment or refund was recorded in this month.", styles["Normal"]))
    story.append(Paragraph(PAYOUTS_NOTE, styles["Italic"]))
    doc.build(story)
    return buffer.getvalue()
