"""The mentor's analytics page, /dashboard/mentor/analytics/ (``dashboards:mentor_analytics``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.accounts.access import role_required
from apps.accounts.models import Role

from . import analytics


@role_required(Role.MENTOR, approved_mentor=True)
def mentor_analytics(request: HttpRequest) -> HttpResponse:
    period = analytics.period_from(request.GET.get("period"))
    data = analytics.mentor_analytics(request.user, period)  # type: ignore[arg-type]
    return render(
        request,
        "dashboards/mentor_analytics.html",
        {
            "nav_active": "analytics",
            "period": period,
            "periods": [(key, label) for key, (_days, label) in analytics.PERIODS.items()],
            **data,
        },
    )
