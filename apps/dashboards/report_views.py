"""The admin's Reports page: pick a month, read its revenue per domain, download it as CSV or PDF."""

from __future__ import annotations

import re
from datetime import date

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from apps.accounts.access import admin_required

from . import reports

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
FIRST_YEAR = 2020


def _month(year: int, month: int) -> date:
    """A month an admin may ask for: a real one, from ``FIRST_YEAR`` up to the current month."""
    if not 1 <= month <= 12 or year < FIRST_YEAR:
        raise ValueError(_("Pick a month from %(year)s on.") % {"year": FIRST_YEAR})
    chosen = date(year, month, 1)
    if chosen > timezone.localdate().replace(day=1):
        raise ValueError(_("This month has not started yet: pick this month or an earlier one."))
    return chosen


@admin_required
@require_GET
def admin_reports(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    typed = (request.GET.get("month") or "").strip()
    error = ""
    month = today.replace(day=1)
    if typed:
        found = MONTH.match(typed)
        try:
            if not found:
                raise ValueError(
                    _("Enter a month as YYYY-MM, e.g. %(example)s.") % {"example": month.strftime("%Y-%m")}
                )
            month = _month(int(found[1]), int(found[2]))
        except ValueError as exc:
            error = str(exc)
    report = reports.monthly_report(month)
    return render(
        request,
        "dashboards/admin_reports.html",
        {
            "report": report,
            "typed": typed or report.slug,
            "error": error,
            "max_month": today.strftime("%Y-%m"),
            "payouts_note": reports.PAYOUTS_NOTE,
            "nav_active": "reports",
        },
        status=400 if error else 200,
    )


def _download(year: int, month: int) -> reports.MonthlyReport:
    try:
        return reports.monthly_report(_month(year, month))
    except ValueError as exc:
        raise Http404(str(exc)) from exc


@admin_required
@require_GET
def admin_report_csv(request: HttpRequest, year: int, month: int) -> HttpResponse:
    report = _download(year, month)
    response = HttpResponse(reports.report_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="peerlearn-revenue-{report.slug}.csv"'
    return response


@admin_required
@require_GET
def admin_report_pdf(request: HttpRequest, year: int, month: int) -> HttpResponse:
    report = _download(year, month)
    response = HttpResponse(reports.report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="peerlearn-revenue-{report.slug}.pdf"'
    return response
